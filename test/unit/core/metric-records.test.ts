/**
 * The metric catalogue and the records of the lifecycle's moments: one scope per record, the
 * catalogue's dimensions, job ids as metadata only, and the figures derived from a job's times.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRICS, MetricDimensions, type JobRecord, type MetricName, type MetricRecord } from '../../../lambdas/contracts/index.js';
import { allocationRecord, apiRequestRecord, jobEndRecords, sizeLabel, stepEndRecord } from '../../../lambdas/core/metric-records.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const job = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'job-1',
  status: 'SUCCEEDED',
  spec: { source: { key: 'uploads/a/clip.mp4' }, preset: 'draft', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} },
  sourceHash: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:01:00.000Z',
  startedAt: '2026-12-01T10:00:05.000Z',
  endedAt: '2026-12-01T10:01:05.000Z',
  progress: 1,
  etaSec: 0,
  error: null,
  reportKey: null,
  outputPrefix: 'job-1/',
  cost: { region: 'us-east-1', pricesTakenOn: '2025-01-01', estimatedUsd: 0.02, actualUsd: 0.03, breakdown: [] },
  run: 0,
  workflow: { name: 'encode', input: {} },
  version: 3,
  ...over,
});
const scopeOf = (r: MetricRecord) => new Set(Object.keys(r.values).map((n) => METRICS[n as MetricName].scope));
/** Every dimension the record's scope names is set, and nothing else. */
function expectDimensionsOfScope(r: MetricRecord) {
  const [scope, ...more] = [...scopeOf(r)];
  expect(more).toEqual([]);
  const named = new Set(METRIC_NAMES.filter((n) => METRICS[n].scope === scope).flatMap((n) => METRICS[n].dimensionSets.flat()));
  expect(new Set(Object.keys(r.dimensions))).toEqual(named);
}

describe('the catalogue', () => {
  it('gives every metric of one scope the same dimension sets, and no metric a job id dimension', () => {
    const byScope = new Map<string, string>();
    for (const name of METRIC_NAMES) {
      const spec = METRICS[name];
      const sets = JSON.stringify(spec.dimensionSets);
      expect(byScope.get(spec.scope) ?? sets, `${name} (${spec.scope})`).toBe(sets);
      byScope.set(spec.scope, sets);
      expect(spec.description.length).toBeGreaterThan(10);
      for (const set of spec.dimensionSets) for (const d of set) expect(Object.values(MetricDimensions)).toContain(d);
    }
    expect(JSON.stringify([...byScope.values()])).not.toMatch(/job/i);
  });

  it('is the only place a metric name is spelled as a string', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|tsx|mts)$/.test(e)) files.push(p);
      }
    };
    for (const dir of ['lambdas', 'lib', 'local', 'bin', 'bench', 'ui']) {
      try { walk(join(ROOT, dir)); } catch { /* a folder that does not exist yet */ }
    }
    const catalogue = join(ROOT, 'lambdas', 'contracts', 'metrics.ts');
    const offenders = files.filter((f) => f !== catalogue).flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return METRIC_NAMES.filter((n) => new RegExp(`['"\`]${n}['"\`]`).test(text)).map((n) => `${relative(ROOT, f)}: ${n}`);
    });
    expect(offenders).toEqual([]);
  });
});

