/** Typed per-environment configuration, chosen with `cdk deploy -c env=NAME` (or `-c env=all`). */
import type { ServiceQuotas, TurnaroundPolicy } from '../../lambdas/contracts/index.js';
import { DEFAULT_SERVICE_QUOTAS, DEFAULT_TURNAROUND_POLICY } from '../../lambdas/core/allocator/index.js';

export interface AlarmConfig {
  /** Create CloudWatch alarms (failed executions, function errors, dead letters, failure rate, end-to-end p99, cost per output minute) and their SNS topic. */
  enabled: boolean;
  /** Subscribe this address to the alarm topic (optional: the topic can be subscribed to later). */
  email?: string;
  /**
   * Alarm when more than this share of the jobs that ended in an hour failed (FAILED ÷ all
   * JobsEnded, cancelled ones included). A single failure already raises the EncodeFailed alarm;
   * this one is about a trend.
   */
  failureRatePercent: number;
  /** Alarm when the p99 of end-to-end time (submit → end of succeeded jobs) over an hour is above this many seconds. Drawn on the latency dashboard. */
  endToEndP99Sec: number;
  /** Alarm when the average cost per minute of output of the jobs of an hour is above this budget (USD). Drawn on the cost dashboard. */
  costPerOutputMinuteUsd: number;
}

/** The Jobs API's API Gateway stage and usage plan. */
export interface ApiConfig {
  /** Steady requests per second: the stage's default method throttle and the usage plan's. */
  rateLimit: number;
  /** Requests allowed in a burst above the rate. */
  burstLimit: number;
  /** Requests per day per API key of the usage plan. */
  quotaPerDay: number;
}

/**
 * The CloudFront distribution in front of the web UI, the Jobs API (`/v1/*`) and the job outputs
 * (`/media/<jobId>/*`, readable with signed cookies from `POST /v1/jobs/{id}/media-cookies`).
 */
export interface CdnConfig {
  /**
   * The public half (PEM, `-----BEGIN PUBLIC KEY-----`, RSA 2048) of the key pair that signs media
   * cookies; its private half goes into the secret the stack creates (README, Deploy). Public keys
   * are not secret: commit it here. Absent: the distribution serves the UI and the API only, the
   * media-cookies route answers 404, and job outputs are presigned links of single objects.
   */
  publicKeyPem?: string;
  /** Lifetime of signed media cookies, in seconds. */
  cookieTtlSec: number;
}

/**
 * What the allocator plans within (core/allocator: turnaround.ts, quotas.ts; sources in
 * docs/decisions.md). Passed to the functions that start workflows as MOSAIC_TURNAROUND_POLICY and
 * MOSAIC_SERVICE_QUOTAS (JSON), from there in every execution's `allocator` to the Plan step.
 */
export interface AllocatorConfig {
  /** Each priority class's turnaround: economy (may take hours, Fargate Spot), standard, high. */
  turnaround: TurnaroundPolicy;
  /**
   * The account's quotas in this environment's region, as they are (Service Quotas console), not
   * as wished: a plan never runs more at once than these allow, and the estimate names the one
   * that limits a job's turnaround.
   */
  quotas: ServiceQuotas;
}

export interface EnvironmentConfig {
  name: string;
  /** Keep buckets and the table when the stack is deleted (RETAIN) instead of deleting them (DESTROY). */
  retainData: boolean;
  /** POWERTOOLS_LOG_LEVEL of every function and task. */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Retention of every log group (functions, Fargate tasks, state machine, VPC flow logs), in days. */
  logRetentionDays: LogRetentionDays;
  /** Retention of the S3 server access logs, in days. */
  accessLogRetentionDays: number;
  /**
   * Reserved concurrency for the encode functions (`encodeFunctions`); undefined = share the account's
   * unreserved pool (new accounts have a limit of 10, where any reservation would fail the deploy).
   */
  encodeReservedConcurrency?: number;
  /** Media functions that `encodeReservedConcurrency` applies to. */
  encodeFunctions: readonly string[];
  /** Upper bound of the encode workflow's Map states (passed to executions as `parallelism`). */
  mapMaxConcurrency: number;
  allocator: AllocatorConfig;
  alarms: AlarmConfig;
  /** Objects under `.mosaic/work/` and `.mosaic/scratch/` expire after this many days. */
  scratchLifecycleDays: number;
  /** Noncurrent versions of source objects expire after this many days. */
  sourceNoncurrentVersionExpiryDays: number;
  api: ApiConfig;
  /**
   * Let job webhooks reach private, loopback and link-local addresses (a receiver inside the VPC,
   * say). Off by default: only public addresses, vetted at submit and at every connect.
   */
  allowPrivateWebhooks: boolean;
  cdn: CdnConfig;
}

