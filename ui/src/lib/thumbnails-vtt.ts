/**
 * The thumbnails WebVTT (core/thumbnails.ts writes it): cues of `start --> end` and
 * `<sprite>#xywh=x,y,w,h`, read into tiles of the sprite sheet for seek-bar previews. Pure.
 */

export interface ThumbnailCue {
  start: number;
  end: number;
  /** The image as the cue names it (usually the sprite's file name), without the fragment. */
  image: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** `01:02:03.456`, `02:03.456` or `3.5` → seconds; NaN when unreadable. */
export function vttTime(s: string): number {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(s.trim());
  if (!m) return /^\d+(?:\.\d+)?$/.test(s.trim()) ? Number(s) : NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

export function parseThumbnailsVtt(text: string): ThumbnailCue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!/^WEBVTT/.test(lines[0] ?? '')) return [];
  const cues: ThumbnailCue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const timing = /^\s*(\S+)\s+-->\s+(\S+)/.exec(lines[i]!);
    if (!timing) continue;
    const start = vttTime(timing[1]!);
    const end = vttTime(timing[2]!);
    const payload = (lines[i + 1] ?? '').trim();
    const frag = /^(.*?)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(payload);
    if (!frag || !Number.isFinite(start) || !Number.isFinite(end)) continue;
    cues.push({ start, end, image: frag[1]!, x: Number(frag[2]), y: Number(frag[3]), w: Number(frag[4]), h: Number(frag[5]) });
    i++;
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** The cue showing at `t` seconds (the last one before it, past the end), or null. */
export function cueAt(cues: readonly ThumbnailCue[], t: number): ThumbnailCue | null {
  if (cues.length === 0 || !Number.isFinite(t)) return null;
  let lo = 0;
  let hi = cues.length - 1;
  if (t < cues[0]!.start) return cues[0]!;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cues[mid]!.start <= t) lo = mid;
    else hi = mid - 1;
  }
  return cues[lo]!;
}

const baseName = (s: string) => s.split('?')[0]!.split('#')[0]!.split('/').pop() ?? '';

/**
 * Where to load a cue's image from: the job's sprite link when the cue names that file (links
 * may be presigned, so a relative name must not be resolved against the VTT's signed URL), else
 * the name resolved against the VTT's own URL.
 */
export function cueImageUrl(image: string, vttUrl: string, sprite: { key: string; url: string } | null): string {
  if (sprite && (image === '' || baseName(image) === baseName(sprite.key) || baseName(image) === baseName(sprite.url))) return sprite.url;
  try {
    return new URL(image, new URL(vttUrl, 'http://localhost/')).href.replace(/^http:\/\/localhost(?=\/)/, '');
  } catch {
    return image;
  }
}
