/** What the Jobs API app is built from (its ports), and the app's type: shared by app.ts and the route modules. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BlobStore, JobControl, JobStore, MetricsQuery, MetricsSink, UploadTarget } from '../../ports.js';
import type { ApiAuth, ApiEnv } from './auth.js';
import type { WebhookGuard } from './webhooks.js';

export interface ApiDeps {
  jobs: JobStore;
  control: JobControl;
  uploads: UploadTarget;
  /** Reads report.json of finished jobs (outputs, quality). */
  blobs: BlobStore;
  auth: ApiAuth;
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
}

export type ApiApp = OpenAPIHono<ApiEnv>;
