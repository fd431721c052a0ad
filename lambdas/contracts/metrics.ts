/**
 * The metric catalogue: every metric Mosaic emits, once. The EMF emitter (AWS), the SQLite metrics
 * store (local), the CloudWatch dashboards and alarms, and the metrics API all read it; no metric
 * name is spelled anywhere else.
 *
 * Every metric is published with the default dimensions `Environment` and `service` as well as each
 * of its `dimensionSets` (EMF lets one record roll up several ways). Job ids are metadata, never a
 * dimension: a dimension per job would be a metric per job.
 */
export const METRICS_NAMESPACE = 'Mosaic';
/** Powertools' `service` dimension on every metric. */
export const METRICS_SERVICE = 'mosaic';

export const MetricDimensions = {
  Environment: 'Environment',
  Function: 'Function',
  /** `lambda` or `fargate`. */
  Platform: 'Platform',
  /** The size a step ran on: `1769MB` (Lambda memory) or `2vCPU-4GB` (Fargate). */
  Size: 'Size',
  /** SUCCEEDED, FAILED or CANCELLED. */
  Outcome: 'Outcome',
  /** The job's error code (`none` when it succeeded). */
  ErrorCode: 'ErrorCode',
  /** The API route pattern as the OpenAPI document spells it, e.g. `GET /v1/jobs/{id}`. */
  Route: 'Route',
  /** `2xx`, `4xx`, `5xx`. */
  StatusClass: 'StatusClass',
} as const;
export type MetricDimension = (typeof MetricDimensions)[keyof typeof MetricDimensions];

/** A size as the `Size` dimension (and the UI) spells it: `1769MB` on Lambda, `2vCPU-4GB` on Fargate. */
export function sizeLabel(platform: 'lambda' | 'fargate', size: { vcpu: number; memoryMiB: number }): string {
  if (platform === 'lambda') return `${size.memoryMiB}MB`;
  const gb = size.memoryMiB / 1024;
  return `${size.vcpu}vCPU-${Number.isInteger(gb) ? gb : gb.toFixed(1)}GB`;
}

/** CloudWatch units Mosaic uses (USD and ratios have no unit: `None`). */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'Percent' | 'None';
/** What the metric is recorded for: once per ended job, per ended step attempt, per allocation, per API request. */
export type MetricScope = 'job' | 'job-outcome' | 'step' | 'allocation' | 'api';
export type MetricStatistic = 'Sum' | 'Average' | 'Maximum' | 'p50' | 'p90' | 'p99';

export interface MetricSpec {
  unit: MetricUnit;
  scope: MetricScope;
  /** Each set is published as its own rollup; every metric of one scope has the same sets. */
  dimensionSets: readonly (readonly MetricDimension[])[];
  /** The statistic dashboards show by default. */
  statistic: MetricStatistic;
  description: string;
}

const D = MetricDimensions;
const JOB = [[]] as const;
const JOB_OUTCOME = [[D.Outcome], [D.Outcome, D.ErrorCode]] as const;
const STEP = [[D.Function], [D.Platform], [D.Function, D.Platform, D.Size]] as const;
const ALLOCATION = [[D.Platform]] as const;
const API = [[D.StatusClass], [D.Route]] as const;

