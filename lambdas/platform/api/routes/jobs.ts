/** /v1/jobs: submit (idempotent), preflight, list, show, events, cancel, retry. */
import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  ApiErrorCodes,
  IDEMPOTENCY_KEY_MAX,
  JobEventPageSchema,
  JobListQuerySchema,
  JobPageSchema,
  JobSpecSchema,
  JobViewSchema,
  NotFoundError,
  PreflightResultSchema,
  type JobRecord,
  type JobSpec,
} from '../../../contracts/index.js';
import { canonicalJson } from '../../../core/cache-key.js';
import { newJobId as defaultJobId } from '../../../core/job-ids.js';
import { callerKey, callerKeysIn } from '../../../core/object-keys.js';
import { findPreset, presetNames } from '../../../core/presets.js';
import type { Context } from 'hono';
import type { ApiEnv } from '../auth.js';
import type { JobLauncher, JobRepository, JobRequests, SourcePreflight } from '../../../ports.js';
import type { ApiApp, ApiDeps, ApiJobStore } from '../deps.js';
import { ApiHttpError } from '../errors.js';
import { jobSummary, jobView as buildJobView, ReportCache } from '../job-view.js';
import { preflight } from '../preflight.js';
import { webhookProblem } from '../webhooks.js';
import { JobIdParams, json, jsonBody, pick } from './common.js';

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(IDEMPOTENCY_KEY_MAX)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    // Header names are case-insensitive; the document names it in lower case like the validator.
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Idempotency-Key: the same key and body return the same job; the same key with another body is a 409.' }),
});

const submit = createRoute({
  method: 'post',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'Submit a job',
  request: { headers: IdempotencyHeaders, body: jsonBody(JobSpecSchema) },
  responses: { 202: json(JobViewSchema, 'The job, QUEUED (or the job an earlier request with the same Idempotency-Key made)'), ...pick(400, 401, 409, 413, 415) },
});

const preflightRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/preflight',
  tags: ['jobs'],
  summary: 'Probe the source and plan the job without running it',
  request: { body: jsonBody(JobSpecSchema) },
  responses: { 200: json(PreflightResultSchema, 'What the job would do; `accepted: false` with `reasons` when the source would be rejected'), ...pick(400, 401, 413, 415) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'List jobs, newest first',
  request: { query: JobListQuerySchema },
  responses: { 200: json(JobPageSchema, 'One page of jobs'), ...pick(400, 401) },
});

const show = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  tags: ['jobs'],
  summary: 'A job: status, progress, ETA, steps, outputs, quality, cost, webhook deliveries',
  request: { params: JobIdParams },
  responses: { 200: json(JobViewSchema, 'The job'), ...pick(400, 401, 404) },
});

const EventsQuery = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const events = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/events',
  tags: ['jobs'],
  summary: "A job's history: status changes, steps, webhook deliveries",
  request: { params: JobIdParams, query: EventsQuery },
  responses: { 200: json(JobEventPageSchema, 'Events after `after`, oldest first'), ...pick(400, 401, 404) },
});

const cancel = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  tags: ['jobs'],
  summary: 'Cancel a queued or running job; partial outputs are removed',
  request: { params: JobIdParams },
  responses: { 200: json(JobViewSchema, 'The job, CANCELLED'), ...pick(400, 401, 404, 409) },
});

const retry = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/retry',
  tags: ['jobs'],
  summary: 'Run a failed or cancelled job again; finished steps come from the cache',
  request: { params: JobIdParams },
  responses: { 202: json(JobViewSchema, 'The job, QUEUED again'), ...pick(400, 401, 404, 409) },
});

/**
 * A submitted spec as the engines may take it: every object key through the one choke point
 * (never into `.mosaic/`, in any spelling; decoded once), and a preset that exists.
 */
export function checkedSpec(raw: JobSpec): JobSpec {
  const spec: JobSpec = { ...raw, source: { ...raw.source, key: callerKey(raw.source.key, { field: 'body.source.key' }) } };
  // Sidecar files (captions) are keys too, whatever else a spec grows.
  const extra = raw as unknown as { captions?: unknown };
  if (extra.captions !== undefined) Object.assign(spec, { captions: callerKeysIn(extra.captions, 'body.captions') });
  if (!findPreset(spec.preset)) {
    const known = presetNames();
    throw new ApiHttpError(400, ApiErrorCodes.ValidationFailed, `body.preset: unknown preset "${spec.preset}"; known presets: ${known.join(', ')}`, {
      known,
      issues: [{ path: 'body.preset', message: `unknown preset; known presets: ${known.join(', ')}`, code: 'invalid_value' }],
    });
  }
  return spec;
}

/** A webhook only to public addresses (unless the deployment opts in): checked now and again at every delivery. */
export async function checkWebhook(spec: Pick<JobSpec, 'webhook'>, deps: Pick<ApiDeps, 'webhooks'>): Promise<void> {
  if (!spec.webhook) return;
  const problem = await webhookProblem(spec.webhook.url, deps.webhooks ?? { allowPrivate: false });
  if (problem)
    throw new ApiHttpError(400, ApiErrorCodes.ValidationFailed, `body.webhook.url: ${problem}`, {
      issues: [{ path: 'body.webhook.url', message: problem, code: 'webhook_not_allowed' }],
    });
}

