/** GET /v1/metrics/summary and /v1/metrics/series, and the API's own request metrics. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiErrorBodySchema, METRIC_NAMES, MetricsSeriesSchema, MetricsSummarySchema, type MetricRecord } from '../../../../lambdas/contracts/index.js';
import { logger } from '../../../../lambdas/runtime/index.js';
import { apiFixture, KEY, type Fixture } from './fixture.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const jobEnd = (at: number, outcome: string, cost: number, wall?: number): MetricRecord[] => [
  { at: iso(at), dimensions: { Outcome: outcome, ErrorCode: 'none' }, values: { JobsEnded: 1 } },
  { at: iso(at), dimensions: {}, values: { JobCostUsd: cost, ...(wall ? { JobWallSeconds: wall, JobOutputMinutes: 1 } : {}) } },
];

const expectError = (r: { status: number; body: unknown }, status: number, code: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(ApiErrorBodySchema.safeParse(r.body).success, JSON.stringify(r.body)).toBe(true);
  expect((r.body as { error: { code: string } }).error.code).toBe(code);
};

let f: Fixture;
let now: number;
beforeAll(async () => {
  f = await apiFixture();
  now = Date.now();
  await f.metrics!.record([
    ...jobEnd(now - 60_000, 'SUCCEEDED', 0.25, 30),
    ...jobEnd(now - 2 * DAY, 'SUCCEEDED', 0.5, 60),
    ...jobEnd(now - 3 * DAY, 'FAILED', 0.125),
    // Older than the default window of 7 days.
    ...jobEnd(now - 10 * DAY, 'CANCELLED', 4),
    { at: iso(now - DAY), dimensions: { Function: 'encode-video', Platform: 'lambda', Size: '1769MB' }, values: { StepDurationSeconds: 12 } },
  ]);
});
afterAll(() => f.close());

describe('GET /v1/metrics/summary', () => {
  it('answers the last 7 days by default, in the documented shape', async () => {
    const r = await f.req('GET', '/v1/metrics/summary');
    expect(r.status).toBe(200);
    const s = MetricsSummarySchema.parse(r.body);
    expect(s.jobs).toEqual({ total: 3, succeeded: 2, failed: 1, cancelled: 0 });
    expect(s.cost.totalUsd).toBe(0.875);
    expect(s.cost.perOutputMinuteUsd).toBe(0.4375);
    expect(s.latency.endToEndSec).toEqual({ p50: 30, p90: 60, p99: 60 });
    expect(s.latency.steps).toEqual({ 'encode-video': { p50: 12, p99: 12 } });
    expect(Date.parse(s.until) - Date.parse(s.since)).toBe(7 * DAY);
    expect(Math.abs(Date.parse(s.until) - Date.now())).toBeLessThan(60_000);
  });

  it('takes `since` (with an offset too) and refuses what is not a date', async () => {
    const all = await f.req('GET', `/v1/metrics/summary?since=${encodeURIComponent(iso(now - 30 * DAY))}`);
    expect(all.status).toBe(200);
    expect(all.body.jobs).toEqual({ total: 4, succeeded: 2, failed: 1, cancelled: 1 });
    expect(all.body.since).toBe(iso(now - 30 * DAY));
    const offset = await f.req('GET', `/v1/metrics/summary?since=${encodeURIComponent('2000-01-01T02:00:00+02:00')}`);
    expect(offset.body.since).toBe('2000-01-01T00:00:00.000Z');
    for (const bad of ['yesterday', '2025-13-01T00:00:00Z', '7d']) {
      const r = await f.req('GET', `/v1/metrics/summary?since=${bad}`);
      expectError(r, 400, 'validation_failed');
      expect(r.body.error.details.issues[0].path).toBe('query.since');
      expect(r.body.error.message).toMatch(/^query\.since: /);
    }
  });
});

describe('GET /v1/metrics/series', () => {
  it("answers a metric's buckets, which add up to the summary", async () => {
    const since = encodeURIComponent(iso(now - 30 * DAY));
    const r = await f.req('GET', `/v1/metrics/series?metric=JobsEnded&period=86400&since=${since}`);
    expect(r.status).toBe(200);
    const s = MetricsSeriesSchema.parse(r.body);
    expect(s).toMatchObject({ metric: 'JobsEnded', unit: 'Count', period: 86400, since: iso(now - 30 * DAY) });
    expect(s.buckets.length).toBeGreaterThanOrEqual(3);
    for (const b of s.buckets) expect(Date.parse(b.start) % DAY).toBe(0);
    expect(s.buckets.reduce((n, b) => n + b.sum, 0)).toBe(4);
    const cost = await f.req('GET', `/v1/metrics/series?metric=JobCostUsd&since=${since}`);
    expect(cost.body.period).toBe(3600);
    expect(cost.body.buckets.reduce((n: number, b: { sum: number }) => n + b.sum, 0)).toBe(4.875);
    // Default window: the last 7 days.
    const week = await f.req('GET', '/v1/metrics/series?metric=JobsEnded&period=86400');
    expect(week.body.buckets.reduce((n: number, b: { sum: number }) => n + b.sum, 0)).toBe(3);
  });

  it('refuses unknown metrics naming the valid ones, bad periods and bad dates', async () => {
    const unknown = await f.req('GET', '/v1/metrics/series?metric=JobsFinished');
    expectError(unknown, 400, 'validation_failed');
    expect(unknown.body.error.details.issues[0].path).toBe('query.metric');
    for (const name of METRIC_NAMES) expect(unknown.body.error.message).toContain(name);
    expect(unknown.body.error.message).toMatch(/^query\.metric: /);
    expectError(await f.req('GET', '/v1/metrics/series'), 400, 'validation_failed');
    for (const period of ['30', '1.5', 'hour', String(32 * 86_400)]) {
      const r = await f.req('GET', `/v1/metrics/series?metric=JobsEnded&period=${period}`);
      expectError(r, 400, 'validation_failed');
      expect(r.body.error.details.issues[0].path, period).toBe('query.period');
    }
    const date = await f.req('GET', '/v1/metrics/series?metric=JobsEnded&since=soon');
    expectError(date, 400, 'validation_failed');
    expect(date.body.error.details.issues[0].path).toBe('query.since');
  });

  it('needs an API key like every /v1 route', async () => {
    for (const p of ['/v1/metrics/summary', '/v1/metrics/series?metric=JobsEnded']) {
      const r = await f.app.request(p);
      expect(r.status, p).toBe(401);
      expect(ApiErrorBodySchema.parse(await r.json()).error.code).toBe('unauthorized');
      expect((await f.app.request(p, { headers: { 'x-api-key': `${KEY}x` } })).status).toBe(401);
    }
  });
});

describe('without a metrics store (the AWS deployment)', () => {
  it('answers 404 pointing at the CloudWatch dashboards', async () => {
    const aws = await apiFixture({ metrics: false });
    try {
      for (const p of ['/v1/metrics/summary', '/v1/metrics/series?metric=JobsEnded', '/v1/metrics/summary?since=2025-01-01T00:00:00Z']) {
        const r = await aws.req('GET', p);
        expectError(r, 404, 'not_found');
        expect(r.body.error.message).toMatch(/CloudWatch dashboards mosaic-<env>-execution, mosaic-<env>-cost and mosaic-<env>-latency/);
      }
      // The routes are still documented: one API description for both engines.
      const doc = (await (await aws.app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/metrics/summary', '/v1/metrics/series']));
    } finally {
      await aws.close();
    }
  });
});

describe('request metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('records one record per answered request, by route pattern and status class, batched off the request', async () => {
    const calls: MetricRecord[][] = [];
    // A flush interval far longer than the seven requests take, even on a loaded machine (20 ms was not: a batch left mid-way).
    const g = await apiFixture({ metrics: false, metricsFlushMs: 1500, metricsSink: { record: async (r) => void calls.push(r) } });
    try {
      await g.req('GET', '/v1/jobs/some-job-id');
      await g.req('GET', '/v1/jobs/another-id/events');
      await g.req('GET', '/v1/health');
      await g.req('GET', '/v1/no/such/route/abc123');
      await g.req('DELETE', '/v1/jobs/abc');
      await g.req('GET', '/v1/jobs', undefined, { 'x-api-key': 'wrong' });
      g.control.fail = new Error('boom');
      await g.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' } });
      // Nothing recorded on the request's path: one batch, after the flush interval.
      expect(calls).toEqual([]);
      await vi.waitFor(() => expect(calls.length).toBe(1), { timeout: 6000, interval: 20 });
      const records = calls[0]!;
      expect(records.map((r) => [r.dimensions.Route, r.dimensions.StatusClass])).toEqual([
        ['GET /v1/jobs/{id}', '4xx'],
        ['GET /v1/jobs/{id}/events', '4xx'],
        ['GET /v1/health', '2xx'],
        ['GET unmatched', '4xx'],
        ['DELETE unmatched', '4xx'],
        ['GET /v1/jobs', '4xx'],
        ['POST /v1/jobs', '5xx'],
      ]);
      for (const r of records) {
        expect(r.values.ApiRequests).toBe(1);
        expect(r.values.ApiLatencyMs).toBeGreaterThanOrEqual(0);
        expect(r.values.ApiLatencyMs).toBeLessThan(5000);
        expect(Math.abs(Date.parse(r.at) - Date.now())).toBeLessThan(60_000);
      }
      // No raw path (ids) ever becomes a dimension.
      expect(JSON.stringify(records)).not.toMatch(/some-job-id|another-id|abc123/);
    } finally {
      await g.close();
    }
  });

  it('lands in the metrics store, and a failing sink never fails the request', async () => {
    const g = await apiFixture({ metricsFlushMs: 10 });
    try {
      for (let i = 0; i < 5; i++) expect((await g.req('GET', '/v1/health')).status).toBe(200);
      await vi.waitFor(async () => {
        const s = await g.metrics!.series({ metric: 'ApiRequests', period: 3600, since: iso(Date.now() - DAY) }, new Date(Date.now() + 1000));
        expect(s.buckets.reduce((n, b) => n + b.count, 0)).toBe(5);
      });
    } finally {
      await g.close();
    }
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const broken = await apiFixture({ metrics: false, metricsFlushMs: 5, metricsSink: { record: () => Promise.reject(new Error('disk full')) } });
    const throwing = await apiFixture({ metrics: false, metricsFlushMs: 5, metricsSink: { record: () => { throw new Error('closed'); } } });
    try {
      expect((await broken.req('GET', '/v1/health')).status).toBe(200);
      expect((await throwing.req('GET', '/v1/jobs')).status).toBe(200);
      await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(2));
      expect(warn.mock.calls.map((c) => (c[1] as { error: string }).error).sort()).toEqual(['closed', 'disk full']);
    } finally {
      await broken.close();
      await throwing.close();
    }
  });
});
