/** The Allocate state's Lambda follows the Plan's capacity and quota bounds: ecs.capacityProvider, the vCPU cap, Lambda left out. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AllocateStateResultSchema, type PlanSizing } from '../../../../lambdas/contracts/index.js';
import { planEncode } from '../../../../lambdas/core/encode-plan.js';
import { planTitleAnalysis } from '../../../../lambdas/core/title-analysis.js';
import { createAllocatorHandler } from '../../../../lambdas/platform/allocator/handler.js';
import { InProcessEventBus } from '../../../../local/event-bus.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../../../helpers/plan-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'mosaic-capacity-'));
const jobs = new SqliteJobStore(join(dir, 'jobs.db'));
afterAll(() => jobs.close());

const plan = planEncode(encodeOnlyPlanInput('job-cap', videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 600, sizeBytes: 600e6 })));
const task = plan.videoTasks[0];
const handler = createAllocatorHandler({
  jobs,
  events: new InProcessEventBus(),
  platforms: { 'encode-video': ['lambda', 'fargate'], 'analyze-title': ['lambda'] },
  lambdaTarget: (m, fn) => `arn:lambda:${fn}-${m}`,
});
const allocate = (sizing: Partial<PlanSizing>) => handler({ function: 'encode-video', task, sizing: { ...plan.sizing, taskDeadlineSec: null, ...sizing }, attempt: 0 }).then((r) => AllocateStateResultSchema.parse(r));

describe('allocator Lambda: capacity and quota bounds from the Plan', () => {
  it('puts economy work on FARGATE_SPOT and everything else on FARGATE', async () => {
    const spot = await allocate({ capacity: 'spot', lambdaAllowed: false });
    expect(spot.platform).toBe('fargate');
    expect(spot.capacity).toBe('spot');
    expect(spot.ecs?.capacityProvider).toBe('FARGATE_SPOT');
    const onDemand = await allocate({ capacity: 'on-demand', lambdaAllowed: false });
    expect(onDemand.capacity).toBe('on-demand');
    expect(onDemand.ecs?.capacityProvider).toBe('FARGATE');
    expect(spot.estimatedCostUsd).toBeLessThan(onDemand.estimatedCostUsd);
  });

  it('keeps within the vCPU the plan left per task, and off Lambda when its concurrency is spent', async () => {
    const free = await allocate({ taskDeadlineSec: 60, lambdaAllowed: false });
    expect(free.platform).toBe('fargate');
    expect(free.vcpu).toBeGreaterThan(1);
    const capped = await allocate({ taskDeadlineSec: 60, lambdaAllowed: false, maxFargateVcpu: 1 });
    expect(capped.vcpu).toBeLessThanOrEqual(1);
    const lambdaOk = await allocate({ taskDeadlineSec: 60 });
    expect(lambdaOk.platform).toBe('lambda');
    expect(lambdaOk.ecs).toBeNull();
  });

  it('sizes an analysis sample on analyze-title’s Lambda only, even where the plan leaves chunks off Lambda; refuses a task that names no allocated function', async () => {
    const analysis = planTitleAnalysis(encodeOnlyPlanInput('job-cap', videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 600, sizeBytes: 600e6 }), { spec: { preset: 'per-title', outputs: { hls: true, dash: false, thumbnails: false, quality: false } } as never }));
    const sample = analysis.tasks[0]!;
    const r = AllocateStateResultSchema.parse(await handler({ function: 'analyze-title', task: sample, sizing: { ...analysis.sizing, lambdaAllowed: false }, attempt: 0 }));
    expect(r.platform).toBe('lambda');
    expect(r.target).toBe(`arn:lambda:analyze-title-${r.memoryMiB}`);
    expect(r.task).toMatchObject({ itemId: sample.itemId, sample: sample.sample, platform: 'lambda', timeoutSec: r.timeoutSec });
    await expect(handler({ task, sizing: plan.sizing, attempt: 0 })).rejects.toMatchObject({ name: 'Mosaic.InputInvalid', message: expect.stringMatching(/function/) });
    await expect(handler({ function: 'package', task, sizing: plan.sizing, attempt: 0 })).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
  });
});
