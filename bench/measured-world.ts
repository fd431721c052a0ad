/**
 * The measured world of the allocator benchmark: how long an encode task really takes, drawn
 * from chunk encodes timed on this machine (bench/data/measured-chunk-encodes.json, written by
 * `npm run bench -- allocator --measure`), not from the allocator's speed model.
 *
 * A task's time = platform start-up + staging + frames × a per-frame compute time, where:
 * - start-up and transfer are the allocator's documented figures (lambdas/core/allocator/
 *   startup-costs.ts, sources in docs/decisions.md: platformStartup, the source share down and
 *   the chunk up at networkBytesPerSec) — fixed figures, not drawn: no spread is published;
 * - the per-frame time is one of the measured 1-thread runs of the matching case (codec, source
 *   resolution, rung resolution), chosen uniformly at random — its CPU seconds per frame, which
 *   another process on the shared machine hardly inflates (its wall time it does);
 * - scaled to the size's vCPUs by Amdahl's law with the case's parallel fraction p, FIT to its 1-
 *   and 2-thread wall times (T2/T1 = 1 − p/2, least squares over the paired repetitions):
 *   speedup(v) = v for v ≤ 1 (a share of one vCPU), 1 / (1 − p + p/v) above;
 * - a case that was not measured (most x265 pairs) takes the nearest measured case of its codec
 *   (by log pixel counts) scaled by the ratio of a per-codec resolution fit, seconds per frame =
 *   a·source pixels + b·rung pixels + c (non-negative least squares over the measured cases).
 */
import { z } from 'zod';
import { DEFAULT_PARALLEL_FRACTION } from '../lambdas/core/allocator/speed-model.js';
import { networkBytesPerSec, platformStartup } from '../lambdas/core/allocator/startup-costs.js';
import type { Platform } from '../lambdas/contracts/index.js';
import { nonNegativeLeastSquares } from '../local/calibrate.js';
import { prng } from './util.js';

/** Other processes' average vCPUs during a run, above which the run's own threads were short of CPU. */
const SLACK_VCPUS = 0.2;

const RunSchema = z.object({
  wallSeconds: z.number().positive(),
  cpuSeconds: z.number().positive(),
  maxRssKiB: z.number(),
  /** Other processes' CPU seconds during the run ÷ its wall time (NaN off Linux: unknown). */
  otherVcpus: z.number(),
});

/** Clean: the vCPUs the run's threads needed were free (others used at most the rest, plus a little). */
export function isCleanRun(run: { otherVcpus: number }, threads: number, vcpus: number): boolean {
  return run.otherVcpus <= Math.max(0, vcpus - threads) + SLACK_VCPUS;
}
const CaseSchema = z.object({
  codec: z.enum(['h264', 'h265']),
  encoderPreset: z.string(),
  /** `generated`: the grainy test pattern (drawn from); `bbb`: real footage, a check only. */
  content: z.enum(['generated', 'bbb']),
  source: z.object({ width: z.number().int(), height: z.number().int(), kbps: z.number() }),
  width: z.number().int(),
  height: z.number().int(),
  threads: z.number().int().positive(),
  frames: z.number().int().positive(),
  fps: z.number().positive(),
  runs: z.array(RunSchema),
});
export const MeasuredDataSchema = z.object({
  version: z.literal(1),
  measuredAt: z.string(),
  machine: z.object({ cpuModel: z.string(), vcpus: z.number().int(), os: z.string(), node: z.string() }),
  ffmpeg: z.string(),
  repetitions: z.number().int().positive(),
  contention: z.object({ loadAverageBefore: z.array(z.number()), loadAverageAfter: z.array(z.number()), note: z.string() }),
  wallSeconds: z.number(),
  cpuSecondsOfRuns: z.number(),
  cases: z.array(CaseSchema),
});
export type MeasuredData = z.infer<typeof MeasuredDataSchema>;
export type MeasuredCase = z.infer<typeof CaseSchema>;

export type WorldCodec = MeasuredCase['codec'];

/** One case of the world: a codec from one source size to one rung size. */
export interface WorldCase {
  codec: WorldCodec;
  sourceWidth: number;
  sourceHeight: number;
  width: number;
  height: number;
  /** 1-thread CPU seconds per frame, one per usable run, ascending (so a higher index is never faster). */
  perFrame: number[];
  /** Amdahl's parallel fraction from the case's clean 1- and 2-thread pairs (else its codec's). */
  parallelFraction: number;
  /** How the case was obtained: measured, or scaled from the named measured case. */
  origin: string;
}

