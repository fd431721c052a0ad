/**
 * Jobs in: a local file is staged (pinned into the store by content hash) and registered, or
 * resumed when an unfinished job for the same content and preset exists; an API spec is
 * registered under the caller's id; and a file can be estimated for AWS without encoding.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DetailTypes,
  EVENT_SOURCE,
  InputInvalidError,
  JobSpecSchema,
  MediaInfoSchema,
  PlanInputSchema,
  WorkflowNames,
  formatIssues,
  type JobEstimate,
  type JobWorkflow,
  type WorkflowExecutionRequest,
  type JobRecord,
  type JobSpec,
  type JobSpecInput,
  type MediaInfo,
} from '../lambdas/contracts/index.js';
import { newJobId, oneOffJobId } from '../lambdas/core/job-ids.js';
import { estimateJob } from '../lambdas/core/job-estimate.js';
import { outputPrefix } from '../lambdas/contracts/job-keys.js';
import { pricingRegion } from '../lambdas/core/plan-sizing.js';
import { planInputFor, type AllocatorPolicy } from '../lambdas/core/workflow-input.js';
import { loadSpeedTable } from '../lambdas/runtime/index.js';
import { workflowJob, type WorkflowStartDeps } from '../lambdas/platform/workflows/execution-input.js';
import { invokeOnce, localRunContext, type EngineCore } from './engine-core.js';
import { failJob } from './job-requests.js';
import { pinFile } from './source-pin.js';

export interface SubmitResult {
  job: JobRecord;
  resumed: boolean;
}

/**
 * Registers a job for a local file: the source is linked into the store by content hash. An
 * unfinished job for the same content and preset is resumed rather than started afresh.
 */
export async function submitFile(core: EngineCore, path: string, spec: Omit<JobSpecInput, 'source'> = {}): Promise<SubmitResult> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    const job = await createJob(core, { ...spec, source: { key: abs } }, null);
    await failJob(core, job.id, new InputInvalidError(missingSource(path, abs)));
    return { job: (await core.jobs.getJob(job.id))!, resumed: false };
  }
  const { hash, key } = await stageLocalFile(core, abs);
  const parsedSpec = JobSpecSchema.parse({ ...spec, source: { key } });
  const existing = await core.jobs.findResumable(hash, parsedSpec.preset);
  // An API job on the same content is not this command's job to resume.
  if (existing && existing.spec.source.key === key) return { job: existing, resumed: true };
  return { job: await createJob(core, parsedSpec, hash), resumed: false };
}

/**
 * Registers a job for a spec whose source is already in the store (an API upload), under the
 * id the caller chose; a second call with the same id returns the job already there.
 */
export async function submitSpec(core: EngineCore, spec: JobSpec, jobId: string): Promise<JobRecord> {
  const existing = await core.jobs.getJob(jobId);
  if (existing) return existing;
  // Pinned now: what is under the key later (a replaced upload) is not what this job encodes.
  const pinned = (await core.blobs.head(spec.source.key)) ? await pinFile(core.blobs, core.blobs.pathOf(spec.source.key), spec.source.key) : null;
  return createJob(core, spec, pinned?.hash ?? null, jobId);
}

/**
 * What encoding a local file would cost and take on AWS (`mosaic encode --estimate`): the source
 * is probed by the Inspect function, planned with the allocator choosing chunks for
 * `aws.concurrency` tasks at once (with the deployment's turnaround policy and quotas), and every task sized with the speed table learned here.
 * Nothing is encoded. A source that would be rejected throws its InputInvalidError.
 */
export async function estimateFile(
  core: EngineCore,
  path: string,
  spec: Omit<JobSpecInput, 'source'>,
  aws: AwsEstimateTarget & { concurrency: number },
): Promise<{ media: MediaInfo; estimate: JobEstimate }> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new InputInvalidError(missingSource(path, abs));
  const { key } = await stageLocalFile(core, abs);
  const parsed = JobSpecSchema.parse({ ...spec, source: { key } });
  const jobId = oneOffJobId('estimate');
  const media = MediaInfoSchema.parse(await invokeOnce(core, 'inspect', { jobId, itemId: 'source', source: { key }, limits: core.limits }));
  const allocator = { region: pricingRegion(core.config.region), maxConcurrency: aws.concurrency, chooseChunks: true, ...aws.policy };
  const plan = PlanInputSchema.parse(planInputFor(jobId, { key }, media, parsed, { ...localRunContext(core), allocator }));
  return { media, estimate: estimateJob({ plan, speeds: await loadSpeedTable(core.jobs) }) };
}

/** The deployment an estimate plans for: its Map concurrency, turnaround policy and quotas (lib/config). */
export interface AwsEstimateTarget {
  concurrency?: number;
  policy?: AllocatorPolicy;
}

/** Pins a local file into the store under its content hash (once; local/source-pin.ts). */
function stageLocalFile(core: EngineCore, abs: string): Promise<{ hash: string; key: string }> {
  return pinFile(core.blobs, abs, abs);
}

/**
 * Registers a job for a run of workflow `name`, under the caller's id (a second call returns the
 * job already there). Encode takes `request.input` as a job spec; other workflows are checked by
 * platform/workflows (a derived one against the job it works from) before anything is recorded.
 */
export async function startWorkflowJob(core: EngineCore, deps: WorkflowStartDeps, name: string, request: WorkflowExecutionRequest, jobId: string): Promise<JobRecord> {
  const existing = await core.jobs.getJob(jobId);
  if (existing) return existing;
  if (name === WorkflowNames.Encode) {
    const spec = JobSpecSchema.safeParse({ ...request.input, ...(request.priority !== undefined ? { priority: request.priority } : {}), ...(request.tags ? { tags: request.tags } : {}), ...(request.webhook ? { webhook: request.webhook } : {}) });
    if (!spec.success) throw new InputInvalidError(`encode: ${formatIssues(spec.error)}`, { issues: spec.error.issues });
    return submitSpec(core, spec.data, jobId);
  }
  const wf = await workflowJob(name, request, jobId, deps);
  return createJob(core, wf.spec, wf.sourceHash, jobId, wf.workflow);
}

async function createJob(core: EngineCore, spec: JobSpecInput, sourceHash: string | null, id = newJobId(), workflow?: JobWorkflow): Promise<JobRecord> {
  const parsed = JobSpecSchema.safeParse(spec);
  const job = await core.jobs.createJob({
    id,
    spec: parsed.success ? parsed.data : (spec as never),
    sourceHash,
    outputPrefix: outputPrefix(id),
    ...(workflow ? { workflow } : {}),
  });
  const queued = { jobId: id, status: 'QUEUED' as const };
  await core.jobs.appendEvent(id, DetailTypes.JobStatusChanged, queued);
  await core.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: queued });
  return job;
}

/** Why a path given as a source is not one. */
function missingSource(path: string, abs: string): string {
  if (!existsSync(abs)) return `source not found: ${path}`;
  return statSync(abs).isDirectory() ? `source is a directory, not a media file: ${path}` : `source is not a regular file: ${path}`;
}
