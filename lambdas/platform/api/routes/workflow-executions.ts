/**
 * `POST /v1/workflows/{name}/executions`: a run of any workflow, tracked as a job (the answer is
 * the job view, as for `POST /v1/jobs`; follow it at `/v1/jobs/{id}`). For `encode` the input is
 * a job spec and the run is exactly a submitted job; a derived workflow (`measure`, `repackage`)
 * takes `{ of: <jobId>, … }` and is checked against that job and its report before anything is
 * recorded; a generated workflow gets its input as it is (object keys checked, as everywhere).
 */
import { createRoute } from '@hono/zod-openapi';
import {
  ApiErrorCodes,
  JobSpecSchema,
  JobViewSchema,
  NotFoundError,
  WorkflowExecutionRequestSchema,
  formatIssues,
  issueEntries,
  type JobSpec,
  type WorkflowExecutionRequest,
} from '../../../contracts/index.js';
import { newJobId as defaultJobId } from '../../../core/job-ids.js';
import { callerKeysIn } from '../../../core/object-keys.js';
import type { ApiApp, ApiDeps, ApiJobStore } from '../deps.js';
import type { EngineCatalog, JobLauncher } from '../../../ports.js';
import { ApiHttpError } from '../errors.js';
import { jobView, ReportCache } from '../job-view.js';
import { json, jsonBody, pick } from './common.js';
import { acceptJob, checkedSpec, checkWebhook, claimJobId, IdempotencyHeaders } from './jobs.js';
import { nameParams } from './workflow-definitions.js';

const startExecution = createRoute({
  method: 'post',
  path: '/v1/workflows/{name}/executions',
  tags: ['jobs'],
  summary: 'Run a workflow; the run is tracked as a job',
  description:
    '`input` is the workflow\'s input: for `encode` a job spec (as `POST /v1/jobs`); for `measure` `{ "of": "<jobId>", "vmaf"?: true, "vmafSubsample"?: n }` (score a SUCCEEDED job\'s renditions against its source again, no re-encode); for `repackage` `{ "of": "<jobId>", "segmentSeconds"?: s, "hls"?: true, "dash"?: true }` (new segments and manifests from its renditions; `segmentSeconds` a whole multiple of their keyframe interval). `priority`, `tags` and `webhook` are the job\'s, as in a job spec.',
  request: { params: nameParams('a workflow name', 'measure'), headers: IdempotencyHeaders, body: jsonBody(WorkflowExecutionRequestSchema) },
  responses: { 202: json(JobViewSchema, 'The job tracking the run, QUEUED'), ...pick(400, 401, 404, 409, 413, 415) },
});

/** An encode request's input and job settings as one job spec, or a 400 naming the field. */
function encodeSpec(request: WorkflowExecutionRequest): JobSpec {
  const merged = { ...request.input, ...(request.priority !== undefined ? { priority: request.priority } : {}), ...(request.tags ? { tags: request.tags } : {}), ...(request.webhook ? { webhook: request.webhook } : {}) };
  const parsed = JobSpecSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = issueEntries(parsed.error, ['body', 'input']);
    throw new ApiHttpError(400, ApiErrorCodes.ValidationFailed, `body.input: ${formatIssues(parsed.error)}`, { issues });
  }
  return checkedSpec(parsed.data);
}

/** What the route uses: a job's submission (encode) or a workflow's start, the catalogue of workflows, and the job view. */
export type WorkflowExecutionRouteDeps = Pick<ApiDeps, 'blobs' | 'uploads' | 'webhooks' | 'newJobId'> & {
  jobs: ApiJobStore;
  control: JobLauncher & Pick<EngineCatalog, 'workflows'>;
};

export function registerWorkflowExecutionRoutes(app: ApiApp, deps: WorkflowExecutionRouteDeps): void {
  const newJobId = deps.newJobId ?? defaultJobId;
  const viewDeps = { ...deps, reports: new ReportCache() };

  app.openapi(startExecution, async (c) => {
    const { name } = c.req.valid('param');
    const body = c.req.valid('json') as WorkflowExecutionRequest;
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    const known = (await deps.control.workflows()).map((w) => w.name);
    if (!known.includes(name)) throw new NotFoundError(`no workflow "${name}"; known: ${known.join(', ') || '(none)'}`, { name, known });
    let job;
    if (name === 'encode') job = await acceptJob(c, deps, encodeSpec(body), idempotencyKey, newJobId);
    else {
      // Every key and prefix of the input through the one choke point (never into .mosaic/).
      const request: WorkflowExecutionRequest = { ...body, input: callerKeysIn(body.input, 'body.input') };
      await checkWebhook(request, deps);
      const jobId = await claimJobId(c, deps, { workflow: name, request }, idempotencyKey, newJobId);
      job = await deps.control.startWorkflow(name, request, { jobId });
    }
    c.header('Location', `/v1/jobs/${job.id}`);
    return c.json(await jobView(viewDeps, job), 202);
  });
}
