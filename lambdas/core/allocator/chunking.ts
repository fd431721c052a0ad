/**
 * Chunk duration chosen together with the size.
 *
 * For each chunk length: chunks = ⌈frames / chunk frames⌉ run in waves of `maxConcurrency`, so the
 * job takes ≈ waves × one chunk's time and costs the sum over chunks. A chunk length turns the
 * job deadline into a per-chunk deadline (deadline ÷ waves), the policy sizes the chunk for it,
 * and the cheapest (chunk length, size) pair that meets the job deadline wins. Short chunks are
 * what fit Lambda's 15 minutes; long ones amortise Fargate's minute of startup — so a chunk fits
 * Lambda exactly when Lambda is the cheaper home. Priority ≥ 80 applies at the job level (the
 * fastest plan within 1.25× the cheapest), the per-chunk choice being the cheapest for its length.
 *
 * Chunk lengths are in seconds; the planner rounds them to whole GOPs.
 */
import type { Allocation, AllocationContextInput, AllocationTask, SpeedTable } from '../../contracts/index.js';
import { InputInvalidError } from '../../contracts/index.js';
import { candidateSizes } from './limits.js';
import { chooseSize, evaluateSize, fmtSeconds, fmtUsd, HIGH_PRIORITY, HIGH_PRIORITY_COST_SLACK, parseContext, parseTask } from './policy.js';
import { priceTable } from './prices.js';
import { DEFAULT_SPEED_TABLE } from './speed-model.js';

/** Doubling from one 4 s segment to ~1.7 h; the whole title as one chunk is always considered too. */
export const DEFAULT_CHUNK_SECONDS_OPTIONS: readonly number[] = [4, 8, 12, 24, 48, 96, 192, 384, 768, 1536, 3072, 6144];
export const DEFAULT_MAX_WAVES = 4;

export interface ChunkingInput {
  totalFrames: number;
  fps: number;
  /** The per-chunk task; `frames` comes from the chunk length. `sourceBytes`, if set, is staged by every chunk. */
  task: Omit<AllocationTask, 'frames' | 'fps'> & { fps?: number };
  /** `deadlineSec` here is ignored in favour of `jobDeadlineSec` when both are set. */
  ctx?: AllocationContextInput;
  jobDeadlineSec?: number;
  maxConcurrency: number;
  /** When set, chunks are whole GOPs (as the planner cuts them). */
  gopFrames?: number;
  chunkSecondsOptions?: readonly number[];
  /** Besides the fixed lengths, try the shortest chunks that fill 1 … this many waves exactly. */
  maxWaves?: number;
  table?: SpeedTable;
}

export interface ChunkingPlan {
  chunkSeconds: number;
  chunkFrames: number;
  chunks: number;
  /** Frames of the last chunk (the others have `chunkFrames`). */
  lastChunkFrames: number;
  waves: number;
  /** The size of every chunk (its estimates are those of a full-length chunk). */
  allocation: Allocation;
  jobEstimatedSeconds: number;
  jobCostUsd: number;
  deadlineMet: boolean;
  reason: string;
}

