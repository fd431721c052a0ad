import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AllocationContextSchema,
  AllocationSchema,
  InputInvalidError,
  type AllocationContextInput,
  type AllocationTask,
} from '../../../../lambdas/contracts/index.js';
import {
  allocate,
  candidateSizes,
  DEFAULT_SPEED_TABLE,
  evaluateSize,
  isValidFargatePair,
  isValidLambdaSize,
  lambdaVcpu,
  priceTable,
  requiredMemoryMiB,
} from '../../../../lambdas/core/allocator/index.js';
import { ctxArb, taskArb, fhdTask } from './arbitraries.js';

const fhd = fhdTask(288);

/** Every allowed size evaluated independently of allocate(): the brute-force answer. */
function bruteForce(task: AllocationTask, ctxIn: AllocationContextInput) {
  const ctx = AllocationContextSchema.parse(ctxIn);
  const prices = priceTable(ctx.region);
  return candidateSizes({ platforms: ctx.platforms, minSizeIndex: ctx.minSizeIndex }).map((s) => evaluateSize(task, s, ctx, DEFAULT_SPEED_TABLE, prices));
}

/** allocate(), or the typed error when nothing can run the task (checked against the brute force). */
function allocateOrNone(task: AllocationTask, ctx: AllocationContextInput) {
  try {
    return allocate(task, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(InputInvalidError);
    expect((e as Error).message).toMatch(/^no allowed size can run this task: /);
    expect(bruteForce(task, ctx).some((x) => x.fits)).toBe(false);
    return null;
  }
}

describe('allocate: every decision is a valid size', () => {
  it('a valid Fargate pair or within the Lambda limits, with room for the task', () => {
    fc.assert(
      fc.property(taskArb, ctxArb, (task, ctx) => {
        const a = allocateOrNone(task, ctx);
        if (!a) return;
        expect(AllocationSchema.parse(a)).toEqual(a);
        const margin = AllocationContextSchema.parse(ctx).safetyMargin;
        if (ctx.platforms) expect(ctx.platforms).toContain(a.platform);
        expect(a.memoryMiB).toBeGreaterThanOrEqual(requiredMemoryMiB(task, a.threads));
        if (a.platform === 'fargate') {
          expect(isValidFargatePair(a.vcpu, a.memoryMiB)).toBe(true);
          expect(a.ephemeralGiB).toBeGreaterThanOrEqual(20);
          expect(a.ephemeralGiB).toBeLessThanOrEqual(200);
          expect(a.ephemeralMiB).toBe(a.ephemeralGiB * 1024);
        } else {
          expect(isValidLambdaSize(a.memoryMiB)).toBe(true);
          expect(a.vcpu).toBeCloseTo(lambdaVcpu(a.memoryMiB), 9);
          expect(a.timeoutSec).toBeLessThanOrEqual(900);
          expect(a.estimatedSeconds * margin).toBeLessThanOrEqual(900);
          expect(a.ephemeralMiB).toBeGreaterThanOrEqual(512);
          expect(a.ephemeralMiB).toBeLessThanOrEqual(10240);
        }
        expect(a.timeoutSec).toBeGreaterThanOrEqual(Math.min(a.platform === 'lambda' ? 900 : Infinity, Math.ceil(a.estimatedSeconds * margin)));
        expect(a.threads).toBe(Math.max(1, Math.round(a.vcpu)));
        expect(candidateSizes()[a.sizeIndex]).toMatchObject({ platform: a.platform, vcpu: a.vcpu, memoryMiB: a.memoryMiB });
      }),
      { numRuns: 400 },
    );
  });
});

describe('allocate: deadlines', () => {
  it('are met whenever some size can meet them (brute force), at the cheapest such size', () => {
    fc.assert(
      fc.property(taskArb, ctxArb, (task, ctx) => {
        const a = allocateOrNone(task, ctx);
        if (!a) return;
        const fitting = bruteForce(task, ctx).filter((e) => e.fits);
        const deadline = ctx.deadlineSec ?? Infinity;
        const meeting = fitting.filter((e) => e.seconds <= deadline);
        if (meeting.length > 0) {
          expect(a.deadlineMet).toBe(true);
          expect(a.estimatedSeconds).toBeLessThanOrEqual(deadline);
          const cheapest = Math.min(...meeting.map((e) => e.costUsd));
          if ((ctx.priority ?? 50) < 80) expect(a.estimatedCostUsd).toBeCloseTo(cheapest, 12);
          else expect(a.estimatedCostUsd).toBeLessThanOrEqual(cheapest * 1.25 + 1e-12);
        } else {
          expect(a.deadlineMet).toBe(false);
          expect(a.estimatedSeconds).toBeCloseTo(Math.min(...fitting.map((e) => e.seconds)), 9);
          expect(a.reason).toMatch(new RegExp(`^deadline \\S+ s cannot be met: fastest size \\(.+\\) needs ~\\S+ s`));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('says so with the numbers when no size is fast enough', () => {
    const a = allocate({ ...fhd, frames: 24 * 3600 }, { deadlineSec: 120 });
    expect(a.deadlineMet).toBe(false);
    expect(a).toMatchObject({ platform: 'fargate', vcpu: 16 });
    expect(a.reason).toMatch(/^deadline 120 s cannot be met: fastest size \(Fargate 16 vCPU\/\d+ GiB\) needs ~\d+ s/);
  });

  it('takes a faster, dearer size only as far as the deadline needs', () => {
    const relaxed = allocate(fhd);
    const tight = allocate(fhd, { deadlineSec: 20 });
    expect(relaxed.reason).toMatch(/^Fargate .*: the cheapest of \d+ fitting sizes \(~\d+ s, \$[\d.]+\), no deadline$/);
    expect(tight.reason).toMatch(/^Lambda .*, within the 20 s deadline$/);
    expect(tight.estimatedSeconds).toBeLessThanOrEqual(20);
    expect(tight.estimatedCostUsd).toBeGreaterThan(relaxed.estimatedCostUsd);
    expect(tight.platform).toBe('lambda'); // Fargate's minute of startup cannot meet 20 s
  });
});

describe('allocate: more work never gets a cheaper choice', () => {
  it('the chosen cost is monotone in frames (normal priority, deadline met both times)', () => {
    fc.assert(
      fc.property(taskArb, ctxArb, fc.integer({ min: 1, max: 50_000 }), (task, ctx, more) => {
        const c = { ...ctx, priority: Math.min(ctx.priority ?? 50, 79) };
        const small = allocateOrNone(task, c);
        const big = allocateOrNone({ ...task, frames: task.frames + more }, c);
        if (!small || !big || !big.deadlineMet) return;
        expect(big.estimatedCostUsd).toBeGreaterThanOrEqual(small.estimatedCostUsd - 1e-15);
      }),
      { numRuns: 300 },
    );
  });
});

describe('allocate: priority, limits and errors', () => {
  it('priority ≥ 80 takes the fastest size within 1.25× the cheapest', () => {
    const normal = allocate(fhd, { deadlineSec: 30 });
    const urgent = allocate(fhd, { deadlineSec: 30, priority: 90 });
    expect(urgent.estimatedSeconds).toBeLessThan(normal.estimatedSeconds);
    expect(urgent.estimatedCostUsd).toBeLessThanOrEqual(normal.estimatedCostUsd * 1.25);
    expect(urgent.reason).toMatch(/priority 90 takes the fastest size within 1.25× the cheapest/);
  });

  it('keeps Lambda out when the estimate × safety margin passes 900 s, and then says why nothing fits', () => {
    const long = { ...fhd, frames: 24 * 1800 };
    expect(allocate(long).platform).toBe('fargate');
    expect(() => allocate(long, { platforms: ['lambda'] })).toThrow(InputInvalidError);
    expect(() => allocate(long, { platforms: ['lambda'] })).toThrow(/Lambda 10240 MB \(5\.79 vCPU\) needs ~\d+ s × 1\.5 safety margin > 900 s/);
  });

  it('respects allowed platforms and minSizeIndex', () => {
    const a = allocate(fhd, { platforms: ['lambda'] });
    expect(a.platform).toBe('lambda');
    const b = allocate(fhd, { minSizeIndex: 20 });
    expect(b.sizeIndex).toBeGreaterThanOrEqual(20);
  });

  it('sets the timeout from the estimate × margin, with floors for startup jitter', () => {
    const a = allocate({ ...fhd, frames: 24 * 600 }, { safetyMargin: 2, platforms: ['fargate'] });
    expect(a.timeoutSec).toBe(Math.max(300, Math.ceil(a.estimatedSeconds * 2)));
    const b = allocate({ ...fhd, frames: 24 }, { platforms: ['lambda'] });
    expect(b.timeoutSec).toBe(60);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => allocate({ ...fhd, width: 0 })).toThrow(InputInvalidError);
    expect(() => allocate({ ...fhd, frames: 1.5 })).toThrow(/invalid allocation task/);
    expect(() => allocate({ ...fhd, encoderPreset: 'turbo' })).toThrow(/unknown encoder preset "turbo"/);
    expect(() => allocate(fhd, { region: 'xx-nowhere-1' })).toThrow(/known regions/);
    expect(() => allocate(fhd, { priority: 101 })).toThrow(/invalid allocation context/);
    expect(() => allocate(fhd, { platforms: [] })).toThrow(InputInvalidError);
    expect(() => allocate(fhd, { minSizeIndex: 999 })).toThrow(/no candidate size is allowed/);
  });

  it('prices the region and architecture it is given', () => {
    const us = allocate({ ...fhd, frames: 24 * 600 }, { platforms: ['fargate'] });
    const sg = allocate({ ...fhd, frames: 24 * 600 }, { platforms: ['fargate'], region: 'ap-southeast-1' });
    const arm = allocate({ ...fhd, frames: 24 * 600 }, { platforms: ['fargate'], architecture: 'arm64' });
    expect(sg.estimatedCostUsd).toBeGreaterThan(us.estimatedCostUsd);
    expect(arm.estimatedCostUsd).toBeLessThan(us.estimatedCostUsd);
  });
});
