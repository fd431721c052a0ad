/**
 * JobControl on AWS: job records in DynamoDB, `Job Status Changed` on EventBridge, one Step
 * Functions execution of the encode workflow per run of a job, media functions invoked as Lambdas.
 *
 * Execution names: a job's first run is named by its job id (as the upload trigger names it), and
 * its n-th retry `<jobId>-r<n>`: Step Functions refuses a name it has seen on a state machine
 * (for 90 days), so every run needs a new one, and a repeated start of the same run (a client
 * retrying a submit) finds the same one. Each start is recorded on the job as a
 * `Workflow Execution Started` event `{ executionName, retry }`: cancel stops the latest recorded
 * execution (or the job id's, for jobs the upload trigger started), retry numbers the next one.
 */
import { StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  ConflictError,
  DetailTypes,
  ErrorNames,
  EVENT_SOURCE,
  MediaInfoSchema,
  NotFoundError,
  TransientError,
  type FunctionInfo,
  type JobRecord,
  type JobSpec,
  type MediaInfo,
  type WorkflowInfo,
} from '../../contracts/index.js';
import type { BlobStore, EventBus, JobControl, JobStore, PlanContext } from '../../ports.js';
import type { LambdaInvoker } from './lambda-invoker.js';
import { sanitiseExecutionName } from './step-functions-engine.js';

/** detailType of the job event recording each workflow execution started for the job. */
export const EXECUTION_STARTED_DETAIL_TYPE = 'Workflow Execution Started';

export interface ExecutionStarted {
  executionName: string;
  /** 0 for the first run, n for the n-th retry. */
  retry: number;
}

export interface StepFunctionsJobControlOptions {
  jobs: JobStore;
  events: EventBus;
  /** Both buckets behind one key space (outputs and `.mosaic/work/` in the derivative bucket). */
  blobs: BlobStore;
  sfn: SFNClient;
  /** ARN of the encode workflow's state machine. */
  stateMachineArn: string;
  /** Runs media functions (inspect for preflight, single invocations). */
  functions: LambdaInvoker;
  /** The encode workflow's input for a job (built where core is allowed: the bootstrap). */
  workflowInput: (jobId: string, spec: JobSpec) => unknown;
  /** Where a job's intermediates live (deleted on cancel), e.g. `.mosaic/work/<jobId>/`. */
  workPrefix: (jobId: string) => string;
  planContext: PlanContext;
  catalog: FunctionInfo[];
  workflows: WorkflowInfo[];
  /** Preflight job ids (default: `preflight-<random>`). */
  newInvocationId?: () => string;
}

/** `<jobId>` for the first run, `<jobId>-r<n>` for the n-th retry, within Step Functions' name rules. */
export function executionNameFor(jobId: string, retry: number): string {
  return sanitiseExecutionName(retry === 0 ? jobId : `${jobId}-r${retry}`);
}

const errorName = (e: unknown): string | undefined => (e as { name?: string } | null)?.name;
const MAX_CONFLICT_RETRIES = 5;

export class StepFunctionsJobControl implements JobControl {
  constructor(private readonly o: StepFunctionsJobControlOptions) {}

