/** Pure pieces of `mosaic stats`: `--since` parsing, the trend period, sparklines and the printed tables. */
import type { MetricsSeries, MetricsSummary } from '../../lambdas/contracts/index.js';
import { usd } from './estimate.js';
import { table } from './tables.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export class SinceError extends Error {}

/** `--since`: a duration back from `now` (`90m`, `24h`, `7d`, `2w`) or an ISO 8601 date or time. */
export function parseSince(text: string, now: Date): Date {
  const t = text.trim();
  const m = /^(\d+)\s*([mhdw])$/i.exec(t);
  let since: Date;
  if (m) {
    const n = Number(m[1]);
    if (n <= 0) throw new SinceError(`--since needs a positive duration, got "${text}"`);
    since = new Date(now.getTime() - n * UNIT_MS[m[2]!.toLowerCase()]!);
  } else if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(t)) {
    // A date alone or a time without an offset is UTC (the API speaks UTC).
    const withZone = /T|\s/.test(t) ? (/(Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t : `${t}Z`) : `${t}T00:00:00Z`;
    since = new Date(withZone.replace(' ', 'T'));
    if (Number.isNaN(since.getTime())) throw new SinceError(`--since is not a valid date: "${text}"`);
  } else throw new SinceError(`--since takes a duration like 24h, 7d or 2w, or an ISO date like 2025-01-31 or 2025-01-31T12:00:00Z; got "${text}"`);
  if (since.getTime() >= now.getTime()) throw new SinceError(`--since must be in the past, got "${text}" (${since.toISOString()})`);
  return since;
}

/** Trend buckets: hourly up to two days, daily up to 60 days, weekly up to 60 weeks, then 31 days (the API's widest). */
export function trendPeriod(since: Date, until: Date): { period: number; label: string } {
  const days = (until.getTime() - since.getTime()) / 86_400_000;
  if (days <= 2) return { period: 3600, label: 'hour' };
  if (days <= 60) return { period: 86_400, label: 'day' };
  if (days <= 420) return { period: 604_800, label: 'week' };
  return { period: 31 * 86_400, label: '31 days' };
}

/** One value per bucket of [since, until), oldest first: `pick` of the series' bucket, or `empty` where it has none. */
export function perBucket(series: MetricsSeries, since: Date, until: Date, pick: (b: MetricsSeries['buckets'][number]) => number, empty: number | null): (number | null)[] {
  const p = series.period * 1000;
  const first = Math.floor(since.getTime() / p);
  const last = Math.floor((until.getTime() - 1) / p);
  const out: (number | null)[] = [];
  for (let k = first; k <= last; k++) out.push(empty);
  for (const b of series.buckets) {
    const k = Math.floor(Date.parse(b.start) / p) - first;
    if (k >= 0 && k < out.length) out[k] = pick(b);
  }
  return out;
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * ▁▂▃▄▅▆▇█ from the baseline (`zero`: 0, or the lowest value when it is negative; `min`: the
 * lowest value, for figures whose changes matter more than their size) to the highest; a space
 * where there is no value.
 */
export function sparkline(values: (number | null)[], base: 'zero' | 'min' = 'zero'): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!present.length) return values.map(() => ' ').join('');
  const lo = base === 'zero' ? Math.min(0, ...present) : Math.min(...present);
  const hi = Math.max(...present);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (hi === lo) return BARS[0];
      return BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))];
    })
    .join('');
}

/** Seconds as people read them: `850 ms`, `12.3 s`, `4m 05s`, `2h 03m`. */
export function seconds(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return 'n/a';
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 60) return `${sec < 10 ? sec.toFixed(2) : sec.toFixed(1)} s`;
  const s = Math.round(sec);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface Trends {
  /** Bucket width of the trends. */
  period: { period: number; label: string };
  jobs: MetricsSeries;
  cost: MetricsSeries;
  endToEnd: MetricsSeries;
}

/** What `mosaic stats` prints: jobs, cost and end-to-end with their trends, then step durations by function. */
export function formatStats(s: MetricsSummary, trends: Trends): string {
  const since = new Date(s.since);
  const until = new Date(s.until);
  const j = s.jobs;
  const e = s.latency.endToEndSec;
  const line = (series: MetricsSeries, pick: (b: MetricsSeries['buckets'][number]) => number, empty: number | null, base: 'zero' | 'min' = 'zero') =>
    sparkline(perBucket(series, since, until, pick, empty), base);
  const head = `Mosaic stats from ${s.since} to ${s.until} (trends per ${trends.period.label}, oldest first)`;
  const summary = table(
    ['', 'figures', `per ${trends.period.label}`],
    [
      ['jobs ended', `${j.total}: ${j.succeeded} succeeded, ${j.failed} failed, ${j.cancelled} cancelled`, line(trends.jobs, (b) => b.sum, 0)],
      ['cost (AWS)', `${usd(s.cost.totalUsd)} total, ${s.cost.perOutputMinuteUsd === null ? 'n/a' : usd(s.cost.perOutputMinuteUsd)} per output minute`, line(trends.cost, (b) => b.sum, 0)],
      // The trend of end to end is the mean per bucket, from its fastest to its slowest.
      ['end to end', `p50 ${seconds(e.p50)}, p90 ${seconds(e.p90)}, p99 ${seconds(e.p99)}`, line(trends.endToEnd, (b) => b.sum / b.count, null, 'min')],
    ],
  );
  const fns = Object.entries(s.latency.steps);
  const steps = fns.length ? table(['step', 'p50', 'p99'], fns.map(([fn, p]) => [fn, seconds(p.p50), seconds(p.p99)])) : 'no step ended in this window';
  return `${head}\n\n${summary}\n\n${steps}\n`;
}
