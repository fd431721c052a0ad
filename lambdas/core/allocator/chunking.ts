/**
 * Chunk duration chosen together with the size.
 *
 * For each size and chunk length: chunks = ⌈frames / chunk frames⌉ run in waves of as many tasks
 * as the size may run at once — the Map's share (`maxConcurrency`) or, tighter, what the account's
 * quotas leave (concurrent Fargate tasks × vCPU within the vCPU quota of the capacity, Lambda
 * tasks within the Lambda concurrency, shared by `streams` rungs run side by side). So a job takes
 * ≈ waves × (one chunk's time + a Map child's start) and costs the sum over chunks plus their
 * Step Functions transitions. The cheapest (size, chunk length) that meets the job deadline wins;
 * without a deadline, the cheapest. Short chunks are what fit Lambda's 15 minutes; long ones
 * amortise Fargate's minute of startup. Priority ≥ 80 takes the fastest plan within 1.25× the
 * cheapest. A plan whose concurrency a quota capped says which (`limitedBy`).
 *
 * Chunk lengths are in seconds; the planner rounds them to whole GOPs.
 */
import type { Allocation, AllocationContextInput, AllocationTask, LimitingQuota, ServiceQuotas, SpeedTable } from '../../contracts/index.js';
import { InputInvalidError } from '../../contracts/index.js';
import { candidateSizes, type CandidateSize } from './limits.js';
import { evaluateSize, fmtSeconds, fmtUsd, HIGH_PRIORITY, HIGH_PRIORITY_COST_SLACK, onSpot, parseContext, parseTask, toAllocation, type Evaluation } from './policy.js';
import { priceTable } from './prices.js';
import { concurrencyBound, QUOTA_NAMES } from './quotas.js';
import { DEFAULT_SPEED_TABLE } from './speed-model.js';
import { orchestrationUsdPerTask, platformStartup, STARTUP_COSTS } from './startup-costs.js';

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
  /** The account's quotas; absent, only `maxConcurrency` bounds the tasks at once. */
  quotas?: ServiceQuotas;
  /** Streams sharing the quotas at once (the rungs of a job); default 1. */
  streams?: number;
  /** Plan exactly this many frames per chunk (a job-level choice made for every rung); the other lengths are not tried. */
  exactChunkFrames?: number;
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
  /** Tasks of this plan's size run at once; `maxConcurrent` what the bound allows (≥ concurrency). */
  concurrency: number;
  maxConcurrent: number;
  /** What bounds the tasks at once when the plan uses all of it (null: room to spare). */
  limitedBy: LimitingQuota | null;
  /** Per task: the platform's start (wall); over the job: the billed start and the Step Functions transitions (both inside jobCostUsd). */
  startupSeconds: number;
  startupUsd: number;
  orchestrationUsd: number;
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
  const streams = input.streams ?? 1;
  const orchestration = orchestrationUsdPerTask(prices);
  // The per-size evaluation needs no deadline: the job-level choice below applies it.
  const ctx = { ...base, deadlineSec: undefined };

  const gop = input.gopFrames ?? 1;
  if (!Number.isInteger(gop) || gop <= 0) throw new InputInvalidError(`gopFrames must be a positive integer, got ${input.gopFrames}`);
  const maxWaves = input.maxWaves ?? DEFAULT_MAX_WAVES;
  const wholeGops = (frames: number) => Math.min(totalFrames, Math.ceil(frames / gop) * gop);
  const fixedCounts = [...options.map((o) => wholeGops(Math.ceil(o * fps))), totalFrames];
  const wavesFilling = (tasks: number) => Array.from({ length: maxWaves }, (_, k) => wholeGops(Math.ceil(totalFrames / ((k + 1) * tasks))));

  const plans: ChunkingPlan[] = [];
  const misfits: string[] = [];
  for (const size of sizes) {
    const bound = input.quotas
      ? concurrencyBound(size, base.capacity, input.quotas, maxConcurrency, streams)
      : { tasks: maxConcurrency, limitedBy: 'map-concurrency' as const };
    if (bound.tasks < 1) {
      misfits.push(`${size.label}: not one task fits ${QUOTA_NAMES[bound.limitedBy]}`);
      continue;
    }
    // One plan per distinct chunk frame count. The wave-filling lengths matter most: a job's time
    // steps with its waves, so for k waves the shortest chunks making exactly k × (tasks at once)
    // are the fastest way to finish in k waves; the fixed lengths cover the cheap, long-chunk end.
    const counts =
      input.exactChunkFrames !== undefined
        ? new Set([wholeGops(input.exactChunkFrames)])
        : new Set([...fixedCounts, ...wavesFilling(bound.tasks)]);
    for (const chunkFrames of counts) {
      const plan = planFor(size, chunkFrames, bound);
      if (typeof plan === 'string') misfits.push(plan);
      else plans.push(plan);
    }
  }
  if (plans.length === 0) throw new InputInvalidError(`no chunk length can be allocated: ${misfits.slice(-3).join('; ') || 'no candidate size is allowed'}`);

  function planFor(size: CandidateSize, chunkFrames: number, bound: { tasks: number; limitedBy: LimitingQuota }): ChunkingPlan | string {
    const chunks = Math.ceil(totalFrames / chunkFrames);
    const lastChunkFrames = totalFrames - (chunks - 1) * chunkFrames;
    const task = parseTask({ ...input.task, fps, frames: chunkFrames });
    const e: Evaluation = evaluateSize(task, size, ctx, table, prices);
    if (!e.fits) return `${size.label} ${e.misfit}`;
    const lastCost = lastChunkFrames === chunkFrames ? e.costUsd : evaluateSize({ ...task, frames: lastChunkFrames }, size, ctx, table, prices).costUsd;
    const waves = Math.ceil(chunks / bound.tasks);
    const startup = platformStartup(size.platform);
    const startupUsd = chunks * (e.billedSeconds > 0 ? (e.costUsd * Math.min(startup.billedSeconds, e.billedSeconds)) / e.billedSeconds : 0);
    return {
      chunkSeconds: chunkFrames / fps,
      chunkFrames,
      chunks,
      lastChunkFrames,
      waves,
      allocation: toAllocation(e, '', true, base.attempt),
      jobEstimatedSeconds: waves * (e.seconds + STARTUP_COSTS.stepFunctions.mapChildStartSeconds),
      jobCostUsd: (chunks - 1) * e.costUsd + lastCost + chunks * orchestration,
      deadlineMet: true,
      reason: '',
      concurrency: Math.min(chunks, bound.tasks),
      maxConcurrent: bound.tasks,
      // Named when the plan runs as many at once as the bound allows: a looser one would let it go faster.
      limitedBy: chunks >= bound.tasks ? bound.limitedBy : null,
      startupSeconds: startup.seconds,
      startupUsd,
      orchestrationUsd: chunks * orchestration,
    };
  }

  const byCost = (a: ChunkingPlan, b: ChunkingPlan) => a.jobCostUsd - b.jobCostUsd || a.jobEstimatedSeconds - b.jobEstimatedSeconds || a.allocation.sizeIndex - b.allocation.sizeIndex;
  const bySpeed = (a: ChunkingPlan, b: ChunkingPlan) => a.jobEstimatedSeconds - b.jobEstimatedSeconds || a.jobCostUsd - b.jobCostUsd || a.allocation.sizeIndex - b.allocation.sizeIndex;
  const describe = (p: ChunkingPlan) =>
    `${p.chunks} chunk${p.chunks === 1 ? '' : 's'} of ${fmtSeconds(p.chunkSeconds)} s in ${p.waves} wave${p.waves === 1 ? '' : 's'} on ${sizeLabel(p)}${onSpot(p.allocation)}`;
  const capped = (p: ChunkingPlan) => (p.limitedBy && p.limitedBy !== 'map-concurrency' ? `; ${p.concurrency} at once, capped by ${QUOTA_NAMES[p.limitedBy]}` : '');
  const finish = (p: ChunkingPlan, reason: string, deadlineMet: boolean): ChunkingPlan => ({ ...p, deadlineMet, reason, allocation: { ...p.allocation, reason, deadlineMet } });

  const meeting = jobDeadline === undefined ? plans : plans.filter((p) => p.jobEstimatedSeconds <= jobDeadline);
  if (meeting.length === 0) {
    const fastest = [...plans].sort(bySpeed)[0];
    return finish(
      fastest,
      `job deadline ${fmtSeconds(jobDeadline!)} s cannot be met (${fmtSeconds(durationSec)} s of video): fastest plan, ${describe(fastest)}, needs ~${fmtSeconds(fastest.jobEstimatedSeconds)} s (${fmtUsd(fastest.jobCostUsd)})${capped(fastest)}`,
      false,
    );
  }
  const cheapest = [...meeting].sort(byCost)[0];
  const within = jobDeadline === undefined ? 'no deadline' : `within the ${fmtSeconds(jobDeadline)} s job deadline`;
  let pick = cheapest;
  let why = `the cheapest of ${meeting.length} chunk lengths × sizes`;
  if (base.priority >= HIGH_PRIORITY) {
    pick = meeting.filter((p) => p.jobCostUsd <= cheapest.jobCostUsd * HIGH_PRIORITY_COST_SLACK).sort(bySpeed)[0];
    why = `priority ${base.priority}: the fastest plan within ${HIGH_PRIORITY_COST_SLACK}× the cheapest (${fmtUsd(cheapest.jobCostUsd)})`;
  }
  return finish(pick, `${describe(pick)}: ${why} (~${fmtSeconds(pick.jobEstimatedSeconds)} s, ${fmtUsd(pick.jobCostUsd)}), ${within}${capped(pick)}`, true);
}

