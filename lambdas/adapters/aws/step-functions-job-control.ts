/**
 * The job-control ports (ports.ts: JobLauncher, JobRequests, SourcePreflight, FunctionInvoker,
 * EngineCatalog, RuleQueries) on AWS: job records in DynamoDB, `Job Status Changed` on
 * EventBridge, one Step Functions execution of the job's workflow (`job.workflow.name`: encode,
 * or any other `state-machines/<name>.asl.json`, each its own state machine) per run of a job,
 * media functions invoked as Lambdas. Starting runs is StepFunctionsWorkflowRuns, which the
 * workflow starter and rule engine Lambdas use too, so a job started by a rule is recorded and
 * named as one started here.
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
  ConflictError,
  DetailTypes,
  ENCODE_JOB_WORKFLOW,
  ErrorNames,
  EVENT_SOURCE,
  MediaInfoSchema,
  isCancellable,
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
  type JobWorkflow,
  type MediaInfo,
  type WorkflowDefinition,
  type WorkflowExecutionRequest,
  type WorkflowInfo,
} from '../../contracts/index.js';
import type {
  BlobStore,
  EngineCatalog,
  EventBus,
  FactStore,
  Facts,
  FunctionInvoker,
  JobHistory,
  JobLauncher,
  JobRepository,
  JobRequests,
  LoadedRule,
  NewJob,
  PlanContext,
  RuleQueries,
  SourcePreflight,
} from '../../ports.js';
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

/** What to record for a run of a workflow other than encode (platform/workflows' `workflowJob`, handed in by the bootstrap). */
export interface WorkflowJobContent {
  spec: JobSpec;
  workflow: JobWorkflow;
  sourceHash: string | null;
}
/** Validates a start of workflow `name` and says what to record (throws NotFoundError, ConflictError, InputInvalidError). */
export type WorkflowJobBuilder = (name: string, request: WorkflowExecutionRequest, jobId: string) => Promise<WorkflowJobContent>;
/** The execution input of a job's current run (platform/workflows' `executionInputFor`, handed in by the bootstrap). */
export type ExecutionInputBuilder = (job: JobRecord) => Promise<unknown>;

export interface StepFunctionsWorkflowRunsOptions {
  jobs: Pick<JobRepository, 'getJob' | 'createJob'> & Pick<JobHistory, 'appendEvent'>;
  events: EventBus;
  sfn: SFNClient;
  /** Workflow name → the ARN of its state machine: the workflows this deployment can run. */
  stateMachineArns: Readonly<Record<string, string>>;
  executionInput: ExecutionInputBuilder;
  /** Needed to start workflows other than encode (default: none can be started). */
  workflowJob?: WorkflowJobBuilder;
}

/** A job as it is about to be recorded (what its first run's input is built from, before the write). */
export function draftJob(n: NewJob): JobRecord {
  const now = new Date().toISOString();
  return {
    id: n.id, status: 'QUEUED', spec: n.spec, sourceHash: n.sourceHash, createdAt: now, updatedAt: now, startedAt: null, endedAt: null,
    progress: 0, etaSec: null, error: null, reportKey: null, outputPrefix: n.outputPrefix, cost: null, run: 0, workflow: n.workflow ?? ENCODE_JOB_WORKFLOW, version: 0,
  };
}

/**
 * Recording jobs and starting, naming and stopping their runs, each on the state machine of the
 * job's workflow. Run n of job j is execution `executionNameFor(j, n)`; starting a name again is
 * idempotent (Step Functions refuses a second execution of one name), so a repeated start of
 * the same job (a client's retry, a redelivered rule event) starts nothing new.
 */
export class StepFunctionsWorkflowRuns {
  constructor(private readonly o: StepFunctionsWorkflowRunsOptions) {}

  get workflowNames(): string[] {
    return Object.keys(this.o.stateMachineArns).sort();
  }

  /** The ARN of workflow `name`'s state machine, or NotFoundError naming the deployed ones. */
  stateMachineArnOf(name: string): string {
    const arn = Object.hasOwn(this.o.stateMachineArns, name) ? this.o.stateMachineArns[name] : undefined;
    if (!arn) throw new NotFoundError(`no workflow "${name}" in this deployment; known: ${this.workflowNames.join(', ') || '(none)'}`, { name });
    return arn;
  }

