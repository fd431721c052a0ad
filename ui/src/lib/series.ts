/**
 * Time series as uPlot wants them: one shared, sorted x array (epoch seconds) and one y array
 * per series, null where a series has no point at that time. Pure.
 */

export interface SeriesInput {
  label: string;
  points: { t: number; v: number }[];
}

/** `[xs, ys1, ys2, …]`: the union of every series' times, each series' values aligned to it. */
export function alignSeries(series: readonly SeriesInput[]): [number[], ...(number | null)[][]] {
  const times = new Set<number>();
  for (const s of series) for (const p of s.points) if (Number.isFinite(p.t)) times.add(p.t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const p of s.points) {
      const i = index.get(p.t);
      if (i !== undefined && Number.isFinite(p.v)) col[i] = p.v;
    }
    return col;
  });
  return [xs, ...ys];
}

/** A distinct colour per series (works on light and dark backgrounds). */
export const SERIES_COLOURS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];
export const seriesColour = (i: number): string => SERIES_COLOURS[i % SERIES_COLOURS.length]!;

/** The last value, min and max of a series (for a chart's caption / screen readers). */
export function seriesStats(points: readonly { t: number; v: number }[]): { last: number | null; min: number | null; max: number | null } {
  if (points.length === 0) return { last: null, min: null, max: null };
  let min = Infinity;
  let max = -Infinity;
  let last = points[0]!;
  for (const p of points) {
    if (p.v < min) min = p.v;
    if (p.v > max) max = p.v;
    if (p.t >= last.t) last = p;
  }
  return { last: last.v, min, max };
}
