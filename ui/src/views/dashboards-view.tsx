/**
 * Dashboards: execution, cost and latency over a chosen window, from `GET /v1/metrics/summary`
 * and `GET /v1/metrics/series` (the local engine's metrics store). Metric names come from the
 * catalogue (`MetricNames`), never spelled here. On AWS the API answers 404 pointing at the
 * CloudWatch dashboards: the page shows that message.
 */
import { useState } from 'preact/hooks';
import type { MetricsSeries, MetricsSummary } from '../../../lambdas/contracts/metrics-api.ts';
import { METRICS, MetricNames, type MetricName } from '../../../lambdas/contracts/metrics.ts';
import { api, ApiError } from '../api.ts';
import { ErrorNote, PageHead } from '../components/shell-bits.tsx';
import { TimeSeriesChart } from '../components/time-series-chart.tsx';
import { usePoll } from '../hooks.ts';
import { formatDuration, formatUsd } from '../lib/format.ts';

const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000, period: 60 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000, period: 900 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, period: 3600 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, period: 6 * 3600 },
] as const;
type RangeId = (typeof RANGES)[number]['id'];

type Stat = 'sum' | 'avg' | 'max' | 'count';

interface ChartDef {
  title: string;
  unit: string;
  lines: { metric: MetricName; stat: Stat; label: string }[];
}

const N = MetricNames;
/** What each chart draws; every metric by its catalogue name. */
const CHARTS: { section: string; charts: ChartDef[] }[] = [
  {
    section: 'Execution',
    charts: [
      { title: 'Jobs ended', unit: 'jobs', lines: [{ metric: N.JobsEnded, stat: 'sum', label: 'jobs ended' }] },
      {
        title: 'Step attempts',
        unit: 'attempts',
        lines: [
          { metric: N.StepAttempts, stat: 'sum', label: 'attempts' },
          { metric: N.StepFailures, stat: 'sum', label: 'failures' },
          { metric: N.StepRetries, stat: 'sum', label: 'retries' },
          { metric: N.StepCacheHits, stat: 'sum', label: 'cache hits' },
        ],
      },
    ],
  },
  {
    section: 'Cost',
    charts: [
      {
        title: 'Cost',
        unit: 'USD',
        lines: [
          { metric: N.JobCostUsd, stat: 'sum', label: 'jobs' },
          { metric: N.StepCostUsd, stat: 'sum', label: 'steps' },
        ],
      },
      { title: 'Cost per output minute', unit: 'USD', lines: [{ metric: N.JobCostPerOutputMinuteUsd, stat: 'avg', label: 'average' }] },
    ],
  },
  {
    section: 'Latency',
    charts: [
      {
        title: 'End to end (submit → done)',
        unit: 's',
        lines: [
          { metric: N.JobWallSeconds, stat: 'avg', label: 'average' },
          { metric: N.JobWallSeconds, stat: 'max', label: 'slowest' },
        ],
      },
      {
        title: 'Queue wait',
        unit: 's',
        lines: [
          { metric: N.JobQueueWaitSeconds, stat: 'avg', label: 'average' },
          { metric: N.JobQueueWaitSeconds, stat: 'max', label: 'longest' },
        ],
      },
      {
        title: 'Step durations',
        unit: 's',
        lines: [
          { metric: N.StepDurationSeconds, stat: 'avg', label: 'average' },
          { metric: N.StepDurationSeconds, stat: 'max', label: 'slowest' },
        ],
      },
      {
        title: 'API latency',
        unit: 'ms',
        lines: [
          { metric: N.ApiLatencyMs, stat: 'avg', label: 'average' },
          { metric: N.ApiLatencyMs, stat: 'max', label: 'slowest' },
        ],
      },
    ],
  },
];

const valueOf = (b: MetricsSeries['buckets'][number], stat: Stat): number => (stat === 'sum' ? b.sum : stat === 'max' ? b.max : stat === 'count' ? b.count : b.count ? b.sum / b.count : 0);

interface Loaded {
  summary: MetricsSummary;
  series: Map<MetricName, MetricsSeries>;
}

async function load(range: (typeof RANGES)[number]): Promise<Loaded> {
  const since = new Date(Date.now() - range.ms).toISOString();
  const metrics = [...new Set(CHARTS.flatMap((s) => s.charts.flatMap((c) => c.lines.map((l) => l.metric))))];
  const [summary, ...series] = await Promise.all([
    api.get<MetricsSummary>(`/v1/metrics/summary?since=${encodeURIComponent(since)}`),
    ...metrics.map((m) => api.get<MetricsSeries>(`/v1/metrics/series?${new URLSearchParams({ metric: m, period: String(range.period), since })}`)),
  ]);
  return { summary, series: new Map(metrics.map((m, i) => [m, series[i]!])) };
}

