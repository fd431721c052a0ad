/**
 * The allocator's part in the Plan step: the chunk length (on AWS, chosen with the size), the
 * time budget of one encode task, and the job's cost estimate from the sizes the allocator would
 * give every task. Pure: the speed table comes in as an argument.
 */
import { InputInvalidError } from '../contracts/index.js';
import type {
  AllocationContextInput,
  AllocationSizing,
  AllocationTask,
  EncodeVideoInput,
  MediaInfo,
  PlanAllocator,
  PlanSizing,
  Platform,
  Rung,
  ServiceQuotas,
  SpeedTable,
  VideoCodecForAllocation,
} from '../contracts/index.js';
import { allocate } from './allocator/policy.js';
import { candidateChunkFrames, chooseChunking, type ChunkingInput, type ChunkingPlan } from './allocator/chunking.js';
import { DEFAULT_SERVICE_QUOTAS, vcpuQuota } from './allocator/quotas.js';
import { orchestrationUsdPerTask, STARTUP_COSTS } from './allocator/startup-costs.js';
import { DEFAULT_TURNAROUND_POLICY, turnaroundFor, type Turnaround } from './allocator/turnaround.js';
import { costOf } from './allocator/cost.js';
import { lambdaVcpu } from './allocator/limits.js';
import { PRICES, priceTable } from './allocator/prices.js';
import { lookupSpeed } from './allocator/speed-model.js';

export const ENCODE_FUNCTION = 'encode-video';
export const DEFAULT_PRICING_REGION = 'us-east-1';

/** The region whose prices to use: the deployment's when a price table exists for it, else us-east-1. */
export function pricingRegion(region: string | undefined): string {
  return region && Object.hasOwn(PRICES, region) ? region : DEFAULT_PRICING_REGION;
}
/** Share of the job deadline left to the encode phase; inspect, assemble, measure and package use the rest. */
export const ENCODE_SHARE_OF_DEADLINE = 0.8;
/**
 * Rough figures for the steps the allocator does not size (they run at their function.json size):
 * a fixed part plus copy-speed work on the source's duration, quality measurement in pixels per
 * second (libvmaf is ~10× slower than PSNR+SSIM), audio at 100× real time. Their measured cost
 * replaces the estimate at the end.
 */
const OTHER_STEP = { memoryMiB: 1769, fixedSeconds: 0.3, realtimeFactor: 150, audioRealtime: 100, measurePixelsPerSec: { vmaf: 15e6, plain: 150e6 } } as const;

export interface JobSizingInput {
  media: MediaInfo;
  rungs: Rung[];
  allocator: PlanAllocator;
  deadlineSec?: number;
  priority?: number;
  table: SpeedTable;
  /** The plan's GOP (chunks are whole GOPs); absent, chunk lengths are free and the planner rounds them. */
  gopFrames?: number;
}

/** What the allocator needs to know of one encode-video task. */
export function allocationTaskOf(task: Pick<EncodeVideoInput, 'rung' | 'chunk' | 'timing'>, media: MediaInfo): AllocationTask {
  return encodeTaskForAllocation(task, { sourceKbps: sourceKbps(media), sourceBytes: media.sizeBytes, sourceWidth: media.video.width, sourceHeight: media.video.height });
}

export function encodeTaskForAllocation(
  task: Pick<EncodeVideoInput, 'rung' | 'chunk' | 'timing'>,
  source: { sourceKbps: number; sourceBytes: number; sourceWidth?: number; sourceHeight?: number },
): AllocationTask {
  return {
    function: ENCODE_FUNCTION,
    codec: allocationCodec(task.rung),
    encoderPreset: task.rung.encoderPreset,
    width: task.rung.width,
    height: task.rung.height,
    fps: task.timing.fps,
    frames: task.chunk.frames,
    sourceBitrateKbps: source.sourceKbps,
    // Every chunk task stages the whole source (it seeks in the local copy).
    sourceBytes: source.sourceBytes,
    ...(source.sourceWidth && source.sourceHeight ? { sourceWidth: source.sourceWidth, sourceHeight: source.sourceHeight } : {}),
  };
}

/** The speed table's codec of a rung (`h265` for hevc). */
export function allocationCodec(rung: Pick<Rung, 'codec'>): VideoCodecForAllocation {
  const codec = rung.codec ?? 'h264';
  return codec === 'hevc' ? 'h265' : codec;
}

