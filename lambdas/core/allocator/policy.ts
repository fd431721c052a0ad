/**
 * Allocation policy: the cheapest size that fits the platform limits and meets the deadline.
 *
 * A size fits when memory ≥ the memory model, the scratch disk fits the platform (Lambda ≤ 10 GB,
 * Fargate ≤ 200 GiB), and — on Lambda — estimate × safetyMargin ≤ 900 s. Among the fitting sizes
 * that meet `deadlineSec` (all of them when there is none) the cheapest wins; ties go to the
 * faster, then the smaller. Priority ≥ 80 instead takes the fastest size costing at most 1.25×
 * the cheapest: urgent work pays up to a quarter more to finish sooner, never more. When no size
 * meets the deadline, the fastest fitting size is returned with `deadlineMet: false`.
 */
import {
  AllocationContextSchema,
  AllocationTaskSchema,
  InputInvalidError,
  type Allocation,
  type AllocationContext,
  type AllocationContextInput,
  type AllocationTask,
  type Capacity,
  type SpeedTable,
} from '../../contracts/index.js';
import { costOf } from './cost.js';
import { expectedReworkSeconds } from './spot.js';
import { platformStartup } from './startup-costs.js';
import { candidateSizes, FARGATE_LIMITS, LAMBDA_LIMITS, type CandidateSize } from './limits.js';
import { requiredEphemeralMiB, requiredMemoryMiB } from './memory-model.js';
import { priceTable, type PriceTable } from './prices.js';
import { DEFAULT_SPEED_TABLE, predict } from './speed-model.js';

export const HIGH_PRIORITY = 80;
export const HIGH_PRIORITY_COST_SLACK = 1.25;
/** Timeouts never shorter than this: a cold start or a slow pull must not fail a short task. */
export const MIN_TIMEOUT_SEC = { lambda: 60, fargate: 300 } as const;

export interface Evaluation {
  size: CandidateSize;
  fits: boolean;
  /** Why the size does not fit, when it does not. */
  misfit?: string;
  seconds: number;
  billedSeconds: number;
  costUsd: number;
  ephemeralMiB: number;
  timeoutSec: number;
  capacity: Capacity;
}

export interface EvaluateOptions {
  /** Multiplies the encode time (escalation after a timeout: the model was that far off). */
  computeFactor?: number;
  /** Scratch disk at least this (escalation after running out of resources). */
  minEphemeralMiB?: number;
}

export function evaluateSize(
  task: AllocationTask,
  size: CandidateSize,
  ctx: AllocationContext,
  table: SpeedTable,
  prices: PriceTable,
  opts: EvaluateOptions = {},
): Evaluation {
  const p = predict(task, size, table);
  const extra = p.computeSeconds * ((opts.computeFactor ?? 1) - 1);
  const runSeconds = p.seconds + extra;
  const spot = ctx.capacity === 'spot' && size.platform === 'fargate';
  // On Spot the expected rework of interruptions is part of the time and the bill.
  const startup = platformStartup(size.platform);
  const seconds = runSeconds + (spot ? expectedReworkSeconds(runSeconds, runSeconds, startup.seconds) : 0);
  const billedSeconds = p.billedSeconds + extra + (spot ? expectedReworkSeconds(runSeconds, p.billedSeconds + extra, startup.billedSeconds) : 0);
  const neededDisk = Math.max(requiredEphemeralMiB(task), opts.minEphemeralMiB ?? 0);
  const lambda = size.platform === 'lambda';
  const ephemeralMiB = lambda
    ? Math.max(LAMBDA_LIMITS.minEphemeralMiB, neededDisk)
    : Math.max(FARGATE_LIMITS.minEphemeralGiB, Math.ceil(neededDisk / 1024)) * 1024;
  const margin = ctx.safetyMargin;
  const timeoutSec = lambda
    ? Math.min(LAMBDA_LIMITS.maxTimeoutSec, Math.max(MIN_TIMEOUT_SEC.lambda, Math.ceil(runSeconds * margin)))
    : Math.max(MIN_TIMEOUT_SEC.fargate, Math.ceil(runSeconds * margin));
  const costUsd = costOf({ ...size, ephemeralMiB }, billedSeconds, prices, ctx.architecture, spot ? 'spot' : 'on-demand');

  let misfit: string | undefined;
  const memory = requiredMemoryMiB(task, size.threads);
  if (memory > size.memoryMiB) misfit = `needs ${memory} MiB of memory`;
  else if (lambda && ephemeralMiB > LAMBDA_LIMITS.maxEphemeralMiB) misfit = `needs ${ephemeralMiB} MiB of /tmp > ${LAMBDA_LIMITS.maxEphemeralMiB} MiB`;
  else if (!lambda && ephemeralMiB / 1024 > FARGATE_LIMITS.maxEphemeralGiB)
    misfit = `needs ${ephemeralMiB / 1024} GiB of ephemeral storage > ${FARGATE_LIMITS.maxEphemeralGiB} GiB`;
  else if (lambda && seconds * margin > LAMBDA_LIMITS.maxTimeoutSec)
    misfit = `needs ~${fmtSeconds(seconds)} s × ${margin} safety margin > ${LAMBDA_LIMITS.maxTimeoutSec} s`;
  else if (!lambda && ctx.maxFargateVcpu !== undefined && size.vcpu > ctx.maxFargateVcpu)
    misfit = `${size.vcpu} vCPU per task > ${ctx.maxFargateVcpu}, what the plan's concurrency leaves of the Fargate vCPU quota`;
  return { size, fits: misfit === undefined, misfit, seconds, billedSeconds, costUsd, ephemeralMiB, timeoutSec, capacity: spot ? 'spot' : 'on-demand' };
}

