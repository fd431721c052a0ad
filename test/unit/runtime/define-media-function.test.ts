/**
 * The Function Runtime around a small real function: validation, staging, declared outputs,
 * the result cache, step records and error mapping, on the local adapters.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputInvalidError, type MosaicEvent } from '../../../lambdas/contracts/index.js';
import { defineMediaFunction, resolveMediaTools, type RuntimeDeps } from '../../../lambdas/runtime/index.js';
import { InProcessEventBus } from '../../../local/event-bus.js';
import { LifecycleFeed } from '../../../local/lifecycle-feed.js';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { tempDir } from '../../helpers/media.js';

let runs = 0;
const upper = defineMediaFunction({
  name: 'upper',
  version: 1,
  input: z.object({ jobId: z.string(), itemId: z.string().optional(), text: z.object({ key: z.string() }), out: z.string() }),
  output: z.object({ key: z.string(), length: z.number() }),
  stage: (i) => ({ text: i.text.key }),
  async run(input, ctx) {
    runs++;
    const text = await readFile(ctx.inputs.text, 'utf8');
    if (text === 'boom') throw new Error('something odd happened');
    if (text === 'bad') throw new InputInvalidError('the text is bad');
    const out = join(ctx.scratch, 'upper.txt');
    await writeFile(out, text.toUpperCase());
    ctx.output(out, input.out, 'text/plain');
    return { key: input.out, length: text.length };
  },
});

let deps: RuntimeDeps;
let blobs: FsBlobStore;
let jobs: SqliteJobStore;
const events: MosaicEvent[] = [];

beforeEach(async () => {
  const root = tempDir();
  blobs = new FsBlobStore(root);
  jobs = new SqliteJobStore(join(root, 'db.sqlite'));
  await jobs.createJob({ id: 'j1', spec: { source: { key: 'x' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} }, sourceHash: null, outputPrefix: 'j1/' });
  const bus = new InProcessEventBus();
  bus.subscribe((e) => void events.push(e));
  // The runtime announces steps; the lifecycle records them, as in both engines.
  const feed = new LifecycleFeed({ jobs, steps: jobs, history: jobs, documents: jobs, blobs, events: bus, metrics: { record: async () => undefined }, workPrefix: (id) => `.mosaic/work/${id}/` });
  bus.subscribe((e) => feed.onEvent(e));
  const config = { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000 };
  deps = { blobs, cache: jobs, events: bus, speedTable: async () => ({}), config, tools: await resolveMediaTools(config), vmafModelPath: null };
  runs = 0;
  events.length = 0;
});

describe('defineMediaFunction', () => {
  it('stages inputs, uploads declared outputs and records the step', async () => {
    await blobs.putBytes('in/a.txt', 'hello', 'text/plain');
    const r = await upper.invoke({ jobId: 'j1', itemId: 'a', text: { key: 'in/a.txt' }, out: 'out/a.txt' }, deps);
    expect(r).toEqual({ key: 'out/a.txt', length: 5 });
    expect((await blobs.getBytes('out/a.txt')).toString()).toBe('HELLO');
    const steps = await jobs.listSteps('j1');
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([['upper:a', 'SUCCEEDED']]);
    expect(events.map((e) => e.detailType)).toContain('Step Status Changed');
  });

  it('serves an identical call from the cache, and recomputes when the input content changes', async () => {
    await blobs.putBytes('in/a.txt', 'hello', 'text/plain');
    const input = { jobId: 'j1', itemId: 'a', text: { key: 'in/a.txt' }, out: 'out/a.txt' };
    await upper.invoke(input, deps);
    await upper.invoke(input, deps);
    expect(runs).toBe(1);
    expect((await jobs.listSteps('j1')).map((s) => s.status)).toEqual(['SUCCEEDED', 'CACHED']);
    await new Promise((r) => setTimeout(r, 20));
    await blobs.putBytes('in/a.txt', 'hello world', 'text/plain');
    expect((await upper.invoke(input, deps)).length).toBe(11);
    expect(runs).toBe(2);
  });

  it('recomputes when a cached output object has disappeared', async () => {
    await blobs.putBytes('in/a.txt', 'hello', 'text/plain');
    const input = { jobId: 'j1', text: { key: 'in/a.txt' }, out: 'out/a.txt' };
    await upper.invoke(input, deps);
    await blobs.deletePrefix('out/');
    await upper.invoke(input, deps);
    expect(runs).toBe(2);
  });

  it('rejects invalid input as Mosaic.InputInvalid naming the field', async () => {
    const err = await upper.invoke({ jobId: 'j1', text: { key: 3 } }, deps).catch((e) => e);
    expect(err.name).toBe('Mosaic.InputInvalid');
    expect(err.message).toMatch(/text\.key/);
    expect(err.message).toMatch(/out/);
  });

  it('reports a missing input object as Mosaic.InputInvalid', async () => {
    const err = await upper.invoke({ jobId: 'j1', text: { key: 'in/none.txt' }, out: 'o' }, deps).catch((e) => e);
    expect(err.name).toBe('Mosaic.InputInvalid');
    expect(err.message).toMatch(/not found/);
  });

  it('maps unknown failures to Mosaic.Transient, keeps typed ones, and records FAILED steps', async () => {
    await blobs.putBytes('in/boom.txt', 'boom', 'text/plain');
    await blobs.putBytes('in/bad.txt', 'bad', 'text/plain');
    const e1 = await upper.invoke({ jobId: 'j1', text: { key: 'in/boom.txt' }, out: 'o1' }, deps).catch((e) => e);
    const e2 = await upper.invoke({ jobId: 'j1', text: { key: 'in/bad.txt' }, out: 'o2' }, deps).catch((e) => e);
    expect(e1.name).toBe('Mosaic.Transient');
    expect(e2.name).toBe('Mosaic.InputInvalid');
    const steps = await jobs.listSteps('j1');
    expect(steps.every((s) => s.status === 'FAILED' && s.error)).toBe(true);
    expect(await blobs.head('o1')).toBeNull();
  });
});
