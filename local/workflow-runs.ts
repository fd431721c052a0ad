/**
 * Workflow runs on the embedded engine: a job's encode workflow run (or resumed) to its end by
 * the ASL runner with the local media functions and the in-process allocator. Every run in
 * flight is registered, so a cancel or a shutdown can stop it and wait until nothing of it runs.
 */
import { CancelledError, isTerminalStatus, WorkflowNames, type AllocatedFunction, type JobRecord, type Platform, type PlanResult } from '../lambdas/contracts/index.js';
import { jobErrorFrom } from '../lambdas/core/report.js';
import { createAllocatorHandler } from '../lambdas/platform/allocator/handler.js';
import { executionInputFor, type WorkflowStartDeps } from '../lambdas/platform/workflows/execution-input.js';
import { localFunctionArn, runWorkflow } from './asl-runner.js';
import { localRunContext, runtimeDeps, type EngineCore } from './engine-core.js';
import { failJob, type RunsInFlight } from './job-requests.js';
import type { LiveProgress } from './live-progress.js';
import { sourceKeyOf } from './source-pin.js';
import { runnableWorkflow, type CatalogWorkflow } from './workflow-catalog.js';

/** The platform function behind the workflow's Allocate state (not a media function). */
export const ALLOCATOR = 'allocator';

export interface WorkflowRunsOptions {
  /** Every workflow of state-machines/, by name: a job runs the one its record names. */
  workflows: ReadonlyMap<string, CatalogWorkflow>;
  /** Default platform of each media function (function.json), for the inputs of derived workflows. */
  platforms: Readonly<Record<string, Platform>>;
  progress: LiveProgress;
  /** Where the allocator may place each allocated function's tasks. */
  allocatedPlatforms: Partial<Record<AllocatedFunction, Platform[]>>;
  /** Runs before every function invocation of a run (a test seam: local/engine-test-seams.ts). */
  beforeInvoke?: (fn: string, input: unknown) => void | Promise<void>;
  /** Retry pause of every Task state (a test seam). */
  retryIntervalMs?: number;
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

export class WorkflowRuns implements RunsInFlight {
  private readonly active = new Map<string, ActiveRun>();
  private readonly plans = new Map<string, PlanResult>();

  constructor(
    private readonly core: EngineCore,
    private readonly o: WorkflowRunsOptions,
  ) {}

  has(jobId: string): boolean {
    return this.active.has(jobId);
  }

  /** The plan of the job's latest run in this process. */
  planOf(jobId: string): PlanResult | undefined {
    return this.plans.get(jobId);
  }

  async stop(jobId: string): Promise<void> {
    const run = this.active.get(jobId);
    if (!run) return;
    halt(run);
    await run.done;
  }

  /**
   * Stops every running workflow without ending its job (shutdown): the jobs stay RUNNING in the
   * store and the next process resumes them, finished steps from the cache.
   */
  async suspendAll(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) halt(run);
    await Promise.all(runs.map((r) => r.done));
  }

