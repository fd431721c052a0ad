/**
 * `ctx.progress` (runtime/define-media-function.ts): progress is a hint. A bus that rejects the
 * put (a throttled PutEvents) never fails the invocation, nor leaves a rejection unhandled (on
 * Lambda that ends the process); and a step puts at most one progress event per second, whatever
 * rate ffmpeg reports at (the final 1 always goes). The clock is faked (Date only), so the test
 * controls when each report happens.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DetailTypes, type MosaicEvent } from '../../../lambdas/contracts/index.js';
import type { EventBus } from '../../../lambdas/ports.js';
import { defineMediaFunction, resolveMediaTools, type RuntimeDeps } from '../../../lambdas/runtime/index.js';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { tempDir } from '../../helpers/media.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** Reports each `[ms after T0, fraction]` as ffmpeg's progress would, at that moment. */
const reporter = defineMediaFunction({
  name: 'reporter',
  version: 1,
  cacheable: false,
  input: z.object({ jobId: z.string(), itemId: z.string().optional(), ticks: z.array(z.tuple([z.number(), z.number()])) }),
  output: z.object({ reported: z.number() }),
  async run(input, ctx) {
    for (const [ms, fraction] of input.ticks) {
      vi.setSystemTime(T0 + ms);
      ctx.progress(fraction, { fps: 30, speed: 1 });
    }
    // Let the puts settle (and any rejection surface) before the function returns.
    await new Promise((r) => setImmediate(r));
    return { reported: input.ticks.length };
  },
});

let put: MosaicEvent[];
let refused: number;
let unhandled: unknown[];
const onUnhandled = (e: unknown) => void unhandled.push(e);
let deps: RuntimeDeps;

/** A bus whose PutEvents of progress is throttled (`throttle`), or accepted. */
function bus(throttle: boolean): EventBus {
  return {
    put: async (e) => {
      if (throttle && e.detailType === DetailTypes.StepProgress) {
        refused++;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      put.push(e);
    },
    subscribe: () => () => undefined,
  };
}

beforeEach(async () => {
  const root = tempDir();
  put = [];
  refused = 0;
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
  const config = { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000 };
  deps = { blobs: new FsBlobStore(root), cache: new SqliteJobStore(join(root, 'db.sqlite')), events: bus(false), speedTable: async () => ({}), config, tools: await resolveMediaTools(config), vmafModelPath: null };
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
  process.off('unhandledRejection', onUnhandled);
});

const progressOf = (events: MosaicEvent[]) =>
  events.filter((e) => e.detailType === DetailTypes.StepProgress).map((e) => ({ fraction: (e.detail as { fraction: number }).fraction, at: (e.detail as { at: string }).at }));

describe('ctx.progress', () => {
  it('never fails the invocation when the bus rejects the put (a throttled PutEvents)', async () => {
    deps = { ...deps, events: bus(true) };
    const ticks: [number, number][] = [[1000, 0.25], [2000, 0.5], [3000, 0.75], [4000, 1]];
    await expect(reporter.invoke({ jobId: 'j1', itemId: 'a', ticks }, deps)).resolves.toEqual({ reported: 4 });
    await new Promise((r) => setImmediate(r));
    expect(refused).toBe(4);
    expect(unhandled).toEqual([]);
    // The step itself is announced as usual: started, then succeeded.
    expect(put.filter((e) => e.detailType === DetailTypes.StepStatusChanged).map((e) => (e.detail as { status: string }).status)).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it('puts at most one progress event per step per second; the final 1 always goes', async () => {
    // ffmpeg reports every 100 ms for 3.45 s.
    const ticks: [number, number][] = Array.from({ length: 35 }, (_, i) => [100 * (i + 1), (i + 1) / 40] as [number, number]);
    ticks.push([3450, 1]);
    await reporter.invoke({ jobId: 'j1', itemId: 'a', ticks }, deps);
    const events = progressOf(put);
    // The first report goes at once, then one a second.
    expect(events.map((e) => e.at)).toEqual([T0 + 100, T0 + 1100, T0 + 2100, T0 + 3100, T0 + 3450].map((t) => new Date(t).toISOString()));
    expect(events.map((e) => e.fraction)).toEqual([1 / 40, 11 / 40, 21 / 40, 31 / 40, 1]);
    // No two within a second of each other, but for the final one.
    const times = events.slice(0, -1).map((e) => Date.parse(e.at));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(new Set(put.filter((e) => e.detailType === DetailTypes.StepProgress).map((e) => (e.detail as { stepId: string }).stepId))).toEqual(new Set(['reporter:a']));
  });
});
