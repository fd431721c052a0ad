import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputInvalidError, type Allocation, type AllocationTask } from '../../../../lambdas/contracts/index.js';
import { allocate, chooseChunking, DEFAULT_CHUNK_SECONDS_OPTIONS, escalate, STARTUP_COSTS, type EscalationCause } from '../../../../lambdas/core/allocator/index.js';
import { ctxArb, taskArb, fhdTask } from './arbitraries.js';

const { frames: _frames, ...fhd } = fhdTask(1);

describe('chooseChunking', () => {
  it('picks the cheapest chunk length that meets the job deadline (checked against each length alone)', () => {
    const input = { totalFrames: 24 * 3600, fps: 24, gopFrames: 96, task: fhd, jobDeadlineSec: 3 * 3600, maxConcurrency: 20 };
    const plan = chooseChunking(input);
    expect(plan.deadlineMet).toBe(true);
    expect(plan.jobEstimatedSeconds).toBeLessThanOrEqual(3 * 3600);
    // Every wave also waits for its Map children to start.
    expect(plan.jobEstimatedSeconds).toBeCloseTo(plan.waves * (plan.allocation.estimatedSeconds + STARTUP_COSTS.stepFunctions.mapChildStartSeconds), 9);
    expect(plan.chunks).toBe(Math.ceil(input.totalFrames / plan.chunkFrames));
    expect(plan.waves).toBe(Math.ceil(plan.chunks / 20));
    expect(plan.chunkFrames % 96).toBe(0);
    expect(plan.lastChunkFrames).toBe(input.totalFrames - (plan.chunks - 1) * plan.chunkFrames);
    expect(plan.reason).toMatch(/^\d+ chunks? of \d+ s in \d+ waves? on .+: the cheapest of \d+ chunk lengths .*within the 10800 s job deadline$/);
    // Each length it considers, alone (the search is over these lengths, not every length).
    for (const seconds of [...DEFAULT_CHUNK_SECONDS_OPTIONS, 3600]) {
      const alone = chooseChunking({ ...input, chunkSecondsOptions: [seconds], maxWaves: 0 });
      if (alone.deadlineMet) expect(plan.jobCostUsd).toBeLessThanOrEqual(alone.jobCostUsd + 1e-12);
    }
  });

  it('makes short chunks that fit Lambda when only Lambda can meet the deadline', () => {
    const plan = chooseChunking({ totalFrames: 24 * 60, fps: 24, task: fhd, jobDeadlineSec: 30, maxConcurrency: 50 });
    expect(plan.deadlineMet).toBe(true);
    expect(plan.allocation.platform).toBe('lambda');
    expect(plan.allocation.estimatedSeconds * 1.5).toBeLessThanOrEqual(900);
    expect(plan.chunks).toBeGreaterThan(1);
  });

  it('uses long chunks on Fargate when the deadline is loose, and is much cheaper for it', () => {
    const loose = chooseChunking({ totalFrames: 24 * 3600, fps: 24, task: fhd, maxConcurrency: 50 });
    const tight = chooseChunking({ totalFrames: 24 * 3600, fps: 24, task: fhd, jobDeadlineSec: 600, maxConcurrency: 50 });
    expect(loose.allocation.platform).toBe('fargate');
    expect(loose.chunkSeconds).toBeGreaterThan(900);
    expect(loose.reason).toMatch(/no deadline$/);
    expect(tight.deadlineMet).toBe(true);
    expect(tight.jobCostUsd).toBeGreaterThan(loose.jobCostUsd);
  });

  it('says when the job deadline cannot be met, with the fastest plan', () => {
    const plan = chooseChunking({ totalFrames: 24 * 7200, fps: 24, task: { ...fhd, codec: 'h265', width: 3840, height: 2160 }, jobDeadlineSec: 600, maxConcurrency: 2 });
    expect(plan.deadlineMet).toBe(false);
    expect(plan.reason).toMatch(/^job deadline 600 s cannot be met \(7200 s of video\): fastest plan, .* needs ~\d+ s/);
  });

  it('high priority takes a faster plan for at most 1.25× the cost', () => {
    const base = { totalFrames: 24 * 3600, fps: 24, task: fhd, jobDeadlineSec: 4 * 3600, maxConcurrency: 20 };
    const normal = chooseChunking(base);
    const urgent = chooseChunking({ ...base, ctx: { priority: 95 } });
    expect(urgent.jobEstimatedSeconds).toBeLessThan(normal.jobEstimatedSeconds);
    expect(urgent.jobCostUsd).toBeLessThanOrEqual(normal.jobCostUsd * 1.25 + 1e-12);
    expect(urgent.reason).toMatch(/priority 95: the fastest plan within 1.25× the cheapest/);
  });

  it('the job cost never falls when the title gets longer (no deadline)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 24, max: 24 * 7200 }), fc.integer({ min: 1, max: 24 * 600 }), fc.integer({ min: 1, max: 200 }), (frames, more, conc) => {
        const a = chooseChunking({ totalFrames: frames, fps: 24, task: fhd, maxConcurrency: conc });
        const b = chooseChunking({ totalFrames: frames + more, fps: 24, task: fhd, maxConcurrency: conc });
        expect(b.jobCostUsd).toBeGreaterThanOrEqual(a.jobCostUsd - 1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects bad input with typed errors', () => {
    const ok = { totalFrames: 100, fps: 24, task: fhd, maxConcurrency: 4 };
    expect(() => chooseChunking({ ...ok, totalFrames: 0 })).toThrow(InputInvalidError);
    expect(() => chooseChunking({ ...ok, maxConcurrency: 0 })).toThrow(/maxConcurrency/);
    expect(() => chooseChunking({ ...ok, fps: -1 })).toThrow(/fps/);
    expect(() => chooseChunking({ ...ok, chunkSecondsOptions: [0] })).toThrow(/chunkSecondsOptions/);
    expect(() => chooseChunking({ ...ok, gopFrames: 0 })).toThrow(/gopFrames/);
  });
});

