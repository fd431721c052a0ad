/**
 * /v1/metrics: the summary (jobs, cost, latency) and one metric's series over a window. Locally
 * the engine's metrics store answers; on AWS there is none (`deps.metricsQuery` absent) and both
 * routes say where the figures are instead: the deployment's CloudWatch dashboards.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiErrorCodes, MetricsSeriesQuerySchema, MetricsSeriesSchema, MetricsSummarySchema } from '../../../contracts/index.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { ApiHttpError } from '../errors.js';
import { json, pick } from './common.js';

/** The window both routes default to: the last 7 days. */
export const DEFAULT_METRICS_WINDOW_MS = 7 * 86_400_000;

export const DASHBOARDS_MESSAGE =
  'metrics are not served by the API on this deployment: see its CloudWatch dashboards mosaic-<env>-execution, mosaic-<env>-cost and mosaic-<env>-latency';

const since = z
  .string()
  .datetime({ offset: true })
  .optional()
  .openapi({ description: 'Start of the window (ISO 8601); the window ends now. Default: 7 days ago.', example: '2025-01-01T00:00:00Z' });

const SummaryQuery = z.object({ since });

const summary = createRoute({
  method: 'get',
  path: '/v1/metrics/summary',
  tags: ['metrics'],
  summary: 'Jobs ended, cost and latency over a window (local engine; on AWS the CloudWatch dashboards)',
  request: { query: SummaryQuery },
  responses: { 200: json(MetricsSummarySchema, 'The figures of jobs and steps that ended in [since, now)'), ...pick(400, 401, 404) },
});

// The contract's schema (metric: the catalogue's names; period: 60 s to 31 days, default 3600), with the documented `since`.
const SeriesQuery = MetricsSeriesQuerySchema.extend({ since });

const series = createRoute({
  method: 'get',
  path: '/v1/metrics/series',
  tags: ['metrics'],
  summary: "One metric's count, sum, min and max per period over a window (local engine; on AWS the CloudWatch dashboards)",
  request: { query: SeriesQuery },
  responses: { 200: json(MetricsSeriesSchema, 'Buckets with data, oldest first, aligned to multiples of `period` since the epoch'), ...pick(400, 401, 404) },
});

export function registerMetricsRoutes(app: ApiApp, deps: Pick<ApiDeps, 'metricsQuery'>): void {
  const query = () => {
    if (!deps.metricsQuery) throw new ApiHttpError(404, ApiErrorCodes.NotFound, DASHBOARDS_MESSAGE, { dashboards: ['execution', 'cost', 'latency'].map((d) => `mosaic-<env>-${d}`) });
    return deps.metricsQuery;
  };
  const window = (raw: string | undefined) => {
    const until = new Date();
    return { since: raw ? new Date(raw) : new Date(until.getTime() - DEFAULT_METRICS_WINDOW_MS), until };
  };

  app.openapi(summary, async (c) => {
    const metrics = query();
    const w = window(c.req.valid('query').since);
    return c.json(await metrics.summary(w.since, w.until), 200);
  });

  app.openapi(series, async (c) => {
    const metrics = query();
    const q = c.req.valid('query');
    const w = window(q.since);
    return c.json(await metrics.series({ metric: q.metric, period: q.period, since: w.since.toISOString() }, w.until), 200);
  });
}
