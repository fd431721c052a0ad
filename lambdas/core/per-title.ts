/**
 * Per-title ladders, without I/O. Trial encodes of samples of the source over candidate
 * resolutions × CRFs give (bitrate, quality) points; their upper convex hull (quality over
 * log-bitrate) is the best quality any candidate gets at each bitrate; rungs are chosen along it,
 * about `stepRatio` apart in bitrate, resolution never rising as bitrate falls, the top rung the
 * cheapest point reaching `maxPsnr` (and never above `maxBitrateKbps` or the source's size).
 * Each rung is then encoded at its CRF under a VBV cap (capped CRF), the same CRF in every chunk.
 *
 * Quality is PSNR-Y of the trial scaled back to the source's size against the source, aggregated
 * over samples as PSNR of the mean squared error (not the mean of PSNRs), and bitrate the bits of
 * all samples over their duration. The hull is taken over linear bitrate, where rate–quality
 * curves are concave (over log-bitrate they are nearly straight, and a hull there skips the middle
 * of the ladder); rungs are then spaced by ratios along it, as players switch by ratios.
 */
import type { VideoCodec } from '../contracts/index.js';
import type { PerTitleConfig } from './presets.js';

/** One trial: a candidate resolution at one CRF, over every sample. */
export interface TrialPoint {
  width: number;
  height: number;
  crf: number;
  kbps: number;
  /** PSNR-Y (dB) against the source at the source's size. */
  psnr: number;
  /** VMAF where the analysis could score it (confirmation only: the search is on PSNR-Y). */
  vmaf?: number | null;
}

/** What one sample's trial of one candidate measured. */
export interface SampleTrial {
  width: number;
  height: number;
  crf: number;
  bytes: number;
  durationSec: number;
  frames: number;
  /** Mean squared error of luma (8-bit scale) over the sample's frames. */
  mseY: number;
  vmaf?: number | null;
}

/** A window of the source the analysis encodes, in frames of the conformed source. */
export interface SampleWindow {
  startFrame: number;
  frames: number;
}

const PSNR_CAP = 100;
export const psnrOfMse = (mse: number): number => (mse <= 0 ? PSNR_CAP : Math.min(PSNR_CAP, 10 * Math.log10((255 * 255) / mse)));
export const mseOfPsnr = (psnr: number): number => (255 * 255) / 10 ** (psnr / 10);

/**
 * Where the samples are: about `share` of the title's frames in at most `count` windows spread
 * evenly over it (their centres at (i + ½)/count of it). Windows are `sampleFrames` long, longer
 * when `count` of them fall short of the share, but never over `maxFrames` (then the share is not
 * reached: a long title gets `count` × `maxFrames`). A title shorter than the windows is sampled
 * whole. Windows never overlap and start on frame boundaries.
 */
export function sampleWindows(totalFrames: number, o: { count: number; sampleFrames: number; maxFrames?: number; share?: number; minFrames?: number }): SampleWindow[] {
  const share = o.share ?? 0.1;
  const want = Math.max(o.minFrames ?? 1, Math.round(totalFrames * share));
  const count = Math.max(1, Math.min(o.count, Math.ceil(want / Math.max(1, o.sampleFrames))));
  const per = Math.max(1, Math.min(Math.floor(totalFrames / count), Math.ceil(want / count), o.maxFrames ?? Infinity));
  if (per * count >= totalFrames) return [{ startFrame: 0, frames: totalFrames }];
  const out: SampleWindow[] = [];
  for (let i = 0; i < count; i++) {
    const centre = ((i + 0.5) / count) * totalFrames;
    const start = Math.min(totalFrames - per, Math.max(out.length ? out[out.length - 1]!.startFrame + out[out.length - 1]!.frames : 0, Math.round(centre - per / 2)));
    out.push({ startFrame: start, frames: per });
  }
  return out;
}

/** Candidate short sides: the config's, those not above the source, and the source's own when it is not a candidate. */
export function candidateHeights(sourceShortSide: number, heights: readonly number[]): number[] {
  const even = Math.floor(sourceShortSide / 2) * 2;
  const kept = [...new Set(heights.filter((h) => h <= even))].sort((a, b) => b - a);
  if (!kept.length || kept[0]! < even) kept.unshift(even);
  return kept;
}

/**
 * Pixels one analysis process encodes at once: six 1080p encoders (or three 1440p, one 2160p), so
 * trials share one decode of the sample without the encoders' frame buffers outgrowing the
 * function's memory. Decoding is what trials would otherwise repeat most: a sample's seek lands
 * on the keyframe before it, so each process decodes up to a GOP of the source it does not encode.
 */
export const TRIAL_PIXEL_BUDGET = 6 * 1920 * 1080;
/**
 * The budget per codec. libaom keeps far larger buffers per encoder than x264: 20 of them at
 * 720p in one process failed with "Memory allocation error" under the child cap, while five at
 * 720p (the per-size batches of the first version) ran; x265 and libvpx ran at the x264 budget.
 */