export function chooseChunking(input: ChunkingInput): ChunkingPlan {
  const { totalFrames, fps, maxConcurrency } = input;
  if (!Number.isInteger(totalFrames) || totalFrames <= 0) throw new InputInvalidError(`totalFrames must be a positive integer, got ${totalFrames}`);
  if (!(fps > 0)) throw new InputInvalidError(`fps must be positive, got ${fps}`);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency <= 0) throw new InputInvalidError(`maxConcurrency must be a positive integer, got ${maxConcurrency}`);
  const options = input.chunkSecondsOptions ?? DEFAULT_CHUNK_SECONDS_OPTIONS;
  if (options.length === 0 || options.some((o) => !(o > 0))) throw new InputInvalidError('chunkSecondsOptions must be positive numbers');

  const base = parseContext(input.ctx);
  const jobDeadline = input.jobDeadlineSec ?? base.deadlineSec;
  const table = input.table ?? DEFAULT_SPEED_TABLE;
  const prices = priceTable(base.region);
  const sizes = candidateSizes({ platforms: base.platforms, minSizeIndex: base.minSizeIndex });
  const durationSec = totalFrames / fps;

  const gop = input.gopFrames ?? 1;
  if (!Number.isInteger(gop) || gop <= 0) throw new InputInvalidError(`gopFrames must be a positive integer, got ${input.gopFrames}`);
  const maxWaves = input.maxWaves ?? DEFAULT_MAX_WAVES;
  // One plan per distinct chunk frame count (lengths beyond the title collapse into one chunk).
  // The wave-filling lengths matter most: a job's time steps with its number of waves, so for
  // k waves the shortest chunks that make exactly k × maxConcurrency tasks are the fastest way
  // to finish in k waves, and the fixed lengths cover the cheap, long-chunk end.
  const wholeGops = (frames: number) => Math.min(totalFrames, Math.ceil(frames / gop) * gop);
  const frameCounts = [
    ...new Set([
      ...options.map((o) => wholeGops(Math.ceil(o * fps))),
      ...Array.from({ length: maxWaves }, (_, k) => wholeGops(Math.ceil(totalFrames / ((k + 1) * maxConcurrency)))),
      totalFrames,
    ]),
  ].sort((a, b) => a - b);
  const plans: ChunkingPlan[] = [];
  let lastError: unknown;
  for (const chunkFrames of frameCounts) {
    const chunks = Math.ceil(totalFrames / chunkFrames);
    const waves = Math.ceil(chunks / maxConcurrency);
    const lastChunkFrames = totalFrames - (chunks - 1) * chunkFrames;
    const ctx = { ...base, deadlineSec: jobDeadline === undefined ? undefined : jobDeadline / waves, priority: Math.min(base.priority, HIGH_PRIORITY - 1) };
    const task = parseTask({ ...input.task, fps, frames: chunkFrames });
    let allocation: Allocation;
    try {
      allocation = chooseSize(task, ctx, table, prices, sizes, { attempt: base.attempt });
    } catch (e) {
      if (!(e instanceof InputInvalidError)) throw e;
      lastError = e; // this chunk length fits no size (e.g. too much scratch disk); try the others
      continue;
    }
    let lastCost = allocation.estimatedCostUsd;
    if (lastChunkFrames !== chunkFrames) {
      const size = sizes.find((s) => s.index === allocation.sizeIndex)!;
      lastCost = evaluateSize({ ...task, frames: lastChunkFrames }, size, ctx, table, prices).costUsd;
    }
    plans.push({
      chunkSeconds: chunkFrames / fps,
      chunkFrames,
      chunks,
      lastChunkFrames,
      waves,
      allocation,
      jobEstimatedSeconds: waves * allocation.estimatedSeconds,
      jobCostUsd: (chunks - 1) * allocation.estimatedCostUsd + lastCost,
      deadlineMet: true,
      reason: '',
    });
  }
  if (plans.length === 0) throw lastError instanceof Error ? lastError : new InputInvalidError('no chunk length can be allocated');

  const byCost = (a: ChunkingPlan, b: ChunkingPlan) => a.jobCostUsd - b.jobCostUsd || a.jobEstimatedSeconds - b.jobEstimatedSeconds;
  const bySpeed = (a: ChunkingPlan, b: ChunkingPlan) => a.jobEstimatedSeconds - b.jobEstimatedSeconds || a.jobCostUsd - b.jobCostUsd;
  const describe = (p: ChunkingPlan) =>
    `${p.chunks} chunk${p.chunks === 1 ? '' : 's'} of ${fmtSeconds(p.chunkSeconds)} s in ${p.waves} wave${p.waves === 1 ? '' : 's'} on ${sizeLabel(p)}`;

  const meeting = jobDeadline === undefined ? plans : plans.filter((p) => p.jobEstimatedSeconds <= jobDeadline);
  if (meeting.length === 0) {
    const fastest = [...plans].sort(bySpeed)[0];
    return {
      ...fastest,
      deadlineMet: false,
      reason: `job deadline ${fmtSeconds(jobDeadline!)} s cannot be met (${fmtSeconds(durationSec)} s of video): fastest plan, ${describe(fastest)}, needs ~${fmtSeconds(fastest.jobEstimatedSeconds)} s (${fmtUsd(fastest.jobCostUsd)})`,
    };
  }
  const cheapest = [...meeting].sort(byCost)[0];
  const within = jobDeadline === undefined ? 'no deadline' : `within the ${fmtSeconds(jobDeadline)} s job deadline`;
  let pick = cheapest;
  let why = `the cheapest of ${meeting.length} chunk lengths`;
  if (base.priority >= HIGH_PRIORITY) {
    pick = meeting.filter((p) => p.jobCostUsd <= cheapest.jobCostUsd * HIGH_PRIORITY_COST_SLACK).sort(bySpeed)[0];
    why = `priority ${base.priority}: the fastest plan within ${HIGH_PRIORITY_COST_SLACK}× the cheapest (${fmtUsd(cheapest.jobCostUsd)})`;
  }
  return {
    ...pick,
    reason: `${describe(pick)}: ${why} (~${fmtSeconds(pick.jobEstimatedSeconds)} s, ${fmtUsd(pick.jobCostUsd)}), ${within}`,
  };
}

function sizeLabel(p: ChunkingPlan): string {
  return candidateSizes().find((s) => s.index === p.allocation.sizeIndex)!.label;
}