/**
 * Every chunk frame count chooseChunking would try for this input (over all its sizes): the fixed
 * lengths, the whole title, and the lengths that fill 1 … maxWaves waves at each size's bound.
 */
export function candidateChunkFrames(input: ChunkingInput): number[] {
  const { totalFrames, fps, maxConcurrency } = input;
  const base = parseContext(input.ctx);
  const gop = input.gopFrames ?? 1;
  const wholeGops = (frames: number) => Math.min(totalFrames, Math.ceil(frames / gop) * gop);
  const maxWaves = input.maxWaves ?? DEFAULT_MAX_WAVES;
  const counts = new Set([...(input.chunkSecondsOptions ?? DEFAULT_CHUNK_SECONDS_OPTIONS).map((o) => wholeGops(Math.ceil(o * fps))), totalFrames]);
  for (const size of candidateSizes({ platforms: base.platforms, minSizeIndex: base.minSizeIndex })) {
    const tasks = input.quotas ? concurrencyBound(size, base.capacity, input.quotas, maxConcurrency, input.streams ?? 1).tasks : maxConcurrency;
    if (tasks < 1) continue;
    for (let k = 1; k <= maxWaves; k++) counts.add(wholeGops(Math.ceil(totalFrames / (k * tasks))));
  }
  return [...counts].sort((a, b) => a - b);
}

function sizeLabel(p: ChunkingPlan): string {
  return candidateSizes().find((s) => s.index === p.allocation.sizeIndex)!.label;
}
