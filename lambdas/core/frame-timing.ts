/**
 * What a decoder will output, read from the video packets' timestamps (ffprobe, no decoding):
 * packets an edit list discards are dropped, the rest sorted into presentation order. From that
 * follow the origin, the frame count of the conformed source and whether the rate varies.
 */

export interface VideoPacket {
  pts: number;
  durationSec: number | null;
  discard: boolean;
}

export interface FrameTimeline {
  /** Presentation time of the first decoded frame. */
  originSec: number;
  /** Presentation end of the last frame (its start plus its duration). */
  endSec: number;
  /** Frames the decoder outputs. */
  frames: number;
  /** Most common interval between frames (seconds). */
  typicalIntervalSec: number;
  maxGapSec: number;
  variableFrameRate: boolean;
}

/** Parses `ffprobe -show_entries packet=pts_time,duration_time,flags -of csv=p=0` output. */
export function parsePacketCsv(csv: string): VideoPacket[] {
  const packets: VideoPacket[] = [];
  for (const line of csv.split('\n')) {
    const [pts, duration, flags = ''] = line.trim().split(',');
    const t = Number(pts);
    if (!pts || pts === 'N/A' || !Number.isFinite(t)) continue;
    const d = Number(duration);
    packets.push({ pts: t, durationSec: duration && duration !== 'N/A' && d > 0 ? d : null, discard: flags.includes('D') });
  }
  return packets;
}

export function frameTimeline(packets: VideoPacket[]): FrameTimeline | null {
  const kept = packets.filter((p) => !p.discard).sort((a, b) => a.pts - b.pts);
  if (kept.length === 0) return null;
  const intervals: number[] = [];
  for (let i = 1; i < kept.length; i++) intervals.push(kept[i].pts - kept[i - 1].pts);
  const typical = mostCommonInterval(intervals) ?? kept[0].durationSec ?? 1 / 25;
  const last = kept[kept.length - 1];
  const lastDuration = last.durationSec ?? typical;
  const maxGap = Math.max(lastDuration, ...intervals.slice(0, 100_000));
  // Timestamps are rounded to the container's timebase: a few percent of jitter is still CFR.
  const variableFrameRate = intervals.some((d) => Math.abs(d - typical) > 0.25 * typical);
  return {
    originSec: kept[0].pts,
    endSec: last.pts + lastDuration,
    frames: kept.length,
    typicalIntervalSec: typical,
    maxGapSec: maxGap,
    variableFrameRate,
  };
}

/** The mode of the intervals, bucketed to 0.1 ms (timebase rounding spreads equal intervals). */
function mostCommonInterval(intervals: number[]): number | null {
  const counts = new Map<number, { n: number; sum: number }>();
  for (const d of intervals) {
    if (!(d > 0)) continue;
    const k = Math.round(d * 10_000);
    const c = counts.get(k) ?? { n: 0, sum: 0 };
    c.n++;
    c.sum += d;
    counts.set(k, c);
  }
  let best: { n: number; sum: number } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best ? best.sum / best.n : null;
}

const STANDARD_RATES: [string, number][] = [
  ['24000/1001', 24000 / 1001], ['24', 24], ['25', 25], ['30000/1001', 30000 / 1001], ['30', 30],
  ['48', 48], ['50', 50], ['60000/1001', 60000 / 1001], ['60', 60], ['90', 90], ['100', 100],
  ['120000/1001', 120000 / 1001], ['120', 120],
];

/**
 * The nominal output rate of a variable-rate source: its most common frame interval, snapped to
 * the nearest standard rate within 3 % (phones record "30 fps" with dropped frames), otherwise
 * rounded to a whole number. Never above 120.
 */
export function nominalRate(typicalIntervalSec: number): string {
  const fps = Math.min(120, 1 / typicalIntervalSec);
  let best: [string, number] | null = null;
  for (const r of STANDARD_RATES) if (!best || Math.abs(r[1] - fps) < Math.abs(best[1] - fps)) best = r;
  if (best && Math.abs(best[1] - fps) / best[1] <= 0.03) return best[0];
  return String(Math.max(1, Math.round(fps)));
}

/** Frames of the conformed source: one per 1/fps from the origin to the end of the last frame. */
export function conformedFrames(t: Pick<FrameTimeline, 'originSec' | 'endSec'>, fps: number): number {
  return Math.max(1, Math.round((t.endSec - t.originSec) * fps));
}
