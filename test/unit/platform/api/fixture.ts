/**
 * The API app on real local stores (SQLite, a temp folder) with a scripted JobControl, for fast
 * tests through `app.request()` (no engine, no ffmpeg).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InputInvalidError,
  LOCAL_RULE_SUBSTITUTIONS,
  NotFoundError,
  functionRunOf,
  type FunctionInfo,
  type JobRecord,
  type JobSpec,
  type WorkflowExecutionRequest,
  type MediaInfo,
} from '../../../../lambdas/contracts/index.js';
import { cancelRefusal, retryRefusal } from '../../../../lambdas/core/job-lifecycle.js';
import { outputPrefix } from '../../../../lambdas/contracts/job-keys.js';
import { createApiApp, flushRequestMetrics, type ApiApp } from '../../../../lambdas/platform/api/app.js';
import { staticKeys } from '../../../../lambdas/platform/api/auth.js';
import type { EngineCatalog, Facts, FunctionInvoker, JobLauncher, JobRequests, LoadedRule, MetricsSink, PlanContext, RuleQueries, SourcePreflight } from '../../../../lambdas/ports.js';
import { functionConfigs } from '../../../../local/function-registry.js';
import { loadRules } from '../../../../local/rules-loader.js';
import { FsBlobStore } from '../../../../local/fs-blob-store.js';
import { LocalFileLinks } from '../../../../local/file-links.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';
import { SqliteMetricsStore } from '../../../../local/sqlite-metrics-store.js';

export const KEY = 'unit-test-key';
export const MEDIA: MediaInfo = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  sizeBytes: 12345,
  durationSec: 4,
  video: { codec: 'h264', width: 640, height: 360, displayWidth: 640, fps: 25, fpsRational: '25/1', frames: 100, durationSec: 4, startSec: 0 },
  audio: { codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 4, startSec: 0 },
  audioTracks: [{ codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 4, startSec: 0, index: 0, language: 'und', default: true }],
  subtitles: [],
  notes: [],
};

/** Scripted JobControl: records calls; `fail` makes the next submit throw a server fault. */
export class FakeControl implements JobLauncher, JobRequests, SourcePreflight, FunctionInvoker, EngineCatalog, RuleQueries {
  submitted: string[] = [];
  fail: Error | null = null;
  constructor(private readonly jobs: SqliteJobStore) {}

  async submit(spec: JobSpec, opts: { jobId: string }): Promise<JobRecord> {
    if (this.fail) throw this.fail; // eslint-disable-line @typescript-eslint/only-throw-error
    const existing = await this.jobs.getJob(opts.jobId);
    if (existing) return existing;
    this.submitted.push(opts.jobId);
    return this.jobs.createJob({ id: opts.jobId, spec, sourceHash: null, outputPrefix: outputPrefix(opts.jobId) });
  }
  async cancel(id: string): Promise<JobRecord> {
    const job = await this.jobs.getJob(id);
    if (!job) throw new NotFoundError(`no job ${id}`);
    const refusal = cancelRefusal(job);
    if (refusal) throw refusal;
    return this.jobs.updateJob(id, { status: 'CANCELLED', error: { code: 'Mosaic.Cancelled', message: 'cancelled on request' } });
  }
  /** Records the run as a job of that workflow (a derived one must name an existing job). */
  async startWorkflow(name: string, request: WorkflowExecutionRequest, opts: { jobId: string }): Promise<JobRecord> {
    if (this.fail) throw this.fail; // eslint-disable-line @typescript-eslint/only-throw-error
    const existing = await this.jobs.getJob(opts.jobId);
    if (existing) return existing;
    const of = typeof request.input.of === 'string' ? await this.jobs.getJob(request.input.of) : null;
    if (!of) throw new NotFoundError(`${name}: no job ${String(request.input.of)}`);
    this.submitted.push(opts.jobId);
    return this.jobs.createJob({ id: opts.jobId, spec: of.spec, sourceHash: null, outputPrefix: outputPrefix(opts.jobId), workflow: { name, input: request.input } });
  }

