/**
 * The embedded engine: runs the encode workflow's ASL with the local media functions, on a
 * folder BlobStore, a SQLite JobStore and an in-process bus, with at most `parallelism`
 * functions at work at once (the machine's cores by default).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_SOURCE_LIMITS,
  CancelledError,
  ConflictError,
  DetailTypes,
  ErrorNames,
  EVENT_SOURCE,
  RuleDetailTypes,
  InputInvalidError,
  NotFoundError,
  JobSpecSchema,
  type EncodeWorkflowInput,
  type JobRecord,
  type JobSpec,
  type JobSpecInput,
  type JobEstimate,
  type MediaInfo,
  MediaInfoSchema,
  PlanInputSchema,
  type Platform,
  type PlanResult,
  type SourceLimits,
} from '../lambdas/contracts/index.js';
import { cancelRefusal } from '../lambdas/core/job-lifecycle.js';
import { jobErrorFrom } from '../lambdas/core/report.js';
import { liveProgress } from '../lambdas/platform/lifecycle/apply.js';
import { findPreset } from '../lambdas/core/presets.js';
import {
  resolveMediaTools,
  loadSpeedTable,
  machineChildMemoryMiB,
  resolveVmafModel,
  type MediaTools,
  type RuntimeConfig,
  type RuntimeDeps,
} from '../lambdas/runtime/index.js';
import { InProcessEventBus } from './event-bus.js';
import { LifecycleFeed } from './lifecycle-feed.js';
import { FsBlobStore } from './fs-blob-store.js';
import { defaultPlatforms, functionConfigs, loadFunctions, type AnyMediaFunction } from './function-registry.js';
import { createAllocatorHandler } from '../lambdas/platform/allocator/handler.js';
import { pricingRegion } from '../lambdas/core/plan-sizing.js';
import { estimateJob } from '../lambdas/core/job-estimate.js';
import { workflowSpecOf } from '../lambdas/core/workflow-spec.js';
import { loadWorkflow, localFunctionArn, runWorkflow, type LoadedWorkflow } from './asl-runner.js';
import { removeLeftovers } from './leftovers.js';
import { securePrivateState } from './private-state.js';
import { Semaphore } from './semaphore.js';
import { pinFile, sourceKeyOf } from './source-pin.js';
import { SqliteJobStore } from './sqlite-job-store.js';

export const ENCODE_WORKFLOW = fileURLToPath(new URL('../state-machines/encode.asl.json', import.meta.url));
export const STATE_DIR = '.mosaic';
/** Map concurrency an AWS deployment gives a job (the stack's default), for local estimates. */
export const DEFAULT_AWS_CONCURRENCY = 20;
/** The platform function behind the workflow's Allocate state (not a media function). */
export const ALLOCATOR = 'allocator';

export interface LocalEngineOptions {
  /** Outputs land under `<root>/<jobId>/`; state and intermediates under `<root>/.mosaic/`. */
  root: string;
  runtime: Omit<RuntimeConfig, 'scratchRoot'> & { scratchRoot?: string };
  parallelism?: number;
  limits?: SourceLimits;
  /** Retry pause override (tests). */
  retryIntervalMs?: number;
  /** Overrides function.json defaultPlatform (tests of the Fargate path). */
  platformDefaults?: Map<string, string>;
  /** Runs before every function invocation of a job; a throw fails that invocation (tests inject faults here). */
  invokeHook?: (fn: string, input: unknown) => void | Promise<void>;
  /**
   * Preset versions that replace presets.ts's, as if the presets had been edited: plans, the
   * `Job Status Changed` events and the rule runtime's preset-version facts follow them.
   */
  presetVersions?: Readonly<Record<string, number>>;
}

/** A workflow in flight: what cancel() needs to stop it and wait until nothing of it still runs. */
interface ActiveRun {
  controller: AbortController;
  abort: () => void;
  cancelled: boolean;
  inflight: Set<Promise<unknown>>;
  /** Settles when run() has returned. */
  done: Promise<void>;
}

export interface SubmitResult {
  job: JobRecord;
  resumed: boolean;
}

export class LocalEngine {
  readonly blobs: FsBlobStore;
  readonly jobs: SqliteJobStore;
  readonly events = new InProcessEventBus();
  readonly parallelism: number;
  private readonly semaphore: Semaphore;
  private readonly plans = new Map<string, PlanResult>();
  /** The latest progress view of each running job (the CLI's progress line reads it). */
  private readonly progress = new Map<string, { fraction: number; etaSec: number | null }>();
  readonly lifecycle: LifecycleFeed;
  private readonly config: RuntimeConfig;
  private readonly active = new Map<string, ActiveRun>();