  /** The job of `n.id`: created (QUEUED, with the first entry of its history announced), or the one already recorded. */
  async record(n: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    let job: JobRecord;
    try {
      job = await this.o.jobs.createJob(n);
    } catch (e) {
      const existing = await this.o.jobs.getJob(n.id);
      if (!existing) throw e;
      return { job: existing, created: false };
    }
    // The first entry of the job's history, as on the local engine.
    const queued = { jobId: n.id, status: 'QUEUED' as const };
    await this.o.jobs.appendEvent(n.id, DetailTypes.JobStatusChanged, queued);
    await this.o.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: queued });
    return { job, created: true };
  }

  /**
   * Records a job for a run of workflow `name` (not encode) and starts it: checked first (an
   * unknown workflow, a bad input, a job `of` that cannot be worked from throw before anything is
   * recorded). A job already recorded under `jobId` is returned as it is (started again while QUEUED).
   */
  async startWorkflow(name: string, request: WorkflowExecutionRequest, opts: { jobId: string }): Promise<{ job: JobRecord; created: boolean }> {
    const { jobId } = opts;
    this.stateMachineArnOf(name);
    if (name === ENCODE_JOB_WORKFLOW.name) throw new ConflictError('encode jobs are submitted with a job spec (POST /v1/jobs), not started as a workflow of their own', { name });
    const existing = await this.o.jobs.getJob(jobId);
    if (existing) {
      const runs = (existing.workflow ?? ENCODE_JOB_WORKFLOW).name;
      if (runs !== name) throw new ConflictError(`job ${jobId} exists and runs the ${runs} workflow, not ${name}`, { id: jobId, workflow: runs });
      if (existing.status === 'QUEUED') await this.startRun(existing);
      return { job: existing, created: false };
    }
    if (!this.o.workflowJob) throw new NotFoundError(`workflow "${name}" cannot be started here (this deployment was given no way to build its jobs)`, { name });
    const content = await this.o.workflowJob(name, request, jobId);
    const n: NewJob = { id: jobId, spec: content.spec, sourceHash: content.sourceHash, outputPrefix: outputPrefix(jobId), workflow: content.workflow };
    // Built first: an input the workflow would refuse fails here, before any record exists.
    const input = await this.o.executionInput(draftJob(n));
    const recorded = await this.record(n);
    if (recorded.job.status === 'QUEUED') await this.startRun(recorded.job, recorded.created ? input : undefined);
    return recorded;
  }

  /** Starts the job's current run (`input`: already built for it; default: built now). */
  async startRun(job: JobRecord, input?: unknown): Promise<void> {
    const stateMachineArn = this.stateMachineArnOf(workflowOf(job));
    const payload = input === undefined ? await this.o.executionInput(job) : input;
    try {
      await this.o.sfn.send(new StartExecutionCommand({ stateMachineArn, name: executionNameFor(job.id, job.run), input: JSON.stringify(payload) }));
    } catch (e) {
      // Already started under this name (a repeated submit): the job has its execution.
      if (errorName(e) !== 'ExecutionAlreadyExists') throw e;
    }
  }

  /** Stops run `run` of the job (default: its current one); one that never started is nothing to stop. */
  async stopRun(job: JobRecord, run: number = job.run): Promise<void> {
    const executionArn = `${this.stateMachineArnOf(workflowOf(job)).replace(':stateMachine:', ':execution:')}:${executionNameFor(job.id, run)}`;
    try {
      await this.o.sfn.send(new StopExecutionCommand({ executionArn, error: ErrorNames.Cancelled, cause: `job ${job.id} cancelled on request` }));
    } catch (e) {
      // Never started (a submit that died before its start): nothing to stop.
      if (errorName(e) !== 'ExecutionDoesNotExist') throw e;
    }
  }
}

const workflowOf = (job: JobRecord): string => (job.workflow ?? ENCODE_JOB_WORKFLOW).name;

export interface StepFunctionsJobControlOptions {
  /** Reads and records jobs (and their first history entry); getJob, createJob and appendEvent are all it uses. */
  jobs: JobRepository & JobHistory;
  /** The job lifecycle (applyJobEvent over the same stores). */
  lifecycle: ApplyLifecycle;
  events: EventBus;
  /** Both buckets behind one key space (the source's version is read at submit). */
  blobs: BlobStore;
  sfn: SFNClient;
  /** Workflow name → ARN of its state machine (every workflow of the deployment). */
  stateMachineArns?: Readonly<Record<string, string>>;
  /** ARN of the encode workflow's state machine (when `stateMachineArns` does not name it). */
  stateMachineArn?: string;
  /** Runs media functions (inspect for preflight, single invocations). */
  functions: LambdaInvoker;
  /** The execution input of a job's current run, any workflow (built where core is allowed: the bootstrap). */
  executionInput?: ExecutionInputBuilder;
  /** The encode workflow's input for a job, for callers that run encode only (used when `executionInput` is not given). */
  workflowInput?: (jobId: string, spec: JobSpec) => unknown;
  /** What to record for a run of a workflow other than encode (built in the bootstrap); without it only encode jobs can be started. */
  workflowJob?: WorkflowJobBuilder;
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
  /** Preflight job ids: core's `oneOffJobId('preflight')`, handed in by the bootstrap (adapters may not import core). */
  newInvocationId: () => string;
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

export class StepFunctionsJobControl implements JobLauncher, JobRequests, SourcePreflight, FunctionInvoker, EngineCatalog, RuleQueries {
  /** Starting and stopping runs, on the state machine of each job's workflow. */
  readonly runs: StepFunctionsWorkflowRuns;
  private readonly executionInput: ExecutionInputBuilder;