  /** Runs (or resumes) a job's workflow to its end and returns the final record. */
  async run(jobId: string): Promise<JobRecord> {
    // Registered before the first await, so a cancel() arriving at any point finds the run.
    const running = this.active.get(jobId);
    if (running) {
      await running.done;
      return (await this.core.jobs.getJob(jobId))!;
    }
    let settle = () => {};
    const active: ActiveRun = { controller: new AbortController(), abort: () => {}, cancelled: false, inflight: new Set(), done: new Promise<void>((r) => (settle = r)) };
    this.active.set(jobId, active);
    try {
      return await this.runActive(jobId, active);
    } catch (e) {
      // Whatever went wrong outside the workflow's own error handling, the job must not stay RUNNING.
      const job = active.cancelled ? null : await this.core.jobs.getJob(jobId);
      if (job && !isTerminalStatus(job.status)) await failJob(this.core, jobId, e as Error);
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
    const { core } = this;
    const job = await core.jobs.getJob(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    if (job.status === 'SUCCEEDED' || job.status === 'CANCELLED' || active.cancelled) return job;
    // Built before the run starts: a workflow that cannot run, or a derived job whose job `of` is
    // gone, fails the job with the reason (run() catches it).
    const workflow = runnableWorkflow(this.o.workflows, job.workflow?.name ?? WorkflowNames.Encode);
    const input = await executionInputFor(job, this.startDeps());
    await core.jobs.abandonRunningSteps(jobId);
    // A job a dead process left RUNNING resumes as it is; a QUEUED one starts.
    await core.lifecycle.applyJob(jobId, { kind: 'workflow-started', run: job.run, at: new Date().toISOString() });
    this.o.progress.reset(jobId);

    const deps = runtimeDeps(core, active.controller.signal);
    const allocator = this.allocator(localRunContext(core).threadsPerTask);
    const execution = runWorkflow(
      workflow,
      input,
      async (fn, taskInput) => {
        if (fn === ALLOCATOR) return allocator(taskInput);
        const f = core.functions.get(fn);
        if (!f) throw new Error(`no local function ${fn}`);
        // A cancelled job starts nothing new; what is in flight is awaited by cancel().
        if (active.cancelled) throw new CancelledError('job cancelled');
        const call = core.semaphore.use(async () => {
          if (active.cancelled) throw new CancelledError('job cancelled');
          await this.o.beforeInvoke?.(fn, taskInput);
          return f.invoke(taskInput, deps);
        });
        active.inflight.add(call);
        void call.catch(() => undefined).finally(() => active.inflight.delete(call));
        const result = await call;
        if (fn === 'plan') this.plans.set(jobId, this.withPresetVersion(result as PlanResult));
        return result;
      },
      { retryIntervalMs: this.o.retryIntervalMs, readObject: (key) => core.blobs.getBytes(key) },
    );
    active.abort = () => execution.abort();
    const ended = (outcome: 'SUCCEEDED' | 'FAILED', extra: { reportKey?: string | null; error?: { code: string; message: string } }) =>
      core.lifecycle.applyJob(jobId, { kind: 'workflow-ended', run: job.run, outcome, at: new Date().toISOString(), ...extra });
    try {
      const output = (await execution.result) as { reportKey?: string | null } | undefined;
      if (!active.cancelled) await ended('SUCCEEDED', { reportKey: output?.reportKey ?? null });
    } catch (e) {
      // A cancelled run is finished by cancel(), not failed.
      if (!active.cancelled) await ended('FAILED', { error: executionError(e) });
    }
    return (await core.jobs.getJob(jobId))!;
  }

  /** What building a run's input reads here: the local stores, pinned sources, this engine's run context. */
  startDeps(): WorkflowStartDeps {
    const { core } = this;
    return { jobs: core.jobs, blobs: core.blobs, sourceOf: (j) => ({ key: sourceKeyOf(j) }), run: localRunContext(core), platforms: this.o.platforms };
  }

  /** The plan as this engine's preset catalogue versions it (the result the workflow goes on with). */
  private withPresetVersion(plan: PlanResult): PlanResult {
    const version = this.core.presetVersion(plan.preset.name);
    if (version !== undefined && version !== plan.preset.version) plan.preset = { ...plan.preset, version };
    return plan;
  }

  /**
   * The allocator, in-process: the same policy as on AWS, with the learned speed table in SQLite;
   * a task never gets more ffmpeg threads than a local worker slot has.
   */
  private allocator(maxThreads: number): (event: unknown) => Promise<unknown> {
    return createAllocatorHandler({
      jobs: this.core.jobs,
      events: this.core.events,
      platforms: this.o.allocatedPlatforms,
      maxThreads,
      // One local function per name: every size the allocator picks runs in the same worker slots.
      lambdaTarget: (_memoryMiB, fn) => localFunctionArn(fn),
    });
  }
}

/** Marks a run cancelled and aborts its workflow and functions. */
function halt(run: ActiveRun): void {
  run.cancelled = true;
  run.controller.abort();
  run.abort();
}

/**
 * The job error a failed run leaves: the Fail state's Error and Cause (aws-local-stepfunctions
 * wraps them in the rejection's `cause`), mapped as Step Functions' are on AWS.
 */
function executionError(e: unknown): { code: string; message: string } {
  const cause = (e as { cause?: { name?: string; message?: string } }).cause;
  if (cause?.name && cause.name !== 'Error') return jobErrorFrom({ Error: cause.name, Cause: cause.message });
  return { code: (e as Error).name ?? 'Mosaic.Unknown', message: (e as Error).message ?? String(e) };
}
