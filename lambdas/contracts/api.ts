/**
 * The Jobs API's wire shapes (requests, responses, the one error shape) and the records and
 * errors its ports share. The app in lambdas/platform/api builds its OpenAPI document from these.
 */
import { z } from 'zod';
import { CostLineSchema, JobErrorSchema, StepRecordSchema } from './job.js';
import { JobSpecSchema } from './job-spec.js';
import { MediaInfoSchema } from './media.js';
import { PerTitleSummarySchema, PlanSizingSchema } from './tasks.js';
import { JobStatusSchema } from './status.js';

// ---- errors a port may throw; the app maps them to HTTP (InputInvalidError → 400 comes from errors.ts)

/** An id that names nothing (app → 404). */
export class NotFoundError extends Error {
  override readonly name = 'Mosaic.NotFound';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The request is valid but conflicts with the resource's state, e.g. cancelling a finished job (app → 409). */
export class ConflictError extends Error {
  override readonly name = 'Mosaic.Conflict';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The one error shape of every non-2xx answer. `details.issues` lists field paths for a 400. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

export const ApiErrorCodes = {
  ValidationFailed: 'validation_failed',
  Unauthorized: 'unauthorized',
  NotFound: 'not_found',
  MethodNotAllowed: 'method_not_allowed',
  Conflict: 'conflict',
  IdempotencyKeyReused: 'idempotency_key_reused',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  InputInvalid: 'input_invalid',
  Internal: 'internal_error',
} as const;

// ---- idempotency

/** One `Idempotency-Key` seen by the API: the first request with it wins. */
export const IdempotencyRecordSchema = z.object({
  /** Scoped by the caller: `<principal>:<Idempotency-Key>`. */
  key: z.string().min(1),
  /** sha256 of the canonical request body: the same key with another body is a 409. */
  requestHash: z.string(),
  jobId: z.string(),
  createdAt: z.string(),
});
export type IdempotencyRecord = z.infer<typeof IdempotencyRecordSchema>;

export const IDEMPOTENCY_KEY_MAX = 255;

// ---- uploads

/** Uploads through the API land under this prefix (never `inbox/`: on AWS that starts a job by itself). */
export const API_UPLOAD_PREFIX = 'uploads/';

/** A file name safe as the last part of a key: `[A-Za-z0-9._-]` only, no leading dot, at most 100 characters. */
export function uploadFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(-100);
  return cleaned || 'source';
}

/**
 * Where an API upload lands, on both engines: `uploads/<time, base 36>-<nonce>/<file name>`, one
 * folder per upload (a download token covers the folder). `nonce` is random hex from the caller.
 */
export const apiUploadKey = (filename: string, nowMs: number, nonce: string): string =>
  `${API_UPLOAD_PREFIX}${nowMs.toString(36)}-${nonce}/${uploadFileName(filename)}`;

export const UploadRequestSchema = z
  .object({
    filename: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^/\\\0]+$/, 'a file name, without directories'),
    bytes: z.number().int().positive(),
    contentType: z.string().min(1).max(255).default('application/octet-stream'),
  })
  .strict();
export type UploadRequest = z.infer<typeof UploadRequestSchema>;

/** Where and how to send the bytes of a source; then submit a job with `source: { key }`. */
export const UploadTicketSchema = z.object({
  method: z.literal('PUT'),
  url: z.string(),
  /** Send these headers with the PUT, exactly. */
  headers: z.record(z.string(), z.string()),
  key: z.string(),
  maxBytes: z.number().int().positive(),
  expiresAt: z.string(),
});
export type UploadTicket = z.infer<typeof UploadTicketSchema>;

// ---- webhooks

/** detailType of the job event recording one webhook delivery attempt. */
export const WEBHOOK_DELIVERY_DETAIL_TYPE = 'Webhook Delivery Attempted';

