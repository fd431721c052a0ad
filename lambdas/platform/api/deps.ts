/** What the Jobs API app is built from (its ports), and the app's type: shared by app.ts and the route modules. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BlobStore, JobControl, JobStore, UploadTarget } from '../../ports.js';
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
}

export type ApiApp = OpenAPIHono<ApiEnv>;
