/**
 * The Function Runtime. A media function declares its input/output schemas, which objects to
 * stage and what to run; the runtime validates, stages inputs into a scratch dir, hands over
 * local paths, uploads declared outputs, caches results by content, announces the step's start,
 * progress and end as events (the job lifecycle records them), maps errors to typed ones and
 * cleans up. Function authors never touch storage, the job or the bus.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  DetailTypes,
  EVENT_SOURCE,
  RuleDetailTypes,
  InputInvalidError,
  ResourceExhaustedError,
  SIZING_FIELDS,
  TransientError,
  isMosaicError,
  formatIssues,
  type MosaicError,
  type Platform,
  type SpeedTable,
  type StepStatusChanged,
  type TaskSize,
} from '../contracts/index.js';
import { resultCacheKey } from '../core/cache-key.js';
import { VIDEO_COUNT_ARGS } from '../core/ffmpeg-args.js';
import { DEFAULT_REGION, effectiveSize, stepCostUsd, type FunctionSizing } from './step-cost.js';
import { sizeLabel } from '../core/metric-records.js';
import type { FfmpegProgress } from '../core/progress.js';
import type { BlobStore, EventBus, ResultCache } from '../ports.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeMemoryMiB, SECRETS_HINT, type RuntimeConfig } from './config.js';
import type { MediaTools } from './binaries.js';
import { runTool, type RunResult } from './ffmpeg-runner.js';
import { logger, traced } from './observability.js';
import { scratchDirPrefix } from './scratch-dirs.js';
import { stageHlsRendition, stageRefKey, type StageRef } from './hls-staging.js';

export type { StageRef } from './hls-staging.js';

export interface RuntimeDeps {
  blobs: BlobStore;
  cache: ResultCache;
  events: EventBus;
  /** The allocator's speed table as this engine learned it (read-only platform config for Plan). */
  speedTable: () => Promise<SpeedTable>;
  config: RuntimeConfig;
  tools: MediaTools;
  vmafModelPath: string | null;
  /** Aborts every ffmpeg of the invocation (job cancelled or failed elsewhere). */
  signal?: AbortSignal;
}

export interface FfmpegRunOptions {
  /** Frames the run will produce: turns `-progress` into a fraction. */
  totalFrames?: number;
  /** Or seconds of output. */
  totalSeconds?: number;
  /** Use this ffmpeg binary instead (e.g. the libvmaf-capable one). */
  binary?: string;
  captureStderr?: boolean;
}

export interface MediaContext {
  jobId: string;
  stepId: string;
  /** A private directory, removed after the invocation. */
  scratch: string;
  /** Local paths of the staged input objects, by the names the function declared. */
  inputs: Record<string, string>;
  /** Declares a local file as an output object; uploaded after `run` returns. */
  output(localPath: string, key: string, contentType: string): void;
  ffmpeg(args: string[], opts?: FfmpegRunOptions): Promise<RunResult>;
  ffprobe(args: string[]): Promise<RunResult>;
  /** Runs ffprobe with `-of json` style args and parses stdout. */
  ffprobeJson<T>(args: string[]): Promise<T>;
  progress(fraction: number, extra?: { fps?: number | null; speed?: number | null }): void;
  tools: MediaTools;
  vmafModelPath: string | null;
  /** AWS region whose prices cost the steps. */
  region: string;
  /**
   * Read-only platform settings a function may plan with, and its secrets: `secret(NAME)` returns
   * the value of a secret from function.json's `secrets` (locally: the secrets file), and fails the
   * invocation with Mosaic.InputInvalid naming it when there is none.
   */
  config: { speedTable: () => Promise<SpeedTable>; secret(name: string): string };
  logger: typeof logger;
}

export interface MediaFunctionDefinition<I extends { jobId: string; itemId?: string }, O> {
  name: string;
  version: number;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /**
   * Objects to stage before `run`: name → BlobStore key, or `{ hls: <media playlist key> }` for an
   * fMP4 HLS rendition, staged as one file `in/<name>.mp4` (init + segments concatenated).
   */
  stage?: (input: I) => Record<string, StageRef>;
  /** Defaults to true: results are cached by content hash. */
  cacheable?: boolean;
  run: (input: I, ctx: MediaContext) => Promise<O>;
  /**
   * What the platform keeps of a result on the step record (small: the plan's estimate and
   * progress weights, a chunk's measured speed); the job lifecycle reads it, the function does not.
   */
  summarize?: (input: I, result: O) => Record<string, unknown>;
  /** From function.json: the size a step runs on when the allocator gave it none (its cost). */
  memoryMiB?: number;
  ephemeralStorageMiB?: number;
  architecture?: string;
  defaultPlatform?: string;
}