/**
 * The job id a request gets: a new one, or with an Idempotency-Key the one the first request
 * with that key and body got (the same key with another body is a 409). `request` is what the
 * body means (hashed canonically).
 */
export async function claimJobId(c: Context<ApiEnv>, deps: { jobs: Pick<JobRepository, 'claimIdempotencyKey'> }, request: unknown, idempotencyKey: string | undefined, newJobId: () => string): Promise<string> {
  const jobId = newJobId();
  if (!idempotencyKey) return jobId;
  const requestHash = createHash('sha256').update(canonicalJson(request)).digest('hex');
  const claim = await deps.jobs.claimIdempotencyKey({ key: `${c.get('principal')}:${idempotencyKey}`, requestHash, jobId, createdAt: new Date().toISOString() });
  if (claim.requestHash !== requestHash)
    throw new ApiHttpError(409, ApiErrorCodes.IdempotencyKeyReused, 'this Idempotency-Key was used with a different request body', { jobId: claim.jobId });
  if (claim.jobId !== jobId) c.header('Idempotent-Replayed', 'true');
  // Submitting under the first request's id is idempotent: if that request died between the
  // claim and its submit, this one finishes the job; otherwise it gets the job back.
  return claim.jobId;
}

/** An encode job for a checked spec (POST /v1/jobs, and POST /v1/workflows/encode/executions). */
export async function acceptJob(
  c: Context<ApiEnv>,
  deps: Pick<ApiDeps, 'webhooks' | 'blobs'> & { jobs: Pick<JobRepository, 'claimIdempotencyKey'>; control: JobLauncher },
  spec: JobSpec,
  idempotencyKey: string | undefined,
  newJobId: () => string,
): Promise<JobRecord> {
  await checkWebhook(spec, deps);
  if (!(await deps.blobs.head(spec.source.key)))
    throw new ApiHttpError(400, ApiErrorCodes.ValidationFailed, `body.source.key: no object at "${spec.source.key}"; upload it first (POST /v1/uploads)`, {
      issues: [{ path: 'body.source.key', message: 'no object at this key', code: 'not_found' }],
    });
  const jobId = await claimJobId(c, deps, spec, idempotencyKey, newJobId);
  return deps.control.submit(spec, { jobId });
}

/** What the job routes use: the job store's ports the API has, and submission, cancel/retry and preflight of the job control. */
export type JobRouteDeps = Pick<ApiDeps, 'blobs' | 'uploads' | 'webhooks' | 'newJobId'> & {
  jobs: ApiJobStore;
  control: JobLauncher & JobRequests & SourcePreflight;
};

export function registerJobRoutes(app: ApiApp, deps: JobRouteDeps): void {
  const newJobId = deps.newJobId ?? defaultJobId;
  const viewDeps = { ...deps, reports: new ReportCache() };
  const view = (job: JobRecord) => buildJobView(viewDeps, job);
  const load = async (id: string) => {
    const job = await deps.jobs.getJob(id);
    if (!job) throw new NotFoundError(`no job ${id}`, { id });
    return job;
  };

  app.openapi(submit, async (c) => {
    const job = await acceptJob(c, deps, checkedSpec(c.req.valid('json') as JobSpec), c.req.valid('header')['idempotency-key'], newJobId);
    c.header('Location', `/v1/jobs/${job.id}`);
    return c.json(await view(job), 202);
  });

  app.openapi(preflightRoute, async (c) => {
    const spec = checkedSpec(c.req.valid('json') as JobSpec);
    await checkWebhook(spec, deps);
    return c.json(await preflight(deps, spec), 200);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const tag = q.tag === undefined ? undefined : q.tag.includes('=') ? { key: q.tag.slice(0, q.tag.indexOf('=')), value: q.tag.slice(q.tag.indexOf('=') + 1) } : { key: q.tag };
    const page = await deps.jobs.listJobPage({ status: q.status, preset: q.preset, tag, text: q.q, limit: q.limit, cursor: q.cursor });
    return c.json({ jobs: page.jobs.map(jobSummary), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(show, async (c) => c.json(await view(await load(c.req.valid('param').id)), 200));

  app.openapi(events, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    await load(id);
    const all = await deps.jobs.listEvents(id, q.after);
    const page = all.slice(0, q.limit);
    return c.json(
      {
        events: page.map((e) => ({ id: e.id, time: e.time, detailType: e.detailType, detail: e.detail })),
        nextAfter: all.length > q.limit ? page[page.length - 1]!.id : null,
      },
      200,
    );
  });

  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    await load(id);
    return c.json(await view(await deps.control.cancel(id)), 200);
  });

  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param');
    await load(id);
    return c.json(await view(await deps.control.retry(id)), 202);
  });
}
