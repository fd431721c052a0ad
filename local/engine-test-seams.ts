/**
 * The embedded engine's test seams, in one option group (`LocalEngineOptions.testing`). The CLI
 * and `mosaic serve` never set it. LocalEngine.open resolves the seams here into the ordinary
 * settings the engine's modules take (a workflow's platforms, a preset catalogue, a hook before
 * each task), so no production module reads a test option.
 */
import { ALLOCATED_FUNCTIONS, type AllocatedFunction, type Platform } from '../lambdas/contracts/index.js';
import { findPreset } from '../lambdas/core/presets.js';
import { defaultPlatforms, functionConfigs } from './function-registry.js';

export interface EngineTestSeams {
  /** Retry pause of every Task state, instead of the ASL's IntervalSeconds (fast retry tests). */
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

/** The settings the seams stand for; without seams, the production ones. */
export interface ResolvedSeams {
  /** Function name → where the workflow runs it (function.json defaultPlatform unless overridden). */
  workflowPlatforms: Map<string, string>;
  /** Where the allocator may place each allocated function's tasks (function.json platforms; the encode-video seam overrides its own). */
  allocatedPlatforms: Partial<Record<AllocatedFunction, Platform[]>>;
  presetVersion: (name: string) => number | undefined;
  beforeInvoke?: (fn: string, input: unknown) => void | Promise<void>;
  retryIntervalMs?: number;
}

export function resolveSeams(seams: EngineTestSeams = {}): ResolvedSeams {
  const encodeOverride = seams.platformDefaults?.get('encode-video');
  const own = seams.presetVersions;
  return {
    workflowPlatforms: new Map([...defaultPlatforms(), ...(seams.platformDefaults ?? [])]),
    allocatedPlatforms: Object.fromEntries(
      ALLOCATED_FUNCTIONS.map((fn) => [fn, fn === 'encode-video' && encodeOverride ? [encodeOverride as Platform] : (functionConfigs().get(fn)?.platforms ?? ['lambda'])]),
    ),
    presetVersion: (name) => (own && Object.hasOwn(own, name) ? own[name] : findPreset(name)?.version),
    beforeInvoke: seams.invokeHook,
    retryIntervalMs: seams.retryIntervalMs,
  };
}