/** Frames per second per vCPU the speed table predicts for a rung's encode. */
function encodeFps(rung: Rung, table: SpeedTable): number {
  return lookupSpeed(table, { function: ENCODE_FUNCTION, codec: allocationCodec(rung), encoderPreset: rung.encoderPreset, width: rung.width, height: rung.height }).fpsPerVcpu;
}

function sourceKbps(media: MediaInfo): number {
  return media.video.bitrate ? media.video.bitrate / 1000 : (media.sizeBytes * 8) / 1000 / media.durationSec;
}

/** What every task of a job stages and decodes: the source's bytes, bitrate and frame. */
export function sourceSizing(media: MediaInfo): Pick<AllocationSizing, 'sourceBytes' | 'sourceKbps' | 'sourceWidth' | 'sourceHeight'> {
  return { sourceBytes: media.sizeBytes, sourceKbps: sourceKbps(media), sourceWidth: media.video.width, sourceHeight: media.video.height };
}

/**
 * The allocation context of one task from its plan's sizing (the Allocate state's and the
 * estimate's, so both size a task alike): prices, priority, capacity, time budget, and the plan's
 * bounds within the platforms the task's function may use.
 */
export function allocationContext(sizing: AllocationSizing, platforms: readonly Platform[]): AllocationContextInput {
  const bounds = allocationBounds(sizing);
  const allowed = bounds.platforms ? platforms.filter((p) => bounds.platforms!.includes(p)) : [...platforms];
  return {
    region: sizing.region,
    priority: sizing.priority,
    // A function that cannot run where the bounds say (analysis is Lambda-only) runs where it can.
    platforms: allowed.length > 0 ? allowed : [...platforms],
    capacity: sizing.capacity ?? 'on-demand',
    ...(sizing.taskDeadlineSec ? { deadlineSec: sizing.taskDeadlineSec } : {}),
    ...(bounds.maxFargateVcpu !== undefined ? { maxFargateVcpu: bounds.maxFargateVcpu } : {}),
  };
}

/** The job's turnaround: its explicit deadline's encode share, else its priority class's target (the deployment's policy or the default). */
export function jobTurnaround(input: Pick<JobSizingInput, 'media' | 'allocator' | 'deadlineSec' | 'priority'>): Turnaround {
  const v = input.media.video;
  const durationSec = v.frames / v.fps;
  return turnaroundFor(durationSec, input.priority ?? 50, input.allocator.turnaround ?? DEFAULT_TURNAROUND_POLICY, input.deadlineSec === undefined ? undefined : input.deadlineSec * ENCODE_SHARE_OF_DEADLINE);
}

/** The account quotas a plan is made within: the deployment's, else AWS's documented defaults. */
export function planQuotas(allocator: PlanAllocator): ServiceQuotas {
  return allocator.quotas ?? DEFAULT_SERVICE_QUOTAS;
}

/** The slowest rung to encode: the top one, or in a multi-codec ladder the top one of the slowest codec. */
function slowestRung(rungs: Rung[], table: SpeedTable): Rung {
  return rungs.reduce((slow, r) => (encodeFps(r, table) < encodeFps(slow, table) ? r : slow), rungs[0]);
}

/**
 * On AWS, the allocator's plan for the whole ladder: one chunk length for every rung (the planner
 * cuts the source once), each rung at its own cheapest size for it, for the job's turnaround and
 * within the quotas the rungs share. The job takes as long as its slowest rung and costs all of
 * them; the cheapest length that meets the target wins (none: the fastest). `plan` is the slowest
 * rung's (its waves and concurrency bound the Allocate state). Null locally (worker slots decide).
 */
