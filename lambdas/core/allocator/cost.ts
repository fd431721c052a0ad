/** What one run of a size costs, from the price table. */
import type { Architecture, Capacity, Platform } from '../../contracts/index.js';
import { FARGATE_LIMITS, LAMBDA_LIMITS } from './limits.js';
import { fargateSpotPrices, type PriceTable } from './prices.js';

export interface BilledSize {
  platform: Platform;
  vcpu: number;
  memoryMiB: number;
  /** Configured ephemeral storage; defaults to the platform's free amount. */
  ephemeralMiB?: number;
}

/**
 * `seconds` is the billed duration. Lambda: memory GB-s + ephemeral GB-s above 512 MB + one
 * request, in 1 ms steps. Fargate: vCPU-hours + GB-hours + ephemeral GB-hours above 20 GiB,
 * per second with a one-minute minimum; on Spot at its discount (prices.ts FARGATE_SPOT).
 */
export function costOf(size: BilledSize, seconds: number, prices: PriceTable, architecture: Architecture = 'x86_64', capacity: Capacity = 'on-demand'): number {
  const s = Math.max(0, seconds);
  if (size.platform === 'lambda') {
    const p = prices.lambda[architecture];
    const billed = Math.ceil(s * 1000) / 1000;
    const extraStorageGb = Math.max(0, (size.ephemeralMiB ?? LAMBDA_LIMITS.minEphemeralMiB) - LAMBDA_LIMITS.minEphemeralMiB) / 1024;
    return (size.memoryMiB / 1024) * billed * p.gbSecond + extraStorageGb * billed * prices.lambda.ephemeralGbSecond + p.perRequest;
  }
  // Fargate Spot is x86 only: a Spot task is priced (and runs) as x86.
  const p = capacity === 'spot' ? fargateSpotPrices(prices) : prices.fargate[architecture];
  const hours = Math.max(FARGATE_LIMITS.minimumBilledSeconds, Math.ceil(s)) / 3600;
  const extraStorageGb = Math.max(0, (size.ephemeralMiB ?? 0) / 1024 - FARGATE_LIMITS.minEphemeralGiB);
  return (size.vcpu * p.vcpuHour + (size.memoryMiB / 1024) * p.gbHour + extraStorageGb * prices.fargate.ephemeralGbHour) * hours;
}

/** Total estimated cost of several allocations (e.g. every chunk of a job). */
export function estimateJobCost(allocations: ReadonlyArray<{ estimatedCostUsd: number }>): number {
  return allocations.reduce((sum, a) => sum + a.estimatedCostUsd, 0);
}
