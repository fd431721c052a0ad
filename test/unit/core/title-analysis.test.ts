/** The per-title analysis as tasks (planTitleAnalysis) and its modelled cost (estimateAnalysis). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateJob } from '../../../lambdas/core/job-estimate.js';
import { ANALYSIS_PLATFORMS, ANALYSIS_SHARE_OF_TURNAROUND, analysisTaskForAllocation, estimateAnalysis, planTitleAnalysis } from '../../../lambdas/core/title-analysis.js';
import { allocate } from '../../../lambdas/core/allocator/policy.js';
import { requiredMemoryMiB } from '../../../lambdas/core/allocator/memory-model.js';
import { DEFAULT_SERVICE_QUOTAS } from '../../../lambdas/core/allocator/quotas.js';
import { predict } from '../../../lambdas/core/allocator/speed-model.js';
import { allocationContext } from '../../../lambdas/core/plan-sizing.js';
import type { AnalyzeTitleInput } from '../../../lambdas/contracts/index.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../../helpers/plan-fixture.js';

const outputs = { hls: true, dash: false, thumbnails: false, quality: false };
const planFor = (width: number, height: number, seconds: number, preset = 'per-title') =>
  planTitleAnalysis(encodeOnlyPlanInput('j', videoOnlyMedia({ width, height, fps: 24, seconds, sizeBytes: 1e6 }), { spec: { preset, outputs } as never }));

describe('planTitleAnalysis', () => {
  it('one task per sample for a per-title preset, none for a fixed one', () => {
    expect(planFor(1280, 720, 60, 'default').tasks).toEqual([]);
    const p = planFor(1280, 720, 60);
    expect(p.tasks.length).toBe(2); // 6 s of a minute in 3 s scenes
    expect(p.tasks.map((t) => t.sample.frames)).toEqual([72, 72]);
    expect(p.tasks[0]!.candidates.map((c) => c.height)).toEqual([720, 540, 360, 240]);
  });

  it('samples about 10 % of an hour-long title, in at most 24 scenes of at most 10 s', () => {
    const p = planFor(1920, 1080, 3600);
    expect(p.tasks).toHaveLength(24);
    const sampled = p.tasks.reduce((s, t) => s + t.sample.frames, 0) / (3600 * 24);
    expect(sampled).toBeCloseTo(240 / 3600, 3);
  });
});

describe('analysis sized by the allocator', () => {
  const sizing = { sourceBytes: 1e9, sourceKbps: 8000 };
  const seconds = (t: AnalyzeTitleInput, vcpu: number) => predict(analysisTaskForAllocation(t, sizing), { platform: 'lambda', vcpu }).computeSeconds;

  it('models every trial and decode: grows with the candidates, the CRFs and the sample, shrinks with vCPUs', () => {
    const [small] = planFor(640, 360, 20).tasks;
    const [large] = planFor(1920, 1080, 20).tasks;
    expect(seconds(large!, 1)).toBeGreaterThan(seconds(small!, 1) * 4);
    expect(seconds({ ...small!, crfs: [20, 30] }, 1)).toBeLessThan(seconds(small!, 1) / 2);
    expect(seconds(small!, 2)).toBeLessThan(seconds(small!, 1));
    const t = analysisTaskForAllocation(large!, sizing);
    expect(t.work!.encodes.map((e) => e.height)).toEqual([1080, 720, 540, 360, 240]);
    expect(t.work!.encodes.every((e) => e.frames === large!.sample.frames * large!.crfs.length)).toBe(true);
    // Five CRFs of 1080p and two of 720p fill one batch (at most six 1080p at once), the rest a second:
    // two decodes of the sample each, and one per trial scored.
    expect(t.work!.decodedFrames).toBe(2 * 2 * large!.sample.frames + large!.sample.frames * 25);
    expect(t.work!.concurrentPixels).toBe(5 * 1920 * 1080 + 2 * 1280 * 720);
  });

  it('needs memory for a batch of encoders at once, more than one encode of the largest size', () => {
    const [large] = planFor(1920, 1080, 20).tasks;
    const t = analysisTaskForAllocation(large!, sizing);
    const { work: _, ...oneEncode } = t;
    expect(requiredMemoryMiB(t, 2)).toBeGreaterThan(requiredMemoryMiB(oneEncode, 2) * 1.5);
  });

  it('prices every sample at the size the Allocate state will give it, in waves of the Map', () => {
    const plan = planFor(1920, 1080, 3600);
    const e = estimateAnalysis(plan);
    expect(e.tasks).toBe(24);
    const ctx = allocationContext(plan.sizing, ANALYSIS_PLATFORMS);
    const each = plan.tasks.map((t) => allocate(analysisTaskForAllocation(t, plan.sizing), ctx));
    expect(each.every((a) => a.platform === 'lambda')).toBe(true);
    expect(e.usd).toBeCloseTo(each.reduce((s, a) => s + a.estimatedCostUsd, 0), 9);
    expect(e.seconds).toBeCloseTo(Math.ceil(24 / plan.maxConcurrency) * Math.max(...each.map((a) => a.estimatedSeconds)), 6);
    expect(estimateAnalysis({ ...plan, tasks: [] })).toEqual({ tasks: 0, seconds: 0, usd: 0 });
    const fn = JSON.parse(readFileSync(new URL('../../../lambdas/functions/analyze-title/function.json', import.meta.url), 'utf8')) as { platforms: string[]; allocated?: boolean };
    expect(ANALYSIS_PLATFORMS).toEqual(fn.platforms);
    expect(fn.allocated).toBe(true);
  });

  it('gives the samples a fifth of the job’s turnaround over their waves; the Map within the Lambda quota', () => {
    const media = videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 3600, sizeBytes: 1e9 });
    const input = (priority: number, lambda: number) =>
      encodeOnlyPlanInput('j', media, {
        spec: { preset: 'per-title', outputs, priority } as never,
        parallelism: 400,
        allocator: { region: 'us-east-1', maxConcurrency: 400, chooseChunks: true, quotas: { ...DEFAULT_SERVICE_QUOTAS, lambda: { ...DEFAULT_SERVICE_QUOTAS.lambda, concurrentExecutions: lambda } } },
      });
    const standard = planTitleAnalysis(input(50, 1000));
    expect(standard.maxConcurrency).toBe(24);
    expect(standard.sizing.taskDeadlineSec).toBeCloseTo((3600 / 12) * ANALYSIS_SHARE_OF_TURNAROUND, 6); // standard: 12× realtime, one wave
    const dev = planTitleAnalysis(input(50, 10));
    expect(dev.maxConcurrency).toBe(10);
    expect(dev.sizing.taskDeadlineSec).toBeCloseTo(standard.sizing.taskDeadlineSec! / 3, 6); // three waves
    expect(planTitleAnalysis(input(10, 1000)).sizing).toMatchObject({ taskDeadlineSec: 3600 * 2 * ANALYSIS_SHARE_OF_TURNAROUND, capacity: 'spot' }); // economy: within 2× realtime
    expect(standard.sizing).toMatchObject({ region: 'us-east-1', priority: 50, sourceBytes: 1e9, sourceWidth: 1920, sourceHeight: 1080 });
  });
});

describe('a per-title job’s estimate', () => {
  it('prices the analysis into the job (the fixed ladder standing in for the one it picks); a fixed preset has none', () => {
    const input = (preset: string) =>
      encodeOnlyPlanInput('j', videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 600, sizeBytes: 5e8 }), {
        spec: { preset, outputs } as never,
        allocator: { region: 'us-east-1', maxConcurrency: 400, chooseChunks: true },
      });
    const perTitle = estimateJob({ plan: input('per-title') });
    const fixed = estimateJob({ plan: input('default') });
    expect(fixed.analysis).toBeUndefined();
    expect(perTitle.analysis!.tasks).toBe(20); // 60 s of ten minutes in 3 s scenes
    expect(perTitle.analysis!.usd).toBeGreaterThan(0);
    expect(perTitle.totalUsd).toBeCloseTo(fixed.totalUsd + perTitle.analysis!.usd, 9);
  });
});