  private constructor(
    readonly root: string,
    config: RuntimeConfig,
    readonly functions: Map<string, AnyMediaFunction>,
    readonly workflow: LoadedWorkflow,
    readonly tools: MediaTools,
    readonly vmaf: { path: string | null; reason: string | null },
    private readonly opts: LocalEngineOptions,
  ) {
    this.config = config;
    this.blobs = new FsBlobStore(root);
    this.jobs = new SqliteJobStore(join(root, STATE_DIR, 'mosaic.db'));
    this.parallelism = Math.max(1, opts.parallelism ?? cpus().length);
    this.semaphore = new Semaphore(this.parallelism);
    // The same lifecycle as on AWS records steps, history, status and the job's end.
    this.lifecycle = new LifecycleFeed({
      jobs: this.jobs,
      steps: this.jobs,
      history: this.jobs,
      documents: this.jobs,
      blobs: this.blobs,
      events: this.events,
      workPrefix: workPrefixOf,
      presetVersion: (name) => this.presetVersion(name),
    });
    this.events.subscribe(async (e) => {
      await this.lifecycle.onEvent(e);
      if (e.detailType === DetailTypes.StepProgress || e.detailType === DetailTypes.StepStatusChanged) await this.refreshProgress(e.detail.jobId);
    });
  }

  static async open(opts: LocalEngineOptions): Promise<LocalEngine> {
    const root = resolve(opts.root);
    const scratchRoot = opts.runtime.scratchRoot ?? join(root, STATE_DIR, 'scratch');
    await mkdir(scratchRoot, { recursive: true });
    const slots = Math.max(1, opts.parallelism ?? cpus().length);
    const childMemoryMiB = opts.runtime.childMemoryMiB ?? machineChildMemoryMiB(totalmem() / 2 ** 20, slots);
    const config: RuntimeConfig = { ...opts.runtime, scratchRoot, childMemoryMiB };
    const functions = await loadFunctions();
    const workflow = loadWorkflow(ENCODE_WORKFLOW, new Map([...defaultPlatforms(), ...(opts.platformDefaults ?? [])]));
    const tools = await resolveMediaTools(config);
    const vmaf = tools.vmafFfmpeg ? await resolveVmafModel(config) : { path: null, reason: tools.vmafMissingReason };
    // .mosaic/ 0700, database and secrets 0600 (existing installs too), before SQLite opens it.
    await securePrivateState(join(root, STATE_DIR));
    const engine = new LocalEngine(root, config, functions, workflow, tools, vmaf, opts);
    await removeLeftovers({ stateDir: join(root, STATE_DIR), scratchRoot, jobs: engine.jobs });
    return engine;
  }

  close(): void {
    this.jobs.close();
  }

  /** The version of a preset this engine encodes with (presets.ts unless overridden), or undefined for an unknown preset. */
  presetVersion(name: string): number | undefined {
    const own = this.opts.presetVersions;
    return own && Object.hasOwn(own, name) ? own[name] : findPreset(name)?.version;
  }

  /** The AWS region whose prices cost jobs here (MOSAIC_REGION), if one was set. */
  get region(): string | undefined {
    return this.config.region;
  }

  /** Source limits every job is checked against. */
  get limits(): SourceLimits {
    return this.opts.limits ?? DEFAULT_SOURCE_LIMITS;
  }

