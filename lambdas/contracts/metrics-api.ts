/** What `GET /v1/metrics/summary` and `GET /v1/metrics/series` answer (and `mosaic stats` prints). */
import { z } from 'zod';
import { METRIC_NAMES, type MetricName } from './metrics.js';

const Percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() });

export const MetricsSummarySchema = z.object({
  since: z.string(),
  until: z.string(),
  jobs: z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
  cost: z.object({
    /** Every ended job's cost, failed and cancelled ones included. */
    totalUsd: z.number(),
    /** totalUsd ÷ the output minutes of succeeded jobs: what delivered video cost, failures included. */
    perOutputMinuteUsd: z.number().nullable(),
  }),
  latency: z.object({
    /** Submit to end of succeeded jobs. */
    endToEndSec: Percentiles,
    /** Step attempt durations by function. */
    steps: z.record(z.string(), z.object({ p50: z.number().nullable(), p99: z.number().nullable() })),
  }),
});
export type MetricsSummary = z.infer<typeof MetricsSummarySchema>;

export const MetricsSeriesQuerySchema = z.object({
  metric: z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]),
  /** Bucket width in seconds (60 s to 31 days). */
  period: z.coerce.number().int().min(60).max(31 * 86_400).default(3600),
  since: z.string().datetime({ offset: true }).optional(),
});
export type MetricsSeriesQuery = z.infer<typeof MetricsSeriesQuerySchema>;

export const MetricsSeriesSchema = z.object({
  metric: z.string(),
  unit: z.string(),
  period: z.number().int(),
  since: z.string(),
  until: z.string(),
  /** Only buckets with data, oldest first; `start` is aligned to a multiple of `period` since the epoch. */
  buckets: z.array(z.object({ start: z.string(), count: z.number().int(), sum: z.number(), min: z.number(), max: z.number() })),
});
export type MetricsSeries = z.infer<typeof MetricsSeriesSchema>;