describe('escalate', () => {
  const causeArb = fc.constantFrom<EscalationCause>('resource-exhausted', 'timeout');

  it('terminates within maxAttempts, and every step is strictly bigger', () => {
    fc.assert(
      fc.property(taskArb, ctxArb, causeArb, fc.integer({ min: 0, max: 6 }), (task, ctx, cause, maxAttempts) => {
        let current: Allocation;
        try {
          current = allocate(task, ctx);
        } catch {
          return; // nothing fits at all: nothing to escalate
        }
        let steps = 0;
        for (;;) {
          const next = escalate(current, task, ctx, undefined, maxAttempts, cause);
          if (!next) break;
          steps++;
          expect(steps).toBeLessThanOrEqual(maxAttempts);
          expect(next.attempt).toBe(current.attempt + 1);
          expect(next.vcpu).toBeGreaterThanOrEqual(current.vcpu);
          expect(next.memoryMiB).toBeGreaterThanOrEqual(current.memoryMiB);
          expect(next.vcpu > current.vcpu || next.memoryMiB > current.memoryMiB).toBe(true);
          if (cause === 'resource-exhausted') {
            expect(next.memoryMiB).toBeGreaterThan(current.memoryMiB);
            expect(next.ephemeralMiB).toBeGreaterThanOrEqual(current.ephemeralMiB * 2);
          } else {
            expect(next.vcpu > current.vcpu || (current.platform === 'lambda' && next.platform === 'fargate')).toBe(true);
          }
          if (ctx.platforms) expect(ctx.platforms).toContain(next.platform);
          current = next;
        }
        expect(steps).toBeLessThanOrEqual(maxAttempts);
      }),
      { numRuns: 300 },
    );
  });

  it('moves a Lambda task that timed out to a size that can run longer, with a longer timeout', () => {
    const task = { ...fhd, frames: 24 * 300 };
    const first = allocate(task, { platforms: ['lambda'], deadlineSec: 120 });
    expect(first.platform).toBe('lambda');
    const next = escalate(first, task, { deadlineSec: 120 }, undefined, 3, 'timeout')!;
    expect(next.vcpu).toBeGreaterThan(first.vcpu);
    // The model was at least timeout ÷ estimate off, so the new estimate carries that factor.
    expect(next.estimatedSeconds).toBeGreaterThan(first.estimatedSeconds * (first.vcpu / next.vcpu));
    expect(next.reason.length).toBeGreaterThan(0);
  });

  it('returns null once the attempts are used up or nothing bigger exists', () => {
    const a = allocate({ ...fhd, frames: 240 });
    expect(escalate({ ...a, attempt: 3 }, { ...fhd, frames: 240 }, {}, undefined, 3)).toBeNull();
    const top = allocate({ ...fhd, frames: 240 }, { minSizeIndex: 27 });
    expect(escalate(top, { ...fhd, frames: 240 })).toBeNull();
    expect(escalate(a, { ...fhd, frames: 240 }, {}, undefined, 0)).toBeNull();
  });
});