  /**
   * Stops every running workflow without ending its job (shutdown): the jobs stay RUNNING in the
   * store and the next process resumes them, finished steps from the cache.
   */
  async suspendAll(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) {
      run.cancelled = true;
      run.controller.abort();
      run.abort();
    }
    await Promise.all(runs.map((r) => r.done));
  }

  planOf(jobId: string): PlanResult | undefined {
    return this.plans.get(jobId);
  }

  progressOf(jobId: string): { fraction: number; etaSec: number | null } {
    return this.progress.get(jobId) ?? { fraction: 0, etaSec: null };
  }

  /** Progress is a view of the steps, as the job view computes it (throttled: the CLI redraws often). */
  private readonly progressAt = new Map<string, number>();
  private async refreshProgress(jobId: string): Promise<void> {
    if (Date.now() - (this.progressAt.get(jobId) ?? 0) < 250) return;
    this.progressAt.set(jobId, Date.now());
    const job = await this.jobs.getJob(jobId);
    if (job) this.progress.set(jobId, liveProgress(job, await this.jobs.listSteps(jobId), Date.now()));
  }

  /**
   * Registers a job for a local file: the source is linked into the store by content hash. An
   * unfinished job for the same content and preset is resumed rather than started afresh.
   */
  async submitFile(path: string, spec: Omit<JobSpecInput, 'source'> = {}): Promise<SubmitResult> {
    const abs = resolve(path);
    if (!existsSync(abs) || !statSync(abs).isFile()) {
      const job = await this.createJob({ ...spec, source: { key: abs } }, null);
      await this.failJob(job.id, new InputInvalidError(missingSource(path, abs)));
      return { job: (await this.jobs.getJob(job.id))!, resumed: false };
    }
    const { hash, key } = await this.stageLocalFile(abs);
    const parsedSpec = JobSpecSchema.parse({ ...spec, source: { key } });
    const existing = await this.jobs.findResumable(hash, parsedSpec.preset);
    // An API job on the same content is not this command's job to resume.
    if (existing && existing.spec.source.key === key) return { job: existing, resumed: true };
    return { job: await this.createJob(parsedSpec, hash), resumed: false };
  }

  /** Pins a local file into the store under its content hash (once; local/source-pin.ts). */
  private async stageLocalFile(abs: string): Promise<{ hash: string; key: string }> {
    return pinFile(this.blobs, abs, abs);
  }

  /**
   * What encoding a local file would cost and take on AWS (`mosaic encode --estimate`): the source
   * is probed by the Inspect function, planned with the allocator choosing chunks for
   * `awsConcurrency` tasks at once, and every task sized with the speed table learned here.
   * Nothing is encoded. A source that would be rejected throws its InputInvalidError.
   */
  async estimateFile(path: string, spec: Omit<JobSpecInput, 'source'> = {}, awsConcurrency = DEFAULT_AWS_CONCURRENCY): Promise<{ media: MediaInfo; estimate: JobEstimate }> {
    const abs = resolve(path);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new InputInvalidError(missingSource(path, abs));
    const { key } = await this.stageLocalFile(abs);
    const parsed = JobSpecSchema.parse({ ...spec, source: { key } });
    const jobId = `estimate-${randomBytes(6).toString('hex')}`;
    const media = MediaInfoSchema.parse(await this.invokeFunction('inspect', { jobId, itemId: 'source', source: { key }, limits: this.limits }));
    const plan = PlanInputSchema.parse({
      jobId,
      source: { key },
      media,
      spec: workflowSpecOf(parsed),
      workPrefix: `${STATE_DIR}/work/${jobId}/`,
      outputPrefix: `${jobId}/`,
      parallelism: this.parallelism,
      threadsPerTask: Math.max(1, Math.floor(cpus().length / this.parallelism)),
      vmafAvailable: Boolean(this.vmaf.path && this.tools.vmafFfmpeg),
      allocator: { region: pricingRegion(this.config.region), maxConcurrency: awsConcurrency, chooseChunks: true },
    });
    return { media, estimate: estimateJob({ plan, speeds: await loadSpeedTable(this.jobs) }) };
  }

  /**
   * Registers a job for a spec whose source is already in the store (an API upload), under the
   * id the caller chose; a second call with the same id returns the job already there.
   */
  async submitSpec(spec: JobSpec, jobId: string): Promise<JobRecord> {
    const existing = await this.jobs.getJob(jobId);
    if (existing) return existing;
    // Pinned now: what is under the key later (a replaced upload) is not what this job encodes.
    const pinned = (await this.blobs.head(spec.source.key)) ? await pinFile(this.blobs, this.blobs.pathOf(spec.source.key), spec.source.key) : null;
    return this.createJob(spec, pinned?.hash ?? null, jobId);
  }

  /** Jobs a dead process left QUEUED or RUNNING, oldest first: run() resumes each from the cache. */
  async unfinishedJobs(): Promise<JobRecord[]> {
    const jobs = [...(await this.jobs.listJobs({ status: 'RUNNING', limit: 100_000 })), ...(await this.jobs.listJobs({ status: 'QUEUED', limit: 100_000 }))];
    return jobs.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /**
   * Cancels a job: a running workflow is stopped, its ffmpeg processes killed (the runtime sees
   * Mosaic.Cancelled) and awaited; then the job is CANCELLED and its outputs and intermediates
   * removed. A job already CANCELLED is returned as it is; a finished one is a ConflictError.
   */
  async cancel(jobId: string): Promise<JobRecord> {
    const job = await this.jobs.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    if (job.status === 'CANCELLED') return job;
    const refusal = cancelRefusal(job);
    if (refusal) throw refusal;
    // Nothing of the run may still be working when the job is CANCELLED and its outputs removed.
    const run = this.active.get(jobId);
    if (run) {
      run.cancelled = true;
      run.controller.abort();
      run.abort();
      await run.done;
    }
    return (await this.lifecycle.applyJob(jobId, { kind: 'cancel-requested', at: new Date().toISOString() }))!;
  }

  /** Puts a FAILED or CANCELLED job back to QUEUED; the next run() takes finished steps from the cache. */
  async retry(jobId: string): Promise<JobRecord> {
    const job = await this.jobs.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    if (this.active.has(jobId)) throw new ConflictError(`job ${jobId} is still running; only FAILED or CANCELLED jobs can be retried`, { status: job.status });
    return (await this.lifecycle.applyJob(jobId, { kind: 'retry-requested', at: new Date().toISOString() }))!;
  }

  /** Runs one media function outside any workflow (the API's function invocations, preflight's inspect). */
  async invokeFunction(fn: string, input: unknown): Promise<unknown> {
    const f = this.functions.get(fn);
    if (!f) throw new NotFoundError(`no media function "${fn}"`, { known: [...this.functions.keys()] });
    return this.semaphore.use(() => f.invoke(input, this.runtimeDeps(new AbortController().signal)));
  }

  /**
   * The allocator, in-process: the same policy as on AWS, with the learned speed table in SQLite;
   * a task never gets more ffmpeg threads than a local worker slot has.
   */
  private allocator(maxThreads: number): (event: unknown) => Promise<unknown> {
    const override = this.opts.platformDefaults?.get('encode-video');
    const platforms = override ? [override as Platform] : (functionConfigs().get('encode-video')?.platforms ?? ['lambda']);
    return createAllocatorHandler({
      jobs: this.jobs,
      events: this.events,
      platforms,
      maxThreads,
      lambdaTarget: () => localFunctionArn('encode-video'),
    });
  }

  private runtimeDeps(signal: AbortSignal): RuntimeDeps {
    return {
      blobs: this.blobs,
      cache: this.jobs,
      events: this.events,
      speedTable: () => loadSpeedTable(this.jobs),
      config: this.config,
      tools: this.tools,
      vmafModelPath: this.vmaf.path,
      signal,
    };
  }

  private async createJob(spec: JobSpecInput, sourceHash: string | null, id = newJobId()): Promise<JobRecord> {
    const parsed = JobSpecSchema.safeParse(spec);
    const job = await this.jobs.createJob({
      id,
      spec: parsed.success ? parsed.data : (spec as never),
      sourceHash,
      outputPrefix: `${id}/`,
    });
    const queued = { jobId: id, status: 'QUEUED' as const };
    await this.jobs.appendEvent(id, DetailTypes.JobStatusChanged, queued);
    await this.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: queued });
    return job;
  }

  /** Fails a job for a reason outside its workflow (a missing source, a run that could not start). */
  async failJob(jobId: string, err: Error): Promise<void> {
    const job = await this.jobs.getJob(jobId);
    if (!job) return;
    await this.lifecycle.applyJob(jobId, { kind: 'workflow-ended', run: job.run, outcome: 'FAILED', at: new Date().toISOString(), error: { code: err.name, message: err.message } });
  }

  /** Runs (or resumes) a job's workflow to its end and returns the final record. */
  async run(jobId: string): Promise<JobRecord> {
    // Registered before the first await, so a cancel() arriving at any point finds the run.
    const running = this.active.get(jobId);
    if (running) {
      await running.done;
      return (await this.jobs.getJob(jobId))!;
    }
    let settle = () => {};
    const active: ActiveRun = { controller: new AbortController(), abort: () => {}, cancelled: false, inflight: new Set(), done: new Promise<void>((r) => (settle = r)) };
    this.active.set(jobId, active);
    try {
      return await this.runActive(jobId, active);
    } catch (e) {
      // Whatever went wrong outside the workflow's own error handling, the job must not stay RUNNING.
      const job = active.cancelled ? null : await this.jobs.getJob(jobId);
      if (job?.status === 'RUNNING' || job?.status === 'QUEUED') await this.failJob(jobId, e as Error);
      throw e;
    } finally {
      active.controller.abort();
      // An aborted workflow returns at once; its functions stop a moment later.
      while (active.inflight.size) await Promise.allSettled([...active.inflight]);
      this.active.delete(jobId);
      settle();
    }
  }

  private async runActive(jobId: string, active: ActiveRun): Promise<JobRecord> {
    const job = await this.jobs.getJob(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    if (job.status === 'SUCCEEDED' || job.status === 'CANCELLED' || active.cancelled) return job;
    await this.jobs.abandonRunningSteps(jobId);
    // A job a dead process left RUNNING resumes as it is; a QUEUED one starts.
    await this.lifecycle.applyJob(jobId, { kind: 'workflow-started', run: job.run, at: new Date().toISOString() });
    this.progress.set(jobId, { fraction: 0, etaSec: null });

    const controller = active.controller;
    const input: EncodeWorkflowInput = {
      jobId,
      source: { key: sourceKeyOf(job) },
      spec: workflowSpecOf(job.spec),
      limits: this.opts.limits ?? DEFAULT_SOURCE_LIMITS,
      workPrefix: workPrefixOf(jobId),
      outputPrefix: job.outputPrefix,
      parallelism: this.parallelism,
      threadsPerTask: Math.max(1, Math.floor(cpus().length / this.parallelism)),
      vmafAvailable: Boolean(this.vmaf.path && this.tools.vmafFfmpeg),
      // Locally chunks follow the worker slots; the allocator prices and sizes the same tasks for AWS.
      allocator: { region: pricingRegion(this.config.region), maxConcurrency: this.parallelism, chooseChunks: false },
    };
    const deps = this.runtimeDeps(controller.signal);
    const execution = runWorkflow(
      this.workflow,
      input,
      async (fn, taskInput) => {
        if (fn === ALLOCATOR) return this.allocator(input.threadsPerTask)(taskInput);
        const f = this.functions.get(fn);
        if (!f) throw new Error(`no local function ${fn}`);
        // A cancelled job starts nothing new; what is in flight is awaited by cancel().
        if (active.cancelled) throw new CancelledError('job cancelled');
        const call = this.semaphore.use(async () => {
          if (active.cancelled) throw new CancelledError('job cancelled');
          await this.opts.invokeHook?.(fn, taskInput);
          return f.invoke(taskInput, deps);
        });
        active.inflight.add(call);
        void call.catch(() => undefined).finally(() => active.inflight.delete(call));
        const result = await call;
        if (fn === 'plan') {
          const plan = result as PlanResult;
          const version = this.presetVersion(plan.preset.name);
          if (version !== undefined && version !== plan.preset.version) plan.preset = { ...plan.preset, version };
          this.plans.set(jobId, result as PlanResult);
        }
        return result;
      },
      { retryIntervalMs: this.opts.retryIntervalMs },
    );
    active.abort = () => execution.abort();
    const ended = (outcome: 'SUCCEEDED' | 'FAILED', extra: { reportKey?: string | null; error?: { code: string; message: string } }) =>
      this.lifecycle.applyJob(jobId, { kind: 'workflow-ended', run: job.run, outcome, at: new Date().toISOString(), ...extra });
    try {
      const output = (await execution.result) as { reportKey?: string | null } | undefined;
      if (!active.cancelled) await ended('SUCCEEDED', { reportKey: output?.reportKey ?? null });
    } catch (e) {
      // A cancelled run is finished by cancel(), not failed.
      if (!active.cancelled) await ended('FAILED', { error: executionError(e) });
    }
    return (await this.jobs.getJob(jobId))!;
  }
}

/** Where a job's intermediates live (one definition for the engine and its lifecycle). */
export const workPrefixOf = (jobId: string): string => `${STATE_DIR}/work/${jobId}/`;

/**
 * The job error a failed run leaves: the Fail state's Error and Cause (aws-local-stepfunctions
 * wraps them in the rejection's `cause`), mapped as Step Functions' are on AWS.
 */
function executionError(e: unknown): { code: string; message: string } {
  const cause = (e as { cause?: { name?: string; message?: string } }).cause;
  if (cause?.name && cause.name !== 'Error') return jobErrorFrom({ Error: cause.name, Cause: cause.message });
  return { code: (e as Error).name ?? 'Mosaic.Unknown', message: (e as Error).message ?? String(e) };
}

/** Why a path given as a source is not one. */
function missingSource(path: string, abs: string): string {
  if (!existsSync(abs)) return `source not found: ${path}`;
  return statSync(abs).isDirectory() ? `source is a directory, not a media file: ${path}` : `source is not a regular file: ${path}`;
}

export function newJobId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${t}-${randomBytes(3).toString('hex')}`;
}
