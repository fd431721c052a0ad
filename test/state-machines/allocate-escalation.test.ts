/**
 * The encode Map's iterator as it runs: Allocate → Lambda or Fargate → (on a timeout or an
 * out-of-memory) Escalate → Allocate one size up, until it succeeds or the allocator gives up with
 * Mosaic.ResourceExhausted. Runs the real ASL (extracted from encode.asl.json) in the local runner,
 * with the real allocator handler and a stand-in encode that fails as told.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DetailTypes, ResourceExhaustedError, type TaskAllocated } from '../../lambdas/contracts/index.js';
import { planEncode } from '../../lambdas/core/encode-plan.js';
import { createAllocatorHandler, MAX_ESCALATIONS } from '../../lambdas/platform/allocator/handler.js';
import { loadWorkflow, localFunctionArn, runWorkflow } from '../../local/asl-runner.js';
import { InProcessEventBus } from '../../local/event-bus.js';
import { defaultPlatforms } from '../../local/function-registry.js';
import { ENCODE_WORKFLOW } from '../../local/engine.js';
import { SqliteJobStore } from '../../local/sqlite-job-store.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../helpers/plan-fixture.js';
import { INTERRUPTED_ERROR } from '../../containers/ffmpeg/run-task.js';

const dir = mkdtempSync(join(tmpdir(), 'mosaic-escalation-'));
const jobs = new SqliteJobStore(join(dir, 'jobs.db'));
afterAll(() => jobs.close());

/** The EncodeVideo Map's iterator as a state machine of its own. */
function iterator() {
  const encode = (JSON.parse(readFileSync(ENCODE_WORKFLOW, 'utf8')) as { States: Record<string, { Branches: { States: Record<string, { ItemProcessor: object }> }[] }> })
    .States.Encode.Branches[0].States.EncodeVideo.ItemProcessor;
  const file = join(dir, `iterator-${Math.random().toString(36).slice(2)}.asl.json`);
  const { ProcessorConfig: _inline, ...machine } = encode as { ProcessorConfig?: unknown };
  writeFileSync(file, JSON.stringify(machine));
  return loadWorkflow(file, defaultPlatforms());
}

const planInput = encodeOnlyPlanInput('job-esc', videoOnlyMedia({ width: 1920, height: 1080, fps: 25, seconds: 60, sizeBytes: 40_000_000 }));
const plan = planEncode(planInput);

async function runChunk(failures: string[], platforms: ('lambda' | 'fargate')[] = ['lambda', 'fargate']) {
  const events = new InProcessEventBus();
  const allocations: TaskAllocated[] = [];
  events.subscribe((e) => {
    if (e.detailType === DetailTypes.TaskAllocated) allocations.push(e.detail);
  });
  const allocator = createAllocatorHandler({ jobs, events, platforms: { 'encode-video': platforms }, lambdaTarget: () => localFunctionArn('encode-video') });
  const encoded: unknown[] = [];
  const queue = [...failures];
  const run = runWorkflow(
    iterator(),
    { function: 'encode-video', task: plan.videoTasks[0], sizing: plan.sizing, attempt: 0 },
    async (fn, input) => {
      if (fn === 'allocator') return allocator(input);
      encoded.push(input);
      const next = queue.shift();
      if (next === 'oom') throw new ResourceExhaustedError('ffmpeg was killed: out of memory');
      if (next === 'timeout') throw Object.assign(new Error('Task timed out'), { name: 'States.Timeout' });
      if (next === 'interrupted') throw Object.assign(new Error('container stopped while the task ran'), { name: INTERRUPTED_ERROR });
      return { key: (input as { output: { key: string } }).output.key, frames: 100, bytes: 1000 };
    },
    { retryIntervalMs: 0 },
  );
  return { result: run.result, allocations, encoded };
}

describe('Allocate → encode → escalate, in the local runner', () => {
  it('encodes on the allocated size, with its threads and size in the payload', async () => {
    const r = await runChunk([]);
    await expect(r.result).resolves.toMatchObject({ frames: 100 });
    expect(r.allocations).toHaveLength(1);
    const [a] = r.allocations;
    expect(r.encoded[0]).toMatchObject({ platform: a.platform, size: { vcpu: a.vcpu, memoryMiB: a.memoryMiB } });
  });

  it('goes one size up after an out-of-memory and after a timeout, then succeeds', async () => {
    const r = await runChunk(['oom', 'timeout']);
    await expect(r.result).resolves.toMatchObject({ frames: 100 });
    expect(r.allocations.map((a) => a.attempt)).toEqual([0, 1, 2]);
    expect(r.allocations[1].after).toBe('Mosaic.ResourceExhausted');
    expect(r.allocations[2].after).toBe('States.Timeout');
    expect(r.allocations[1].memoryMiB).toBeGreaterThan(r.allocations[0].memoryMiB);
    expect(r.allocations[2].vcpu > r.allocations[1].vcpu || (r.allocations[1].platform === 'lambda' && r.allocations[2].platform === 'fargate')).toBe(true);
    expect(r.encoded).toHaveLength(3);
  });

  it('stops after a bounded number of escalations with Mosaic.ResourceExhausted', async () => {
    const r = await runChunk(Array(20).fill('oom'));
    const err = (await r.result.then(() => null, (e: Error & { cause?: Error }) => e))!;
    expect(err.cause?.name ?? err.name).toBe('Mosaic.ResourceExhausted');
    expect(err.message).toMatch(/escalation exhausted/);
    expect(r.allocations.length).toBeLessThanOrEqual(MAX_ESCALATIONS + 1);
    expect(r.encoded.length).toBe(r.allocations.length);
  });

  it('runs a chunk whose Fargate (Spot) task was interrupted again on the same size, without escalating', async () => {
    const r = await runChunk(['interrupted', 'interrupted'], ['fargate']);
    await expect(r.result).resolves.toMatchObject({ frames: 100 });
    expect(r.allocations).toHaveLength(1);
    expect(r.encoded).toHaveLength(3);
    expect(new Set(r.encoded.map((e) => JSON.stringify(e))).size).toBe(1);
  });

  it('keeps to the platforms allowed (a Fargate-only function never lands on Lambda)', async () => {
    const r = await runChunk(['oom'], ['fargate']);
    await expect(r.result).resolves.toMatchObject({ frames: 100 });
    expect(r.allocations.every((a) => a.platform === 'fargate')).toBe(true);
  });
});
