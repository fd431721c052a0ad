/**
 * The embedded engine: runs the encode workflow's ASL with the local media functions, on a
 * folder BlobStore, a SQLite JobStore and an in-process bus, with at most `parallelism`
 * functions at work at once (the machine's cores by default). This is the facade the CLI, the
 * API server and the tests use; the work is in small modules: job-submission (staging),
 * job-requests (cancel, retry, fail), workflow-runs, live-progress, engine-core (what they share)
 * and engine-test-seams.
 */
import { mkdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_SOURCE_LIMITS,
  DetailTypes,
  type JobEstimate,
  type JobRecord,
  type JobSpec,
  type JobSpecInput,
  type MediaInfo,
  type Platform,
  type PlanResult,
  type SourceLimits,
  type WorkflowExecutionRequest,
  WorkflowNames,
} from '../lambdas/contracts/index.js';
import { workPrefix } from '../lambdas/contracts/job-keys.js';
import type { WorkflowRunContext } from '../lambdas/core/workflow-input.js';
import { machineChildMemoryMiB, resolveMediaTools, resolveVmafModel, type MediaTools, type RuntimeConfig } from '../lambdas/runtime/index.js';
import type { LoadedWorkflow } from './asl-runner.js';
import { loadWorkflowCatalog, runnableWorkflow, type CatalogWorkflow } from './workflow-catalog.js';
import { invokeOnce, localRunContext, type EngineCore } from './engine-core.js';
import { resolveSeams, type EngineTestSeams, type ResolvedSeams } from './engine-test-seams.js';
import { InProcessEventBus } from './event-bus.js';
import { FsBlobStore } from './fs-blob-store.js';
import { loadFunctions, type AnyMediaFunction } from './function-registry.js';
import { LiveProgress, type ProgressView } from './live-progress.js';
import { cancelJob, failJob, retryJob, unfinishedJobs } from './job-requests.js';
import { estimateFile, startWorkflowJob, submitFile, submitSpec, type AwsEstimateTarget, type SubmitResult } from './job-submission.js';
import { removeLeftovers } from './leftovers.js';
import { LifecycleFeed } from './lifecycle-feed.js';
import { securePrivateState } from './private-state.js';
import { Semaphore } from './semaphore.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { SqliteMetricsStore } from './sqlite-metrics-store.js';
import { WorkflowRuns } from './workflow-runs.js';
import { readSecretsFile, SECRETS_FILE_NAME } from './secrets-file.js';

export { ALLOCATOR } from './workflow-runs.js';
export type { EngineTestSeams } from './engine-test-seams.js';
export type { SubmitResult } from './job-submission.js';

export const ENCODE_WORKFLOW = fileURLToPath(new URL('../state-machines/encode.asl.json', import.meta.url));
export const STATE_DIR = '.mosaic';
/** Map concurrency of an estimate that names no deployment (`mosaic encode --estimate` names one: lib/config). */
export const DEFAULT_AWS_CONCURRENCY = 20;

export interface LocalEngineOptions {
  /** Outputs land under `<root>/<jobId>/`; state and intermediates under `<root>/.mosaic/`. */
  root: string;
  runtime: Omit<RuntimeConfig, 'scratchRoot'> & { scratchRoot?: string };
  parallelism?: number;
  limits?: SourceLimits;
  /** Test seams only (fault injection, fast retries, platform and preset overrides); never set in production. */
  testing?: EngineTestSeams;
}

export class LocalEngine {
  readonly blobs: FsBlobStore;
  readonly jobs: SqliteJobStore;
  /** What the lifecycle and the API record (the same records as EMF on AWS), and the metrics API reads. */
  readonly metrics: SqliteMetricsStore;
  readonly events = new InProcessEventBus();
  readonly parallelism: number;
  readonly lifecycle: LifecycleFeed;
  private readonly core: EngineCore;
  private readonly runs: WorkflowRuns;
  private readonly progress: LiveProgress;

