/**
 * What one step attempt costs on AWS: the size it ran on (the allocator's `size` in the payload,
 * else the function's own function.json memory on its platform) × its duration × the region's prices.
 * Locally this is what the same run would cost there.
 */
import type { Architecture, Platform, TaskSize } from '../contracts/index.js';
import { costOf } from '../core/allocator/cost.js';
import { FARGATE_SIZES, lambdaVcpu } from '../core/allocator/limits.js';
import { PRICES } from '../core/allocator/prices.js';

export interface FunctionSizing {
  memoryMiB?: number;
  ephemeralStorageMiB?: number;
  architecture?: string;
  defaultPlatform?: string;
}

export const DEFAULT_REGION = 'us-east-1';

/** The smallest valid Fargate pair holding `memoryMiB` (the task definition a function.json implies). */
export function fargateSizeFor(memoryMiB: number): TaskSize {
  for (const row of FARGATE_SIZES)
    for (const gib of row.memoryGiB) if (gib * 1024 >= memoryMiB) return { vcpu: row.vcpu, memoryMiB: gib * 1024 };
  const last = FARGATE_SIZES[FARGATE_SIZES.length - 1];
  return { vcpu: last.vcpu, memoryMiB: last.memoryGiB[last.memoryGiB.length - 1] * 1024 };
}

export function effectiveSize(input: { platform?: Platform; size?: TaskSize }, fn: FunctionSizing): { platform: Platform; size: TaskSize } {
  const platform = input.platform ?? (fn.defaultPlatform === 'fargate' ? 'fargate' : 'lambda');
  if (input.size) return { platform, size: input.size };
  const memoryMiB = fn.memoryMiB ?? 1024;
  const size = platform === 'lambda' ? { vcpu: lambdaVcpu(memoryMiB), memoryMiB, ephemeralMiB: fn.ephemeralStorageMiB } : fargateSizeFor(memoryMiB);
  return { platform, size };
}

/** The date the region's price table was taken, or 'unknown' when there is none. */
export function pricesTakenOn(region: string): string {
  return Object.hasOwn(PRICES, region) ? PRICES[region].takenOn : 'unknown';
}

/** USD for `seconds` of this step, or null when the region has no price table (cost is then unknown, not zero). */
export function stepCostUsd(input: { platform?: Platform; size?: TaskSize }, fn: FunctionSizing, seconds: number, region = DEFAULT_REGION): number | null {
  const prices = Object.hasOwn(PRICES, region) ? PRICES[region] : null;
  if (!prices) return null;
  const { platform, size } = effectiveSize(input, fn);
  const arch: Architecture = fn.architecture === 'arm64' ? 'arm64' : 'x86_64';
  return costOf({ platform, vcpu: size.vcpu, memoryMiB: size.memoryMiB, ephemeralMiB: size.ephemeralMiB }, seconds, prices, arch);
}
