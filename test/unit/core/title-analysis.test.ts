/** The per-title analysis as tasks (planTitleAnalysis) and its modelled cost (estimateAnalysis). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateJob } from '../../../lambdas/core/job-estimate.js';
import { ANALYZE_TITLE_MEMORY_MIB, analysisTaskSeconds, estimateAnalysis, planTitleAnalysis } from '../../../lambdas/core/title-analysis.js';
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

describe('estimateAnalysis', () => {
  it('grows with the candidates, the CRFs and the sample; costs every sample on the function’s Lambda', () => {
    const [small] = planFor(640, 360, 20).tasks;
    const [large] = planFor(1920, 1080, 20).tasks;
    expect(analysisTaskSeconds(large!, 1)).toBeGreaterThan(analysisTaskSeconds(small!, 1) * 4);
    expect(analysisTaskSeconds({ ...small!, crfs: [20, 30] }, 1)).toBeLessThan(analysisTaskSeconds(small!, 1) / 2);
    expect(analysisTaskSeconds(small!, 2)).toBeLessThan(analysisTaskSeconds(small!, 1));

    const plan = planFor(1920, 1080, 3600);
    const e = estimateAnalysis(plan, { region: 'us-east-1', memoryMiB: 3008, sourceBytes: 1e9 });
    expect(e.tasks).toBe(24);
    const one = estimateAnalysis({ tasks: [plan.tasks[0]!], maxConcurrency: 1 }, { region: 'us-east-1', memoryMiB: 3008, sourceBytes: 1e9 });
    expect(e.usd).toBeCloseTo(24 * one.usd, 9);
    expect(e.seconds).toBeLessThan(24 * one.seconds);
    const noStaging = estimateAnalysis({ tasks: [plan.tasks[0]!], maxConcurrency: 1 }, { region: 'us-east-1', memoryMiB: 3008, sourceBytes: 0 });
    expect(one.seconds - noStaging.seconds).toBeCloseTo(1e9 / 80e6, 6); // the source at Lambda's S3 bandwidth
    const fn = JSON.parse(readFileSync(new URL('../../../lambdas/functions/analyze-title/function.json', import.meta.url), 'utf8')) as { memoryMiB: number };
    expect(ANALYZE_TITLE_MEMORY_MIB).toBe(fn.memoryMiB);
    expect(estimateAnalysis(plan, { region: 'us-east-1', sourceBytes: 1e9 })).toEqual(e);
    expect(estimateAnalysis({ tasks: [], maxConcurrency: 1 }, { region: 'us-east-1', memoryMiB: 3008, sourceBytes: 1e9 })).toEqual({ tasks: 0, seconds: 0, usd: 0 });
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
