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
