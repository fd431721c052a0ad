/**
 * The job-control ports (ports.ts: JobLauncher, JobRequests, SourcePreflight, FunctionInvoker,
 * EngineCatalog, RuleQueries) on the embedded engine: a queue of whole jobs with bounded
 * concurrency (function level parallelism is bounded by the engine's semaphore; this bounds how
 * many workflows are open at once, so 200 submissions do not start 200 workflows), priority
 * first, then FIFO.
 * On start it picks up jobs a dead process left QUEUED or RUNNING; they resume from the cache.
 */
import {
  InputInvalidError,
  LOCAL_RULE_SUBSTITUTIONS,
  MediaInfoSchema,
  NotFoundError,
  functionInfoOf,
  functionRunOf,
  type FiringRecord,
  type FunctionConfig,
  type FunctionInfo,
  type FunctionRuns,
  type JobRecord,
  type JobSpec,
  type MediaInfo,
  type WorkflowDefinition,
  type WorkflowExecutionRequest,
  type WorkflowInfo,
} from '../lambdas/contracts/index.js';
import type { RuleSet } from '../lambdas/core/rules/index.js';
import type { EngineCatalog, Facts, FunctionInvoker, JobLauncher, JobRequests, LoadedRule, PlanContext, RuleQueries, SourcePreflight } from '../lambdas/ports.js';
import { oneOffJobId } from '../lambdas/core/job-ids.js';
import { logger } from '../lambdas/runtime/index.js';
import type { LocalEngine } from './engine.js';
import { functionConfigs } from './function-registry.js';
import { loadRules } from './rules-loader.js';
import { runnableWorkflow } from './workflow-catalog.js';

export interface LocalJobControlOptions {
  /** Whole jobs running at once (default 4: enough to keep cores busy through each job's serial steps). */
  maxConcurrentJobs?: number;
  /** The rules `rules()` lists and the API dry-runs; default: `rules/*.json` with the local substitutions, as the rule runtime loads them. */
  rules?: RuleSet;
}

interface Queued {
  jobId: string;
  priority: number;
  seq: number;
}

export class LocalJobControl implements JobLauncher, JobRequests, SourcePreflight, FunctionInvoker, EngineCatalog, RuleQueries {
  private readonly queue: Queued[] = [];
  private readonly known = new Set<string>();
  private readonly running = new Map<string, Promise<unknown>>();
  private seq = 0;
  private stopped = false;
  private ruleSet: RuleSet | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly maxConcurrentJobs: number;

  constructor(
    readonly engine: LocalEngine,
    opts: LocalJobControlOptions = {},
  ) {
    this.maxConcurrentJobs = Math.max(1, opts.maxConcurrentJobs ?? 4);
    this.ruleSet = opts.rules;
  }

  /** Queues the jobs a previous process left unfinished; returns how many. */
  async recover(): Promise<JobRecord[]> {
    const jobs = await this.engine.unfinishedJobs();
    for (const j of jobs) this.enqueue(j);
    return jobs;
  }

  async submit(spec: JobSpec, opts: { jobId: string }): Promise<JobRecord> {
    // Versions are S3's; here a job pins its source by content (local/source-pin.ts).
    if (spec.source.versionId) throw new InputInvalidError('source.versionId names an S3 object version; the local engine has none (it pins sources by content)');
    const job = await this.engine.submitSpec(spec, opts.jobId);
    if (job.status === 'QUEUED') this.enqueue(job);
    return job;
  }

