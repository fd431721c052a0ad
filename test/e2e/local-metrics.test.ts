/**
 * Issue 12: the metrics the local engine keeps after real runs of tiny jobs with known outcomes:
 * one succeeded, one failed by an injected fault and then retried from its cached steps, one
 * cancelled before it ran. The summary's counts, sums and percentiles are what the job and step
 * records say, and the series' buckets add up to the summary.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputInvalidError, type JobRecord, type MetricsSummary, type StepRecord } from '../../lambdas/contracts/index.js';
import { LocalEngine } from '../../local/engine.js';
import { makeClip, tempDir } from '../helpers/media.js';

let engine: LocalEngine;
let fault: string | null = null;
const ended: JobRecord[] = [];
let steps: StepRecord[] = [];
let since: Date;
let until: Date;
let summary: MetricsSummary;

/** Nearest rank: the smallest value with at least p % of the values at or below it. */
const nearestRank = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil((p / 100) * values.length)) - 1]!;
const wallSec = (j: JobRecord) => (Date.parse(j.endedAt!) - Date.parse(j.createdAt)) / 1000;

beforeAll(async () => {
  const dir = tempDir('mosaic-metrics-');
  engine = await LocalEngine.open({
    root: join(dir, 'out'),
    runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
    parallelism: 2,
    testing: {
      retryIntervalMs: 10,
      invokeHook: (fn) => {
        if (fn !== fault) return;
        fault = null;
        throw new InputInvalidError(`injected failure in ${fn}`);
      },
    },
  });
  since = new Date(Date.now() - 1000);
  const spec = { preset: 'draft', outputs: { hls: true, dash: false, thumbnails: true, quality: false } } as const;
  const clip = (name: string, seconds: number) => makeClip(join(dir, name), { width: 160, height: 90, seconds, audio: false });

  const ok = (await engine.submitFile(clip('ok.mp4', 2), spec)).job;
  ended.push(await engine.run(ok.id));

  const flaky = (await engine.submitFile(clip('flaky.mp4', 3), spec)).job;
  fault = 'thumbnails';
  const failed = await engine.run(flaky.id);
  expect(failed.status).toBe('FAILED');
  await engine.retry(flaky.id);
  ended.push(await engine.run(flaky.id));

  const never = (await engine.submitFile(clip('never.mp4', 2), spec)).job;
  ended.push(await engine.cancel(never.id));

  for (const j of ended) await engine.lifecycle.settled(j.id);
  steps = (await Promise.all(ended.map((j) => engine.jobs.listSteps(j.id)))).flat();
  until = new Date(Date.now() + 1000);
  summary = await engine.metrics.summary(since, until);
}, 240_000);

afterAll(() => engine?.close());

describe('local metrics after real runs', () => {
  it('counts every end: two successes, the failure before the retry, the cancellation', () => {
    expect(ended.map((j) => j.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'CANCELLED']);
    expect(summary.jobs).toEqual({ total: 4, succeeded: 2, failed: 1, cancelled: 1 });
  });

  it("sums the jobs' final costs once (the retried job's first run is not counted twice)", () => {
    const total = ended.reduce((s, j) => s + (j.cost?.actualUsd ?? 0), 0);
    expect(total).toBeGreaterThan(0);
    expect(summary.cost.totalUsd).toBeCloseTo(total, 12);
    // The output minutes are the succeeded titles' durations: 2 s and 3 s.
    expect(summary.cost.perOutputMinuteUsd).toBeCloseTo(total / (5 / 60), 9);
  });

  it('gives end-to-end and per-step percentiles of the recorded times', () => {
    const walls = ended.filter((j) => j.status === 'SUCCEEDED').map(wallSec);
    expect(summary.latency.endToEndSec.p50).toBeCloseTo(nearestRank(walls, 50), 2);
    expect(summary.latency.endToEndSec.p90).toBeCloseTo(nearestRank(walls, 90), 2);
    expect(summary.latency.endToEndSec.p99).toBeCloseTo(Math.max(...walls), 2);
    const encodes = steps.filter((s) => s.function === 'encode-video' && s.status !== 'RUNNING' && s.status !== 'ABANDONED').map((s) => s.durationMs! / 1000);
    expect(encodes.length).toBeGreaterThan(2);
    expect(summary.latency.steps['encode-video']!.p50).toBeCloseTo(nearestRank(encodes, 50), 6);
    expect(summary.latency.steps['encode-video']!.p99).toBeCloseTo(nearestRank(encodes, 99), 6);
  });

  it('adds the series buckets up to the summary, and counts the retry\'s cache hits', async () => {
    const series = (metric: 'JobsEnded' | 'JobCostUsd' | 'StepCacheHits' | 'StepAttempts') =>
      engine.metrics.series({ metric, period: 60, since: since.toISOString() }, until);
    const jobs = await series('JobsEnded');
    expect(jobs.buckets.reduce((s, b) => s + b.sum, 0)).toBe(summary.jobs.total);
    expect(jobs.buckets.every((b) => Date.parse(b.start) % 60_000 === 0)).toBe(true);
    expect((await series('JobCostUsd')).buckets.reduce((s, b) => s + b.sum, 0)).toBeCloseTo(summary.cost.totalUsd, 12);
    const cached = steps.filter((s) => s.status === 'CACHED').length;
    expect(cached).toBeGreaterThan(0);
    expect((await series('StepCacheHits')).buckets.reduce((s, b) => s + b.sum, 0)).toBe(cached);
    const attempts = steps.filter((s) => s.status !== 'RUNNING' && s.status !== 'ABANDONED').length;
    expect((await series('StepAttempts')).buckets.reduce((s, b) => s + b.count, 0)).toBe(attempts);
  });
});
