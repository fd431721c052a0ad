/**
 * The encode workflow's input, and the Plan step's input of a job that is not run (preflight, an
 * estimate), built one way for both engines. What differs per engine is its run context: cores
 * and worker slots locally, the Map concurrency and Lambda threads on AWS.
 */
import type { z } from 'zod';
import {
  formatIssues,
  outputPrefix,
  ServiceQuotasSchema,
  TurnaroundPolicySchema,
  workPrefix,
  type BlobRef,
  type EncodeWorkflowInput,
  type JobSpec,
  type MediaInfo,
  type PlanAllocator,
  type Platform,
  type ServiceQuotas,
  type SourceLimits,
  type TurnaroundPolicy,
} from '../contracts/index.js';
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

/** A deployment's turnaround policy and quotas (lib/config AllocatorConfig), as the Plan step gets them. */
export type AllocatorPolicy = Pick<PlanAllocator, 'turnaround' | 'quotas'>;

/** The environment variables that carry an AllocatorPolicy to the functions starting workflows (one definition for CDK and bootstrap). */
export const ALLOCATOR_POLICY_ENV = { turnaround: 'MOSAIC_TURNAROUND_POLICY', quotas: 'MOSAIC_SERVICE_QUOTAS' } as const;

export function allocatorPolicyEnv(p: { turnaround: TurnaroundPolicy; quotas: ServiceQuotas }): Record<string, string> {
  return { [ALLOCATOR_POLICY_ENV.turnaround]: JSON.stringify(p.turnaround), [ALLOCATOR_POLICY_ENV.quotas]: JSON.stringify(p.quotas) };
}

/** Reads them back (unset: the defaults apply in the Plan step); a malformed one throws naming the variable. */
export function allocatorPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): AllocatorPolicy {
  const read = <T>(name: string, schema: z.ZodType<T>): T | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error(`environment variable ${name} is not JSON`);
    }
    const r = schema.safeParse(json);
    if (!r.success) throw new Error(`environment variable ${name} is invalid: ${formatIssues(r.error)}`);
    return r.data;
  };
  const turnaround = read(ALLOCATOR_POLICY_ENV.turnaround, TurnaroundPolicySchema);
  const quotas = read(ALLOCATOR_POLICY_ENV.quotas, ServiceQuotasSchema);
  return { ...(turnaround ? { turnaround } : {}), ...(quotas ? { quotas } : {}) };
}

/** The context of a job run on AWS: the allocator picks chunk lengths with sizes, for the Map's concurrency, the deployment's turnaround and quotas. */
export function awsRunContext(o: { parallelism: number; threadsPerTask: number; vmafAvailable: boolean; limits: SourceLimits; region: string; allocatorPolicy?: AllocatorPolicy }): WorkflowRunContext {
  return {
    parallelism: o.parallelism,
    threadsPerTask: o.threadsPerTask,
    vmafAvailable: o.vmafAvailable,
    limits: o.limits,
    allocator: { region: o.region, maxConcurrency: o.parallelism, chooseChunks: true, ...(o.allocatorPolicy ?? {}) },
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