  async submit(spec: JobSpec, opts: { jobId: string }): Promise<JobRecord> {
    const { jobId } = opts;
    // The source version is recorded with the job (and read by every run of it), unless the caller named one.
    if (!spec.source.versionId && !(await this.o.jobs.getJob(jobId))) {
      const versionId = (await this.o.blobs.head(spec.source.key))?.versionId;
      if (versionId) spec = { ...spec, source: { ...spec.source, versionId } };
    }
    // Built first: a spec the workflow would refuse fails here, before any record exists.
    const input = this.o.workflowInput(jobId, spec);
    let job: JobRecord;
    let created = false;
    try {
      job = await this.o.jobs.createJob({ id: jobId, spec, sourceHash: null, outputPrefix: `${jobId}/` });
      created = true;
    } catch (e) {
      const existing = await this.o.jobs.getJob(jobId);
      if (!existing) throw e;
      job = existing;
    }
    if (created) await this.o.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: { jobId, status: 'QUEUED' } });
    // A job still QUEUED may be a submit that died before its start: starting the same name again
    // is idempotent (Step Functions answers with the running execution, or ExecutionAlreadyExists).
    if (job.status === 'QUEUED') {
      const current = created ? { executionName: executionNameFor(jobId, 0), retry: 0 } : await this.currentExecution(jobId);
      await this.start(jobId, current, input, created);
    }
    return job;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    for (let i = 0; ; i++) {
      const job = await this.load(jobId);
      if (job.status === 'CANCELLED') return job;
      if (job.status === 'SUCCEEDED' || job.status === 'FAILED')
        throw new ConflictError(`job ${jobId} is ${job.status} and cannot be cancelled`, { status: job.status });
      // Stop first, so no further step starts; a step already running on Lambda or Fargate
      // finishes on its own (Step Functions does not kill it), and its outputs are removed below.
      await this.stop(jobId, (await this.currentExecution(jobId)).executionName);
      const error = { code: ErrorNames.Cancelled, message: 'cancelled on request' };
      try {
        await this.o.jobs.updateJob(jobId, { status: 'CANCELLED', error, etaSec: null, endedAt: new Date().toISOString() }, job.version);
      } catch (e) {
        // Changed meanwhile (progress, or Publish finishing first): decide again on the new state.
        if (errorName(e) === 'VersionConflict' && i < MAX_CONFLICT_RETRIES) continue;
        throw e;
      }
      await this.o.blobs.deletePrefix(job.outputPrefix);
      await this.o.blobs.deletePrefix(this.o.workPrefix(jobId));
      await this.o.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: { jobId, status: 'CANCELLED', error } });
      return (await this.o.jobs.getJob(jobId))!;
    }
  }

  async retry(jobId: string): Promise<JobRecord> {
    const job = await this.load(jobId);
    if (job.status !== 'FAILED' && job.status !== 'CANCELLED')
      throw new ConflictError(`job ${jobId} is ${job.status}; only FAILED or CANCELLED jobs can be retried`, { status: job.status });
    const input = this.o.workflowInput(jobId, job.spec);
    const next = (await this.currentExecution(jobId)).retry + 1;
    let queued: JobRecord;
    try {
      // Conditional on the version read above: of two concurrent retries exactly one proceeds.
      queued = await this.o.jobs.updateJob(jobId, { status: 'QUEUED', error: null, endedAt: null, etaSec: null, reportKey: null }, job.version);
    } catch (e) {
      if (errorName(e) === 'VersionConflict') throw new ConflictError(`job ${jobId} changed while it was being retried; read it and try again`, { id: jobId });
      throw e;
    }
    await this.o.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: { jobId, status: 'QUEUED' } });
    const execution = { executionName: executionNameFor(jobId, next), retry: next };
    try {
      await this.start(jobId, execution, input, true);
    } catch (e) {
      // Not left QUEUED without an execution: FAILED again, so the client can retry once more.
      const error = { code: ErrorNames.Transient, message: `the workflow could not be started: ${(e as Error).message}` };
      await this.o.jobs.updateJob(jobId, { status: 'FAILED', error, endedAt: new Date().toISOString() });
      await this.o.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: { jobId, status: 'FAILED', error } });
      throw new TransientError(error.message);
    }
    // A cancel that ran between the status change and the start stopped the previous execution, not this one.
    if ((await this.o.jobs.getJob(jobId))?.status === 'CANCELLED') await this.stop(jobId, execution.executionName);
    return queued;
  }

  async inspect(source: { key: string }): Promise<MediaInfo> {
    const jobId = this.o.newInvocationId?.() ?? `preflight-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const out = await this.o.functions.invoke('inspect', { jobId, itemId: 'source', source, limits: this.o.planContext.limits });
    return MediaInfoSchema.parse(out);
  }

  planContext(): PlanContext {
    return this.o.planContext;
  }

  invokeFunction(name: string, input: Record<string, unknown>): Promise<unknown> {
    return this.o.functions.invoke(name, input);
  }

  async functions(): Promise<FunctionInfo[]> {
    return this.o.catalog;
  }

  async workflows(): Promise<WorkflowInfo[]> {
    return this.o.workflows;
  }

  /** The execution of the job's latest run: recorded on the job, else the job id's (a job the upload trigger started). */
  async currentExecution(jobId: string): Promise<ExecutionStarted> {
    let latest: ExecutionStarted = { executionName: executionNameFor(jobId, 0), retry: 0 };
    for (const e of await this.o.jobs.listEvents(jobId)) {
      if (e.detailType !== EXECUTION_STARTED_DETAIL_TYPE) continue;
      const d = e.detail as Partial<ExecutionStarted> | null;
      if (d && typeof d.executionName === 'string' && typeof d.retry === 'number' && d.retry >= latest.retry) latest = { executionName: d.executionName, retry: d.retry };
    }
    return latest;
  }

  private async load(jobId: string): Promise<JobRecord> {
    const job = await this.o.jobs.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`, { id: jobId });
    return job;
  }

  private executionArn(name: string): string {
    return `${this.o.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** Records the run (before starting it, so a cancel arriving meanwhile knows its name) and starts it. */
  private async start(jobId: string, execution: ExecutionStarted, input: unknown, record: boolean): Promise<void> {
    if (record) await this.o.jobs.appendEvent(jobId, EXECUTION_STARTED_DETAIL_TYPE, execution);
    try {
      await this.o.sfn.send(new StartExecutionCommand({ stateMachineArn: this.o.stateMachineArn, name: execution.executionName, input: JSON.stringify(input) }));
    } catch (e) {
      // Already started under this name (a repeated submit): the job has its execution.
      if (errorName(e) !== 'ExecutionAlreadyExists') throw e;
    }
  }

  private async stop(jobId: string, executionName: string): Promise<void> {
    try {
      await this.o.sfn.send(
        new StopExecutionCommand({ executionArn: this.executionArn(executionName), error: ErrorNames.Cancelled, cause: `job ${jobId} cancelled on request` }),
      );
    } catch (e) {
      // Never started (a submit that died before its start): nothing to stop.
      if (errorName(e) !== 'ExecutionDoesNotExist') throw e;
    }
  }
}