  async retry(id: string): Promise<JobRecord> {
    const job = await this.jobs.getJob(id);
    if (!job) throw new NotFoundError(`no job ${id}`);
    const refusal = retryRefusal(job);
    if (refusal) throw refusal;
    return this.jobs.updateJob(id, { status: 'QUEUED', error: null });
  }
  async inspect(source: { key: string }): Promise<MediaInfo> {
    if (source.key.endsWith('/bad.mp4')) throw new InputInvalidError('source is not a media file ffmpeg can read (Invalid data found when processing input)');
    return MEDIA;
  }
  planContext(): PlanContext {
    return { parallelism: 2, threadsPerTask: 1, vmafAvailable: false, platforms: {}, limits: { maxBytes: 1e9, maxDurationSec: 3600 } };
  }
  async invokeFunction(name: string, input: Record<string, unknown>): Promise<unknown> {
    if (name !== 'inspect') throw new NotFoundError(`no media function "${name}"`);
    if (typeof input.source !== 'object') throw new InputInvalidError('inspect: invalid input: source: expected object');
    return MEDIA;
  }
  async functions(): Promise<FunctionInfo[]> {
    return [{ name: 'inspect', description: 'probes', version: 1, platforms: ['lambda'], defaultPlatform: 'lambda', cacheable: true }];
  }
  async workflows() {
    return [
      { name: 'encode', description: 'the encode workflow', functions: ['inspect'] },
      { name: 'measure', description: 'the measure workflow', functions: ['measure-quality', 'publish-derived'] },
    ];
  }
  // Workflows, functions and rules as the UI reads them: the repository's rules, facts and firings in the store.
  loadedRules: LoadedRule[] = loadRules({ substitutions: LOCAL_RULE_SUBSTITUTIONS }).compiled.map((c) => ({ rule: c.rule, file: c.file }));
  async workflowDefinition(name: string) {
    if (name !== 'encode') throw new NotFoundError(`no workflow "${name}"; known: encode`, { name });
    return { ...(await this.workflows())[0]!, definition: { StartAt: 'Inspect', States: { Inspect: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:mosaic-inspect', End: true } } } };
  }
  async functionConfig(name: string) {
    const config = functionConfigs().get(name);
    if (!config) throw new NotFoundError(`no media function "${name}"`, { name });
    return config;
  }
  async functionRuns(name: string, limit: number) {
    return { runs: this.jobs.listRecentAttempts(name, limit).map(functionRunOf), unavailableReason: null };
  }
  async rules() {
    return this.loadedRules;
  }
  async facts(subject: string): Promise<Record<string, Facts>> {
    if (subject.includes('*')) return this.jobs.findFacts(subject);
    const own = await this.jobs.getFacts(subject);
    return own ? { [subject]: own } : {};
  }
  ruleFirings(rule: string, limit: number) {
    return this.jobs.listFirings(rule, limit);
  }
}

export interface Fixture {
  app: ApiApp;
  jobs: SqliteJobStore;
  blobs: FsBlobStore;
  control: FakeControl;
  /** The local metrics store behind `/v1/metrics/*` and the request metrics (null with `metrics: false`: the AWS case). */
  metrics: SqliteMetricsStore | null;
  /** `app.request` with the API key and JSON. */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** Give the app a metrics store (as `mosaic serve` does); default true. */
  metrics?: boolean;
  /** How long request metrics wait to be recorded together (default 250 ms). */
  metricsFlushMs?: number;
  /** Where request metrics go instead of the store. */
  metricsSink?: MetricsSink;
}

export async function apiFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-api-unit-'));
  const jobs = new SqliteJobStore(join(dir, 'jobs.db'));
  const metrics = opts.metrics === false ? null : new SqliteMetricsStore(join(dir, 'metrics.db'));
  const blobs = new FsBlobStore(join(dir, 'store'));
  await blobs.putBytes('uploads/a/clip.mp4', 'not really a video', 'video/mp4');
  await blobs.putBytes('uploads/b/bad.mp4', 'junk', 'video/mp4');
  const control = new FakeControl(jobs);
  const links = new LocalFileLinks({ secret: 's', baseUrl: () => 'http://127.0.0.1:9', maxUploadBytes: 10 * 1024 * 1024 });
  let n = 0;
  const app = createApiApp({
    jobs,
    control,
    uploads: links,
    blobs,
    auth: staticKeys([KEY]),
    engine: 'test',
    version: '0.0.0-test',
    newJobId: () => `job-${String(++n).padStart(4, '0')}`,
    maxBodyBytes: 64 * 1024,
    // No DNS in unit tests: names resolve to a public address, `*.internal` to a private one.
    webhooks: { allowPrivate: false, resolve: async (h) => [{ address: h.endsWith('.internal') ? '10.0.0.7' : '93.184.216.34', family: 4 }] },
    ...(metrics ? { metricsQuery: metrics, metrics } : {}),
    ...(opts.metricsSink ? { metrics: opts.metricsSink } : {}),
    metricsFlushMs: opts.metricsFlushMs,
  });
  return {
    app,
    jobs,
    blobs,
    control,
    metrics,
    async req(method, path, body, headers = {}) {
      const res = await app.request(path, {
        method,
        headers: { 'x-api-key': KEY, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      // The last requests' metrics are recorded (a microtask away) before the store closes.
      flushRequestMetrics(app);
      await new Promise((r) => setImmediate(r));
      jobs.close();
      metrics?.close();
    },
  };
}