export interface MediaFunction<I extends { jobId: string; itemId?: string }, O> {
  name: string;
  version: number;
  invoke(rawInput: unknown, deps: RuntimeDeps): Promise<O>;
  definition: MediaFunctionDefinition<I, O>;
}

/** At most one progress event per step per second (on AWS each is an EventBridge entry). */
const PROGRESS_INTERVAL_MS = 1000;

export function defineMediaFunction<I extends { jobId: string; itemId?: string }, O>(
  def: MediaFunctionDefinition<I, O>,
): MediaFunction<I, O> {
  return { name: def.name, version: def.version, definition: def, invoke: (raw, deps) => invoke(def, raw, deps) };
}

function parseInput<I>(def: MediaFunctionDefinition<{ jobId: string }, unknown>, raw: unknown): I {
  const parsed = def.input.safeParse(raw);
  if (!parsed.success) {
    throw new InputInvalidError(`${def.name}: invalid input: ${formatIssues(parsed.error)}`, { issues: parsed.error.issues });
  }
  return parsed.data as I;
}

async function invoke<I extends { jobId: string; itemId?: string }, O>(
  def: MediaFunctionDefinition<I, O>,
  raw: unknown,
  deps: RuntimeDeps,
): Promise<O> {
  const input = parseInput<I>(def as never, raw);
  const stepId = input.itemId ? `${def.name}:${input.itemId}` : def.name;
  const log = logger.createChild({ persistentKeys: { function: def.name, jobId: input.jobId, stepId } });
  const staged = def.stage?.(input) ?? {};

  // Result cache: same function, version, input and input contents → same result.
  let cacheKey: string | null = null;
  if (def.cacheable !== false) {
    const etags: Record<string, string> = {};
    for (const [name, ref] of Object.entries(staged)) {
      // An HLS rendition stands for its playlist: segments are written once, before it.
      const key = stageRefKey(ref);
      const head = await deps.blobs.head(key);
      if (!head) throw new InputInvalidError(`${def.name}: input object "${name}" not found: ${key}`);
      etags[name] = head.etag;
    }
    cacheKey = resultCacheKey(def.name, def.version, withoutSizing(input), etags);
    const hit = await deps.cache.getCache(cacheKey);
    if (hit && (await allExist(deps.blobs, hit.outputKeys))) {
      const cachedStep = { jobId: input.jobId, stepId, function: def.name, invocationId: randomUUID() };
      await emitStep(deps, { ...cachedStep, status: 'RUNNING' });
      await emitStep(deps, { ...cachedStep, status: 'CACHED', durationMs: 0, costUsd: 0 });
      log.info('result cache hit');
      const cached = def.output.parse(hit.result);
      await emitResult(deps, def.name, input.jobId, stepId, { status: 'SUCCEEDED', result: cached, cached: true });
      return cached;
    }
  }

  const step = { jobId: input.jobId, stepId, function: def.name, invocationId: randomUUID() };
  const startedAt = Date.now();
  await emitStep(deps, { ...step, status: 'RUNNING' });
  // Named with this pid, so a later start removes it if this process dies (runtime/scratch-dirs.ts).
  const scratch = await mkdtemp(join(deps.config.scratchRoot, scratchDirPrefix(def.name)));
  const outputs: { path: string; key: string; contentType: string }[] = [];
  let lastProgress = 0;
  // On AWS the allocator's budget for this task, if it gave one, caps every ffmpeg run of it.
  const budgetSec = deps.config.enforceTaskBudget ? (input as { timeoutSec?: number }).timeoutSec : undefined;
  const timeoutMs = Math.min(deps.config.ffmpegTimeoutMs, budgetSec ? budgetSec * 1000 : Infinity);
  // Every child is capped in time and address space: a hostile source fails its job, not the host.
  const memoryLimitMiB = deps.config.childMemoryMiB ?? 0;
  const probeTimeoutMs = Math.min(deps.config.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, timeoutMs);
  const ctx: MediaContext = {
    jobId: input.jobId,
    stepId,
    scratch,
    inputs: {},
    output: (path, key, contentType) => void outputs.push({ path, key, contentType }),
    ffmpeg: (args, opts = {}) =>
      runTool(opts.binary ?? deps.tools.ffmpeg, args, {
        signal: deps.signal,
        timeoutMs,
        memoryLimitMiB,
        captureStderr: opts.captureStderr,
        onProgress:
          opts.totalFrames || opts.totalSeconds
            ? (p: FfmpegProgress) => {
                const f = opts.totalFrames ? (p.frame ?? 0) / opts.totalFrames : (p.outTimeSec ?? 0) / (opts.totalSeconds ?? 1);
                ctx.progress(p.done ? 1 : f, { fps: p.fps, speed: p.speed });
              }
            : undefined,
      }),
    ffprobe: (args) =>
      runTool(deps.tools.ffprobe, args, { signal: deps.signal, timeoutMs: probeTimeoutMs, timeoutSetting: 'MOSAIC_PROBE_TIMEOUT_SEC', memoryLimitMiB: probeMemoryMiB(memoryLimitMiB) }),
    ffprobeJson: async <T>(args: string[]) => JSON.parse((await ctx.ffprobe(args)).stdout) as T,
    progress: (fraction, extra) => {
      const now = Date.now();
      if (fraction < 1 && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      // Progress is a hint: a throttled or failed put must not fail the work it describes.
      deps.events
        .put({
          source: EVENT_SOURCE,
          detailType: DetailTypes.StepProgress,
          detail: { ...step, fraction: Math.max(0, Math.min(1, fraction)), fps: extra?.fps ?? null, speed: extra?.speed ?? null, at: new Date(now).toISOString() },
        })
        .catch((e: Error) => log.warn('progress event not put', { message: e.message }));
    },
    tools: deps.tools,
    vmafModelPath: deps.vmafModelPath,
    region: deps.config.region ?? DEFAULT_REGION,
    config: {
      speedTable: deps.speedTable,
      secret: (name) => {
        const secrets = deps.config.secrets ?? {};
        if (!Object.hasOwn(secrets, name)) throw new InputInvalidError(`${def.name}: secret "${name}" is not set: ${SECRETS_HINT}`, { secret: name });
        return secrets[name]!;
      },
    },
    logger: log,
  };
  const started = Date.now();
  try {
    const result = await traced(def.name, async () => {
      const inDir = join(scratch, 'in');
      await mkdir(inDir);
      for (const [name, ref] of Object.entries(staged)) {
        if (typeof ref === 'string') {
          const local = join(inDir, `${name}${extensionOf(ref)}`);
          await deps.blobs.download(ref, local);
          ctx.inputs[name] = local;
        } else {
          const local = join(inDir, `${name}.mp4`);
          await stageHlsRendition(deps.blobs, ref.hls, local, def.name);
          ctx.inputs[name] = local;
        }
      }
      const out = def.output.parse(await def.run(input, ctx));
      for (const o of outputs) {
        // A tool that exits 0 yet writes nothing must not surface as a raw ENOENT naming local paths.
        if (!existsSync(o.path)) throw new TransientError(`${def.name} produced no ${o.key.slice(o.key.lastIndexOf('/') + 1)}`);
        await deps.blobs.upload(o.path, o.key, o.contentType);
      }
      return out;
    });
    if (cacheKey)
      await deps.cache.putCache({ key: cacheKey, function: def.name, result, outputKeys: outputs.map((o) => o.key), createdAt: new Date().toISOString() });
    await emitStep(deps, {
      ...step, ...placementOf(def, input), status: 'SUCCEEDED', durationMs: Date.now() - startedAt, costUsd: costSoFar(def, input, startedAt, deps),
      ...(def.summarize ? { summary: def.summarize(input, result) } : {}),
    });
    log.info('succeeded', { durationMs: Date.now() - started });
    await emitResult(deps, def.name, input.jobId, stepId, { status: 'SUCCEEDED', result });
    return result;
  } catch (e) {
    const err = toMosaicError(e);
    await emitStep(deps, { ...step, ...placementOf(def, input), status: 'FAILED', durationMs: Date.now() - startedAt, error: `${err.name}: ${err.message}`, costUsd: costSoFar(def, input, startedAt, deps) }).catch(
      (e: Error) => log.error('step end not announced', { message: e.message }),
    );
    log.error('failed', { error: err.name, message: err.message, details: err.details });
    // The function's own error is what matters here; a lost failure event is only logged.
    await emitResult(deps, def.name, input.jobId, stepId, { status: 'FAILED', error: { code: err.name, message: err.message } }).catch((e: Error) =>
      log.error('Function Result event not put', { message: e.message }));
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every error leaving a function is one of the typed ones; unknown failures may be retried. */
export function toMosaicError(e: unknown): MosaicError {
  if (isMosaicError(e)) return e;
  if (e && typeof e === 'object' && 'issues' in e) return new TransientError(`function returned an invalid result: ${String((e as { message?: unknown }).message)}`);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'ENOMEM') return new ResourceExhaustedError((e as Error).message);
  return new TransientError((e as Error)?.message ?? String(e));
}

/** The payload without where and how big it runs: a task's result does not depend on them. */
function withoutSizing(input: object): Record<string, unknown> {
  const work: Record<string, unknown> = { ...input };
  for (const f of SIZING_FIELDS) delete work[f];
  return work;
}

/** A failed attempt is paid for too. Unknown region → no figure rather than a wrong one. */
function costSoFar(def: FunctionSizing, input: object, startedAt: number, deps: RuntimeDeps): number | null {
  const seconds = (Date.now() - startedAt) / 1000;
  return stepCostUsd(input as { platform?: Platform; size?: TaskSize }, def, seconds, deps.config.region ?? DEFAULT_REGION) ?? null;
}

/** Where this attempt ran, for the lifecycle's step metrics and the job's cost breakdown. */
function placementOf(def: FunctionSizing, input: object): Pick<StepStatusChanged, 'platform' | 'size' | 'predictedSec'> {
  const sized = input as { platform?: Platform; size?: TaskSize; estimatedSec?: number };
  const { platform, size } = effectiveSize(sized, def);
  return { platform, size: sizeLabel(platform, size), ...(sized.estimatedSec !== undefined ? { predictedSec: sized.estimatedSec } : {}) };
}

function extensionOf(key: string): string {
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(key);
  return m ? m[0].toLowerCase() : '';
}

async function allExist(blobs: BlobStore, keys: string[]): Promise<boolean> {
  for (const k of keys) if (!(await blobs.head(k))) return false;
  return true;
}

/** A step's start or end, for the job lifecycle to record: put like any event, a rejection fails the invocation. */
async function emitStep(deps: RuntimeDeps, detail: StepStatusChanged): Promise<void> {
  await deps.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.StepStatusChanged, detail: { ...detail, at: new Date().toISOString() } });
}

