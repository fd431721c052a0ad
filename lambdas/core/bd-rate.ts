/**
 * Bjøntegaard delta rate (BD-rate) and delta quality (BD-PSNR style) between two rate–quality curves.
 *
 * Method (VCEG-M33, with the interpolation of the JCT-VC/JVET common-test-condition sheets
 * JCTVC-L1100 / JVET-T2010, the `pchip` mode of the Python `bjontegaard` package, and the PCHIP
 * calculators of Netflix's vmaf tools and AOM's analysis scripts):
 *  - BD-rate: x = quality, y = log10(bitrate). Each curve is interpolated with the monotone
 *    piecewise cubic Hermite interpolant (Fritsch–Carlson; derivatives exactly as scipy's
 *    `PchipInterpolator`: weighted harmonic mean of the neighbouring secants inside, the
 *    three-point shape-preserving formula at both ends, linear for two points). Both are integrated
 *    exactly (the cubics in closed form) over the OVERLAPPING quality range only — extrapolating
 *    either curve beyond its measured points would invent data. Δ = (∫y_test − ∫y_ref)/(max − min)
 *    is the mean log10 bitrate difference at equal quality; BD-rate = (10^Δ − 1) × 100 %.
 *    Negative: the test curve needs fewer bits for the same quality.
 *  - BD-quality: the same with the axes swapped (x = log10(bitrate), y = quality): the mean quality
 *    difference at equal bitrate (BD-PSNR for PSNR, "BD-VMAF" for VMAF), test minus reference.
 *
 * Why PCHIP rather than Bjøntegaard's original cubic polynomial fit: a single cubic through four
 * points overshoots and can even fold back on real ladders (the reason the HEVC CTC sheet moved to
 * PCHIP), and it needs exactly-four-point curves; PCHIP passes through every point, never leaves
 * the range of neighbouring points (no invented wiggles), and works for any number ≥ 2.
 * Why exact integration: Netflix's newer `calculate_bd_rate` samples 100 points and uses the
 * trapezoid rule, which differs from the closed form by ~1e-4 relative; the CTC sheets integrate
 * the cubics exactly, as here.
 *
 * Curves are refused (InputInvalidError) with fewer than two points, with non-finite or
 * non-positive bitrates, when quality and bitrate do not both strictly increase once sorted by
 * quality (a ladder whose extra bits bought nothing is not a rate–quality curve), and when the two
 * curves' ranges do not overlap.
 */
import { InputInvalidError } from '../contracts/index.js';

export interface RateQualityPoint {
  kbps: number;
  /** VMAF, PSNR (dB), SSIM…: any score where higher is better. */
  quality: number;
}

export interface BdRateResult {
  /** Mean bitrate difference of the test curve against the reference at equal quality, percent. */
  bdRatePercent: number;
  /** Δ: mean of log10(test kbps) − log10(reference kbps) over the overlap. */
  meanLog10RateDelta: number;
  /** The quality range both curves cover: the integration interval. */
  overlap: { min: number; max: number };
  /** Overlap width / width of the union of both quality ranges (1 = the same range). */
  overlapFraction: number;
  points: { reference: number; test: number };
}

export interface BdQualityResult {
  /** Mean quality difference, test minus reference, at equal bitrate (positive: test is better). */
  bdQuality: number;
  /** The bitrate range both curves cover (kb/s): the integration interval, in log10 rate. */
  overlap: { minKbps: number; maxKbps: number };
  overlapFraction: number;
  points: { reference: number; test: number };
}

/** A monotone cubic Hermite interpolant (scipy `PchipInterpolator` semantics, extrapolating with the end cubics). */
export interface Pchip {
  evaluate(x: number): number;
  /** ∫ from a to b (a ≤ b or not), exact. */
  integrate(a: number, b: number): number;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  /** The derivative at each knot. */
  readonly slopes: readonly number[];
}

const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** scipy's `_edge_case`: the one-sided three-point estimate, kept shape-preserving. */
function edgeSlope(h0: number, h1: number, m0: number, m1: number): number {
  const d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (sign(d) !== sign(m0)) return 0;
  if (sign(m0) !== sign(m1) && Math.abs(d) > 3 * Math.abs(m0)) return 3 * m0;
  return d;
}

/**
 * Builds the PCHIP interpolant of (xs, ys). xs must strictly increase (checked); at least two points.
 */