  private constructor(
    readonly root: string,
    private readonly config: RuntimeConfig,
    readonly functions: Map<string, AnyMediaFunction>,
    /** The encode workflow, as loaded (also in `workflows`). */
    readonly workflow: LoadedWorkflow,
    /** Every workflow of state-machines/ by name. */
    readonly workflows: Map<string, CatalogWorkflow>,
    readonly tools: MediaTools,
    readonly vmaf: { path: string | null; reason: string | null },
    private readonly opts: LocalEngineOptions,
    private readonly seams: ResolvedSeams,
  ) {
    this.blobs = new FsBlobStore(root);
    this.jobs = new SqliteJobStore(join(root, STATE_DIR, 'mosaic.db'));
    this.metrics = new SqliteMetricsStore(join(root, STATE_DIR, 'metrics.db'));
    this.parallelism = Math.max(1, opts.parallelism ?? cpus().length);
    this.progress = new LiveProgress(this.jobs);
    // The same lifecycle as on AWS records steps, history, status and the job's end.
    this.lifecycle = new LifecycleFeed({
      jobs: this.jobs,
      steps: this.jobs,
      history: this.jobs,
      documents: this.jobs,
      blobs: this.blobs,
      events: this.events,
      metrics: this.metrics,
      workPrefix,
      presetVersion: (name) => this.presetVersion(name),
    });
    this.events.subscribe(async (e) => {
      await this.lifecycle.onEvent(e);
      if (e.detailType === DetailTypes.StepProgress || e.detailType === DetailTypes.StepStatusChanged) await this.progress.refresh(e.detail.jobId);
    });
    this.core = {
      blobs: this.blobs,
      jobs: this.jobs,
      events: this.events,
      lifecycle: this.lifecycle,
      functions,
      semaphore: new Semaphore(this.parallelism),
      parallelism: this.parallelism,
      config,
      tools,
      vmaf,
      limits: this.limits,
      presetVersion: (name) => this.presetVersion(name),
    };
    this.runs = new WorkflowRuns(this.core, {
      workflows,
      platforms: Object.fromEntries(seams.workflowPlatforms) as Record<string, Platform>,
      progress: this.progress,
      allocatedPlatforms: seams.allocatedPlatforms,
      beforeInvoke: seams.beforeInvoke,
      retryIntervalMs: seams.retryIntervalMs,
    });
  }

  static async open(opts: LocalEngineOptions): Promise<LocalEngine> {
    const root = resolve(opts.root);
    const scratchRoot = opts.runtime.scratchRoot ?? join(root, STATE_DIR, 'scratch');
    await mkdir(scratchRoot, { recursive: true });
    const slots = Math.max(1, opts.parallelism ?? cpus().length);
    const childMemoryMiB = opts.runtime.childMemoryMiB ?? machineChildMemoryMiB(totalmem() / 2 ** 20, slots);
    // Function secrets: given (MOSAIC_SECRETS_FILE), else <out>/.mosaic/secrets.env when present.
    const secrets = opts.runtime.secrets ?? readSecretsFile(join(root, STATE_DIR, SECRETS_FILE_NAME));
    const config: RuntimeConfig = { ...opts.runtime, scratchRoot, childMemoryMiB, secrets };
    const seams = resolveSeams(opts.testing);
    const functions = await loadFunctions();
    const workflows = loadWorkflowCatalog(seams.workflowPlatforms);
    const workflow = runnableWorkflow(workflows, WorkflowNames.Encode);
    const tools = await resolveMediaTools(config);
    const vmaf = tools.vmafFfmpeg ? await resolveVmafModel(config) : { path: null, reason: tools.vmafMissingReason };
    // .mosaic/ 0700, database and secrets 0600 (existing installs too), before SQLite opens it.
    await securePrivateState(join(root, STATE_DIR));
    const engine = new LocalEngine(root, config, functions, workflow, workflows, tools, vmaf, opts, seams);
    await removeLeftovers({ stateDir: join(root, STATE_DIR), scratchRoot, jobs: engine.jobs });
    return engine;
  }

  close(): void {
    this.jobs.close();
    this.metrics.close();
  }