/** Amdahl's speedup on `vcpu` vCPUs: proportional below one (a share of one vCPU), 1 / (1 − p + p/v) above. */
export function amdahl(vcpu: number, p: number): number {
  return vcpu <= 1 ? vcpu : 1 / (1 - p + p / vcpu);
}

/**
 * Amdahl's p from paired 1- and 2-thread times: T2/T1 = 1 − p/2, so least squares over the pairs
 * gives p = 2 (1 − mean T2/T1), kept in [0, 1]. null without pairs.
 */
export function fitParallelFraction(pairs: ReadonlyArray<{ one: number; two: number }>): number | null {
  if (pairs.length === 0) return null;
  const meanRatio = pairs.reduce((s, x) => s + x.two / x.one, 0) / pairs.length;
  return Math.min(1, Math.max(0, 2 * (1 - meanRatio)));
}

export interface ResolutionFit {
  perSourcePixel: number;
  perRungPixel: number;
  fixed: number;
}

/** seconds per frame ≈ a·source pixels + b·rung pixels + c, non-negative, each point weighted by 1/seconds (relative error). */
export function fitResolution(points: ReadonlyArray<{ sourcePixels: number; rungPixels: number; seconds: number }>): ResolutionFit {
  const a = points.map((p) => [p.sourcePixels / p.seconds, p.rungPixels / p.seconds, 1 / p.seconds]);
  const [perSourcePixel, perRungPixel, fixed] = nonNegativeLeastSquares(a, points.map(() => 1));
  return { perSourcePixel, perRungPixel, fixed };
}

export const resolutionSeconds = (f: ResolutionFit, sourcePixels: number, rungPixels: number) => f.perSourcePixel * sourcePixels + f.perRungPixel * rungPixels + f.fixed;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export interface WorldTask {
  codec: WorldCodec;
  sourceWidth: number;
  sourceHeight: number;
  width: number;
  height: number;
}

export class MeasuredWorld {
  readonly measured: WorldCase[];
  /** Per codec: p over all its clean pairs, and the resolution fit over its cases. */
  readonly codecs = new Map<WorldCodec, { parallelFraction: number; pairs: number; fit: ResolutionFit }>();
  private readonly derived = new Map<string, WorldCase>();

  /** `fallbackParallelFraction`: thread scaling of a codec with no clean pair at all (default: the speed model's prior). */
  constructor(
    readonly data: MeasuredData,
    readonly fallbackParallelFraction = DEFAULT_PARALLEL_FRACTION,
  ) {
    const vcpus = data.machine.vcpus;
    const groups = new Map<string, { one?: MeasuredCase; two?: MeasuredCase }>();
    for (const c of data.cases.filter((x) => x.content === 'generated')) {
      const k = key(c.codec, c.source.height, c.height);
      const g = groups.get(k) ?? {};
      if (c.threads === 1) g.one = c;
      else if (c.threads === 2) g.two = c;
      groups.set(k, g);
    }
    const rows: Array<{ one: MeasuredCase; pairs: Array<{ one: number; two: number }> }> = [];
    for (const { one, two } of groups.values()) {
      if (!one || one.runs.length === 0) continue;
      // Repetition r of the 1-thread run was timed just before repetition r of the 2-thread one: pair the clean ones.
      const cleanOne = one.runs.map((r) => (isCleanRun(r, 1, vcpus) ? r.wallSeconds : null));
      const cleanTwo = (two?.runs ?? []).filter((r) => isCleanRun(r, 2, vcpus)).map((r) => r.wallSeconds);
      const ones = cleanOne.filter((x): x is number => x !== null);
      const pairs = ones.length && cleanTwo.length ? cleanTwo.map((t, i) => ({ one: ones[Math.min(i, ones.length - 1)], two: t })) : [];
      rows.push({ one, pairs });
    }
    for (const codec of new Set(rows.map((r) => r.one.codec))) {
      const of = rows.filter((r) => r.one.codec === codec);
      const pairs = of.flatMap((r) => r.pairs);
      const fit = fitResolution(of.map((r) => ({ sourcePixels: r.one.source.width * r.one.source.height, rungPixels: r.one.width * r.one.height, seconds: median(perFrameOf(r.one, vcpus)) })));
      this.codecs.set(codec, { parallelFraction: fitParallelFraction(pairs) ?? fallbackParallelFraction, pairs: pairs.length, fit });
    }
    this.measured = rows.map(({ one, pairs }) => ({
      codec: one.codec,
      sourceWidth: one.source.width,
      sourceHeight: one.source.height,
      width: one.width,
      height: one.height,
      perFrame: perFrameOf(one, vcpus).sort((a, b) => a - b),
      parallelFraction: fitParallelFraction(pairs) ?? this.codecs.get(one.codec)!.parallelFraction,
      origin: pairs.length ? `measured (${pairs.length} clean thread pairs)` : 'measured (thread scaling of its codec)',
    }));
  }

