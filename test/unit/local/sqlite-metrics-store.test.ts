/** The local metrics store: exact counts, sums and percentiles over any window; series that add up to the summary. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsSeriesSchema, MetricsSummarySchema, type MetricName, type MetricRecord } from '../../../lambdas/contracts/index.js';
import { nearestRankIndex, percentiles, SqliteMetricsStore } from '../../../local/sqlite-metrics-store.js';
import { prng } from '../../../bench/util.js';

const dirs: string[] = [];
const stores: SqliteMetricsStore[] = [];
function open(dir = mkdtempSync(join(tmpdir(), 'mosaic-metrics-'))): { store: SqliteMetricsStore; file: string } {
  if (!dirs.includes(dir)) dirs.push(dir);
  const file = join(dir, 'metrics.db');
  const store = new SqliteMetricsStore(file);
  stores.push(store);
  return { store, file };
}
afterEach(() => {
  for (const s of stores.splice(0)) {
    try {
      s.close();
    } catch {
      // closed by the test
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2025-03-10T00:00:00.000Z');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const jobEnd = (at: number, outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', cost: number, wall?: number, minutes?: number): MetricRecord[] => [
  { at: iso(at), dimensions: { Outcome: outcome, ErrorCode: outcome === 'SUCCEEDED' ? 'none' : 'Mosaic.Transient' }, values: { JobsEnded: 1 }, metadata: { jobId: 'j' } },
  {
    at: iso(at),
    dimensions: {},
    values: { JobCostUsd: cost, ...(wall !== undefined ? { JobWallSeconds: wall } : {}), ...(minutes !== undefined ? { JobOutputMinutes: minutes } : {}) },
    metadata: { jobId: 'j' },
  },
];
const stepEnd = (at: number, fn: string, seconds: number, platform = 'lambda'): MetricRecord => ({
  at: iso(at),
  dimensions: { Function: fn, Platform: platform, Size: '1769MB' },
  values: { StepDurationSeconds: seconds, StepAttempts: 1, StepCostUsd: seconds * 0.00003 },
});

/** Nearest rank by the definition, on a sorted copy: the oracle. */
const byDefinition = (values: number[], p: number): number | null => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100))) - 1]!;
};