export const TRIAL_PIXEL_BUDGETS: Readonly<Record<VideoCodec, number>> = {
  h264: TRIAL_PIXEL_BUDGET,
  hevc: TRIAL_PIXEL_BUDGET,
  vp9: TRIAL_PIXEL_BUDGET,
  av1: 5 * 1280 * 720,
};

export interface TrialSpec {
  width: number;
  height: number;
  crf: number;
}

/**
 * Every (size, CRF) trial of a sample, largest size first, in groups that one process encodes
 * (and one scores) together: as many as fit the pixel budget, at least one.
 */
export function trialBatches(sizes: readonly { width: number; height: number }[], crfs: readonly number[], budget = TRIAL_PIXEL_BUDGET): TrialSpec[][] {
  const out: TrialSpec[][] = [];
  let batch: TrialSpec[] = [];
  let pixels = 0;
  for (const s of sizes) {
    for (const crf of crfs) {
      const p = s.width * s.height;
      if (batch.length && pixels + p > budget) {
        out.push(batch);
        batch = [];
        pixels = 0;
      }
      batch.push({ width: s.width, height: s.height, crf });
      pixels += p;
    }
  }
  if (batch.length) out.push(batch);
  return out;
}

/** Every sample's trial of each (resolution, CRF) as one point: total bits over total time, PSNR of the mean MSE. */
export function aggregateTrials(trials: readonly SampleTrial[]): TrialPoint[] {
  const by = new Map<string, SampleTrial[]>();
  for (const t of trials) {
    const k = `${t.width}x${t.height}@${t.crf}`;
    by.set(k, [...(by.get(k) ?? []), t]);
  }
  return [...by.values()].map((ts) => {
    const frames = ts.reduce((n, t) => n + t.frames, 0);
    const seconds = ts.reduce((n, t) => n + t.durationSec, 0);
    const bytes = ts.reduce((n, t) => n + t.bytes, 0);
    const mse = ts.reduce((n, t) => n + t.mseY * t.frames, 0) / Math.max(1, frames);
    const vmafs = ts.filter((t) => typeof t.vmaf === 'number');
    return {
      width: ts[0]!.width,
      height: ts[0]!.height,
      crf: ts[0]!.crf,
      kbps: (bytes * 8) / 1000 / Math.max(1e-9, seconds),
      psnr: psnrOfMse(mse),
      vmaf: vmafs.length === ts.length ? vmafs.reduce((n, t) => n + t.vmaf! * t.frames, 0) / Math.max(1, frames) : null,
    };
  });
}

/**
 * The upper convex hull of the points in (bitrate, quality), lowest bitrate first: every point on
 * it is one no mix of other candidates beats (quality is concave in bitrate, so each resolution's
 * curve bends under it where another resolution does better). Points with no positive bitrate are left out.
 */
