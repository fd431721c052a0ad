/**
 * Matching the job's renditions to a player's levels (hls.js `levels`, dash.js representations):
 * by height first, then the nearest bitrate. Pure.
 */

export interface PlayerLevel {
  height: number;
  width?: number;
  /** bits per second */
  bitrate: number;
}

/** The index of the level that plays this rendition, or -1. */
export function levelIndexFor(levels: readonly PlayerLevel[], rendition: { height: number; bitrateKbps: number }): number {
  let best = -1;
  let bestScore = Infinity;
  levels.forEach((l, i) => {
    const score = (l.height === rendition.height ? 0 : 1e9 + Math.abs(l.height - rendition.height) * 1e6) + Math.abs(l.bitrate / 1000 - rendition.bitrateKbps);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

/** A short name for a rung in the switch: `1080p · 4.5 Mb/s`. */
export function rungLabel(r: { id: string; height: number; bitrateKbps: number }): string {
  const rate = r.bitrateKbps >= 1000 ? `${Math.round(r.bitrateKbps / 100) / 10} Mb/s` : `${Math.round(r.bitrateKbps)} kb/s`;
  return `${r.height}p · ${rate} (${r.id})`;
}

export interface Variant extends PlayerLevel {
  /** The variant playlist, resolved against the master's URL. */
  url: string;
}

/** The variant streams of an HLS master playlist (`#EXT-X-STREAM-INF` + URI), resolved against `baseUrl` (absolute). */
export function parseMasterPlaylist(text: string, baseUrl: string): Variant[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') return [];
  const out: Variant[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^#EXT-X-STREAM-INF:(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const attrs = m[1]!;
    const bandwidth = Number(/(?:^|,)BANDWIDTH=(\d+)/.exec(attrs)?.[1] ?? NaN);
    const res = /(?:^|,)RESOLUTION=(\d+)x(\d+)/.exec(attrs);
    let j = i + 1;
    while (j < lines.length && (lines[j] === '' || lines[j]!.startsWith('#'))) j++;
    const uri = lines[j];
    if (!uri || !Number.isFinite(bandwidth)) continue;
    let url: string;
    try {
      url = new URL(uri, baseUrl).href;
    } catch {
      continue;
    }
    out.push({ url, bitrate: bandwidth, height: res ? Number(res[2]) : 0, width: res ? Number(res[1]) : 0 });
    i = j;
  }
  return out;
}