/** Results bigger than this travel without `result` (EventBridge takes 256 KB per event; plans can be large). */
const RESULT_EVENT_MAX_CHARS = 64 * 1024;

/**
 * Publishes the invocation's outcome as a `Function Result` event, so rules can follow functions
 * (a rule-based workflow chains on these). Cache hits publish too: a chain re-run on the same
 * input must go on. Put like step events: a bus that rejects it fails the invocation, which is retried.
 */
async function emitResult(
  deps: RuntimeDeps,
  fn: string,
  jobId: string,
  stepId: string,
  outcome: { status: 'SUCCEEDED'; result: unknown; cached?: boolean } | { status: 'FAILED'; error: { code: string; message: string } },
): Promise<void> {
  const detail = { function: fn, jobId, stepId, ...outcome };
  if (outcome.status === 'SUCCEEDED' && JSON.stringify(outcome.result ?? null).length > RESULT_EVENT_MAX_CHARS) delete (detail as { result?: unknown }).result;
  await deps.events.put({ source: EVENT_SOURCE, detailType: RuleDetailTypes.FunctionResult, detail });
}

/** Video frames (demuxed packets, no decoding) and duration of a local file. */
export async function probeVideo(ctx: MediaContext, path: string): Promise<{ frames: number; durationSec: number }> {
  const j = await ctx.ffprobeJson<{ streams?: { nb_read_packets?: string; duration?: string }[]; format?: { duration?: string } }>(VIDEO_COUNT_ARGS(path));
  const s = j.streams?.[0];
  return { frames: Number(s?.nb_read_packets ?? 0), durationSec: Number(s?.duration ?? j.format?.duration ?? 0) };
}