  /** The case of a task: measured, or the nearest measured one of its codec scaled by the resolution fit. */
  caseFor(t: WorldTask): WorldCase {
    const k = key(t.codec, t.sourceHeight, t.height);
    const exact = this.measured.find((c) => key(c.codec, c.sourceHeight, c.height) === k);
    if (exact) return exact;
    const cached = this.derived.get(k);
    if (cached) return cached;
    const sp = t.sourceWidth * t.sourceHeight;
    const rp = t.width * t.height;
    const distance = (c: WorldCase) => Math.abs(Math.log((c.sourceWidth * c.sourceHeight) / sp)) + Math.abs(Math.log((c.width * c.height) / rp));
    const near = this.measured.filter((c) => c.codec === t.codec).sort((a, b) => distance(a) - distance(b))[0];
    if (!near) throw new Error(`the measured world has no ${t.codec} case`);
    const fit = this.codecs.get(t.codec)!.fit;
    const scale = resolutionSeconds(fit, sp, rp) / resolutionSeconds(fit, near.sourceWidth * near.sourceHeight, near.width * near.height);
    const c: WorldCase = { ...t, perFrame: near.perFrame.map((x) => x * scale), parallelFraction: near.parallelFraction, origin: `scaled ×${scale.toFixed(2)} from ${near.sourceHeight}p→${near.height}p` };
    this.derived.set(k, c);
    return c;
  }
}

const key = (codec: string, sourceHeight: number, height: number) => `${codec}/${sourceHeight}/${height}`;

/**
 * CPU seconds per frame of the runs of a 1-thread case (CPU, not wall: other load inflates wall
 * time far more): its clean runs when there are two or more, else all of them.
 */
function perFrameOf(c: MeasuredCase, vcpus: number): number[] {
  const clean = c.runs.filter((r) => isCleanRun(r, 1, vcpus));
  return (clean.length >= 2 ? clean : c.runs).map((r) => r.cpuSeconds / c.frames);
}

/** What one task of `frames` frames takes on a size in the world, for sample `index` of its case; `transferBytes` = down + up. */
export function worldTaskSeconds(c: WorldCase, index: number, frames: number, size: { platform: Platform; vcpu: number }, transferBytes: number): { seconds: number; billedSeconds: number } {
  const compute = (frames * c.perFrame[index]) / amdahl(size.vcpu, c.parallelFraction);
  const work = transferBytes / networkBytesPerSec(size) + compute;
  const s = platformStartup(size.platform);
  return { seconds: s.seconds + work, billedSeconds: s.billedSeconds + work };
}

/**
 * The draws of one rung cut into `chunks` chunks run in waves of `concurrency`: each chunk's
 * sample index, uniform over `samples`, from a PRNG seeded by `seed` (so every strategy that cuts
 * the rung alike meets the same draws). Kept as counts, since a chunk's time depends on its
 * index only: full chunks per index, the highest index in each wave (its slowest chunk: the
 * per-frame samples are ascending), and the index of the last, shorter chunk.
 */
export interface RungDraws {
  /** Full chunks (all but the last) per sample index. */
  counts: number[];
  /** Per wave, the highest index among its full chunks (−1: none). */
  waveMax: Int16Array;
  /** Index of the last chunk (in the last wave). */
  lastIndex: number;
}

export function drawRung(seed: number, chunks: number, concurrency: number, samples: number): RungDraws {
  const rand = prng(seed);
  const waves = Math.ceil(chunks / concurrency);
  const counts = new Array<number>(samples).fill(0);
  const waveMax = new Int16Array(waves).fill(-1);
  for (let i = 0; i < chunks - 1; i++) {
    const k = Math.min(samples - 1, Math.floor(rand() * samples));
    counts[k]++;
    const w = Math.floor(i / concurrency);
    if (k > waveMax[w]) waveMax[w] = k;
  }
  return { counts, waveMax, lastIndex: Math.min(samples - 1, Math.floor(rand() * samples)) };
}

/** A seed for one (title, rung, chunk length): the same parts give the same draws. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}
