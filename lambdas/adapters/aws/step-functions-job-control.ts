/**
 * JobControl on AWS: job records in DynamoDB, `Job Status Changed` on EventBridge, one Step
 * Functions execution of the encode workflow per run of a job, media functions invoked as Lambdas.
 * Status changes after submit are the lifecycle's (platform/lifecycle/apply.ts, handed in by the
 * bootstrap): cancel and retry ask it, as the lifecycle Lambda does for workflow starts and ends.
 *
 * Execution names: run 0 of a job is named by its job id (as the upload trigger names it), and
 * run n (its n-th retry) `<jobId>-r<n>`: Step Functions refuses a name it has seen on a state
 * machine (for 90 days), so every run needs a new one, and a repeated start of the same run (a
 * client retrying a submit) finds the same one. The job's `run` says which execution is current.
 */
import { StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  DetailTypes,
  ErrorNames,
  EVENT_SOURCE,
  MediaInfoSchema,
  NotFoundError,
  outputPrefix,
  TransientError,
  type FiringRecord,
  type FunctionConfig,
  type FunctionInfo,
  type FunctionRuns,
  type JobError,
  type JobRecord,
  type JobSpec,
  type MediaInfo,
  type WorkflowDefinition,
  type WorkflowInfo,
} from '../../contracts/index.js';
import type { BlobStore, EventBus, FactStore, Facts, JobControl, JobStore, LoadedRule, PlanContext } from '../../ports.js';
import type { LambdaInvoker } from './lambda-invoker.js';
import { sanitiseExecutionName } from './step-functions-engine.js';

/**
 * What the job control asks of the lifecycle (a subset of core's JobEvent: adapters may not import
 * core). Resolves with the job as stored afterwards, null for an unknown job; a refused cancel or
 * retry throws ConflictError.
 */
export type LifecycleRequest =
  | { kind: 'cancel-requested' | 'retry-requested'; at: string }
  /** A run that could not even start ends as failed. */
  | { kind: 'workflow-ended'; run: number; at: string; outcome: 'FAILED'; error: JobError };
export type ApplyLifecycle = (jobId: string, request: LifecycleRequest) => Promise<JobRecord | null>;

export interface StepFunctionsJobControlOptions {
  jobs: JobStore;
  /** The job lifecycle (applyJobEvent over the same stores). */
  lifecycle: ApplyLifecycle;
  events: EventBus;
  /** Both buckets behind one key space (the source's version is read at submit). */
  blobs: BlobStore;
  sfn: SFNClient;
  /** ARN of the encode workflow's state machine. */
  stateMachineArn: string;
  /** Runs media functions (inspect for preflight, single invocations). */
  functions: LambdaInvoker;
  /** The encode workflow's input for a job (built where core is allowed: the bootstrap). */
  workflowInput: (jobId: string, spec: JobSpec) => unknown;
  planContext: PlanContext;
  catalog: FunctionInfo[];
  workflows: WorkflowInfo[];
  /** function.json of each deployed media function (default: none known). */
  configs?: FunctionConfig[];
  /** ASL definition by workflow name: the files bundled with the API Lambda, substituted as far as it knows (default: none). */
  definitions?: Record<string, Record<string, unknown>>;
  /** The rules of `rules/*.json` bundled with the API Lambda, loaded as the rule engine loads them (default: none). */
  rules?: LoadedRule[];
  /** The rule engine's facts and firing records (the same table; default: the job store's, when it is one). */
  facts?: FactStore;
  /** Preflight job ids (default: `preflight-<random>`). */
  newInvocationId?: () => string;
}

/** `<jobId>` for run 0, `<jobId>-r<n>` for run n (the n-th retry), within Step Functions' name rules. */
export function executionNameFor(jobId: string, run: number): string {
  return sanitiseExecutionName(run === 0 ? jobId : `${jobId}-r${run}`);
}

/**
 * The job and run an execution name stands for: the inverse of executionNameFor for the job ids
 * Mosaic makes (letters, digits, `-` and `_`, never ending in `-r<digits>`), or null when the name
 * cannot be one (executionNameFor would not give it back).
 */
export function runOfExecutionName(name: string): { jobId: string; run: number } | null {
  const m = /^(.+)-r([1-9][0-9]{0,8})$/.exec(name);
  const parsed = m ? { jobId: m[1]!, run: Number(m[2]) } : { jobId: name, run: 0 };
  return parsed.jobId && executionNameFor(parsed.jobId, parsed.run) === name ? parsed : null;
}

/** Why GET /v1/functions/{name} lists no runs on AWS. */
export const FUNCTION_RUNS_UNAVAILABLE =
  'the DynamoDB table keeps step attempts under their job (pk JOB#<id>) and has no index by function, so recent runs across jobs cannot be listed here; see the deployment\'s CloudWatch dashboard mosaic-<env>-latency for per-function step durations';

