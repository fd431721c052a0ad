/**
 * A job's bitrate ladder as chart points: bitrate (kb/s) against quality — VMAF when the job
 * measured it, PSNR (dB) otherwise — one point per rung, sorted by bitrate; plus the per-title
 * hull when the job searched its ladder (the job view's `ladderSearch`: trial points at the
 * analysis preset, in PSNR-Y, so it is drawn only when the y axis is PSNR). Pure.
 */

export interface RenditionLike {
  id: string;
  width: number;
  height: number;
  bitrateKbps: number;
  bytes?: number;
  psnr: number | null;
  ssim: number | null;
  vmaf: number | null;
}

export type LadderMetric = 'VMAF' | 'PSNR';

export interface LadderPoint {
  id: string;
  /** `1920x1080` */
  size: string;
  width: number;
  height: number;
  bitrateKbps: number;
  /** The chosen metric's value; null when this rung lacks it (listed, not plotted). */
  quality: number | null;
  psnr: number | null;
  ssim: number | null;
  vmaf: number | null;
}

export interface HullPoint {
  bitrateKbps: number;
  quality: number;
  label: string | null;
}

export interface Ladder {
  /** Which metric the y axis shows; null when no rung has a score. */
  metric: LadderMetric | null;
  unit: string;
  points: LadderPoint[];
  hull: HullPoint[] | null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The hull points of a report-like object (`hull`, `convexHull` or `perTitle.hull`), in the chosen metric. */
export function hullOf(report: unknown, metric: LadderMetric | null): HullPoint[] | null {
  if (!metric || typeof report !== 'object' || report === null) return null;
  const r = report as Record<string, unknown>;
  const perTitle = r.perTitle as Record<string, unknown> | undefined;
  const raw = r.hull ?? r.convexHull ?? perTitle?.hull;
  if (!Array.isArray(raw)) return null;
  const key = metric === 'VMAF' ? 'vmaf' : 'psnr';
  const out: HullPoint[] = [];
  for (const p of raw) {
    if (typeof p !== 'object' || p === null) continue;
    const q = p as Record<string, unknown>;
    const quality = finite(q[key]) ? q[key] : finite(q.quality) ? q.quality : null;
    const kbps = finite(q.bitrateKbps) ? q.bitrateKbps : finite(q.kbps) ? q.kbps : null;
    if (quality === null || kbps === null) continue;
    const label = finite(q.width) && finite(q.height) ? `${q.width}x${q.height}` : typeof q.id === 'string' ? q.id : null;
    out.push({ bitrateKbps: kbps, quality, label });
  }
  return out.length ? out.sort((a, b) => a.bitrateKbps - b.bitrateKbps) : null;
}

export function ladderOf(renditions: readonly RenditionLike[], report?: unknown): Ladder {
  const withVmaf = renditions.filter((r) => finite(r.vmaf)).length;
  const withPsnr = renditions.filter((r) => finite(r.psnr)).length;
  const metric: LadderMetric | null = withVmaf > 0 && withVmaf >= withPsnr ? 'VMAF' : withPsnr > 0 ? 'PSNR' : withVmaf > 0 ? 'VMAF' : null;
  const points = [...renditions]
    .sort((a, b) => a.bitrateKbps - b.bitrateKbps || a.height - b.height)
    .map(
      (r): LadderPoint => ({
        id: r.id,
        size: `${r.width}x${r.height}`,
        width: r.width,
        height: r.height,
        bitrateKbps: r.bitrateKbps,
        quality: metric === 'VMAF' ? (finite(r.vmaf) ? r.vmaf : null) : metric === 'PSNR' ? (finite(r.psnr) ? r.psnr : null) : null,
        psnr: r.psnr,
        ssim: r.ssim,
        vmaf: r.vmaf,
      }),
    );
  return { metric, unit: metric === 'PSNR' ? 'dB' : metric === 'VMAF' ? 'VMAF' : '', points, hull: hullOf(report, metric) };
}
