import { describe, expect, it } from 'vitest';
import type { JobRecord, StepRecord } from '../../../lambdas/contracts/index.js';
import { jobChange, progressOf, stepChange, type JobEvent, type StepEvent } from '../../../lambdas/core/job-lifecycle.js';

const job = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'j1',
  status: 'QUEUED',
  spec: { source: { key: 'inbox/a.mp4' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} },
  sourceHash: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  endedAt: null,
  progress: 0,
  etaSec: null,
  error: null,
  reportKey: null,
  outputPrefix: 'j1/',
  cost: null,
  run: 0,
  workflow: { name: 'encode', input: {} },
  version: 1,
  ...over,
});
const at = '2026-01-01T00:01:00.000Z';
const started: JobEvent = { kind: 'workflow-started', run: 0, at };
const succeeded: JobEvent = { kind: 'workflow-ended', run: 0, at, outcome: 'SUCCEEDED', reportKey: 'j1/report.json' };

/** Applies events in order the way a store would (patch merged), returning the statuses announced. */
function play(j: JobRecord, events: JobEvent[]): { job: JobRecord; announced: string[] } {
  const announced: string[] = [];
  for (const e of events) {
    const c = jobChange(j, e);
    if (!c) continue;
    j = { ...j, ...c.patch, version: j.version + 1 } as JobRecord;
    if (c.statusChanged) announced.push(c.statusChanged.status);
  }
  return { job: j, announced };
}

describe('job lifecycle', () => {
  it('goes QUEUED → RUNNING → SUCCEEDED, announcing each change once', () => {
    const { job: j, announced } = play(job(), [started, succeeded]);
    expect(announced).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(j).toMatchObject({ status: 'SUCCEEDED', progress: 1, etaSec: 0, reportKey: 'j1/report.json', startedAt: at, endedAt: at });
  });

  it('ignores duplicates, reordering and events of an earlier run', () => {
    expect(play(job(), [started, started, succeeded, succeeded]).announced).toEqual(['RUNNING', 'SUCCEEDED']);
    // SUCCEEDED delivered before RUNNING: the late RUNNING never moves it back.
    const reordered = play(job(), [succeeded, started]);
    expect(reordered.announced).toEqual(['SUCCEEDED']);
    expect(reordered.job.status).toBe('SUCCEEDED');
    // After a retry (run 1), run 0's end is stale.
    const retried = job({ status: 'QUEUED', run: 1 });
    expect(jobChange(retried, { ...succeeded, run: 0 })).toBeNull();
    expect(jobChange(retried, { ...started, run: 1 })?.patch.status).toBe('RUNNING');
  });

  it('maps failed, timed-out and aborted runs, keeping the error', () => {
    const running = job({ status: 'RUNNING' });
    const failed = jobChange(running, { kind: 'workflow-ended', run: 0, at, outcome: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'bad' } })!;
    expect(failed.patch).toMatchObject({ status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'bad' } });
    expect(failed.statusChanged).toMatchObject({ status: 'FAILED', error: { code: 'Mosaic.InputInvalid' } });
    expect(jobChange(running, { kind: 'workflow-ended', run: 0, at, outcome: 'TIMED_OUT' })!.patch).toMatchObject({ status: 'FAILED', error: { code: 'States.Timeout' } });
    expect(jobChange(running, { kind: 'workflow-ended', run: 0, at, outcome: 'ABORTED' })!.patch.status).toBe('CANCELLED');
  });

  it('decides once what may be cancelled or retried', () => {
    expect(jobChange(job({ status: 'RUNNING' }), { kind: 'cancel-requested', at })!.patch).toMatchObject({ status: 'CANCELLED', error: { code: 'Mosaic.Cancelled' } });
    expect(jobChange(job({ status: 'CANCELLED' }), { kind: 'cancel-requested', at })).toBeNull();
    expect(() => jobChange(job({ status: 'SUCCEEDED' }), { kind: 'cancel-requested', at })).toThrow(/SUCCEEDED and cannot be cancelled/);
    const retry = jobChange(job({ status: 'FAILED', run: 2, error: { code: 'x', message: 'y' } }), { kind: 'retry-requested', at })!;
    expect(retry.patch).toMatchObject({ status: 'QUEUED', run: 3, error: null, reportKey: null });
    for (const status of ['QUEUED', 'RUNNING', 'SUCCEEDED'] as const)
      expect(() => jobChange(job({ status }), { kind: 'retry-requested', at })).toThrow(/only FAILED or CANCELLED/);
  });
});

const stepEvent = (kind: StepEvent['kind'], over: Record<string, unknown> = {}): StepEvent =>
  ({ kind, jobId: 'j1', stepId: 'encode-video:r0-c0', function: 'encode-video', attempt: 1, at, ...(kind === 'step-ended' ? { status: 'SUCCEEDED' } : {}), ...(kind === 'step-progressed' ? { fraction: 0.5 } : {}), ...over }) as StepEvent;

describe('step lifecycle', () => {
  it('records start, rising progress and the end; never moves back', () => {
    let s = stepChange(null, stepEvent('step-started'))!;
    expect(s).toMatchObject({ status: 'RUNNING', fraction: 0 });
    expect(stepChange(s, stepEvent('step-started'))).toBeNull();
    s = stepChange(s, stepEvent('step-progressed', { fraction: 0.4 }))!;
    expect(s.fraction).toBe(0.4);
    expect(stepChange(s, stepEvent('step-progressed', { fraction: 0.3 }))).toBeNull();
    s = stepChange(s, stepEvent('step-ended', { durationMs: 900, costUsd: 0.001 }))!;
    expect(s).toMatchObject({ status: 'SUCCEEDED', fraction: 1, durationMs: 900, costUsd: 0.001 });
    expect(stepChange(s, stepEvent('step-progressed', { fraction: 0.9 }))).toBeNull();
    expect(stepChange(s, stepEvent('step-ended', { status: 'FAILED' }))).toBeNull();
  });

  it('records an end that arrives before its start, and drops the late start', () => {
    const ended = stepChange(null, stepEvent('step-ended'))!;
    expect(ended.status).toBe('SUCCEEDED');
    expect(stepChange(ended, stepEvent('step-started'))).toBeNull();
  });
});

describe('progress as a view of the steps', () => {
  const step = (stepId: string, status: StepRecord['status'], fraction: number, attempt = 1, startedAt = '2026-01-01T00:00:00.000Z'): StepRecord => ({
    jobId: 'j1', stepId, function: stepId.split(':')[0], attempt, status, startedAt, endedAt: null, durationMs: null, error: null, costUsd: null,
    fraction, invocationId: null, summary: null, revision: 1,
  });

  it('weights steps, counts the latest attempt, and extrapolates the ETA from the first encode', () => {
    const weights = { 'encode-video:a': 3, 'encode-video:b': 1 };
    const now = Date.parse('2026-01-01T00:00:10.000Z');
    const p = progressOf(weights, [step('encode-video:a', 'FAILED', 0.9), step('encode-video:a', 'SUCCEEDED', 1, 2), step('encode-video:b', 'RUNNING', 0.5)], now);
    expect(p.fraction).toBeCloseTo(3.5 / 4, 9);
    expect(p.etaSec).toBe(Math.round((10 * (1 - 3.5 / 4)) / (3.5 / 4)));
    expect(progressOf(weights, [], now)).toEqual({ fraction: 0, etaSec: null });
    expect(progressOf(weights, [step('encode-video:a', 'CACHED', 1), step('encode-video:b', 'SUCCEEDED', 1)], now)).toEqual({ fraction: 1, etaSec: 0 });
  });
});