describe('nearest-rank percentiles', () => {
  it('follows the definition on small hand-made sets', () => {
    expect(nearestRankIndex(0, 50)).toBe(-1);
    expect(nearestRankIndex(10, 50)).toBe(4);
    expect(nearestRankIndex(10, 90)).toBe(8);
    expect(nearestRankIndex(10, 99)).toBe(9);
    expect(nearestRankIndex(10, 0)).toBe(0);
    expect(nearestRankIndex(10, 100)).toBe(9);
    expect(nearestRankIndex(3, 50)).toBe(1);
    // 0.29 × 100 is 28.999… in floating point; the rank is still 29.
    expect(nearestRankIndex(100, 29)).toBe(28);
    const ten = Float64Array.from([7, 3, 10, 1, 9, 2, 8, 4, 6, 5]);
    expect(percentiles(ten, [50, 90, 99, 0, 100])).toEqual([5, 9, 10, 1, 10]);
    expect(percentiles(new Float64Array(0), [50, 99])).toEqual([null, null]);
    expect(percentiles(Float64Array.from([4.5]), [50, 99])).toEqual([4.5, 4.5]);
    expect(percentiles(Float64Array.from([2, 2, 2, 1]), [25, 50])).toEqual([1, 2]);
  });

  it('matches a sort on large arrays with duplicates, in any order of ranks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 5000 }), { minLength: 1, maxLength: 4000 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 }),
        (ints, ps) => {
          const values = ints.map((i) => i / 7);
          expect(percentiles(Float64Array.from(values), ps)).toEqual(ps.map((p) => byDefinition(values, p)));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('SqliteMetricsStore', () => {
  it('sums job outcomes and cost, and takes exact percentiles of end-to-end and step durations', async () => {
    const { store } = open();
    await store.record([
      ...jobEnd(T0 + 1000, 'SUCCEEDED', 0.1, 10, 2),
      ...jobEnd(T0 + 2000, 'SUCCEEDED', 0.2, 20, 3),
      ...jobEnd(T0 + 3000, 'SUCCEEDED', 0.3, 40, 5),
      ...jobEnd(T0 + 4000, 'FAILED', 0.05),
      ...jobEnd(T0 + 5000, 'CANCELLED', 0.01),
      stepEnd(T0 + 100, 'inspect', 1),
      stepEnd(T0 + 200, 'inspect', 3),
      stepEnd(T0 + 300, 'inspect', 2),
      stepEnd(T0 + 400, 'encode-video', 30, 'fargate'),
      stepEnd(T0 + 500, 'encode-video', 10),
    ]);
    const s = await store.summary(new Date(T0), new Date(T0 + H));
    expect(MetricsSummarySchema.parse(s)).toEqual(s);
    expect(s.since).toBe(iso(T0));
    expect(s.until).toBe(iso(T0 + H));
    expect(s.jobs).toEqual({ total: 5, succeeded: 3, failed: 1, cancelled: 1 });
    expect(s.cost.totalUsd).toBeCloseTo(0.66, 12);
    expect(s.cost.perOutputMinuteUsd).toBeCloseTo(0.066, 12);
    expect(s.latency.endToEndSec).toEqual({ p50: 20, p90: 40, p99: 40 });
    expect(s.latency.steps).toEqual({ 'encode-video': { p50: 10, p99: 30 }, inspect: { p50: 2, p99: 3 } });
  });

  it('answers zeros and nulls where there is no data', async () => {
    const { store } = open();
    const s = await store.summary(new Date(T0), new Date(T0 + H));
    expect(s).toEqual({
      since: iso(T0),
      until: iso(T0 + H),
      jobs: { total: 0, succeeded: 0, failed: 0, cancelled: 0 },
      cost: { totalUsd: 0, perOutputMinuteUsd: null },
      latency: { endToEndSec: { p50: null, p90: null, p99: null }, steps: {} },
    });
    await store.record(jobEnd(T0 + 10, 'FAILED', 0.5));
    const failed = await store.summary(new Date(T0), new Date(T0 + H));
    expect(failed.cost).toEqual({ totalUsd: 0.5, perOutputMinuteUsd: null });
    expect((await store.series({ metric: 'JobWallSeconds', period: 3600, since: iso(T0) }, new Date(T0 + H))).buckets).toEqual([]);
  });

  it('counts [since, until): a value at since is in, one at until is out', async () => {
    const { store } = open();
    const since = T0 + 90 * 60_000 + 123; // cuts an hour
    const until = since + 3 * 86_400_000 + 7; // spans whole hours and days, cuts others
    await store.record([
      ...jobEnd(since - 1, 'SUCCEEDED', 100, 1000, 1),
      ...jobEnd(since, 'SUCCEEDED', 1, 5, 1),
      ...jobEnd(since + 86_400_000, 'FAILED', 2),
      ...jobEnd(until - 1, 'SUCCEEDED', 4, 7, 1),
      ...jobEnd(until, 'SUCCEEDED', 1000, 2000, 1),
      stepEnd(since - 1, 'plan', 99),
      stepEnd(since, 'plan', 1),
      stepEnd(until - 1, 'plan', 2),
      stepEnd(until, 'plan', 99),
    ]);
    const s = await store.summary(new Date(since), new Date(until));
    expect(s.jobs).toEqual({ total: 3, succeeded: 2, failed: 1, cancelled: 0 });
    expect(s.cost.totalUsd).toBe(7);
    expect(s.cost.perOutputMinuteUsd).toBe(3.5);
    expect(s.latency.endToEndSec).toEqual({ p50: 5, p90: 7, p99: 7 });
    expect(s.latency.steps).toEqual({ plan: { p50: 1, p99: 2 } });
    for (const period of [60, 3600, 86_400]) {
      const ended = await store.series({ metric: 'JobsEnded', period, since: iso(since) }, new Date(until));
      expect(ended.buckets.reduce((n, b) => n + b.sum, 0), `period ${period}`).toBe(3);
    }
    // An empty or reversed window has nothing.
    expect((await store.summary(new Date(until), new Date(since))).jobs.total).toBe(0);
    expect((await store.series({ metric: 'JobsEnded', period: 3600, since: iso(until) }, new Date(until))).buckets).toEqual([]);
  });

  it('answers series in buckets aligned to the period since the epoch, only where there is data', async () => {
    const { store } = open();
    await store.record([
      ...jobEnd(T0 + 5 * 60_000, 'SUCCEEDED', 0.5, 30, 1),
      ...jobEnd(T0 + 50 * 60_000, 'SUCCEEDED', 1.5, 10, 1),
      ...jobEnd(T0 + 3 * H + 1, 'FAILED', 2),
    ]);
    const s = await store.series({ metric: 'JobCostUsd', period: 3600, since: iso(T0 - H) }, new Date(T0 + 5 * H));
    expect(MetricsSeriesSchema.parse(s)).toEqual(s);
    expect(s).toMatchObject({ metric: 'JobCostUsd', unit: 'None', period: 3600, since: iso(T0 - H), until: iso(T0 + 5 * H) });
    expect(s.buckets).toEqual([
      { start: iso(T0), count: 2, sum: 2, min: 0.5, max: 1.5 },
      { start: iso(T0 + 3 * H), count: 1, sum: 2, min: 2, max: 2 },
    ]);
    // 40-minute buckets: aligned to multiples of 2400 s since the epoch, not to `since`.
    const odd = await store.series({ metric: 'JobWallSeconds', period: 2400, since: iso(T0 + 7) }, new Date(T0 + 5 * H));
    expect(odd.unit).toBe('Seconds');
    expect(odd.buckets).toEqual([
      { start: iso(T0), count: 1, sum: 30, min: 30, max: 30 },
      { start: iso(T0 + 2400_000), count: 1, sum: 10, min: 10, max: 10 },
    ]);
    for (const b of odd.buckets) expect(Date.parse(b.start) % 2400_000).toBe(0);
  });

  it('agrees with a naive count over random records, windows and periods (whole and cut hours and days)', async () => {
    const { store } = open();
    const FNS = ['inspect', 'encode-video', 'package'];
    const rnd = prng(7);
    const records: MetricRecord[] = [];
    // Five days of records, written in batches of mixed sizes (tails, new segments, compaction).
    for (let i = 0; i < 6000; i++) {
      const at = T0 + Math.floor(rnd() * 5 * 86_400_000);
      const roll = rnd();
      if (roll < 0.3) records.push(...jobEnd(at, rnd() < 0.8 ? 'SUCCEEDED' : rnd() < 0.5 ? 'FAILED' : 'CANCELLED', Math.round(rnd() * 1e6) / 1e6, Math.round(rnd() * 600), Math.round(rnd() * 100) / 10));
      else records.push(stepEnd(at, FNS[Math.floor(rnd() * FNS.length)]!, Math.round(rnd() * 20_000) / 1000));
    }
    for (let i = 0; i < records.length; ) {
      const n = [1, 3, 40, 700, 2500][Math.floor(rnd() * 5)]!;
      await store.record(records.slice(i, i + n));
      i += n;
    }
    const values = (name: MetricName, since: number, until: number, filter: (r: MetricRecord) => boolean = () => true) =>
      records.filter((r) => r.values[name] !== undefined && Date.parse(r.at) >= since && Date.parse(r.at) < until && filter(r)).map((r) => r.values[name]!);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const windows: [number, number][] = [
      [T0, T0 + 5 * 86_400_000],
      [T0 - 86_400_000, T0 + 9 * 86_400_000],
      [T0 + 3 * H, T0 + 3 * H + 1],
      [T0 + 12_345, T0 + 86_400_000 + 678],
      [T0 + 86_400_000 - 1, T0 + 4 * 86_400_000 + 1],
      [T0 + 30 * 60_000, T0 + 90 * 60_000],
    ];
    for (let i = 0; i < 8; i++) {
      const a = T0 + Math.floor(rnd() * 5 * 86_400_000);
      windows.push([a, a + Math.floor(rnd() * 3 * 86_400_000)]);
    }
    for (const [since, until] of windows) {
      const label = `${iso(since)}..${iso(until)}`;
      const s = await store.summary(new Date(since), new Date(until));
      const outcome = (o: string) => values('JobsEnded', since, until, (r) => r.dimensions.Outcome === o).length;
      expect(s.jobs, label).toEqual({ total: values('JobsEnded', since, until).length, succeeded: outcome('SUCCEEDED'), failed: outcome('FAILED'), cancelled: outcome('CANCELLED') });
      expect(s.cost.totalUsd, label).toBeCloseTo(sum(values('JobCostUsd', since, until)), 9);
      const wall = values('JobWallSeconds', since, until);
      expect(s.latency.endToEndSec, label).toEqual({ p50: byDefinition(wall, 50), p90: byDefinition(wall, 90), p99: byDefinition(wall, 99) });
      for (const fn of FNS) {
        const d = values('StepDurationSeconds', since, until, (r) => r.dimensions.Function === fn);
        expect(s.latency.steps[fn], `${label} ${fn}`).toEqual(d.length ? { p50: byDefinition(d, 50), p99: byDefinition(d, 99) } : undefined);
      }
      for (const period of [60, 2400, 3600, 7200, 86_400]) {
        for (const metric of ['JobsEnded', 'JobCostUsd', 'StepDurationSeconds'] as const) {
          const series = await store.series({ metric, period, since: iso(since) }, new Date(until));
          const expected = new Map<number, number[]>();
          for (const r of records) {
            const at = Date.parse(r.at);
            if (r.values[metric] === undefined || at < since || at >= until) continue;
            const k = Math.floor(at / (period * 1000)) * period * 1000;
            (expected.get(k) ?? expected.set(k, []).get(k)!).push(r.values[metric]!);
          }
          const want = [...expected.entries()].sort((x, y) => x[0] - y[0]);
          expect(series.buckets.map((b) => [b.start, b.count, b.min, b.max]), `${label} ${metric} ${period}`).toEqual(
            want.map(([k, vs]) => [iso(k), vs.length, Math.min(...vs), Math.max(...vs)]),
          );
          series.buckets.forEach((b, i) => expect(b.sum).toBeCloseTo(sum(want[i]![1]), 9));
        }
      }
      // The series add up to the summary over the same window.
      const ended = await store.series({ metric: 'JobsEnded', period: 86_400, since: iso(since) }, new Date(until));
      expect(sum(ended.buckets.map((b) => b.sum))).toBe(s.jobs.total);
      const cost = await store.series({ metric: 'JobCostUsd', period: 3600, since: iso(since) }, new Date(until));
      expect(sum(cost.buckets.map((b) => b.sum))).toBeCloseTo(s.cost.totalUsd, 9);
    }
  }, 60_000);

  it('keeps everything across reopening, and small appends equal one big batch', async () => {
    const one = open();
    const many = open();
    const records: MetricRecord[] = [];
    // 17 hours of one day: 3,000 points per function, written two records at a time.
    for (let i = 0; i < 6000; i++) records.push(stepEnd(T0 + i * 10_000, i % 2 ? 'plan' : 'publish', (i % 101) / 10));
    await one.store.record(records);
    for (let i = 0; i < records.length; i += 2) await many.store.record(records.slice(i, i + 2));
    many.store.close();
    // Small appends were compacted: a handful of segments per function and day, not one per append.
    const db = new Database(many.file, { readonly: true });
    const segments = db.prepare("SELECT grp, count(*) AS n FROM segment_values WHERE name = 'StepDurationSeconds' GROUP BY grp").all();
    db.close();
    expect(segments).toHaveLength(2);
    for (const s of segments as { n: number }[]) expect(s.n).toBeLessThanOrEqual(8);
    const reopened = new SqliteMetricsStore(many.file);
    stores.push(reopened);
    await reopened.record([stepEnd(T0 + 5, 'plan', 1000)]);
    await one.store.record([stepEnd(T0 + 5, 'plan', 1000)]);
    const window = [new Date(T0 - H), new Date(T0 + 6000 * 10_000)] as const;
    expect(await reopened.summary(...window)).toEqual(await one.store.summary(...window));
    const plan = [1000, ...records.filter((r) => r.dimensions.Function === 'plan').map((r) => r.values.StepDurationSeconds!)];
    expect((await reopened.summary(...window)).latency.steps.plan).toEqual({ p50: byDefinition(plan, 50), p99: byDefinition(plan, 99) });
    const q = { metric: 'StepDurationSeconds' as const, period: 600, since: window[0].toISOString() };
    expect(await reopened.series(q, window[1])).toEqual(await one.store.series(q, window[1]));
  });

  it('ignores what is not a metric value, and refuses unknown metric names', async () => {
    const { store } = open();
    await store.record([
      { at: 'not a date', dimensions: {}, values: { JobsEnded: 1 } },
      { at: iso(T0), dimensions: { Outcome: 'SUCCEEDED' }, values: { JobsEnded: Number.NaN, Nope: 3 } as never },
      { at: iso(T0), dimensions: { Outcome: 'SUCCEEDED' }, values: { JobsEnded: 1 } },
    ]);
    await store.record([]);
    expect((await store.summary(new Date(T0), new Date(T0 + 1))).jobs.total).toBe(1);
    await expect(store.series({ metric: 'Nope' as never, period: 3600, since: iso(T0) }, new Date(T0 + H))).rejects.toThrow(/unknown metric "Nope"; known metrics: JobsEnded, /);
    await expect(store.series({ metric: 'JobsEnded', period: 0, since: iso(T0) }, new Date(T0 + H))).rejects.toThrow(/period/);
  });
});