  /** The version of a preset this engine encodes with (presets.ts unless overridden), or undefined for an unknown preset. */
  presetVersion(name: string): number | undefined {
    return this.seams.presetVersion(name);
  }

  /** The AWS region whose prices cost jobs here (MOSAIC_REGION), if one was set. */
  get region(): string | undefined {
    return this.config.region;
  }

  /** Source limits every job is checked against. */
  get limits(): SourceLimits {
    return this.opts.limits ?? DEFAULT_SOURCE_LIMITS;
  }

  /** What every workflow run here is given (worker slots, threads, VMAF, limits, allocator). */
  runContext(): WorkflowRunContext {
    return localRunContext(this.core);
  }

  /**
   * Stops every running workflow without ending its job (shutdown): the jobs stay RUNNING in the
   * store and the next process resumes them, finished steps from the cache.
   */
  suspendAll(): Promise<void> {
    return this.runs.suspendAll();
  }

  planOf(jobId: string): PlanResult | undefined {
    return this.runs.planOf(jobId);
  }

  progressOf(jobId: string): ProgressView {
    return this.progress.of(jobId);
  }

  /** A job for a local file, or the unfinished one for the same content and preset (local/job-submission.ts). */
  async submitFile(path: string, spec: Omit<JobSpecInput, 'source'> = {}): Promise<SubmitResult> {
    const submitted = await submitFile(this.core, path, spec);
    // A job that failed (transiently) is resumed as a retry: QUEUED under its next run, so the
    // run's end is recorded (the lifecycle never moves a finished job) and its finished steps come from the cache.
    if (submitted.resumed && submitted.job.status === 'FAILED') return { job: await this.retry(submitted.job.id), resumed: true };
    return submitted;
  }

  /** What encoding a local file would cost and take on AWS (`mosaic encode --estimate`); nothing is encoded. */
  estimateFile(path: string, spec: Omit<JobSpecInput, 'source'> = {}, aws: AwsEstimateTarget = {}): Promise<{ media: MediaInfo; estimate: JobEstimate }> {
    return estimateFile(this.core, path, spec, { ...aws, concurrency: aws.concurrency ?? DEFAULT_AWS_CONCURRENCY });
  }

  /** A job for a spec whose source is already in the store, under the caller's id (idempotent). */
  submitSpec(spec: JobSpec, jobId: string): Promise<JobRecord> {
    return submitSpec(this.core, spec, jobId);
  }

  /**
   * A job for a run of workflow `name` (encode: `request.input` is a job spec whose source is in
   * the store), under the caller's id (idempotent); it is recorded, not run (see run()).
   */
  startWorkflow(name: string, request: WorkflowExecutionRequest, jobId: string): Promise<JobRecord> {
    runnableWorkflow(this.workflows, name);
    return startWorkflowJob(this.core, this.runs.startDeps(), name, request, jobId);
  }

  /** Jobs a dead process left QUEUED or RUNNING, oldest first: run() resumes each from the cache. */
  unfinishedJobs(): Promise<JobRecord[]> {
    return unfinishedJobs(this.jobs);
  }

  /** Stops a running workflow and everything of it, then CANCELLED (local/job-requests.ts). */
  cancel(jobId: string): Promise<JobRecord> {
    return cancelJob(this.core, this.runs, jobId);
  }

  /** Puts a FAILED or CANCELLED job back to QUEUED; the next run() takes finished steps from the cache. */
  retry(jobId: string): Promise<JobRecord> {
    return retryJob(this.core, this.runs, jobId);
  }

  /** Runs one media function outside any workflow (the API's function invocations, preflight's inspect). */
  invokeFunction(fn: string, input: unknown): Promise<unknown> {
    return invokeOnce(this.core, fn, input);
  }

  /** Fails a job for a reason outside its workflow (a missing source, a run that could not start). */
  failJob(jobId: string, err: Error): Promise<void> {
    return failJob(this.core, jobId, err);
  }

  /** Runs (or resumes) a job's workflow to its end and returns the final record. */
  run(jobId: string): Promise<JobRecord> {
    return this.runs.run(jobId);
  }
}