export function chooseJobChunking(input: JobSizingInput): { plan: ChunkingPlan; turnaround: Turnaround; jobSeconds: number; jobCostUsd: number; reason: string } | null {
  if (!input.allocator.chooseChunks) return null;
  const v = input.media.video;
  const turnaround = jobTurnaround(input);
  const quotas = planQuotas(input.allocator);
  const share = Math.max(1, Math.floor(input.allocator.maxConcurrency / input.rungs.length));
  const rungInput = (r: Rung): ChunkingInput => ({
    totalFrames: v.frames,
    fps: v.fps,
    task: { function: ENCODE_FUNCTION, codec: allocationCodec(r), encoderPreset: r.encoderPreset, width: r.width, height: r.height, sourceBitrateKbps: sourceKbps(input.media), sourceBytes: input.media.sizeBytes, sourceWidth: v.width, sourceHeight: v.height },
    ctx: { region: input.allocator.region, priority: input.priority ?? 50, capacity: turnaround.capacity },
    ...(turnaround.targetSec === null ? {} : { jobDeadlineSec: turnaround.targetSec }),
    // Every rung's chunks run at once: one rung gets its share of the concurrency and the quotas.
    maxConcurrency: share,
    quotas,
    streams: input.rungs.length,
    table: input.table,
    ...(input.gopFrames ? { gopFrames: input.gopFrames } : {}),
  });
  const top = slowestRung(input.rungs, input.table);
  const candidates = candidateChunkFrames(rungInput(top));
  type Option = { frames: number; plans: ChunkingPlan[]; seconds: number; cost: number; met: boolean };
  const options: Option[] = [];
  for (const frames of candidates) {
    const plans: ChunkingPlan[] = [];
    for (const r of input.rungs) {
      try {
        plans.push(chooseChunking({ ...rungInput(r), exactChunkFrames: frames }));
      } catch (e) {
        if (e instanceof InputInvalidError) break; // a rung no size can run at this length
        throw e;
      }
    }
    if (plans.length !== input.rungs.length) continue;
    options.push({ frames, plans, seconds: Math.max(...plans.map((p) => p.jobEstimatedSeconds)), cost: plans.reduce((sum, p) => sum + p.jobCostUsd, 0), met: plans.every((p) => p.deadlineMet) });
  }
  if (options.length === 0) return { plan: chooseChunking(rungInput(top)), turnaround, jobSeconds: NaN, jobCostUsd: NaN, reason: 'no chunk length fits every rung' };
  const met = options.filter((o) => o.met);
  const pick = met.length > 0 ? met.reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.seconds < a.seconds) ? b : a)) : options.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const slowest = pick.plans.reduce((a, b) => (b.jobEstimatedSeconds > a.jobEstimatedSeconds ? b : a));
  const limited = pick.plans.find((p) => p.limitedBy !== null && p.limitedBy !== 'map-concurrency') ?? pick.plans.find((p) => p.limitedBy !== null);
  // Every rung has the same chunks and share; the tightest bound among their sizes sets the waves.
  const plan = { ...slowest, limitedBy: limited?.limitedBy ?? null, concurrency: Math.max(...pick.plans.map((p) => p.concurrency)), maxConcurrent: Math.min(...pick.plans.map((p) => p.maxConcurrent)) };
  const why =
    met.length > 0
      ? `the cheapest of ${options.length} chunk lengths for all ${input.rungs.length} rungs that meets it`
      : `no chunk length meets it: the fastest of ${options.length}`;
  const reason = `${pick.plans[0].chunks} chunks of ${(pick.frames / v.fps).toFixed(1)} s × ${input.rungs.length} rungs, ~${Math.round(pick.seconds)} s, $${pick.cost.toFixed(3)}: ${why}; slowest rung: ${slowest.reason}`;
  return { plan, turnaround, jobSeconds: pick.seconds, jobCostUsd: pick.cost, reason };
}

/** On AWS, the chunk length the allocator picks for the ladder, and why; null locally. */
export function chooseChunkSeconds(input: JobSizingInput): { chunkSeconds: number; reason: string } | null {
  const chosen = chooseJobChunking(input);
  if (!chosen) return null;
  return { chunkSeconds: chosen.plan.chunkSeconds, reason: `${chosen.turnaround.describe}; ${chosen.reason}` };
}