/** The retention values CloudWatch Logs accepts. */
export type LogRetentionDays = 1 | 3 | 5 | 7 | 14 | 30 | 60 | 90 | 120 | 150 | 180 | 365 | 400 | 545 | 731 | 1096 | 1827 | 2192 | 2557 | 2922 | 3288 | 3653;

export const ENVIRONMENTS: Record<string, EnvironmentConfig> = {
  dev: {
    name: 'dev',
    retainData: false,
    logLevel: 'DEBUG',
    logRetentionDays: 7,
    accessLogRetentionDays: 30,
    encodeReservedConcurrency: undefined,
    encodeFunctions: ['encode-video', 'encode-audio'],
    mapMaxConcurrency: 10,
    // A new account's documented defaults (Lambda may start at 10 concurrent executions there).
    allocator: {
      turnaround: DEFAULT_TURNAROUND_POLICY,
      quotas: { ...DEFAULT_SERVICE_QUOTAS, lambda: { concurrentExecutions: 10 } },
    },
    // Thresholds are drawn on dev's dashboards (it has no alarms). Dev encodes short test clips with
    // little parallelism: jobs are dominated by fixed per-job steps (inspect, plan, package, cold
    // starts), so their cost per output minute is high and their end to end long for their length;
    // failures are part of development.
    alarms: { enabled: false, failureRatePercent: 25, endToEndP99Sec: 7200, costPerOutputMinuteUsd: 0.25 },
    scratchLifecycleDays: 1,
    sourceNoncurrentVersionExpiryDays: 7,
    api: { rateLimit: 10, burstLimit: 20, quotaPerDay: 10_000 },
    allowPrivateWebhooks: false,
    // No signing key yet: an operator creates the key pair and pastes its public key here (README, Deploy).
    cdn: { cookieTtlSec: 3600 },
  },
  prod: {
    name: 'prod',
    retainData: true,
    logLevel: 'INFO',
    logRetentionDays: 90,
    accessLogRetentionDays: 365,
    encodeReservedConcurrency: 200,
    encodeFunctions: ['encode-video', 'encode-audio'],
    // With a Distributed Map the bound is this, not Step Functions' 40 inline iterations: a one-hour
    // title's five-rung ladder at the standard turnaround runs a few hundred chunk tasks at once.
    mapMaxConcurrency: 400,
    allocator: {
      turnaround: DEFAULT_TURNAROUND_POLICY,
      // Raised by quota requests for production (defaults: 6 vCPU each on Fargate, 1,000 Lambda);
      // Lambda is the encode functions' reserved concurrency (encodeReservedConcurrency).
      quotas: {
        ...DEFAULT_SERVICE_QUOTAS,
        lambda: { concurrentExecutions: 200 },
        fargate: { ...DEFAULT_SERVICE_QUOTAS.fargate, onDemandVcpu: 1000, spotVcpu: 1000 },
      },
    },
    alarms: {
      enabled: true,
      // One job in twenty failing within an hour is a trend worth a look (every single failure
      // already raises EncodeFailed).
      failureRatePercent: 5,
      // An hour: a feature-length title with the Map at 100 chunks in parallel finishes well within
      // it; above it, jobs are queueing, escalating or retrying.
      endToEndP99Sec: 3600,
      // About what a managed service (MediaConvert) charges for an HD ladder per minute of title:
      // Mosaic exists to do better than that.
      costPerOutputMinuteUsd: 0.1,
    },
    scratchLifecycleDays: 7,
    sourceNoncurrentVersionExpiryDays: 90,
    api: { rateLimit: 50, burstLimit: 100, quotaPerDay: 200_000 },
    allowPrivateWebhooks: false,
    cdn: { cookieTtlSec: 3600 },
  },
};

/** `-c env=all` builds every environment (used by `npm run synth`). */
export const ALL_ENVIRONMENTS = 'all';

export function environmentConfig(name: string): EnvironmentConfig {
  const env = Object.hasOwn(ENVIRONMENTS, name) ? ENVIRONMENTS[name] : undefined;
  if (!env) throw new Error(`unknown environment "${name}"; known: ${Object.keys(ENVIRONMENTS).join(', ')} (or "${ALL_ENVIRONMENTS}")`);
  return env;
}

/** The environments selected by the `env` context value: one name, or `all`. */
export function selectEnvironments(name: string): EnvironmentConfig[] {
  return name === ALL_ENVIRONMENTS ? Object.values(ENVIRONMENTS) : [environmentConfig(name)];
}