function Tile(props: { label: string; value: string; note?: string }) {
  return (
    <div class="s-tile">
      <span class="s-tile-label">{props.label}</span>
      <span class="s-tile-value">{props.value}</span>
      {props.note ? <span class="s-tile-note">{props.note}</span> : null}
    </div>
  );
}

export function DashboardsView() {
  const [rangeId, setRangeId] = useState<RangeId>('24h');
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[1];
  const [notServed, setNotServed] = useState<string | null>(null);
  const polled = usePoll(
    () =>
      load(range).catch((e: unknown) => {
        // AWS: the figures are on the CloudWatch dashboards; the API says so with a 404.
        if (e instanceof ApiError && e.status === 404) setNotServed(e.message);
        throw e;
      }),
    15_000,
    [rangeId],
  );
  const d = polled.data;
  const s = d?.summary;
  const p = s?.latency.endToEndSec;
  const steps = s ? Object.entries(s.latency.steps).sort((a, b) => (b[1].p99 ?? 0) - (a[1].p99 ?? 0)) : [];
  return (
    <section>
      <PageHead title="Dashboards">
        <div class="s-field s-inline">
          <label for="d-range">Time range</label>
          <select id="d-range" value={rangeId} onChange={(e) => setRangeId((e.target as HTMLSelectElement).value as RangeId)}>
            {RANGES.map((r) => (
              <option value={r.id} key={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </PageHead>
      {notServed ? (
        <div class="s-panel" role="status">
          <p>{notServed}</p>
        </div>
      ) : (
        <ErrorNote error={polled.error} />
      )}
      {polled.loading && !d ? <p class="s-muted">Loading figures…</p> : null}
      {s && !notServed ? (
        <>
          <div class="s-tiles" aria-label="Summary">
            <Tile label="Jobs ended" value={String(s.jobs.total)} note={`${s.jobs.succeeded} succeeded · ${s.jobs.failed} failed · ${s.jobs.cancelled} cancelled`} />
            <Tile label="Failure rate" value={s.jobs.total ? `${Math.round((s.jobs.failed / s.jobs.total) * 1000) / 10}%` : '—'} />
            <Tile label="Total cost (AWS prices)" value={formatUsd(s.cost.totalUsd)} />
            <Tile label="Cost per output minute" value={formatUsd(s.cost.perOutputMinuteUsd)} />
            <Tile label="End to end p50" value={formatDuration(p?.p50)} />
            <Tile label="End to end p90" value={formatDuration(p?.p90)} />
            <Tile label="End to end p99" value={formatDuration(p?.p99)} />
          </div>
          {CHARTS.map((sec) => (
            <section key={sec.section} aria-labelledby={`d-${sec.section}`}>
              <h2 id={`d-${sec.section}`}>{sec.section}</h2>
              <div class="s-charts">
                {sec.charts.map((c) => (
                  <div class="s-panel s-chart" key={c.title}>
                    <TimeSeriesChart
                      title={c.title}
                      unit={c.unit}
                      height={200}
                      range={[Date.parse(d.summary.since) / 1000, Date.parse(d.summary.until) / 1000]}
                      series={c.lines.map((l) => ({
                        label: l.label,
                        points: (d.series.get(l.metric)?.buckets ?? []).map((b) => ({ t: Date.parse(b.start) / 1000, v: valueOf(b, l.stat) })),
                      }))}
                    />
                    <p class="s-muted s-small">{c.lines.map((l) => METRICS[l.metric].description).filter((x, i, a) => a.indexOf(x) === i).join('. ')}</p>
                  </div>
                ))}
              </div>
              {sec.section === 'Latency' && steps.length ? (
                <div class="s-table-wrap">
                  <table class="s-table">
                    <caption>Step durations by function</caption>
                    <thead>
                      <tr>
                        <th scope="col">Function</th>
                        <th scope="col">p50</th>
                        <th scope="col">p99</th>
                      </tr>
                    </thead>
                    <tbody>
                      {steps.map(([fn, v]) => (
                        <tr key={fn}>
                          <td data-label="Function">{fn}</td>
                          <td data-label="p50">{formatDuration(v.p50)}</td>
                          <td data-label="p99">{formatDuration(v.p99)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
            </section>
          ))}
        </>
      ) : null}
    </section>
  );
}
