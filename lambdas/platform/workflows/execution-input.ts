/**
 * What starting a run of any workflow needs from stored state, on both engines: the job record
 * of a run asked for by name (an encode spec, a derived workflow's `{ of, … }`, or a generated
 * workflow's own input) and, at every run of it (a retry too), the execution input. Derived
 * workflows read the job they work from and its report.json here; the decisions are core's
 * (core/derived-workflows.ts, core/workflow-input.ts).
 */
import {
  ENCODE_JOB_WORKFLOW,
  InputInvalidError,
  JobReportSchema,
  JobSpecSchema,
  formatIssues,
  isDerivedWorkflow,
  type BlobRef,
  type JobRecord,
  type JobReport,
  type JobSpec,
  type JobWorkflow,
  type Platform,
  type WorkflowExecutionRequest,
} from '../../contracts/index.js';
import { derivedJobSpec, derivedSourceJobId, derivedWorkflowInput, parseDerivedRequest, type DerivedStartContext } from '../../core/derived-workflows.js';
import { encodeWorkflowInput, genericWorkflowInput, type WorkflowRunContext } from '../../core/workflow-input.js';
import type { BlobStore, JobRepository } from '../../ports.js';

export interface WorkflowStartDeps {
  jobs: Pick<JobRepository, 'getJob'>;
  blobs: Pick<BlobStore, 'getBytes' | 'head'>;
  /** Where this engine reads a job's source (locally its pinned key; on AWS the recorded version). */
  sourceOf: (job: JobRecord) => BlobRef;
  run: WorkflowRunContext;
  /** Default platform of each media function (function.json). */
  platforms: Readonly<Record<string, Platform>>;
}

/** A job's report.json, or null when it has none or it does not parse as one. */
export async function readReport(deps: Pick<WorkflowStartDeps, 'blobs'>, job: JobRecord | null): Promise<JobReport | null> {
  if (!job?.reportKey || !(await deps.blobs.head(job.reportKey))) return null;
  try {
    const parsed = JobReportSchema.safeParse(JSON.parse((await deps.blobs.getBytes(job.reportKey)).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function derivedContext(name: 'measure' | 'repackage', request: unknown, jobId: string, deps: WorkflowStartDeps): Promise<DerivedStartContext> {
  const original = await deps.jobs.getJob(derivedSourceJobId(name, request));
  return {
    jobId,
    original,
    report: await readReport(deps, original),
    source: original ? deps.sourceOf(original) : { key: '' },
    platforms: deps.platforms,
    threadsPerTask: deps.run.threadsPerTask,
    parallelism: deps.run.parallelism,
    vmafAvailable: deps.run.vmafAvailable,
  };
}

/** The input of the job's current run of its workflow. */
export async function executionInputFor(job: JobRecord, deps: WorkflowStartDeps): Promise<Record<string, unknown>> {
  const wf = job.workflow ?? ENCODE_JOB_WORKFLOW;
  if (wf.name === ENCODE_JOB_WORKFLOW.name) return encodeWorkflowInput(job.id, deps.sourceOf(job), job.spec, deps.run);
  if (isDerivedWorkflow(wf.name)) return derivedWorkflowInput(wf.name, wf.input, await derivedContext(wf.name, wf.input, job.id, deps));
  return genericWorkflowInput(job.id, wf.input, deps.run.limits);
}

/** What to record for a run of workflow `name` asked for with `request` (not encode: its spec comes through submit). */
export interface WorkflowJob {
  spec: JobSpec;
  workflow: JobWorkflow;
  sourceHash: string | null;
}

/**
 * The job record's content for a run of a workflow other than encode, checked as far as it can be
 * before anything is recorded: a derived workflow's input is built once here, so a job it cannot
 * work from is refused now (NotFoundError, ConflictError, InputInvalidError) rather than failing later.
 */
export async function workflowJob(name: string, request: WorkflowExecutionRequest, jobId: string, deps: WorkflowStartDeps): Promise<WorkflowJob> {
  const own = { priority: request.priority, tags: request.tags, webhook: request.webhook };
  if (isDerivedWorkflow(name)) {
    const input = parseDerivedRequest(name, request.input);
    const ctx = await derivedContext(name, input, jobId, deps);
    derivedWorkflowInput(name, input, ctx);
    return { spec: derivedJobSpec(name, ctx.original!, own), workflow: { name, input: { ...input } }, sourceHash: ctx.original!.sourceHash };
  }
  // A generated workflow: its input is its own; the job names its source when the input has one.
  const key = (request.input.source as { key?: unknown } | undefined)?.key;
  const spec = JobSpecSchema.safeParse({
    source: { key: typeof key === 'string' && key ? key : `workflow:${name}` },
    ...(request.priority !== undefined ? { priority: request.priority } : {}),
    tags: { ...(request.tags ?? {}), workflow: name },
    ...(request.webhook ? { webhook: request.webhook } : {}),
  });
  if (!spec.success) throw new InputInvalidError(`${name}: ${formatIssues(spec.error)}`, { issues: spec.error.issues });
  return { spec: spec.data, workflow: { name, input: request.input }, sourceHash: null };
}