export function parseTask(task: unknown): AllocationTask {
  const r = AllocationTaskSchema.safeParse(task);
  if (!r.success) throw new InputInvalidError(`invalid allocation task: ${r.error.message}`, { task });
  return r.data;
}

export function parseContext(ctx: unknown): AllocationContext {
  const r = AllocationContextSchema.safeParse(ctx ?? {});
  if (!r.success) throw new InputInvalidError(`invalid allocation context: ${r.error.message}`, { ctx });
  return r.data;
}

export interface ChooseOptions extends EvaluateOptions {
  attempt: number;
}

const byCost = (a: Evaluation, b: Evaluation) => a.costUsd - b.costUsd || a.seconds - b.seconds || a.size.index - b.size.index;
const bySpeed = (a: Evaluation, b: Evaluation) => a.seconds - b.seconds || a.costUsd - b.costUsd || a.size.index - b.size.index;

/** Picks among `sizes` by the policy above. Throws InputInvalidError when none fits at all. */
export function chooseSize(
  task: AllocationTask,
  ctx: AllocationContext,
  table: SpeedTable,
  prices: PriceTable,
  sizes: readonly CandidateSize[],
  opts: ChooseOptions,
): Allocation {
  const evaluated = sizes.map((s) => evaluateSize(task, s, ctx, table, prices, opts));
  const fitting = evaluated.filter((e) => e.fits);
  if (fitting.length === 0) throw new InputInvalidError(noFitMessage(evaluated), { task });

  const deadline = ctx.deadlineSec;
  const meeting = deadline === undefined ? fitting : fitting.filter((e) => e.seconds <= deadline);
  if (meeting.length === 0) {
    const fastest = [...fitting].sort(bySpeed)[0];
    const reason = `deadline ${fmtSeconds(deadline!)} s cannot be met: fastest size (${fastest.size.label}${onSpot(fastest)}) needs ~${fmtSeconds(fastest.seconds)} s (${fmtUsd(fastest.costUsd)})`;
    return toAllocation(fastest, reason, false, opts.attempt);
  }

  const cheapest = [...meeting].sort(byCost)[0];
  const within = deadline === undefined ? 'no deadline' : `within the ${fmtSeconds(deadline)} s deadline`;
  if (ctx.priority >= HIGH_PRIORITY) {
    const fastest = meeting.filter((e) => e.costUsd <= cheapest.costUsd * HIGH_PRIORITY_COST_SLACK).sort(bySpeed)[0];
    const reason =
      fastest === cheapest
        ? `${fastest.size.label}${onSpot(fastest)}: priority ${ctx.priority}, the fastest size within ${HIGH_PRIORITY_COST_SLACK}× the cheapest is the cheapest itself (~${fmtSeconds(fastest.seconds)} s, ${fmtUsd(fastest.costUsd)}), ${within}`
        : `${fastest.size.label}${onSpot(fastest)}: priority ${ctx.priority} takes the fastest size within ${HIGH_PRIORITY_COST_SLACK}× the cheapest (~${fmtSeconds(fastest.seconds)} s, ${fmtUsd(fastest.costUsd)} vs ${fmtUsd(cheapest.costUsd)} for ${cheapest.size.label}), ${within}`;
    return toAllocation(fastest, reason, true, opts.attempt);
  }
  const reason = `${cheapest.size.label}${onSpot(cheapest)}: the cheapest of ${meeting.length} fitting sizes (~${fmtSeconds(cheapest.seconds)} s, ${fmtUsd(cheapest.costUsd)}), ${within}`;
  return toAllocation(cheapest, reason, true, opts.attempt);
}

export function toAllocation(e: Evaluation, reason: string, deadlineMet: boolean, attempt: number): Allocation {
  return {
    platform: e.size.platform,
    vcpu: e.size.vcpu,
    memoryMiB: e.size.memoryMiB,
    ephemeralGiB: Math.ceil(e.ephemeralMiB / 1024),
    ephemeralMiB: e.ephemeralMiB,
    timeoutSec: e.timeoutSec,
    estimatedSeconds: e.seconds,
    estimatedCostUsd: e.costUsd,
    reason,
    sizeIndex: e.size.index,
    threads: e.size.threads,
    deadlineMet,
    attempt,
    capacity: e.capacity,
  };
}

function noFitMessage(evaluated: Evaluation[]): string {
  if (evaluated.length === 0) return 'no candidate size is allowed (check platforms and minSizeIndex)';
  // The largest size of each platform says best why nothing fits.
  const largest = new Map<string, Evaluation>();
  for (const e of evaluated) largest.set(e.size.platform, e);
  const why = [...largest.values()].map((e) => `${e.size.label} ${e.misfit}`).join('; ');
  return `no allowed size can run this task: ${why}`;
}

/** " on Fargate Spot" for a Spot size, else nothing. */
export function onSpot(e: { capacity: Capacity }): string {
  return e.capacity === 'spot' ? ' on Fargate Spot' : '';
}

export function fmtSeconds(s: number): string {
  return s < 10 ? s.toFixed(1) : String(Math.round(s));
}

export function fmtUsd(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(3)}`;
}

/** Sizes one task: the cheapest fitting size that meets `ctx.deadlineSec` (see the module comment). */
export function allocate(task: AllocationTask, ctx: AllocationContextInput = {}, table: SpeedTable = DEFAULT_SPEED_TABLE): Allocation {
  const t = parseTask(task);
  const c = parseContext(ctx);
  const sizes = candidateSizes({ platforms: c.platforms, minSizeIndex: c.minSizeIndex });
  return chooseSize(t, c, table, priceTable(c.region), sizes, { attempt: c.attempt });
}