export function convexHull(points: readonly TrialPoint[]): TrialPoint[] {
  const sorted = points.filter((p) => p.kbps > 0 && Number.isFinite(p.psnr)).sort((a, b) => a.kbps - b.kbps || b.psnr - a.psnr);
  const hull: TrialPoint[] = [];
  const x = (p: TrialPoint) => p.kbps;
  for (const p of sorted) {
    // Never down: a point at higher bitrate and no better quality is dominated.
    if (hull.length && p.psnr <= hull[hull.length - 1]!.psnr) continue;
    while (hull.length >= 2) {
      const a = hull[hull.length - 2]!;
      const b = hull[hull.length - 1]!;
      // b is under the segment a→p (or on it): not on the upper hull.
      const cross = (x(b) - x(a)) * (p.psnr - a.psnr) - (b.psnr - a.psnr) * (x(p) - x(a));
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** A chosen rung: a hull point (or one between two hull points of the same resolution). */
export interface PerTitleRung {
  width: number;
  height: number;
  crf: number;
  /** Predicted average bitrate (from the trials) and PSNR-Y at it. */
  kbps: number;
  psnr: number;
  vmaf: number | null;
}

/** The hull's quality at a bitrate (linear in log-bitrate between hull points), clamped to its ends. */
export function hullQualityAt(hull: readonly TrialPoint[], kbps: number): number {
  if (!hull.length) return NaN;
  if (kbps <= hull[0]!.kbps) return hull[0]!.psnr;
  for (let i = 1; i < hull.length; i++) {
    const a = hull[i - 1]!;
    const b = hull[i]!;
    if (kbps <= b.kbps) return a.psnr + ((b.psnr - a.psnr) * (Math.log(kbps) - Math.log(a.kbps))) / (Math.log(b.kbps) - Math.log(a.kbps));
  }
  return hull[hull.length - 1]!.psnr;
}

/** The hull's bitrate for a quality (the inverse of hullQualityAt), or null above its best. */
export function hullKbpsFor(hull: readonly TrialPoint[], psnr: number): number | null {
  if (!hull.length || psnr > hull[hull.length - 1]!.psnr) return null;
  if (psnr <= hull[0]!.psnr) return hull[0]!.kbps;
  for (let i = 1; i < hull.length; i++) {
    const a = hull[i - 1]!;
    const b = hull[i]!;
    if (psnr <= b.psnr) return Math.exp(Math.log(a.kbps) + ((psnr - a.psnr) * (Math.log(b.kbps) - Math.log(a.kbps))) / (b.psnr - a.psnr));
  }
  return hull[hull.length - 1]!.kbps;
}

/**
 * Points along the hull a rung may sit on: the hull's vertices and, between two vertices of the
 * same resolution, the CRFs between theirs (interpolated in log-bitrate and quality).
 */
function hullCandidates(hull: readonly TrialPoint[]): PerTitleRung[] {
  const out: PerTitleRung[] = hull.map((p) => ({ width: p.width, height: p.height, crf: p.crf, kbps: p.kbps, psnr: p.psnr, vmaf: p.vmaf ?? null }));
  for (let i = 1; i < hull.length; i++) {
    const a = hull[i - 1]!;
    const b = hull[i]!;
    if (a.width !== b.width || a.height !== b.height) continue;
    const steps = Math.max(0, Math.round(Math.abs(a.crf - b.crf)) - 1);
    for (let s = 1; s <= steps; s++) {
      const f = s / (steps + 1);
      out.push({
        width: a.width, height: a.height,
        crf: a.crf + (b.crf - a.crf) * f,
        kbps: Math.exp(Math.log(a.kbps) + (Math.log(b.kbps) - Math.log(a.kbps)) * f),
        psnr: a.psnr + (b.psnr - a.psnr) * f,
        vmaf: null,
      });
    }
  }
  return out.sort((x, y) => x.kbps - y.kbps);
}

/**
 * The rungs along the hull, top first. The top is the cheapest candidate reaching `maxPsnr` (the
 * best one when none does), not above `maxBitrateKbps`; then each next rung is the candidate
 * nearest (in log-bitrate) to the previous one's bitrate ÷ `stepRatio`, at least 1.4× below it,
 * at no larger a resolution, until `minBitrateKbps` or `maxRungs`.
 */
export function chooseRungs(hull: readonly TrialPoint[], c: Pick<PerTitleConfig, 'maxRungs' | 'stepRatio' | 'maxPsnr' | 'maxBitrateKbps' | 'minBitrateKbps'>): PerTitleRung[] {
  const all = hullCandidates(hull).filter((p) => p.kbps <= c.maxBitrateKbps);
  if (!all.length) return hull.length ? [{ ...hull[0]!, vmaf: hull[0]!.vmaf ?? null }] : [];
  const top = all.find((p) => p.psnr >= c.maxPsnr) ?? all[all.length - 1]!;
  const rungs: PerTitleRung[] = [top];
  const MIN_STEP = 1.4;
  while (rungs.length < c.maxRungs) {
    const prev = rungs[rungs.length - 1]!;
    const target = prev.kbps / c.stepRatio;
    if (target < c.minBitrateKbps * 0.85) break;
    const options = all.filter((p) => p.kbps <= prev.kbps / MIN_STEP && p.kbps >= c.minBitrateKbps * 0.85 && p.height <= prev.height && p.width <= prev.width);
    if (!options.length) break;
    const next = options.reduce((best, p) => (Math.abs(Math.log(p.kbps / target)) < Math.abs(Math.log(best.kbps / target)) ? p : best));
    rungs.push(next);
  }
  return rungs;
}

/**
 * What the chosen ladder saves against a fixed one: for each fixed rung (its resolution and
 * bitrate, its quality read off that resolution's trials), the bitrate the hull needs for the same
 * quality; the saving is 1 − Σ hull bitrate ÷ Σ fixed bitrate over the fixed rungs the hull can
 * match. Null when none can be matched.
 */
export function predictedSaving(points: readonly TrialPoint[], hull: readonly TrialPoint[], fixed: readonly { width: number; height: number; kbps: number }[]): { percent: number; matched: number } | null {
  let fixedSum = 0;
  let hullSum = 0;
  let matched = 0;
  for (const f of fixed) {
    const own = convexHull(points.filter((p) => p.width === f.width && p.height === f.height));
    if (own.length < 2 || f.kbps < own[0]!.kbps || f.kbps > own[own.length - 1]!.kbps) continue;
    const q = hullQualityAt(own, f.kbps);
    const need = hullKbpsFor(hull, q);
    if (need === null) continue;
    fixedSum += f.kbps;
    hullSum += Math.min(need, f.kbps);
    matched++;
  }
  return matched ? { percent: (1 - hullSum / fixedSum) * 100, matched } : null;
}
