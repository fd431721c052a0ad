/** `mosaic stats`: --since parsing, trend buckets, sparklines, the printed tables; the command on a local folder and on a server. */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsSummarySchema, type MetricRecord, type MetricsSeries, type MetricsSummary } from '../../../lambdas/contracts/index.js';
import { STATE_DIR } from '../../../local/engine.js';
import { SqliteMetricsStore } from '../../../local/sqlite-metrics-store.js';
import { statsCommand } from '../../../bin/cli/stats.js';
import { formatStats, parseSince, perBucket, seconds, SinceError, sparkline, trendPeriod } from '../../../bin/cli/stats-format.js';
import { apiFixture, KEY } from '../platform/api/fixture.js';

const NOW = new Date('2025-06-15T12:30:00.000Z');
const H = 3_600_000;
const DAY = 24 * H;

describe('parseSince', () => {
  it('takes durations back from now', () => {
    expect(parseSince('7d', NOW).toISOString()).toBe('2025-06-08T12:30:00.000Z');
    expect(parseSince('24h', NOW).toISOString()).toBe('2025-06-14T12:30:00.000Z');
    expect(parseSince('90m', NOW).toISOString()).toBe('2025-06-15T11:00:00.000Z');
    expect(parseSince('2w', NOW).toISOString()).toBe('2025-06-01T12:30:00.000Z');
    expect(parseSince(' 3D ', NOW).toISOString()).toBe('2025-06-12T12:30:00.000Z');
  });

  it('takes ISO dates and times, in UTC unless they say otherwise', () => {
    expect(parseSince('2025-06-01', NOW).toISOString()).toBe('2025-06-01T00:00:00.000Z');
    expect(parseSince('2025-06-01T08:00:00Z', NOW).toISOString()).toBe('2025-06-01T08:00:00.000Z');
    expect(parseSince('2025-06-01T08:00', NOW).toISOString()).toBe('2025-06-01T08:00:00.000Z');
    expect(parseSince('2025-06-01T08:00:00+02:00', NOW).toISOString()).toBe('2025-06-01T06:00:00.000Z');
    expect(parseSince('2025-06-01 08:00:00.5Z', NOW).toISOString()).toBe('2025-06-01T08:00:00.500Z');
  });

  it('refuses anything else with what it takes', () => {
    for (const bad of ['', 'yesterday', '7', '7y', '0d', '-1d', '2025-13-01', '2025-06-01T25:00:00Z', '06/01/2025'])
      expect(() => parseSince(bad, NOW), bad).toThrow(SinceError);
    expect(() => parseSince('soon', NOW)).toThrow(/duration like 24h, 7d or 2w, or an ISO date/);
    expect(() => parseSince('2025-07-01', NOW)).toThrow(/must be in the past/);
  });
});

describe('trend buckets', () => {
  it('is hourly up to two days, daily up to 60 days, then weekly', () => {
    expect(trendPeriod(new Date(NOW.getTime() - DAY), NOW)).toEqual({ period: 3600, label: 'hour' });
    expect(trendPeriod(new Date(NOW.getTime() - 2.5 * DAY), NOW)).toEqual({ period: 86_400, label: 'day' });
    expect(trendPeriod(new Date(NOW.getTime() - 30 * DAY), NOW)).toEqual({ period: 86_400, label: 'day' });
    expect(trendPeriod(new Date(NOW.getTime() - 90 * DAY), NOW)).toEqual({ period: 604_800, label: 'week' });
    expect(trendPeriod(new Date(NOW.getTime() - 800 * DAY), NOW)).toEqual({ period: 2_678_400, label: '31 days' });
  });

  it('gives one value per bucket of the window, aligned like the API, with gaps filled', () => {
    const series: MetricsSeries = {
      metric: 'JobsEnded',
      unit: 'Count',
      period: 3600,
      since: '',
      until: '',
      buckets: [
        { start: '2025-06-15T09:00:00.000Z', count: 2, sum: 2, min: 1, max: 1 },
        { start: '2025-06-15T12:00:00.000Z', count: 5, sum: 5, min: 1, max: 1 },
        { start: '2025-06-15T20:00:00.000Z', count: 9, sum: 9, min: 1, max: 1 },
      ],
    };
    // 08:30 .. 12:30: the buckets of 08, 09, 10, 11 and 12 o'clock.
    expect(perBucket(series, new Date('2025-06-15T08:30:00Z'), NOW, (b) => b.sum, 0)).toEqual([0, 2, 0, 0, 5]);
    expect(perBucket(series, new Date('2025-06-15T09:00:00Z'), new Date('2025-06-15T12:00:00Z'), (b) => b.count, null)).toEqual([2, null, null]);
  });
});

