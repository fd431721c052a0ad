/**
 * Platform limits (Lambda, Fargate) and the ordered ladder of sizes the policy and escalation walk.
 */
import { LAMBDA_MEMORY_LADDER_MIB, type Platform } from '../../contracts/index.js';

export const LAMBDA_LIMITS = {
  minMemoryMiB: 128,
  maxMemoryMiB: 10_240,
  memoryStepMiB: 1,
  /** Lambda gives one full vCPU per 1,769 MB and at most 6. */
  mibPerVcpu: 1769,
  maxVcpu: 6,
  maxTimeoutSec: 900,
  minEphemeralMiB: 512,
  maxEphemeralMiB: 10_240,
} as const;

export const FARGATE_LIMITS = {
  minEphemeralGiB: 20,
  maxEphemeralGiB: 200,
  /** Billing runs from the start of the image pull, per second, with a one-minute minimum. */
  minimumBilledSeconds: 60,
} as const;

/** Valid Fargate memory sizes (GiB) for each CPU size (Linux tasks). */
export const FARGATE_SIZES: ReadonlyArray<{ vcpu: number; memoryGiB: readonly number[] }> = [
  { vcpu: 0.25, memoryGiB: [0.5, 1, 2] },
  { vcpu: 0.5, memoryGiB: range(1, 4, 1) },
  { vcpu: 1, memoryGiB: range(2, 8, 1) },
  { vcpu: 2, memoryGiB: range(4, 16, 1) },
  { vcpu: 4, memoryGiB: range(8, 30, 1) },
  { vcpu: 8, memoryGiB: range(16, 60, 4) },
  { vcpu: 16, memoryGiB: range(32, 120, 8) },
];

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

export function isValidFargatePair(vcpu: number, memoryMiB: number): boolean {
  const row = FARGATE_SIZES.find((r) => r.vcpu === vcpu);
  return !!row && row.memoryGiB.some((g) => g * 1024 === memoryMiB);
}

export function isValidLambdaSize(memoryMiB: number): boolean {
  return Number.isInteger(memoryMiB) && memoryMiB >= LAMBDA_LIMITS.minMemoryMiB && memoryMiB <= LAMBDA_LIMITS.maxMemoryMiB;
}

export function lambdaVcpu(memoryMiB: number): number {
  return Math.min(LAMBDA_LIMITS.maxVcpu, memoryMiB / LAMBDA_LIMITS.mibPerVcpu);
}

/** ffmpeg threads for a size: one per whole vCPU (rounded), at least one. */
export function threadsFor(vcpu: number): number {
  return Math.max(1, Math.round(vcpu));
}

export interface CandidateSize {
  /** Position in the full ladder; stable whatever filter is applied. */
  index: number;
  platform: Platform;
  vcpu: number;
  memoryMiB: number;
  threads: number;
  label: string;
}

/**
 * Lambda sizes: whole-vCPU steps of 1,769 MB plus the 10 GB maximum, and one sub-vCPU size.
 * Fargate: for each CPU size its minimum, double-minimum and maximum memory.
 */
const LAMBDA_LADDER_MIB = LAMBDA_MEMORY_LADDER_MIB;
const FARGATE_LADDER: Array<[number, number[]]> = [
  [0.25, [0.5, 1, 2]],
  [0.5, [1, 2, 4]],
  [1, [2, 4, 8]],
  [2, [4, 8, 16]],
  [4, [8, 16, 30]],
  [8, [16, 32, 60]],
  [16, [32, 64, 120]],
];

function sizeLabel(platform: Platform, vcpu: number, memoryMiB: number): string {
  return platform === 'lambda'
    ? `Lambda ${memoryMiB} MB (${Number(vcpu.toFixed(2))} vCPU)`
    : `Fargate ${vcpu} vCPU/${memoryMiB / 1024} GiB`;
}

const LADDER: readonly CandidateSize[] = (() => {
  const sizes = [
    ...LAMBDA_LADDER_MIB.map((m) => ({ platform: 'lambda' as const, vcpu: lambdaVcpu(m), memoryMiB: m })),
    ...FARGATE_LADDER.flatMap(([vcpu, gibs]) => gibs.map((g) => ({ platform: 'fargate' as const, vcpu, memoryMiB: g * 1024 }))),
  ];
  // Capacity order: vCPU, then memory, then Lambda before Fargate.
  sizes.sort((a, b) => a.vcpu - b.vcpu || a.memoryMiB - b.memoryMiB || (a.platform === 'lambda' ? -1 : 1));
  return Object.freeze(
    sizes.map((s, index) => Object.freeze({ ...s, index, threads: threadsFor(s.vcpu), label: sizeLabel(s.platform, s.vcpu, s.memoryMiB) })),
  );
})();

export interface CandidateOptions {
  platforms?: readonly Platform[];
  minSizeIndex?: number;
}

/** The ordered ladder of sizes (by vCPU, then memory), optionally filtered; indices stay those of the full ladder. */
export function candidateSizes(opts: CandidateOptions = {}): CandidateSize[] {
  return LADDER.filter((s) => (!opts.platforms || opts.platforms.includes(s.platform)) && s.index >= (opts.minSizeIndex ?? 0));
}

export function describeSize(size: { platform: Platform; vcpu: number; memoryMiB: number }): string {
  return sizeLabel(size.platform, size.vcpu, size.memoryMiB);
}