export const METRICS = {
  // ---- per job, when it ends
  JobsEnded: { unit: 'Count', scope: 'job-outcome', dimensionSets: JOB_OUTCOME, statistic: 'Sum', description: 'Jobs that ended, by outcome and error code' },
  JobCostUsd: { unit: 'None', scope: 'job', dimensionSets: JOB, statistic: 'Sum', description: 'What an ended job cost on AWS (USD), every step and service included; failed and cancelled jobs too' },
  JobWallSeconds: { unit: 'Seconds', scope: 'job', dimensionSets: JOB, statistic: 'p90', description: 'Submit to end of a succeeded job (end to end)' },
  JobOutputMinutes: { unit: 'None', scope: 'job', dimensionSets: JOB, statistic: 'Sum', description: "Minutes of video a succeeded job delivered (the title's duration; one ladder counts once)" },
  JobCostPerOutputMinuteUsd: { unit: 'None', scope: 'job', dimensionSets: JOB, statistic: 'Average', description: 'Cost of a succeeded job per minute of output (USD)' },
  JobSecondsPerOutputMinute: { unit: 'Seconds', scope: 'job', dimensionSets: JOB, statistic: 'p90', description: 'End-to-end seconds of a succeeded job per minute of output' },
  JobRealtimeFactor: { unit: 'None', scope: 'job', dimensionSets: JOB, statistic: 'Average', description: 'Output seconds per wall second of a succeeded job (above 1: faster than realtime)' },
  JobQueueWaitSeconds: { unit: 'Seconds', scope: 'job', dimensionSets: JOB, statistic: 'p90', description: 'Submit to the start of the workflow (queue wait)' },
  JobCacheHitShare: { unit: 'Percent', scope: 'job', dimensionSets: JOB, statistic: 'Average', description: "Share of a job's steps served from the result cache" },
  // ---- per step attempt, when it ends
  StepDurationSeconds: { unit: 'Seconds', scope: 'step', dimensionSets: STEP, statistic: 'p50', description: 'Duration of a step attempt, by function, platform and size' },
  StepCostUsd: { unit: 'None', scope: 'step', dimensionSets: STEP, statistic: 'Sum', description: 'What a step attempt cost at the size it ran on (USD; cache hits 0)' },
  StepAttempts: { unit: 'Count', scope: 'step', dimensionSets: STEP, statistic: 'Sum', description: 'Step attempts that ended' },
  StepFailures: { unit: 'Count', scope: 'step', dimensionSets: STEP, statistic: 'Sum', description: 'Step attempts that failed' },
  StepCacheHits: { unit: 'Count', scope: 'step', dimensionSets: STEP, statistic: 'Sum', description: 'Step attempts served from the result cache' },
  StepRetries: { unit: 'Count', scope: 'step', dimensionSets: STEP, statistic: 'Sum', description: 'Step attempts that were a retry (attempt 2 or later)' },
  AllocationPredictionRatio: { unit: 'None', scope: 'step', dimensionSets: STEP, statistic: 'Average', description: "The allocator's predicted ÷ measured seconds of a step it sized (1 = exact; below 1: slower than predicted)" },
  // ---- per allocation
  TaskAllocations: { unit: 'Count', scope: 'allocation', dimensionSets: ALLOCATION, statistic: 'Sum', description: 'Tasks the allocator sized, by platform' },
  TaskEscalations: { unit: 'Count', scope: 'allocation', dimensionSets: ALLOCATION, statistic: 'Sum', description: 'Allocations one size up after a timeout or out-of-memory' },
  // ---- per API request
  ApiRequests: { unit: 'Count', scope: 'api', dimensionSets: API, statistic: 'Sum', description: 'API requests, by status class and route' },
  ApiLatencyMs: { unit: 'Milliseconds', scope: 'api', dimensionSets: API, statistic: 'p99', description: 'Time the API app took to answer a request' },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
/** Each name as a checked identifier (`MetricNames.JobCostUsd`): code outside the catalogue never spells a name as a string. */
export const MetricNames = Object.fromEntries(METRIC_NAMES.map((n) => [n, n])) as { readonly [K in MetricName]: K };
export const isMetricName = (s: string): s is MetricName => Object.hasOwn(METRICS, s);

/** The metrics of one scope, in catalogue order. */
export const metricsOfScope = (scope: MetricScope): MetricName[] => METRIC_NAMES.filter((n) => METRICS[n].scope === scope);

/**
 * One emission: values of metrics of one scope that share their dimensions, at one time. `dimensions`
 * holds every dimension any of the scope's sets names; `metadata` carries what must not be a
 * dimension (the job id, the step id).
 */
export interface MetricRecord {
  at: string;
  dimensions: Partial<Record<MetricDimension, string>>;
  values: Partial<Record<MetricName, number>>;
  metadata?: Record<string, string>;
}
