/**
 * The allocator Lambda (lambdas/bootstrap/allocator.ts → platform/allocator) against dynalite (the
 * learned speed table) and a recording EventBridge: it names the deployed Lambda of the chosen
 * memory size, escalates one size up after a failure, and learns from the table in DynamoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllocateStateResultSchema, LAMBDA_MEMORY_LADDER_MIB } from '../../lambdas/contracts/index.js';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { createAllocator, lambdaTargets } from '../../lambdas/bootstrap/allocator.js';
import { planEncode } from '../../lambdas/core/encode-plan.js';
import { recordSpeedSamples } from '../../lambdas/runtime/index.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../helpers/plan-fixture.js';
import { emulatorEnv, startDynamo, startJsonApiFake, type DynamoEmulator, type JsonApiFake } from './emulators.js';

const arn = (mib: number) => `arn:aws:lambda:us-east-1:000000000000:function:mosaic-dev-encode-video-${mib}`;
const media = videoOnlyMedia({ width: 1920, height: 1080, fps: 24, seconds: 120, sizeBytes: 200_000_000 });
const planInput = encodeOnlyPlanInput('job-alloc', media, { parallelism: 20, threadsPerTask: 2, vmafAvailable: true, allocator: { region: 'us-east-1', maxConcurrency: 20, chooseChunks: true } });

describe('allocator Lambda against dynalite and a recording EventBridge', () => {
  let dynamo: DynamoEmulator;
  let fake: JsonApiFake;
  let env: Record<string, string>;
  beforeAll(async () => {
    [dynamo, fake] = await Promise.all([startDynamo('mosaic'), startJsonApiFake()]);
    env = {
      ...emulatorEnv({ dynamodb: dynamo.endpoint, events: fake.endpoint }),
      MOSAIC_TABLE: 'mosaic',
      MOSAIC_EVENT_BUS: 'mosaic-bus',
      MOSAIC_ALLOCATED_TARGETS: JSON.stringify({ 'encode-video': Object.fromEntries(LAMBDA_MEMORY_LADDER_MIB.map((m) => [String(m), arn(m)])) }),
      MOSAIC_ALLOCATED_PLATFORMS: JSON.stringify({ 'encode-video': ['lambda', 'fargate'] }),
    };
  });
  afterAll(async () => {
    await Promise.all([dynamo?.close(), fake?.close()]);
  });

  const plan = planEncode(planInput);
  const input = () => ({ function: 'encode-video', task: plan.videoTasks[0], sizing: plan.sizing, attempt: 0 });

  it('sizes a task: a valid size, the deployed Lambda of that memory or Fargate overrides, the payload resized', async () => {
    const allocate = createAllocator(env);
    const r = AllocateStateResultSchema.parse(await allocate(input()));
    if (r.platform === 'lambda') {
      expect(r.target).toBe(arn(r.memoryMiB));
      expect(r.ecs).toBeNull();
    } else {
      expect(r.target).toBeNull();
      expect(r.ecs).toEqual({ cpu: String(r.vcpu * 1024), memory: String(r.memoryMiB), ephemeralGiB: Math.max(21, r.ephemeralGiB) });
    }
    expect(r.task).toMatchObject({ platform: r.platform, threads: r.threads, size: { vcpu: r.vcpu, memoryMiB: r.memoryMiB }, timeoutSec: r.timeoutSec, itemId: plan.videoTasks[0].itemId });
    const put = fake.of('PutEvents').at(-1)!;
    const entry = (put.body.Entries as { DetailType: string; Detail: string; EventBusName: string }[])[0];
    expect(entry).toMatchObject({ DetailType: 'Task Allocated', EventBusName: 'mosaic-bus' });
    expect(JSON.parse(entry.Detail)).toMatchObject({ jobId: 'job-alloc', attempt: 0, platform: r.platform });
  });

  it('escalates after an out-of-memory, and gives up with Mosaic.ResourceExhausted after the bounded attempts', async () => {
    const allocate = createAllocator(env);
    let previous = AllocateStateResultSchema.parse(await allocate(input()));
    const sizes = [previous];
    let error: Error | null = null;
    for (let attempt = 1; attempt < 10 && !error; attempt++) {
      try {
        previous = AllocateStateResultSchema.parse(await allocate({ ...input(), attempt, previous, failure: { Error: 'Mosaic.ResourceExhausted', Cause: 'ffmpeg was killed (out of memory)' } }));
        sizes.push(previous);
      } catch (e) {
        error = e as Error;
      }
    }
    expect(error?.name).toBe('Mosaic.ResourceExhausted');
    expect(error?.message).toMatch(/escalation exhausted/);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i].memoryMiB).toBeGreaterThan(sizes[i - 1].memoryMiB);
    expect(sizes.length).toBeLessThanOrEqual(4);
  });

  it('refuses a failure a bigger size cannot fix, and a malformed state input, as Mosaic.InputInvalid', async () => {
    const allocate = createAllocator(env);
    const previous = AllocateStateResultSchema.parse(await allocate(input()));
    await expect(allocate({ ...input(), attempt: 1, previous, failure: { Error: 'Mosaic.InputInvalid' } })).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
    await expect(allocate({ task: { nope: true } })).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
  });

  it('predicts from the speed table in DynamoDB: a slower measured machine gets a longer estimate', async () => {
    const allocate = createAllocator(env);
    const before = AllocateStateResultSchema.parse(await allocate(input()));
    const t = plan.videoTasks[0];
    const slow = { function: 'encode-video', codec: 'h264' as const, encoderPreset: t.rung.encoderPreset, width: t.rung.width, height: t.rung.height, frames: 100, seconds: 100, vcpu: 1 };
    for (let i = 0; i < 5; i++) await recordSpeedSamples(awsJobStore(env), [slow]);
    const after = AllocateStateResultSchema.parse(await allocate(input()));
    expect(after.estimatedSeconds / after.vcpu).toBeGreaterThan(before.estimatedSeconds / before.vcpu);
  });

  it('reads its Lambda targets from the environment, with a clear error when they are malformed', () => {
    const targets = lambdaTargets('{"encode-video":{"1769":"arn:x"},"analyze-title":{"1769":"arn:y"}}');
    expect(targets(1769, 'encode-video')).toBe('arn:x');
    expect(targets(1769, 'analyze-title')).toBe('arn:y');
    expect(targets(3538, 'encode-video')).toBeNull();
    expect(() => lambdaTargets('not json')).toThrow(/MOSAIC_ALLOCATED_TARGETS must be JSON/);
    expect(() => lambdaTargets('{"1769":"arn:x"}')).toThrow(/MOSAIC_ALLOCATED_TARGETS must be an object of function/);
    expect(() => createAllocator({ ...env, MOSAIC_ALLOCATED_PLATFORMS: '{"encode-video":["lambda","moon"]}' })).toThrow(/MOSAIC_ALLOCATED_PLATFORMS/);
  });
});