  async startWorkflow(name: string, request: WorkflowExecutionRequest, opts: { jobId: string }): Promise<JobRecord> {
    const job = await this.engine.startWorkflow(name, request, opts.jobId);
    if (job.status === 'QUEUED') this.enqueue(job);
    return job;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const i = this.queue.findIndex((q) => q.jobId === jobId);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.known.delete(jobId);
    }
    return this.engine.cancel(jobId);
  }

  async retry(jobId: string): Promise<JobRecord> {
    const job = await this.engine.retry(jobId);
    this.enqueue(job);
    return job;
  }

  async inspect(source: { key: string }): Promise<MediaInfo> {
    const input = { jobId: oneOffJobId('preflight'), itemId: 'source', source, limits: this.engine.limits };
    return MediaInfoSchema.parse(await this.engine.invokeFunction('inspect', input));
  }

  planContext(): PlanContext {
    const platforms: PlanContext['platforms'] = {};
    for (const [name, c] of functionConfigs()) platforms[name] = c.defaultPlatform;
    // As the engine plans a job: chunks follow the worker slots; the allocator prices the tasks for AWS.
    return { ...this.engine.runContext(), platforms };
  }

  invokeFunction(name: string, input: Record<string, unknown>): Promise<unknown> {
    // An unknown name is the engine's NotFoundError.
    return this.engine.invokeFunction(name, input);
  }

  async functions(): Promise<FunctionInfo[]> {
    return [...functionConfigs()].map(([, c]) => functionInfoOf(c));
  }

  async workflows(): Promise<WorkflowInfo[]> {
    return [...this.engine.workflows.values()].map((w) => w.info);
  }

  async workflowDefinition(name: string): Promise<WorkflowDefinition> {
    // As deployed (placeholders substituted, Distributed Maps as written, not as this engine
    // runs them), so the graph is the one AWS shows; a file that cannot be loaded is its error.
    const loaded = runnableWorkflow(this.engine.workflows, name);
    return { ...this.engine.workflows.get(name)!.info, definition: structuredClone(loaded.deployed ?? loaded.definition) };
  }

  async functionConfig(name: string): Promise<FunctionConfig> {
    const configs = functionConfigs();
    const config = configs.get(name);
    if (!config) throw new NotFoundError(`no media function "${name}"; known: ${[...configs.keys()].sort().join(', ')}`, { name });
    return config;
  }

  async functionRuns(name: string, limit: number): Promise<FunctionRuns> {
    return { runs: this.engine.jobs.listRecentAttempts(name, limit).map(functionRunOf), unavailableReason: null };
  }

  async rules(): Promise<LoadedRule[]> {
    this.ruleSet ??= loadRules({ substitutions: LOCAL_RULE_SUBSTITUTIONS });
    return this.ruleSet.compiled.map((c) => ({ rule: c.rule, file: c.file }));
  }

  async facts(subject: string): Promise<Record<string, Facts>> {
    if (subject.includes('*')) return this.engine.jobs.findFacts(subject);
    const own = await this.engine.jobs.getFacts(subject);
    return own ? { [subject]: own } : {};
  }

  ruleFirings(rule: string, limit: number): Promise<FiringRecord[]> {
    return this.engine.jobs.listFirings(rule, limit);
  }

  /** Jobs waiting and running. */
  stats(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running.size };
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.queue.length && !this.running.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Stops taking jobs off the queue and suspends the running ones: their functions are killed
   * and the jobs stay RUNNING in the store, so the next start resumes them from the cache.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.engine.suspendAll();
    await Promise.allSettled([...this.running.values()]);
  }

  private enqueue(job: JobRecord): void {
    if (this.known.has(job.id) || this.stopped) return;
    this.known.add(job.id);
    this.queue.push({ jobId: job.id, priority: job.spec.priority, seq: this.seq++ });
    this.pump();
  }

  private next(): Queued | undefined {
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i]!;
      const b = this.queue[best];
      if (!b || q.priority > b.priority || (q.priority === b.priority && q.seq < b.seq)) best = i;
    }
    return best >= 0 ? this.queue.splice(best, 1)[0] : undefined;
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.maxConcurrentJobs) {
      const q = this.next();
      if (!q) break;
      const run = this.engine
        .run(q.jobId)
        .catch((e: unknown) => logger.error('job run failed', { jobId: q.jobId, error: (e as Error).message }))
        .finally(() => {
          this.running.delete(q.jobId);
          this.known.delete(q.jobId);
          this.pump();
        });
      this.running.set(q.jobId, run);
    }
    if (!this.queue.length && !this.running.size) for (const w of this.idleWaiters.splice(0)) w();
  }
}
