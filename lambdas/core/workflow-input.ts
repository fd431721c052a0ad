/**
 * The encode workflow's input, and the Plan step's input of a job that is not run (preflight, an
 * estimate), built one way for both engines. What differs per engine is its run context: cores
 * and worker slots locally, the Map concurrency and Lambda threads on AWS.
 */
import { outputPrefix, workPrefix, type BlobRef, type EncodeWorkflowInput, type JobSpec, type MediaInfo, type PlanAllocator, type Platform, type SourceLimits } from '../contracts/index.js';
import { workflowSpecOf } from './workflow-spec.js';

/** What the engine running a job gives its workflow. */
export interface WorkflowRunContext {
  /** Tasks run at once (worker slots locally, the Map concurrency on AWS). */
  parallelism: number;
  /** ffmpeg threads per task. */
  threadsPerTask: number;
  vmafAvailable: boolean;
  limits: SourceLimits;
  /** How the Plan step involves the allocator. */
  allocator: PlanAllocator;
}

/** The context of a job run on AWS: the allocator picks chunk lengths with sizes, for the Map's concurrency. */
export function awsRunContext(o: { parallelism: number; threadsPerTask: number; vmafAvailable: boolean; limits: SourceLimits; region: string }): WorkflowRunContext {
  return {
    parallelism: o.parallelism,
    threadsPerTask: o.threadsPerTask,
    vmafAvailable: o.vmafAvailable,
    limits: o.limits,
    allocator: { region: o.region, maxConcurrency: o.parallelism, chooseChunks: true },
  };
}

/** One execution's input: intermediates under `.mosaic/work/<jobId>/`, outputs under `<jobId>/`. */
export function encodeWorkflowInput(jobId: string, source: BlobRef, spec: JobSpec, ctx: WorkflowRunContext): EncodeWorkflowInput {
  return {
    jobId,
    source,
    spec: workflowSpecOf(spec),
    limits: { ...ctx.limits },
    workPrefix: workPrefix(jobId),
    outputPrefix: outputPrefix(jobId),
    parallelism: ctx.parallelism,
    threadsPerTask: ctx.threadsPerTask,
    vmafAvailable: ctx.vmafAvailable,
    allocator: { ...ctx.allocator },
  };
}

/**
 * What the workflow's Plan state would pass for a job that is not run (parse it with
 * PlanInputSchema): the workflow input's fields, the probed media and the engine's platforms.
 * Without `allocator` or `platforms`, PlanInputSchema's defaults apply.
 */
export function planInputFor(
  jobId: string,
  source: BlobRef,
  media: MediaInfo,
  spec: JobSpec,
  ctx: Pick<WorkflowRunContext, 'parallelism' | 'threadsPerTask' | 'vmafAvailable'> & { allocator?: PlanAllocator; platforms?: Record<string, Platform> },
) {
  return {
    jobId,
    source,
    media,
    spec: workflowSpecOf(spec),
    workPrefix: workPrefix(jobId),
    outputPrefix: outputPrefix(jobId),
    parallelism: ctx.parallelism,
    threadsPerTask: ctx.threadsPerTask,
    vmafAvailable: ctx.vmafAvailable,
    ...(ctx.platforms ? { platforms: ctx.platforms } : {}),
    ...(ctx.allocator ? { allocator: ctx.allocator } : {}),
  };
}

/**
 * The input of a workflow Mosaic builds nothing for (one made by `mosaic new workflow`): the
 * caller's input, with the job's id and prefixes and the engine's source limits (which Inspect
 * checks), none of which the caller can override.
 */
export function genericWorkflowInput(jobId: string, input: Record<string, unknown>, limits: SourceLimits): Record<string, unknown> {
  return { ...input, jobId, workPrefix: workPrefix(jobId), outputPrefix: outputPrefix(jobId), limits: { ...limits } };
}