/** Prices every task as the allocator would size it, and the per-task deadline the Allocate state uses. */
export function planSizing(
  input: JobSizingInput & { videoTasks: Pick<EncodeVideoInput, 'rung' | 'chunk' | 'timing'>[]; chunkSeconds: number; chunkReason: string | null; measuredRungs: number; vmaf: boolean; audioTracks: number; otherSteps: number },
): PlanSizing {
  const prices = priceTable(input.allocator.region);
  const turnaround = jobTurnaround(input);
  // On AWS the plan's own waves and concurrency (quota-bounded); locally the Map's.
  const gopFrames = input.gopFrames ?? input.videoTasks[0]?.timing.gopFrames;
  const chosen = chooseJobChunking({ ...input, ...(gopFrames ? { gopFrames } : {}) });
  const perRung = Math.max(1, Math.ceil(input.videoTasks.length / Math.max(1, input.rungs.length)));
  // The chunks as cut (whole GOPs) against what the plan's sizes may run at once.
  const concurrency = chosen ? Math.min(perRung, chosen.plan.maxConcurrent) : Math.max(1, Math.floor(input.allocator.maxConcurrency / Math.max(1, input.rungs.length)));
  const waves = chosen ? Math.max(1, Math.ceil(perRung / chosen.plan.maxConcurrent)) : Math.max(1, Math.ceil(input.videoTasks.length / input.allocator.maxConcurrency));
  const childStart = STARTUP_COSTS.stepFunctions.mapChildStartSeconds;
  const taskDeadlineSec = turnaround.targetSec === null ? null : Math.max(1, turnaround.targetSec / waves - childStart);
  const priority = input.priority ?? 50;
  // What the plan's concurrency leaves each task of the quotas: the Allocate state keeps within it.
  const quotas = planQuotas(input.allocator);
  const inFlight = concurrency * input.rungs.length;
  const bounds = chosen
    ? { maxFargateVcpu: vcpuQuota(quotas, turnaround.capacity) / inFlight, lambdaAllowed: inFlight <= quotas.lambda.concurrentExecutions }
    : {};
  const ctx = {
    region: input.allocator.region,
    priority,
    capacity: turnaround.capacity,
    ...(taskDeadlineSec ? { deadlineSec: taskDeadlineSec } : {}),
    ...allocationBounds(bounds),
  };
  let videoUsd = 0;
  let slowest = 0;
  for (const t of input.videoTasks) {
    const a = allocate(allocationTaskOf(t, input.media), ctx, input.table);
    videoUsd += a.estimatedCostUsd;
    slowest = Math.max(slowest, a.estimatedSeconds);
  }
  const lambdaAt = (seconds: number) => costOf({ platform: 'lambda', vcpu: lambdaVcpu(OTHER_STEP.memoryMiB), memoryMiB: OTHER_STEP.memoryMiB }, seconds, prices);
  const v = input.media.video;
  const measureRate = input.vmaf ? OTHER_STEP.measurePixelsPerSec.vmaf : OTHER_STEP.measurePixelsPerSec.plain;
  const otherUsd =
    input.otherSteps * lambdaAt(OTHER_STEP.fixedSeconds + input.media.durationSec / OTHER_STEP.realtimeFactor) +
    input.measuredRungs * lambdaAt(OTHER_STEP.fixedSeconds + (v.frames * v.width * v.height) / measureRate) +
    input.audioTracks * lambdaAt(OTHER_STEP.fixedSeconds + input.media.durationSec / OTHER_STEP.audioRealtime);
  const orchestrationUsd = input.videoTasks.length * orchestrationUsdPerTask(prices);
  const estimatedSeconds = waves * (slowest + childStart);
  const budget = taskDeadlineSec === null ? 'no deadline' : `${Math.round(taskDeadlineSec)} s per task (${waves} wave${waves === 1 ? '' : 's'})`;
  return {
    region: prices.region,
    pricesTakenOn: prices.takenOn,
    priority,
    taskDeadlineSec,
    chunkSeconds: input.chunkSeconds,
    estimatedUsd: videoUsd + otherUsd + orchestrationUsd,
    estimatedSeconds,
    reason: input.chunkReason ?? `${turnaround.describe}; chunks of ${input.chunkSeconds.toFixed(1)} s for the local worker slots; ${budget}`,
    ...sourceSizing(input.media),
    turnaround: { class: turnaround.class, targetSec: turnaround.targetSec, source: turnaround.source },
    capacity: turnaround.capacity,
    ...bounds,
    limitedBy: chosen ? chosen.plan.limitedBy : null,
  };
}

/** The allocation context's share of a plan's bounds (the Plan's sizing → each Allocate). */
export function allocationBounds(s: Pick<AllocationSizing, 'maxFargateVcpu' | 'lambdaAllowed'>): { maxFargateVcpu?: number; platforms?: Platform[] } {
  return {
    ...(s.maxFargateVcpu !== undefined ? { maxFargateVcpu: s.maxFargateVcpu } : {}),
    ...(s.lambdaAllowed === false ? { platforms: ['fargate'] as Platform[] } : {}),
  };
}
