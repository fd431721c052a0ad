/** core/job-progress liveProgress for jobs without a plan: derived and generated workflows show progress, an unplanned encode does not guess. */
import { describe, expect, it } from 'vitest';
import type { JobRecord, StepRecord } from '../../../lambdas/contracts/index.js';
import { liveProgress } from '../../../lambdas/core/job-progress.js';

const job = (workflow: string, status: JobRecord['status'] = 'RUNNING'): JobRecord => ({
  id: 'j', status, spec: { source: { key: 'k' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} },
  sourceHash: null, createdAt: '', updatedAt: '', startedAt: null, endedAt: null, progress: 0.1, etaSec: 30, error: null, reportKey: null,
  outputPrefix: 'j/', cost: null, run: 0, workflow: { name: workflow, input: {} }, version: 1,
});
const step = (stepId: string, status: StepRecord['status'], fraction: number): StepRecord => ({
  jobId: 'j', stepId, function: stepId.split(':')[0]!, attempt: 1, status, startedAt: '2026-01-01T00:00:00.000Z', endedAt: null, durationMs: null, error: null,
  costUsd: null, fraction, invocationId: null, summary: null, revision: 1,
});

describe('liveProgress without a plan', () => {
  it('a measure job: the steps seen weigh the same, with one more to come; no ETA', () => {
    const steps = [step('measure-quality:r0', 'SUCCEEDED', 1), step('measure-quality:r1', 'RUNNING', 0.5)];
    expect(liveProgress(job('measure'), steps, Date.now())).toEqual({ fraction: 0.5, etaSec: null });
    expect(liveProgress(job('measure'), [...steps, step('publish-derived', 'RUNNING', 0)], Date.now()).fraction).toBeCloseTo(0.375, 5);
    expect(liveProgress(job('measure'), [step('measure-quality:r0', 'SUCCEEDED', 1), step('publish-derived', 'SUCCEEDED', 1)], Date.now()).fraction).toBeCloseTo(0.667, 2);
    expect(liveProgress(job('measure', 'SUCCEEDED'), steps, Date.now())).toEqual({ fraction: 1, etaSec: 0 });
  });

  it('an encode job before its plan keeps what is stored (inspect alone says nothing of the work)', () => {
    expect(liveProgress(job('encode'), [step('inspect:source', 'RUNNING', 0.9)], Date.now())).toEqual({ fraction: 0.1, etaSec: 30 });
  });
});