const errorName = (e: unknown): string | undefined => (e as { name?: string } | null)?.name;

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
      job = await this.o.jobs.createJob({ id: jobId, spec, sourceHash: null, outputPrefix: outputPrefix(jobId) });
      created = true;
    } catch (e) {
      const existing = await this.o.jobs.getJob(jobId);
      if (!existing) throw e;
      job = existing;
    }
    if (created) {
      // The first entry of the job's history, as on the local engine.
      const queued = { jobId, status: 'QUEUED' as const };
      await this.o.jobs.appendEvent(jobId, DetailTypes.JobStatusChanged, queued);
      await this.o.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: queued });
    }
    // A job still QUEUED may be a submit that died before its start: starting the same name again
    // is idempotent (Step Functions answers with the running execution, or ExecutionAlreadyExists).
    if (job.status === 'QUEUED') await this.start(executionNameFor(jobId, job.run), input);
    return job;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const job = await this.load(jobId);
    // Stop first, so no further step starts; a step already running on Lambda or Fargate
    // finishes on its own (Step Functions does not kill it). Finished jobs have nothing to stop
    // (the lifecycle refuses or ignores cancelling them).
    if (job.status === 'QUEUED' || job.status === 'RUNNING') await this.stop(jobId, executionNameFor(jobId, job.run));
    // CANCELLED, its outputs and work removed, announced; the ABORTED status change that follows is stale.
    const cancelled = await this.o.lifecycle(jobId, { kind: 'cancel-requested', at: new Date().toISOString() });
    if (!cancelled) throw new NotFoundError(`no job ${jobId}`, { id: jobId });
    return cancelled;
  }

  async retry(jobId: string): Promise<JobRecord> {
    const job = await this.load(jobId);
    // Built first: a spec the workflow would refuse fails here, before the job changes.
    const input = this.o.workflowInput(jobId, job.spec);
    // QUEUED under the next run number; of two concurrent retries the lifecycle lets one through.
    const queued = await this.o.lifecycle(jobId, { kind: 'retry-requested', at: new Date().toISOString() });
    if (!queued) throw new NotFoundError(`no job ${jobId}`, { id: jobId });
    const name = executionNameFor(jobId, queued.run);
    try {
      await this.start(name, input);
    } catch (e) {
      // Not left QUEUED without an execution: this run failed, so the client can retry once more.
      const error = { code: ErrorNames.Transient, message: `the workflow could not be started: ${(e as Error).message}` };
      await this.o.lifecycle(jobId, { kind: 'workflow-ended', run: queued.run, at: new Date().toISOString(), outcome: 'FAILED', error });
      throw new TransientError(error.message);
    }
    // A cancel between the retry and the start stopped nothing (the execution did not exist yet).
    if ((await this.o.jobs.getJob(jobId))?.status === 'CANCELLED') await this.stop(jobId, name);
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

  async workflowDefinition(name: string): Promise<WorkflowDefinition> {
    const info = this.o.workflows.find((w) => w.name === name);
    const definition = this.o.definitions?.[name];
    if (!info || !definition)
      throw new NotFoundError(`no workflow "${name}" in this deployment; known: ${this.o.workflows.map((w) => w.name).join(', ') || '(none)'}`, { name });
    return { ...info, definition: structuredClone(definition) };
  }

  async functionConfig(name: string): Promise<FunctionConfig> {
    const config = this.o.configs?.find((c) => c.name === name);
    if (!config) throw new NotFoundError(`no media function "${name}" in this deployment; known: ${(this.o.configs ?? []).map((c) => c.name).join(', ') || '(none)'}`, { name });
    return config;
  }

  async functionRuns(_name: string, _limit: number): Promise<FunctionRuns> {
    return { runs: [], unavailableReason: FUNCTION_RUNS_UNAVAILABLE };
  }

  async rules(): Promise<LoadedRule[]> {
    return this.o.rules ?? [];
  }

  async facts(subject: string): Promise<Record<string, Facts>> {
    const store = this.factStore();
    if (subject.includes('*')) return store.findFacts(subject);
    const own = await store.getFacts(subject);
    return own ? { [subject]: own } : {};
  }

  ruleFirings(rule: string, limit: number): Promise<FiringRecord[]> {
    return this.factStore().listFirings(rule, limit);
  }

  private factStore(): FactStore {
    const store = this.o.facts ?? (this.o.jobs as Partial<FactStore>);
    if (typeof store.getFacts !== 'function' || typeof store.listFirings !== 'function' || typeof store.findFacts !== 'function')
      throw new Error('this job control was given no fact store');
    return store as FactStore;
  }

  private async load(jobId: string): Promise<JobRecord> {
    const job = await this.o.jobs.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`, { id: jobId });
    return job;
  }

  private executionArn(name: string): string {
    return `${this.o.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  private async start(executionName: string, input: unknown): Promise<void> {
    try {
      await this.o.sfn.send(new StartExecutionCommand({ stateMachineArn: this.o.stateMachineArn, name: executionName, input: JSON.stringify(input) }));
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
