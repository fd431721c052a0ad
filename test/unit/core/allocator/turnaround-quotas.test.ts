/** Turnaround classes, Fargate Spot, quota-bounded plans and start-up costs in the allocator's predictions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServiceQuotas } from '../../../../lambdas/contracts/index.js';
import {
  candidateSizes,
  chooseChunking,
  costOf,
  DEFAULT_SERVICE_QUOTAS,
  DEFAULT_TURNAROUND_POLICY,
  expectedReworkSeconds,
  FARGATE_SPOT,
  orchestrationUsdPerTask,
  platformStartup,
  predict,
  priceTable,
  QUOTA_NAMES,
  STARTUP,
  STARTUP_COSTS,
  turnaroundClass,
  turnaroundFor,
} from '../../../../lambdas/core/allocator/index.js';
import { estimateJob } from '../../../../lambdas/core/job-estimate.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../../../helpers/plan-fixture.js';
import { fhdTask } from './arbitraries.js';

const { frames: _frames, ...fhd } = fhdTask(1);
const prices = priceTable('us-east-1');
const quotasWith = (fargate: number, lambda: number): ServiceQuotas => ({
  ...DEFAULT_SERVICE_QUOTAS,
  lambda: { concurrentExecutions: lambda },
  fargate: { ...DEFAULT_SERVICE_QUOTAS.fargate, onDemandVcpu: fargate, spotVcpu: fargate },
});

describe('turnaround policy', () => {
  it('classes by priority: economy below 30, high from 80, standard between', () => {
    expect([0, 29, 30, 50, 79, 80, 100].map((p) => turnaroundClass(p))).toEqual(['economy', 'economy', 'standard', 'standard', 'standard', 'high', 'high']);
    expect(turnaroundClass(50, { ...DEFAULT_TURNAROUND_POLICY, economyBelowPriority: 60 })).toBe('economy');
  });

  it('standard: a one-hour title encodes within five minutes (12× realtime), a short one gets the floor', () => {
    const hour = turnaroundFor(3600, 50);
    expect(hour).toMatchObject({ class: 'standard', targetSec: 300, source: 'policy', capacity: 'on-demand' });
    expect(hour.describe).toMatch(/standard turnaround \(12× realtime.*encode within 300 s/);
    expect(turnaroundFor(30, 50).targetSec).toBe(120);
    expect(turnaroundFor(3600, 90).targetSec).toBe(150);
  });

  it('economy may take hours and runs on Spot; an explicit deadline replaces the target but keeps the capacity', () => {
    expect(turnaroundFor(3600, 10)).toMatchObject({ class: 'economy', targetSec: 7200, capacity: 'spot' });
    expect(turnaroundFor(3600, 10, DEFAULT_TURNAROUND_POLICY, 600)).toMatchObject({ class: 'economy', targetSec: 600, source: 'deadline', capacity: 'spot' });
    const none = { ...DEFAULT_TURNAROUND_POLICY, classes: { ...DEFAULT_TURNAROUND_POLICY.classes, standard: { realtimeFactor: null, minSeconds: 0, capacity: 'on-demand' as const } } };
    expect(turnaroundFor(3600, 50, none).targetSec).toBeNull();
  });

  it('a one-hour 1080p job without a deadline is planned for five minutes of encode, and says why', () => {
    const e = estimateJob({ plan: encodeOnlyPlanInput('t', videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 3600, sizeBytes: 3.6e9 }), { allocator: { region: 'us-east-1', maxConcurrency: 400, chooseChunks: true, quotas: quotasWith(1000, 1000) } }) });
    expect(e.turnaround).toEqual({ class: 'standard', targetSec: 300, source: 'policy', met: true });
    expect(e.encodeSeconds).toBeLessThanOrEqual(300);
    expect(e.deadlineSec).toBeNull();
    expect(e.reason).toMatch(/^standard turnaround \(12× realtime.*encode within 300 s; \d+ chunks of/);
  });
});

describe('Fargate Spot', () => {
  it('is priced at the documented discount on vCPU and memory', () => {
    const size = { platform: 'fargate' as const, vcpu: 2, memoryMiB: 4096 };
    expect(costOf(size, 3600, prices, 'x86_64', 'spot')).toBeCloseTo(costOf(size, 3600, prices) * (1 - FARGATE_SPOT.discount), 12);
    expect(FARGATE_SPOT.takenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('charges the expected rework of interruptions, more for longer runs', () => {
    expect(expectedReworkSeconds(600, 600, 60)).toBeGreaterThan(0);
    expect(expectedReworkSeconds(7200, 7200, 60)).toBeGreaterThan(expectedReworkSeconds(600, 600, 60) * 10);
    const input = { totalFrames: 24 * 3600, fps: 24, task: fhd, maxConcurrency: 20, exactChunkFrames: 24 * 600 };
    const onDemand = chooseChunking({ ...input, ctx: { platforms: ['fargate'] } });
    const spot = chooseChunking({ ...input, ctx: { platforms: ['fargate'], capacity: 'spot' } });
    expect(spot.allocation.capacity).toBe('spot');
    expect(onDemand.allocation.capacity).toBe('on-demand');
    expect(spot.reason).toMatch(/on Fargate Spot/);
    // Cheaper than on-demand, but by less than the bare discount (rework), and slower.
    expect(spot.jobCostUsd).toBeLessThan(onDemand.jobCostUsd);
    expect(spot.allocation.sizeIndex).toBe(onDemand.allocation.sizeIndex);
    expect(spot.allocation.estimatedCostUsd).toBeGreaterThan(onDemand.allocation.estimatedCostUsd * (1 - FARGATE_SPOT.discount));
    expect(spot.allocation.estimatedSeconds).toBeGreaterThan(onDemand.allocation.estimatedSeconds);
    // Rework grows with a chunk's length: left free, Spot takes shorter chunks than the whole title on-demand does.
    const free = { totalFrames: 24 * 3600, fps: 24, task: fhd, maxConcurrency: 20, chunkSecondsOptions: [600] };
    const longOnDemand = chooseChunking({ ...free, ctx: { platforms: ['fargate'] } });
    const longSpot = chooseChunking({ ...free, ctx: { platforms: ['fargate'], capacity: 'spot' } });
    expect(longSpot.chunks).toBeGreaterThan(longOnDemand.chunks);
  });

  it('economy work is planned on Spot; Lambda stays on-demand', () => {
    const e = estimateJob({ plan: encodeOnlyPlanInput('t', videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 3600, sizeBytes: 3.6e9 }), { spec: { preset: 'default', priority: 10, outputs: { hls: true, dash: false, thumbnails: false, quality: false } }, allocator: { region: 'us-east-1', maxConcurrency: 400, chooseChunks: true, quotas: quotasWith(1000, 1000) } }) });
    expect(e.capacity).toBe('spot');
    expect(e.turnaround).toMatchObject({ class: 'economy', targetSec: 7200, met: true });
    const lambdaSpot = chooseChunking({ totalFrames: 240, fps: 24, task: fhd, maxConcurrency: 10, ctx: { platforms: ['lambda'], capacity: 'spot' } });
    expect(lambdaSpot.allocation.capacity).toBe('on-demand');
  });
});

describe('quota-bounded plans', () => {
  it('never runs more at once than the quotas allow (Fargate vCPU, Lambda concurrency), shared by the streams', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 2000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 24 * 60, max: 24 * 7200 }),
        fc.option(fc.integer({ min: 60, max: 4 * 3600 }), { nil: undefined }),
        fc.constantFrom('on-demand' as const, 'spot' as const),
        (vcpu, lambda, streams, totalFrames, deadline, capacity) => {
          const quotas = quotasWith(vcpu, lambda);
          const plan = chooseChunking({ totalFrames, fps: 24, task: fhd, maxConcurrency: 500, quotas, streams, ctx: { capacity }, ...(deadline ? { jobDeadlineSec: deadline } : {}) });
          const a = plan.allocation;
          expect(plan.concurrency).toBeGreaterThanOrEqual(1);
          expect(plan.waves).toBe(Math.ceil(plan.chunks / plan.concurrency));
          if (a.platform === 'fargate') expect(plan.concurrency * streams * a.vcpu).toBeLessThanOrEqual(vcpu + 1e-9);
          else expect(plan.concurrency * streams).toBeLessThanOrEqual(lambda);
          expect(plan.concurrency).toBeLessThanOrEqual(plan.maxConcurrent);
          if (plan.limitedBy) expect(plan.chunks).toBeGreaterThanOrEqual(plan.maxConcurrent);
          else expect(plan.chunks).toBeLessThan(plan.maxConcurrent);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves out a size no task of which fits the vCPU quota', () => {
    const plan = chooseChunking({ totalFrames: 24 * 3600, fps: 24, task: { ...fhd, width: 3840, height: 2160 }, maxConcurrency: 50, quotas: quotasWith(6, 1000), ctx: { platforms: ['fargate'] }, jobDeadlineSec: 60 });
    expect(plan.allocation.vcpu).toBeLessThanOrEqual(6);
  });

  it('the estimate names the quota that limits turnaround', () => {
    const media = videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 3600, sizeBytes: 3.6e9 });
    // A new account: 6 Fargate vCPU, 10 Lambda executions.
    const small = estimateJob({ plan: encodeOnlyPlanInput('t', media, { allocator: { region: 'us-east-1', maxConcurrency: 400, chooseChunks: true, quotas: quotasWith(6, 10) } }) });
    expect(small.limitedBy).toMatch(/^(fargate-on-demand-vcpu|lambda-concurrency)$/);
    expect(small.limit).toContain(QUOTA_NAMES[small.limitedBy!]);
    expect(small.reason).toContain(QUOTA_NAMES[small.limitedBy!]);
    expect(small.turnaround?.met).toBe(false);
    const roomy = estimateJob({ plan: encodeOnlyPlanInput('t', media, { allocator: { region: 'us-east-1', maxConcurrency: 400, chooseChunks: true, quotas: quotasWith(1000, 1000) } }) });
    expect(roomy.limitedBy).toBeNull();
    expect(roomy.limit).toBeNull();
    expect(roomy.encodeSeconds).toBeLessThan(small.encodeSeconds);
  });
});

describe('start-up costs in the predictions', () => {
  it('a Fargate task starts in provisioning + image pull and pays for the pull; a Lambda pays its cold start', () => {
    const f = STARTUP_COSTS.fargate;
    expect(platformStartup('fargate')).toEqual({ seconds: f.provisionSeconds + f.imagePullSeconds + f.containerStartSeconds, billedSeconds: f.imagePullSeconds + f.containerStartSeconds });
    expect(platformStartup('lambda')).toEqual({ seconds: STARTUP_COSTS.lambda.coldStartSeconds, billedSeconds: STARTUP_COSTS.lambda.coldStartSeconds });
    // The earlier constant still says the same.
    expect(STARTUP.fargate).toEqual(platformStartup('fargate'));
    for (const size of candidateSizes()) {
      const p = predict({ ...fhd, frames: 240 }, size);
      expect(p.startupSeconds).toBe(platformStartup(size.platform).seconds);
      expect(p.seconds - p.billedSeconds).toBeCloseTo(platformStartup(size.platform).seconds - platformStartup(size.platform).billedSeconds, 9);
    }
  });

  it('a plan counts a Map child start per wave and the Step Functions transitions per task', () => {
    const plan = chooseChunking({ totalFrames: 24 * 600, fps: 24, task: fhd, maxConcurrency: 4, chunkSecondsOptions: [60], maxWaves: 0 });
    expect(plan.orchestrationUsd).toBeCloseTo(plan.chunks * orchestrationUsdPerTask(prices), 12);
    expect(orchestrationUsdPerTask(prices)).toBeGreaterThanOrEqual(STARTUP_COSTS.stepFunctions.transitionsPerTask * prices.services.stepFunctionsTransition);
    expect(plan.jobEstimatedSeconds).toBeCloseTo(plan.waves * (plan.allocation.estimatedSeconds + STARTUP_COSTS.stepFunctions.mapChildStartSeconds), 9);
    expect(plan.startupSeconds).toBe(platformStartup(plan.allocation.platform).seconds);
    expect(plan.startupUsd).toBeGreaterThan(0);
  });

  it('the estimate shows them apart, inside its total', () => {
    const e = estimateJob({ plan: encodeOnlyPlanInput('t', videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 600, sizeBytes: 600e6 }), { allocator: { region: 'us-east-1', maxConcurrency: 100, chooseChunks: true, quotas: quotasWith(1000, 1000) } }) });
    expect(e.startup!.secondsPerTask).toBe(platformStartup(e.rungs[0].platform).seconds);
    expect(e.startup!.orchestrationUsd).toBeCloseTo(e.encodeTasks * orchestrationUsdPerTask(prices), 12);
    expect(e.startup!.billedUsd).toBeGreaterThan(0);
    expect(e.startup!.billedUsd + e.startup!.orchestrationUsd).toBeLessThan(e.totalUsd);
  });
});
