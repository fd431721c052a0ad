/**
 * WebVTT cue timing: what ffmpeg wrote, moved onto the conformed video's timeline (the video's
 * frame 0 is time 0) and kept within the video. Pure text work.
 */

export interface Cue {
  startSec: number;
  endSec: number;
  /** Cue settings after the end time (`line:0 align:start`), as written. */
  settings: string;
  /** Identifier line, if any. */
  id: string | null;
  text: string;
}

const TIME = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/;
const TIMING = /^(\S+)\s+-->\s+(\S+)(.*)$/;

function parseTime(t: string): number | null {
  const m = TIME.exec(t);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

export function formatVttTime(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** The header block and the cues of a WebVTT file (other blocks, e.g. NOTE, are dropped). */
export function parseWebVtt(text: string): { header: string; cues: Cue[] } {
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const header = blocks.shift()?.trim() ?? '';
  if (!header.startsWith('WEBVTT')) throw new Error('not a WebVTT file (no WEBVTT header)');
  const cues: Cue[] = [];
  for (const block of blocks) {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0 || at > 1) continue;
    const m = TIMING.exec(lines[at].trim());
    const start = m ? parseTime(m[1]) : null;
    const end = m ? parseTime(m[2]) : null;
    if (start === null || end === null) continue;
    cues.push({ startSec: start, endSec: end, settings: m![3].trim(), id: at === 1 ? lines[0] : null, text: lines.slice(at + 1).join('\n').trimEnd() });
  }
  return { header, cues };
}

/** `&` that does not start an entity must be `&amp;` in WebVTT (ffmpeg 4.1 writes it bare). */
function escapeAmpersands(text: string): string {
  return text.replace(/&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/g, '&amp;');
}

/**
 * Cues moved `offsetSec` earlier and clipped to [0, durationSec]: a cue wholly before the
 * video's first frame or after its end is dropped, one straddling either edge is cut there.
 */
export function alignWebVtt(text: string, o: { offsetSec: number; durationSec: number }): { text: string; cues: Cue[] } {
  const { cues } = parseWebVtt(text);
  const kept: Cue[] = [];
  for (const c of cues) {
    const startSec = Math.max(0, c.startSec - o.offsetSec);
    const endSec = Math.min(o.durationSec, c.endSec - o.offsetSec);
    if (endSec - startSec < 0.001 || !c.text.trim()) continue;
    kept.push({ ...c, startSec, endSec, text: escapeAmpersands(c.text) });
  }
  // WebVTT wants cues in start order (stable: cues starting together keep theirs).
  kept.sort((a, b) => a.startSec - b.startSec);
  const body = kept.map((c) =>
    [...(c.id ? [c.id] : []), `${formatVttTime(c.startSec)} --> ${formatVttTime(c.endSec)}${c.settings ? ` ${c.settings}` : ''}`, c.text].join('\n'),
  );
  return { text: ['WEBVTT', ...body].join('\n\n') + '\n', cues: kept };
}
