/** An embedded engine with its rule runtime and inbox watcher, as `mosaic serve` runs them, for the rules e2e tests. */
import { tmpdir } from 'node:os';
import type { BusEvent } from '../../lambdas/contracts/index.js';
import { LocalEngine, type EngineTestSeams, type LocalEngineOptions } from '../../local/engine.js';
import { InboxWatcher } from '../../local/inbox-watcher.js';
import { LocalRuleRuntime, type FiringReport } from '../../local/rule-runtime.js';

export interface RulesWorld {
  engine: LocalEngine;
  runtime: LocalRuleRuntime;
  watcher: InboxWatcher;
  /** Every S3 event the watcher emitted. */
  uploads: BusEvent[];
  firings: FiringReport[];
  /** Waits until the watcher announced `n` uploads in all, then until every rule's work is done. */
  settle(n?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Engine options, with the engine's test seams given flat (fast retries unless a test says otherwise). */
export type RulesWorldOptions = Partial<Omit<LocalEngineOptions, 'testing'>> & EngineTestSeams;

export async function startRulesWorld(root: string, o: RulesWorldOptions = {}): Promise<RulesWorld> {
  const { retryIntervalMs = 10, platformDefaults, invokeHook, presetVersions, ...engine } = o;
  const e = await LocalEngine.open({
    root,
    runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
    parallelism: 2,
    ...engine,
    testing: { retryIntervalMs, platformDefaults, invokeHook, presetVersions },
  });
  const firings: FiringReport[] = [];
  const uploads: BusEvent[] = [];
  const runtime = await LocalRuleRuntime.start(e, { onFiring: (r) => firings.push(r) });
  const watcher = await InboxWatcher.start({
    root,
    settleMs: 150,
    rescanMs: 400,
    onEvent: (event) => {
      uploads.push(event);
      runtime.put(event, 'default');
    },
  });
  return {
    engine: e,
    runtime,
    watcher,
    uploads,
    firings,
    async settle(n = uploads.length, timeoutMs = 240_000) {
      const until = Date.now() + timeoutMs;
      while (uploads.length < n) {
        if (Date.now() > until) throw new Error(`the watcher announced ${uploads.length} uploads, not ${n}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await runtime.idle();
    },
    async stop() {
      watcher.close();
      await runtime.idle();
      runtime.close();
      e.close();
    },
  };
}