export const WebhookAttemptSchema = z.object({
  /** The job event (state change) this delivery is for. */
  eventId: z.string(),
  status: JobStatusSchema,
  attempt: z.number().int().positive(),
  at: z.string(),
  url: z.string(),
  /** HTTP status of the receiver's answer; null when there was none (refused, timed out). */
  httpStatus: z.number().int().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  /** Seconds until the next attempt; null after success or the last attempt. */
  nextAttemptInSec: z.number().nullable(),
  /** The address guard refused the target (not a public address): final, as a receiver's 4xx is. */
  targetRefused: z.boolean().optional(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttemptSchema>;

/** The JSON body POSTed to a job's webhook. */
export const WebhookPayloadSchema = z.object({
  id: z.string(),
  type: z.literal('job.status_changed'),
  createdAt: z.string(),
  job: z.object({
    id: z.string(),
    status: JobStatusSchema,
    progress: z.number(),
    error: JobErrorSchema.nullable(),
    tags: z.record(z.string(), z.string()),
  }),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

// ---- jobs

const OutputLinkSchema = z.object({ key: z.string(), url: z.string() }).nullable();

export const RenditionViewSchema = z.object({
  id: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bitrateKbps: z.number(),
  bytes: z.number().int(),
  psnr: z.number().nullable(),
  ssim: z.number().nullable(),
  vmaf: z.number().nullable(),
});

export const JobViewSchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  /** The workflow running the job: `encode`, or a run started by `POST /v1/workflows/{name}/executions` (`measure`, `repackage`, …). */
  workflow: z.string(),
  spec: JobSpecSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  progress: z.object({ percent: z.number().min(0).max(100), etaSec: z.number().nullable() }),
  error: JobErrorSchema.nullable(),
  /** How many steps of each function the plan has (`encode-video: 20`), once planned: graph totals such as 12/20. */
  planned: z.record(z.string(), z.number().int().nonnegative()).nullable(),
  /** Every attempt of every step (the platform's own bookkeeping — summary, revision, invocation — left out). */
  steps: z.array(StepRecordSchema.omit({ summary: true, revision: true, invocationId: true })),
  outputs: z.object({
    hls: OutputLinkSchema,
    dash: OutputLinkSchema,
    poster: OutputLinkSchema,
    sprite: OutputLinkSchema,
    thumbnailsVtt: OutputLinkSchema,
    report: OutputLinkSchema,
  }),
  /** Per rendition size and quality, once the job succeeded. */
  renditions: z.array(RenditionViewSchema),
  /** A per-title job's ladder search (report.json `perTitle`): trial points, hull, chosen rungs, predicted saving; null otherwise. */
  ladderSearch: PerTitleSummarySchema.nullable(),
  vmafUnavailableReason: z.string().nullable(),
  /** What the job costs on AWS (estimated when planned, actual from measured steps), when recorded. */
  cost: z.object({
    estimatedUsd: z.number().nullable(),
    actualUsd: z.number().nullable(),
    region: z.string().nullable(),
    pricesTakenOn: z.string().nullable(),
    /** The actual cost by service (compute, requests, transitions, events, writes, log ingestion); empty until the job ends. */
    breakdown: z.array(CostLineSchema),
  }),
  webhook: z.object({ url: z.string(), deliveries: z.array(WebhookAttemptSchema) }).nullable(),
});
export type JobView = z.infer<typeof JobViewSchema>;

export const JobSummarySchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  workflow: z.string(),
  preset: z.string(),
  sourceKey: z.string(),
  progress: z.object({ percent: z.number(), etaSec: z.number().nullable() }),
  error: JobErrorSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** Estimated once planned, actual once ended (USD on AWS; locally what the run would cost there). */
  cost: z.object({ estimatedUsd: z.number().nullable(), actualUsd: z.number().nullable() }),
  tags: z.record(z.string(), z.string()),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JOB_PAGE_MAX = 100;

export const JobListQuerySchema = z.object({
  status: JobStatusSchema.optional(),
  preset: z.string().min(1).max(64).optional(),
  /** `key` (has the tag) or `key=value`. */
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_.:@/+-]{1,128}(=.{0,256})?$/, 'a tag is key or key=value, the key of letters, digits and _.:@/+-')
    .optional(),
  /** Text the job's id or source key contains (case-sensitive). */
  q: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(JOB_PAGE_MAX).default(20),
  cursor: z.string().min(1).max(1024).optional(),
});

export const JobPageSchema = z.object({
  jobs: z.array(JobSummarySchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const JobEventViewSchema = z.object({
  id: z.number().int(),
  time: z.string(),
  detailType: z.string(),
  detail: z.unknown(),
});
export const JobEventPageSchema = z.object({ events: z.array(JobEventViewSchema), nextAfter: z.number().int().nullable() });

// ---- preflight

export const PlannedRungSchema = z.object({
  id: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bitrateKbps: z.number().int(),
});

export const PreflightResultSchema = z.object({
  /** Whether a job with this spec would start encoding (nothing has run). */
  accepted: z.boolean(),
  /** Why the source or spec would be rejected: empty when accepted. */
  reasons: z.array(z.string()),
  source: MediaInfoSchema.nullable(),
  plan: z
    .object({
      preset: z.object({ name: z.string(), version: z.number().int() }),
      segmentSeconds: z.number(),
      rungs: z.array(PlannedRungSchema),
      chunks: z.object({ count: z.number().int(), framesEach: z.array(z.number().int()) }),
      tasks: z.object({
        encodeVideo: z.number().int(),
        encodeAudio: z.number().int(),
        assemble: z.number().int(),
        measureQuality: z.number().int(),
        package: z.number().int(),
        thumbnails: z.number().int(),
      }),
      maxConcurrency: z.number().int(),
    })
    .nullable(),
  /**
   * What the encode phase would cost and take on AWS, as the Plan step sizes it with the allocator
   * (chunk length, region and price date included); null when the source would be rejected.
   */
  estimate: PlanSizingSchema.pick({
    region: true,
    pricesTakenOn: true,
    chunkSeconds: true,
    estimatedUsd: true,
    estimatedSeconds: true,
    taskDeadlineSec: true,
    reason: true,
  }).nullable(),
  /** Why `estimate` is null, if it is. */
  estimateUnavailableReason: z.string().nullable(),
});
export type PreflightResult = z.infer<typeof PreflightResultSchema>;

// ---- catalog

export const FunctionInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  version: z.number().int(),
  platforms: z.array(z.string()),
  defaultPlatform: z.string(),
  cacheable: z.boolean(),
});
export type FunctionInfo = z.infer<typeof FunctionInfoSchema>;

/** What the catalog shows of a function.json. */
export function functionInfoOf(c: FunctionInfo): FunctionInfo {
  return { name: c.name, description: c.description, version: c.version, platforms: c.platforms, defaultPlatform: c.defaultPlatform, cacheable: c.cacheable };
}

export const WorkflowInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** The media functions its tasks run. */
  functions: z.array(z.string()),
});
export type WorkflowInfo = z.infer<typeof WorkflowInfoSchema>;

export const FunctionInvocationRequestSchema = z
  .object({
    /** The function's own input (see its input schema); `jobId` may be left out. */
    input: z.record(z.string(), z.unknown()),
  })
  .strict();

export const FunctionInvocationResultSchema = z.object({
  function: z.string(),
  invocationId: z.string(),
  durationMs: z.number().int(),
  result: z.unknown(),
});

export const HealthSchema = z.object({
  status: z.literal('ok'),
  engine: z.string(),
  version: z.string(),
  time: z.string(),
});

// ---- workflows, functions and rules as the web UI reads them
export * from './rules-api.js';