  constructor(private readonly o: StepFunctionsJobControlOptions) {
    const arns = { ...(o.stateMachineArn ? { [ENCODE_JOB_WORKFLOW.name]: o.stateMachineArn } : {}), ...(o.stateMachineArns ?? {}) };
    const legacy = o.workflowInput;
    const executionInput: ExecutionInputBuilder =
      o.executionInput ??
      (async (job) => {
        if (!legacy || workflowOf(job) !== ENCODE_JOB_WORKFLOW.name) throw new Error(`this job control builds no input for the ${workflowOf(job)} workflow`);
        return legacy(job.id, job.spec);
      });
    this.executionInput = executionInput;
    this.runs = new StepFunctionsWorkflowRuns({
      jobs: o.jobs, events: o.events, sfn: o.sfn, stateMachineArns: arns, executionInput, ...(o.workflowJob ? { workflowJob: o.workflowJob } : {}),
    });
  }

  async submit(spec: JobSpec, opts: { jobId: string }): Promise<JobRecord> {
    const { jobId } = opts;
    // The source version is recorded with the job (and read by every run of it), unless the caller named one.
    if (!spec.source.versionId && !(await this.o.jobs.getJob(jobId))) {
      const versionId = (await this.o.blobs.head(spec.source.key))?.versionId;
      if (versionId) spec = { ...spec, source: { ...spec.source, versionId } };
    }
    const n: NewJob = { id: jobId, spec, sourceHash: null, outputPrefix: outputPrefix(jobId) };
    this.runs.stateMachineArnOf(ENCODE_JOB_WORKFLOW.name);
    // Built first: a spec the workflow would refuse fails here, before any record exists.
    const input = await this.executionInput(draftJob(n));
    const { job, created } = await this.runs.record(n);
    // A job still QUEUED may be a submit that died before its start: starting the same name again
    // is idempotent (Step Functions answers with the running execution, or ExecutionAlreadyExists).
    if (job.status === 'QUEUED') await this.runs.startRun(job, created || workflowOf(job) === ENCODE_JOB_WORKFLOW.name ? input : undefined);
    return job;
  }

  async startWorkflow(name: string, request: WorkflowExecutionRequest, opts: { jobId: string }): Promise<JobRecord> {
    return (await this.runs.startWorkflow(name, request, opts)).job;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const job = await this.load(jobId);
    // Stop first, so no further step starts; a step already running on Lambda or Fargate
    // finishes on its own (Step Functions does not kill it). Finished jobs have nothing to stop
    // (the lifecycle refuses or ignores cancelling them).
    if (isCancellable(job.status)) await this.runs.stopRun(job);
    // CANCELLED, its outputs and work removed, announced; the ABORTED status change that follows is stale.
    const cancelled = await this.o.lifecycle(jobId, { kind: 'cancel-requested', at: new Date().toISOString() });
    if (!cancelled) throw new NotFoundError(`no job ${jobId}`, { id: jobId });
    return cancelled;
  }

  async retry(jobId: string): Promise<JobRecord> {
    const job = await this.load(jobId);
    // Built first: a spec the workflow would refuse (or a job `of` gone) fails here, before the job changes.
    this.runs.stateMachineArnOf(workflowOf(job));
    const input = await this.executionInput(job);
    // QUEUED under the next run number; of two concurrent retries the lifecycle lets one through.
    const queued = await this.o.lifecycle(jobId, { kind: 'retry-requested', at: new Date().toISOString() });
    if (!queued) throw new NotFoundError(`no job ${jobId}`, { id: jobId });
    try {
      await this.runs.startRun(queued, input);
    } catch (e) {
      // Not left QUEUED without an execution: this run failed, so the client can retry once more.
      const error = { code: ErrorNames.Transient, message: `the workflow could not be started: ${(e as Error).message}` };
      await this.o.lifecycle(jobId, { kind: 'workflow-ended', run: queued.run, at: new Date().toISOString(), outcome: 'FAILED', error });
      throw new TransientError(error.message);
    }
    // A cancel between the retry and the start stopped nothing (the execution did not exist yet).
    if ((await this.o.jobs.getJob(jobId))?.status === 'CANCELLED') await this.runs.stopRun(queued);
    return queued;
  }

  async inspect(source: { key: string }): Promise<MediaInfo> {
    const jobId = this.o.newInvocationId();
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
}