export function pchip(xs: readonly number[], ys: readonly number[]): Pchip {
  const n = xs.length;
  if (n < 2 || ys.length !== n) throw new InputInvalidError(`pchip needs at least two (x, y) pairs of equal count, got ${n} x and ${ys.length} y`);
  const h: number[] = [];
  const m: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    h.push(xs[i + 1] - xs[i]);
    if (!(h[i] > 0)) throw new InputInvalidError(`pchip needs strictly increasing x: x[${i}] = ${xs[i]}, x[${i + 1}] = ${xs[i + 1]}`);
    m.push((ys[i + 1] - ys[i]) / h[i]);
  }
  const d = new Array<number>(n).fill(0);
  if (n === 2) {
    d[0] = d[1] = m[0];
  } else {
    for (let k = 1; k < n - 1; k++) {
      const [m0, m1, h0, h1] = [m[k - 1], m[k], h[k - 1], h[k]];
      if (sign(m0) !== sign(m1) || m0 === 0 || m1 === 0) d[k] = 0;
      else {
        const w1 = 2 * h1 + h0;
        const w2 = h1 + 2 * h0;
        d[k] = (w1 + w2) / (w1 / m0 + w2 / m1);
      }
    }
    d[0] = edgeSlope(h[0], h[1], m[0], m[1]);
    d[n - 1] = edgeSlope(h[n - 2], h[n - 3], m[n - 2], m[n - 3]);
  }
  // On [x_i, x_i + h]: y = y_i + d_i t + c_i t² + b_i t³.
  const c = h.map((hi, i) => (3 * m[i] - 2 * d[i] - d[i + 1]) / hi);
  const b = h.map((hi, i) => (d[i] - 2 * m[i] + d[i + 1]) / (hi * hi));
  const interval = (x: number) => {
    let lo = 0;
    let hi = n - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (xs[mid] <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const primitive = (i: number, t: number) => t * (ys[i] + t * (d[i] / 2 + t * (c[i] / 3 + t * (b[i] / 4))));
  /** ∫ from xs[0] to x. */
  const cumulative = (x: number) => {
    const k = interval(x);
    let sum = 0;
    for (let i = 0; i < k; i++) sum += primitive(i, h[i]);
    return sum + primitive(k, x - xs[k]);
  };
  return {
    xs: [...xs],
    ys: [...ys],
    slopes: d,
    evaluate(x) {
      const i = interval(x);
      const t = x - xs[i];
      return ys[i] + t * (d[i] + t * (c[i] + t * b[i]));
    },
    integrate(a0, b0) {
      return cumulative(b0) - cumulative(a0);
    },
  };
}

interface Curve {
  /** Sorted by x, both strictly increasing. */
  xs: number[];
  ys: number[];
}

function checkedCurve(points: readonly RateQualityPoint[], role: 'reference' | 'test', x: 'quality' | 'rate'): Curve {
  if (!Array.isArray(points) || points.length < 2) {
    throw new InputInvalidError(`BD: the ${role} curve has ${Array.isArray(points) ? points.length : 0} point(s); at least 2 are needed (4 or more is the classic case)`, { role });
  }
  for (const [i, p] of points.entries()) {
    if (!Number.isFinite(p?.kbps) || !(p.kbps > 0)) throw new InputInvalidError(`BD: ${role} point ${i} has bitrate ${p?.kbps}; bitrates must be finite and positive`, { role, index: i });
    if (!Number.isFinite(p.quality)) throw new InputInvalidError(`BD: ${role} point ${i} has quality ${p.quality}; qualities must be finite`, { role, index: i });
  }
  const sorted = [...points].sort((a, b) => a.quality - b.quality || a.kbps - b.kbps);
  for (let i = 1; i < sorted.length; i++) {
    const [p, q] = [sorted[i - 1], sorted[i]];
    if (!(q.quality > p.quality) || !(q.kbps > p.kbps)) {
      throw new InputInvalidError(
        `BD: the ${role} curve is not increasing: ${p.kbps} kb/s → quality ${p.quality}, then ${q.kbps} kb/s → quality ${q.quality} (sorted by quality, both must strictly increase)`,
        { role, index: i },
      );
    }
  }
  const logRate = sorted.map((p) => Math.log10(p.kbps));
  const quality = sorted.map((p) => p.quality);
  return x === 'quality' ? { xs: quality, ys: logRate } : { xs: logRate, ys: quality };
}

function overlapOf(ref: Curve, test: Curve, what: string): { min: number; max: number; fraction: number } {
  const [rMin, rMax] = [ref.xs[0], ref.xs[ref.xs.length - 1]];
  const [tMin, tMax] = [test.xs[0], test.xs[test.xs.length - 1]];
  const min = Math.max(rMin, tMin);
  const max = Math.min(rMax, tMax);
  if (!(max > min)) {
    throw new InputInvalidError(`BD: the curves do not overlap in ${what}: reference ${fmtRange(rMin, rMax, what)}, test ${fmtRange(tMin, tMax, what)}`, {
      reference: [rMin, rMax],
      test: [tMin, tMax],
    });
  }
  return { min, max, fraction: (max - min) / (Math.max(rMax, tMax) - Math.min(rMin, tMin)) };
}

const fmtRange = (a: number, b: number, what: string) => (what === 'bitrate' ? `${(10 ** a).toPrecision(6)}–${(10 ** b).toPrecision(6)} kb/s` : `${a}–${b}`);

/** Mean of test − reference over the overlap of their x ranges. */
function meanDelta(ref: Curve, test: Curve, what: string) {
  const o = overlapOf(ref, test, what);
  const fr = pchip(ref.xs, ref.ys);
  const ft = pchip(test.xs, test.ys);
  return { delta: (ft.integrate(o.min, o.max) - fr.integrate(o.min, o.max)) / (o.max - o.min), ...o };
}

/**
 * BD-rate of `test` against `reference` (PCHIP, exact integral over the common quality range).
 * −50 means the test curve needs half the bits at every quality.
 */
export function bdRate(reference: readonly RateQualityPoint[], test: readonly RateQualityPoint[]): BdRateResult {
  const ref = checkedCurve(reference, 'reference', 'quality');
  const tst = checkedCurve(test, 'test', 'quality');
  const { delta, min, max, fraction } = meanDelta(ref, tst, 'quality');
  return {
    bdRatePercent: (10 ** delta - 1) * 100,
    meanLog10RateDelta: delta,
    overlap: { min, max },
    overlapFraction: fraction,
    points: { reference: reference.length, test: test.length },
  };
}

/**
 * BD-quality (BD-PSNR style) of `test` against `reference`: mean quality difference at equal
 * bitrate, over the common log-bitrate range. Positive means the test curve is better.
 */
export function bdQuality(reference: readonly RateQualityPoint[], test: readonly RateQualityPoint[]): BdQualityResult {
  const ref = checkedCurve(reference, 'reference', 'rate');
  const tst = checkedCurve(test, 'test', 'rate');
  const { delta, min, max, fraction } = meanDelta(ref, tst, 'bitrate');
  return {
    bdQuality: delta,
    overlap: { minKbps: 10 ** min, maxKbps: 10 ** max },
    overlapFraction: fraction,
    points: { reference: reference.length, test: test.length },
  };
}

/**
 * The bitrate saving at one point, for a ladder with a single rung (a fixed ladder on a source
 * smaller than all but its lowest rung): the other curve's bitrate at that rung's quality (PCHIP
 * of log-rate over quality, no extrapolation) against the rung's. Negative: the test needs fewer
 * bits. Null when the point's quality lies outside the other curve.
 */
export function rateSavingAtPoint(reference: readonly RateQualityPoint[], test: readonly RateQualityPoint[]): { percent: number; quality: number } | null {
  const [single, curve, singleIsTest] = reference.length === 1 ? [reference[0]!, test, false] : test.length === 1 ? [test[0]!, reference, true] : [null, null, false];
  if (!single || !curve) throw new InputInvalidError(`BD: a one-point saving needs one curve of exactly one point (got ${reference.length} and ${test.length})`);
  const c = checkedCurve(curve, singleIsTest ? 'reference' : 'test', 'quality');
  if (single.quality < c.xs[0]! || single.quality > c.xs[c.xs.length - 1]!) return null;
  const otherKbps = 10 ** pchip(c.xs, c.ys).evaluate(single.quality);
  const [testKbps, refKbps] = singleIsTest ? [single.kbps, otherKbps] : [otherKbps, single.kbps];
  return { percent: (testKbps / refKbps - 1) * 100, quality: single.quality };
}