describe('sparkline', () => {
  it('scales from zero to the highest value over the eight blocks', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 7, 3.5])).toBe('▁█▅');
    expect(sparkline([10, 10, 5])).toBe('██▅');
  });

  it('can scale from the lowest value, leaves gaps for missing buckets, and survives flat or empty input', () => {
    expect(sparkline([100, 107, 103.5], 'min')).toBe('▁█▅');
    expect(sparkline([100, 107, 103.5])).toBe('███');
    expect(sparkline([1, null, 3])).toBe('▃ █');
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([5, 5], 'min')).toBe('▁▁');
    expect(sparkline([null, null])).toBe('  ');
    expect(sparkline([])).toBe('');
    expect(sparkline([-2, 0, 2])).toBe('▁▅█');
  });
});

describe('formatStats', () => {
  it('prints the three rows with their figures and trends, and the steps', () => {
    expect(seconds(0.2)).toBe('200 ms');
    expect(seconds(4.5)).toBe('4.50 s');
    expect(seconds(42.25)).toBe('42.3 s');
    expect(seconds(245)).toBe('4m 05s');
    expect(seconds(7380)).toBe('2h 03m');
    expect(seconds(null)).toBe('n/a');
    const summary: MetricsSummary = {
      since: '2025-06-13T00:00:00.000Z',
      until: '2025-06-16T00:00:00.000Z',
      jobs: { total: 12, succeeded: 9, failed: 2, cancelled: 1 },
      cost: { totalUsd: 1.5, perOutputMinuteUsd: 0.025 },
      latency: { endToEndSec: { p50: 30, p90: 75, p99: 130 }, steps: { 'encode-video': { p50: 12.5, p99: 61 }, inspect: { p50: 0.75, p99: 1.25 } } },
    };
    const s = (metric: string, buckets: [string, number, number][]): MetricsSeries => ({
      metric,
      unit: 'Count',
      period: 86_400,
      since: summary.since,
      until: summary.until,
      buckets: buckets.map(([start, count, sum]) => ({ start: `${start}T00:00:00.000Z`, count, sum, min: 0, max: 0 })),
    });
    const text = formatStats(summary, {
      period: { period: 86_400, label: 'day' },
      jobs: s('JobsEnded', [['2025-06-13', 2, 2], ['2025-06-15', 10, 10]]),
      cost: s('JobCostUsd', [['2025-06-13', 2, 0.5], ['2025-06-14', 3, 1]]),
      endToEnd: s('JobWallSeconds', [['2025-06-13', 2, 60], ['2025-06-15', 4, 240]]),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Mosaic stats from 2025-06-13T00:00:00.000Z to 2025-06-16T00:00:00.000Z (trends per day, oldest first)');
    const row = (label: string) => lines.find((l) => l.startsWith(label))!;
    expect(row('jobs ended')).toMatch(/12: 9 succeeded, 2 failed, 1 cancelled\s+▂▁█$/);
    expect(row('cost (AWS)')).toMatch(/\$1\.50 total, \$0\.0250 per output minute\s+▅█▁$/);
    // Mean per bucket (30 s, none, 60 s), scaled from the fastest.
    expect(row('end to end')).toMatch(/p50 30\.0 s, p90 1m 15s, p99 2m 10s\s+▁ █$/);
    expect(row('encode-video')).toMatch(/^encode-video\s+12\.5 s\s+1m 01s$/);
    expect(row('inspect')).toMatch(/^inspect\s+750 ms\s+1\.25 s$/);
    expect(formatStats({ ...summary, latency: { ...summary.latency, steps: {} } }, {
      period: { period: 86_400, label: 'day' },
      jobs: s('JobsEnded', []),
      cost: s('JobCostUsd', []),
      endToEnd: s('JobWallSeconds', []),
    })).toContain('no step ended in this window');
  });
});

describe('statsCommand', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const capture = () => {
    const io = { stdout: '', stderr: '', out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
    return io;
  };
  const records = (at: number): MetricRecord[] => [
    { at: new Date(at).toISOString(), dimensions: { Outcome: 'SUCCEEDED', ErrorCode: 'none' }, values: { JobsEnded: 1 } },
    { at: new Date(at).toISOString(), dimensions: {}, values: { JobCostUsd: 0.5, JobWallSeconds: 40, JobOutputMinutes: 2 } },
  ];

  it("reads the folder's metrics store, and creates nothing where no engine ran", async () => {
    const out = mkdtempSync(join(tmpdir(), 'mosaic-stats-'));
    dirs.push(out);
    mkdirSync(join(out, STATE_DIR));
    const store = new SqliteMetricsStore(join(out, STATE_DIR, 'metrics.db'));
    await store.record([...records(Date.now() - 2 * H), ...records(Date.now() - 3 * DAY)]);
    store.close();

    const json = capture();
    expect(await statsCommand(['--out', out, '--since', '24h', '--json'], json)).toBe(0);
    const summary = MetricsSummarySchema.parse(JSON.parse(json.stdout));
    expect(summary.jobs.total).toBe(1);
    expect(summary.cost).toEqual({ totalUsd: 0.5, perOutputMinuteUsd: 0.25 });

    const text = capture();
    expect(await statsCommand(['--out', out], text)).toBe(0);
    expect(text.stdout).toMatch(/jobs ended\s+2: 2 succeeded, 0 failed, 0 cancelled\s+[▁-█]{8}\n/);
    expect(text.stdout).toContain('trends per day');

    const none = join(out, 'never-used');
    const empty = capture();
    expect(await statsCommand(['--out', none], empty)).toBe(0);
    expect(empty.stdout).toMatch(/jobs ended\s+0: 0 succeeded/);
    expect(existsSync(none)).toBe(false);

    const bad = capture();
    expect(await statsCommand(['--out', out, '--since', 'last week'], bad)).toBe(2);
    expect(bad.stderr).toMatch(/^mosaic: --since takes a duration.*\nusage: mosaic stats/);
    expect(await statsCommand(['--bogus'], capture())).toBe(2);
  });

  it('asks a server with --api, and says where the figures are when it has none', async () => {
    const serveApp = async (metrics: boolean) => {
      const f = await apiFixture({ metrics });
      const server = createAdaptorServer({ fetch: f.app.fetch });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return { f, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const local = await serveApp(true);
    const aws = await serveApp(false);
    try {
      await local.f.metrics!.record(records(Date.now() - H));
      const json = capture();
      expect(await statsCommand(['--api', local.url, '--api-key', KEY, '--json'], json)).toBe(0);
      expect(JSON.parse(json.stdout).jobs.total).toBe(1);
      const text = capture();
      expect(await statsCommand(['--api', local.url, '--api-key', KEY, '--since', '36h'], text)).toBe(0);
      expect(text.stdout).toMatch(/trends per hour/);
      expect(text.stdout).toMatch(/jobs ended\s+1: 1 succeeded, 0 failed, 0 cancelled\s+[▁-█]{37}\n/);

      const refused = capture();
      expect(await statsCommand(['--api', aws.url, '--api-key', KEY], refused)).toBe(1);
      expect(refused.stderr).toMatch(/CloudWatch dashboards mosaic-<env>-execution.*\(not_found, HTTP 404\)/);
      expect(await statsCommand(['--api', 'nope', '--api-key', KEY], capture())).toBe(2);
    } finally {
      for (const s of [local, aws]) {
        await new Promise<void>((r) => s.server.close(() => r()));
        await s.f.close();
      }
    }
  });
});
