/**
 * What a task pays before and around its encode: the platform's start, moving the source and the
 * chunk over the size's network, and the Step Functions states that carry it. One definition for
 * the estimate, the allocator and the simulation (bench/allocator.ts). Every figure's source is in
 * docs/decisions.md, "Turnaround, quotas and start-up costs".
 */
import type { Platform } from '../../contracts/index.js';
import type { PriceTable } from './prices.js';

export const STARTUP_COSTS = {
  fargate: {
    /** RunTask → image pull starts: capacity found, ENI attached (not billed). */
    provisionSeconds: 35,
    /** Pulling the ffmpeg image (billed: Fargate bills from the start of the pull). */
    imagePullSeconds: 25,
    /** Container start to the handler running (node, runtime init; billed). */
    containerStartSeconds: 0,
  },
  lambda: {
    /**
     * A cold start with the ffmpeg layer (INIT is billed). A fan-out of many tasks at once runs
     * mostly on new execution environments, so every task is counted cold.
     */
    coldStartSeconds: 1,
  },
  stepFunctions: {
    /** Transitions one encode task costs: its Map child, Allocate, the platform Choice, the encode Task. */
    transitionsPerTask: 4,
    /** Wall time from a Map wave's start to its children running (Distributed Map launches them in batches). */
    mapChildStartSeconds: 1,
    /** The allocator Lambda behind Allocate: its memory and a warm run's billed time. */
    allocatorMemoryMiB: 512,
    allocatorSeconds: 0.2,
  },
} as const;

/** Per-platform start: wall seconds from launch to the handler running, and the billed part. */
export function platformStartup(platform: Platform): { seconds: number; billedSeconds: number } {
  if (platform === 'lambda') return { seconds: STARTUP_COSTS.lambda.coldStartSeconds, billedSeconds: STARTUP_COSTS.lambda.coldStartSeconds };
  const f = STARTUP_COSTS.fargate;
  return { seconds: f.provisionSeconds + f.imagePullSeconds + f.containerStartSeconds, billedSeconds: f.imagePullSeconds + f.containerStartSeconds };
}

/** The speed model's startup per platform (kept for callers of the earlier constant; derived from STARTUP_COSTS). */
export const STARTUP: Record<Platform, { seconds: number; billedSeconds: number }> = {
  lambda: platformStartup('lambda'),
  fargate: platformStartup('fargate'),
};

/**
 * S3 transfer bandwidth of a size, bytes per second: one GetObject stream (how the runtime stages),
 * about the same at every size — measured Fargate throughput "does not really grow with assigned
 * container resources" (StormForge's iPerf runs over every task size), and Lambda's is not tied
 * to memory either. A calibration that measures it per size replaces `NETWORK`.
 */
export const NETWORK = { lambdaBytesPerSec: 80e6, fargateBytesPerSec: 100e6 } as const;

export function networkBytesPerSec(size: { platform: Platform; vcpu: number }): number {
  return size.platform === 'lambda' ? NETWORK.lambdaBytesPerSec : NETWORK.fargateBytesPerSec;
}

/** Each platform's bandwidth (the earlier constant's shape, kept for its callers). */
export const STAGING_BYTES_PER_SEC: Record<Platform, number> = { lambda: NETWORK.lambdaBytesPerSec, fargate: NETWORK.fargateBytesPerSec };

/** Step Functions and the allocator's Lambda for one encode task, USD (x86 Lambda prices). */
export function orchestrationUsdPerTask(prices: PriceTable): number {
  const s = STARTUP_COSTS.stepFunctions;
  const lambda = prices.lambda.x86_64;
  return s.transitionsPerTask * prices.services.stepFunctionsTransition + (s.allocatorMemoryMiB / 1024) * s.allocatorSeconds * lambda.gbSecond + lambda.perRequest;
}
