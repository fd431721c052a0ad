/**
 * What the embedded engine's modules share (staging, job requests, workflow runs, progress): its
 * stores, bus, lifecycle feed, functions and settings, built once by LocalEngine.open.
 */
import { cpus } from 'node:os';
import { NotFoundError, type SourceLimits } from '../lambdas/contracts/index.js';
import { pricingRegion } from '../lambdas/core/plan-sizing.js';
import type { WorkflowRunContext } from '../lambdas/core/workflow-input.js';
import { loadSpeedTable, type MediaTools, type RuntimeConfig, type RuntimeDeps } from '../lambdas/runtime/index.js';
import type { InProcessEventBus } from './event-bus.js';
import type { FsBlobStore } from './fs-blob-store.js';
import type { AnyMediaFunction } from './function-registry.js';
import type { LifecycleFeed } from './lifecycle-feed.js';
import type { Semaphore } from './semaphore.js';
import type { SqliteJobStore } from './sqlite-job-store.js';

export interface EngineCore {
  readonly blobs: FsBlobStore;
  readonly jobs: SqliteJobStore;
  readonly events: InProcessEventBus;
  readonly lifecycle: LifecycleFeed;
  readonly functions: Map<string, AnyMediaFunction>;
  /** At most `parallelism` functions at work at once, in workflows and one-off invocations alike. */
  readonly semaphore: Semaphore;
  readonly parallelism: number;
  readonly config: RuntimeConfig;
  readonly tools: MediaTools;
  readonly vmaf: { path: string | null; reason: string | null };
  /** Source limits every job is checked against. */
  readonly limits: SourceLimits;
  /** The version of a preset this engine encodes with, or undefined for an unknown preset. */
  presetVersion(name: string): number | undefined;
}

/**
 * What this engine gives every workflow it runs: chunks follow the worker slots (what makes a
 * local encode fast), a task never gets more ffmpeg threads than a slot has, and the allocator
 * still prices and sizes the same tasks for AWS.
 */
export function localRunContext(core: EngineCore): WorkflowRunContext {
  return {
    parallelism: core.parallelism,
    threadsPerTask: Math.max(1, Math.floor(cpus().length / core.parallelism)),
    vmafAvailable: Boolean(core.vmaf.path && core.tools.vmafFfmpeg),
    limits: core.limits,
    allocator: { region: pricingRegion(core.config.region), maxConcurrency: core.parallelism, chooseChunks: false },
  };
}

/** What a media function is given here: the same runtime as on AWS, on the local stores. */
export function runtimeDeps(core: EngineCore, signal: AbortSignal): RuntimeDeps {
  return {
    blobs: core.blobs,
    cache: core.jobs,
    events: core.events,
    speedTable: () => loadSpeedTable(core.jobs),
    config: core.config,
    tools: core.tools,
    vmafModelPath: core.vmaf.path,
    signal,
  };
}

/** Runs one media function outside any workflow (the API's function invocations, preflight's inspect). */
export function invokeOnce(core: EngineCore, fn: string, input: unknown): Promise<unknown> {
  const f = core.functions.get(fn);
  if (!f) return Promise.reject(new NotFoundError(`no media function "${fn}"`, { known: [...core.functions.keys()] }));
  return core.semaphore.use(() => f.invoke(input, runtimeDeps(core, new AbortController().signal)));
}