describe('job end records', () => {
  it('counts the outcome by error code and derives cost, time and output of a succeeded job', () => {
    const records = jobEndRecords(job(), [{ status: 'SUCCEEDED' }, { status: 'CACHED' }, { status: 'CACHED' }, { status: 'FAILED' }, { status: 'RUNNING' }], 90);
    expect(records).toHaveLength(2);
    records.forEach(expectDimensionsOfScope);
    const [outcome, figures] = records;
    expect(outcome).toMatchObject({ dimensions: { Outcome: 'SUCCEEDED', ErrorCode: 'none' }, values: { JobsEnded: 1 }, metadata: { jobId: 'job-1', preset: 'draft' } });
    expect(figures!.at).toBe('2026-12-01T10:01:05.000Z');
    expect(figures!.values).toEqual({
      JobCostUsd: 0.03,
      JobQueueWaitSeconds: 5,
      JobCacheHitShare: 50,
      JobWallSeconds: 65,
      JobOutputMinutes: 1.5,
      JobCostPerOutputMinuteUsd: 0.02,
      JobSecondsPerOutputMinute: 65 / 1.5,
      JobRealtimeFactor: 90 / 65,
    });
  });

  it('counts a failed job by its error code and its cost, without latency or output figures', () => {
    const [outcome, figures] = jobEndRecords(job({ status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'x' } }), [], 90);
    expect(outcome!.dimensions).toEqual({ Outcome: 'FAILED', ErrorCode: 'Mosaic.InputInvalid' });
    expect(Object.keys(figures!.values).sort()).toEqual(['JobCostUsd', 'JobQueueWaitSeconds']);
  });

  it('gives a job cancelled before it started no queue wait, and a running job no records', () => {
    const [, figures] = jobEndRecords(job({ status: 'CANCELLED', startedAt: null, cost: null }), [], null);
    expect(figures!.values).toEqual({ JobCostUsd: 0 });
    expect(jobEndRecords(job({ status: 'RUNNING' }), [], 10)).toEqual([]);
  });
});

describe('step, allocation and API records', () => {
  const step = { jobId: 'job-1', stepId: 'encode-video:r0-c1', function: 'encode-video', attempt: 2, status: 'SUCCEEDED' as const, durationMs: 4000, costUsd: 0.001, startedAt: '2026-12-01T10:00:10.000Z', endedAt: '2026-12-01T10:00:14.000Z' };

  it('records duration, cost, retry and the allocator\'s prediction ratio by function, platform and size', () => {
    const r = stepEndRecord(step, { platform: 'lambda', size: '1769MB', predictedSec: 3 })!;
    expectDimensionsOfScope(r);
    expect(r).toEqual({
      at: '2026-12-01T10:00:14.000Z',
      dimensions: { Function: 'encode-video', Platform: 'lambda', Size: '1769MB' },
      values: { StepDurationSeconds: 4, StepCostUsd: 0.001, StepAttempts: 1, StepFailures: 0, StepCacheHits: 0, StepRetries: 1, AllocationPredictionRatio: 0.75 },
      metadata: { jobId: 'job-1', stepId: 'encode-video:r0-c1' },
    });
  });

  it('counts a cache hit without a prediction ratio, and an abandoned attempt not at all', () => {
    const hit = stepEndRecord({ ...step, attempt: 1, status: 'CACHED', durationMs: 0, costUsd: 0 }, { predictedSec: 3 })!;
    expect(hit.dimensions).toEqual({ Function: 'encode-video', Platform: 'cache', Size: 'none' });
    expect(hit.values).toMatchObject({ StepCacheHits: 1, StepRetries: 0, StepCostUsd: 0 });
    expect(hit.values.AllocationPredictionRatio).toBeUndefined();
    expect(stepEndRecord({ ...step, status: 'ABANDONED' }, {})).toBeNull();
  });

  it('labels sizes as the console does, counts escalations, and keys API requests by route pattern', () => {
    expect(sizeLabel('lambda', { vcpu: 1, memoryMiB: 1769 })).toBe('1769MB');
    expect(sizeLabel('fargate', { vcpu: 2, memoryMiB: 4096 })).toBe('2vCPU-4GB');
    expect(sizeLabel('fargate', { vcpu: 0.25, memoryMiB: 512 })).toBe('0.25vCPU-0.5GB');
    const alloc = { jobId: 'job-1', itemId: 'r0-c1', attempt: 1, platform: 'fargate' as const, vcpu: 2, memoryMiB: 4096, timeoutSec: 60, estimatedSeconds: 20, estimatedCostUsd: 0.01, reason: 'x' };
    expect(allocationRecord(alloc, 'T').values).toEqual({ TaskAllocations: 1, TaskEscalations: 0 });
    expect(allocationRecord({ ...alloc, after: 'States.Timeout' }, 'T').values).toEqual({ TaskAllocations: 1, TaskEscalations: 1 });
    const api = apiRequestRecord('GET', '/v1/jobs/{id}', 404, 1.5, 'T');
    expectDimensionsOfScope(api);
    expect(api.dimensions).toEqual({ Route: 'GET /v1/jobs/{id}', StatusClass: '4xx' });
  });
});
