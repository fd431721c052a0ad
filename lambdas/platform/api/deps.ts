/** What the Jobs API app is built from (its ports), and the app's type: shared by app.ts and the route modules. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BlobStore, DocumentStore, JobControl, JobHistory, JobRepository, MetricsQuery, MetricsSink, StepLog, UploadTarget } from '../../ports.js';
import type { ApiAuth, ApiEnv, ApiSessions } from './auth.js';
import type { WebhookGuard } from './webhooks.js';

/** The job-store ports the API uses: jobs, steps, history, and the speed-table document preflight reads (never the result cache). */
export type ApiJobStore = JobRepository & StepLog & JobHistory & DocumentStore;

/**
 * Everything the app is wired from. Each route module takes only the fields and ports it uses
 * (a `Pick` of these, the narrow job-control ports of `control`).
 */
export interface ApiDeps {
  jobs: ApiJobStore;
  /** Every job-control port, for wiring: the route modules take the narrow ones they use. */
  control: JobControl;
  uploads: UploadTarget;
  /** Reads report.json of finished jobs (outputs, quality). */
  blobs: BlobStore;
  auth: ApiAuth;
  /**
   * Browser sessions for the web UI (`mosaic serve`: one-time sign-in URLs, the session cookie).
   * Absent on AWS, where API Gateway demands `x-api-key` and the UI sends the key it was given.
   */
  sessions?: ApiSessions;
  /** `local` or `aws`, shown by the health route. */
  engine: string;
  version: string;
  /** New job ids; default: `<yyyymmddhhmmss>-<12 hex>`. */
  newJobId?: () => string;
  /** Largest JSON request body, bytes (default 1 MiB; API Gateway allows 10 MB). */
  maxBodyBytes?: number;
  /** Which webhook addresses a job may name (default: public ones only). */
  webhooks?: WebhookGuard;
  /**
   * Answers `GET /v1/metrics/*` (the local engine's metrics store). Absent on AWS, where the
   * CloudWatch dashboards show the figures: the routes answer 404 saying so.
   */
  metricsQuery?: MetricsQuery;
  /** Where the app records one ApiRequests/ApiLatencyMs record per answered request (batched; never fails a request). */
  metrics?: MetricsSink;
  /** How long request records wait to be recorded together (default 250 ms). */
  metricsFlushMs?: number;
  /**
   * CloudFront in front of the derivative bucket (AWS with `cdn.publicKeyPem` configured): answers
   * `POST /v1/jobs/{id}/media-cookies` with signed cookies for `/media/<jobId>/*`. Absent locally
   * (outputs are served by `/files/…`) and on AWS without a signing key: the route answers 404.
   */
  cdn?: MediaCookieSigner;
}

/** What signing media cookies needs: the distribution, the key pair id, and the private key (read when needed). */
export interface MediaCookieSigner {
  /** The distribution's domain name, e.g. `d111111abcdef8.cloudfront.net`. */
  domain: string;
  /** The CloudFront public key ID whose private key signs. */
  keyPairId: string;
  /** PEM of the private key (from Secrets Manager on AWS; cached by the caller as it sees fit). */
  privateKey(): Promise<string>;
  /** Lifetime of the cookies in seconds (default 3600). */
  ttlSec?: number;
}

export type ApiApp = OpenAPIHono<ApiEnv>;
