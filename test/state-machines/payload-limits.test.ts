/**
 * Step Functions' limits, measured: a two-hour 4K title (3840x2160, 24 fps, 7200 s) through the
 * encode definition as synthesised for prod, with real plan objects (core's planEncode, the Plan
 * function's planByReference, the real allocator handler). Every state's input and output, every
 * Map child's input and every Task's payload stays under 256 KiB; every ECS RunTask override
 * (MOSAIC_INPUT and the task token included) under 8 KiB; the parent execution's history does not
 * grow with the number of chunks (they run as Distributed Map children).
 *
 * The definition runs in aws-local-stepfunctions with its Distributed Map made in-process
 * (local/distributed-map.ts); the ItemReader's object is the task list Plan would write. Every
 * function's platform is Fargate (the worst case for overrides); the media functions answer
 * results of their real schemas, sized for this title.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssembleResultSchema,
  EncodeAudioResultSchema,
  EncodeVideoResultSchema,
  JobSpecSchema,
  PackageResultSchema,
  PublishResultSchema,
  QualityResultSchema,
  ThumbnailsResultSchema,
  type EncodeVideoInput,
  type MediaInfo,
  type PlanInput,
  type ServiceQuotas,
} from '../../lambdas/contracts/index.js';
import { DEFAULT_SPEED_TABLE } from '../../lambdas/core/allocator/speed-model.js';
import { planByReference, planEncode } from '../../lambdas/core/encode-plan.js';
import { awsRunContext, encodeWorkflowInput } from '../../lambdas/core/workflow-input.js';
import { createAllocatorHandler } from '../../lambdas/platform/allocator/handler.js';
import { ecsTaskPayload, loadWorkflow, type LoadedWorkflow } from '../../local/asl-runner.js';
import { parseItems, type ItemReaderParameters } from '../../local/distributed-map.js';
import { InProcessEventBus } from '../../local/event-bus.js';
import { defaultPlatforms } from '../../local/function-registry.js';
import { SqliteJobStore } from '../../local/sqlite-job-store.js';
import { buildStage } from '../infra/infra-app.js';

const STATE_PAYLOAD_MAX = 256 * 1024;
const ECS_OVERRIDE_MAX = 8 * 1024;
/** SendTaskSuccess takes tokens of up to 2,048 characters: the override is measured with the longest. */
const TASK_TOKEN = 'T'.repeat(2048);
const JOB_ID = '0f6c2a9e-1b7d-4c1e-9a55-3f1e2d4c5b6a';

const SECONDS = 7200;
const FPS = 24;
const media: MediaInfo = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  sizeBytes: 60_000_000_000,
  durationSec: SECONDS,
  video: { codec: 'h264', width: 3840, height: 2160, displayWidth: 3840, fps: FPS, fpsRational: '24', frames: SECONDS * FPS, durationSec: SECONDS, startSec: 0 },
  audio: { codec: 'aac', channels: 6, sampleRate: 48000, durationSec: SECONDS, startSec: 0 },
  audioTracks: [
    { codec: 'aac', channels: 6, sampleRate: 48000, durationSec: SECONDS, startSec: 0, index: 0, language: 'eng', default: true, title: 'English 5.1' },
    { codec: 'aac', channels: 2, sampleRate: 48000, durationSec: SECONDS, startSec: 0, index: 1, language: 'fra', default: false, title: 'Français' },
  ],
  subtitles: [],
  notes: [],
};

/** Quotas far above any account's: nothing but the title bounds the number of chunks. */
const UNBOUNDED: ServiceQuotas = {
  stepFunctions: { openExecutions: 1_000_000, distributedMapConcurrency: 10_000, payloadBytes: STATE_PAYLOAD_MAX },
  lambda: { concurrentExecutions: 10_000 },
  fargate: { onDemandVcpu: 1_000_000, spotVcpu: 1_000_000, overrideBytes: ECS_OVERRIDE_MAX },
};

let dir: string;
let jobs: SqliteJobStore;
let workflow: LoadedWorkflow;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mosaic-limits-'));
  jobs = new SqliteJobStore(join(dir, 'jobs.db'));
  // The definition exactly as synthesised for prod, loaded with every function on Fargate.
  const [, machine] = Object.entries(buildStage('prod').stateless.findResources('AWS::StepFunctions::StateMachine')).find(([, r]) => r.Properties.StateMachineName === 'mosaic-prod-encode')!;
  const file = join(dir, 'encode.asl.json');
  writeFileSync(file, machine.Properties.DefinitionString as string);
  workflow = loadWorkflow(file, new Map([...defaultPlatforms().keys()].map((fn) => [fn, 'fargate'])));
}, 120_000);
afterAll(() => {
  jobs.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Measured {
  videoTasks: number;
  /** Largest JSON of a state input/output, a Map child's input or a Task payload: [bytes, where]. */
  largestPayload: [number, string];
  largestOverride: [number, string];
  /** State transitions of the parent execution (outside the Distributed Map's children). */
  parentStates: number;
  sizes: Map<string, number>;
  overrides: Map<string, number>;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? null));

/** Runs the definition for the title with this deployment concurrency (deadline, quotas: else the allocator's defaults) and measures every payload. */
async function measure(parallelism: number, spec: { deadlineSec?: number; priority?: number } = {}, quotas?: ServiceQuotas): Promise<Measured> {
  const ctx = awsRunContext({ parallelism, threadsPerTask: 2, vmafAvailable: true, limits: { maxBytes: 100 * 1024 ** 3, maxDurationSec: 4 * 3600 }, region: 'us-east-1' });
  const input = encodeWorkflowInput(JOB_ID, { key: 'uploads/feature-film-2160p24.mov' }, JobSpecSchema.parse({ source: { key: 'uploads/feature-film-2160p24.mov' }, ...spec }), { ...ctx, allocator: { ...ctx.allocator, ...(quotas ? { quotas } : {}) } });
  const objects = new Map<string, string>();
  const events = new InProcessEventBus();
  const allocator = createAllocatorHandler({ jobs, events, platforms: { 'encode-video': ['fargate'] }, lambdaTarget: () => null });
  const sizes = new Map<string, number>();
  const note = (where: string, v: unknown) => sizes.set(where, Math.max(sizes.get(where) ?? 0, bytes(v)));
  const overrides = new Map<string, number>();
  let videoTasks = 0;

  const results: Record<string, (i: any) => unknown> = {
    inspect: () => media,
    plan: (i: PlanInput) => {
      const carried = planByReference(planEncode(i, DEFAULT_SPEED_TABLE), i.workPrefix);
      for (const o of carried.objects) objects.set(o.key, JSON.stringify(o.value));
      videoTasks = carried.plan.videoTaskList!.count;
      return carried.plan;
    },
    'encode-video': (i: EncodeVideoInput) => EncodeVideoResultSchema.parse({ key: i.output.key, frames: i.chunk.frames, bytes: 987_654_321, encodeSeconds: 1234.5 }),
    'encode-audio': (i) => EncodeAudioResultSchema.parse({ key: i.output.key, durationSec: SECONDS, bytes: 345_678_901, codecs: 'mp4a.40.2' }),
    assemble: (i) => AssembleResultSchema.parse({ rungId: i.rung.id, key: i.output.key, frames: i.expectedFrames, durationSec: SECONDS, bytes: 12_345_678_901, bitrateKbps: i.rung.bitrateKbps }),
    'measure-quality': (i) => QualityResultSchema.parse({ rungId: i.rung.id, psnr: 41.23456789, psnrMin: 30.987654321, ssim: 0.987654321, vmaf: 95.123456789, frames: i.frames }),
    package: (i) =>
      PackageResultSchema.parse({
        hlsMasterKey: `${i.outputPrefix}hls/master.m3u8`,
        dashManifestKey: `${i.outputPrefix}dash/manifest.mpd`,
        renditions: [
          ...i.rungs.map((r: any) => ({ id: r.rung.id, kind: 'video', width: r.rung.width, height: r.rung.height, codecs: 'avc1.640033', bandwidth: r.rung.maxrateKbps * 1000, averageBandwidth: r.rung.bitrateKbps * 1000, playlistKey: `${i.outputPrefix}hls/${r.rung.id}/index.m3u8`, segments: 1800, bytes: 12_345_678_901 })),
          ...i.audio.map((a: any) => ({ id: a.id, kind: 'audio', language: a.language, codecs: 'mp4a.40.2', bandwidth: 200_000, averageBandwidth: 192_000, playlistKey: `${i.outputPrefix}hls/${a.id}/index.m3u8`, segments: 1800, bytes: 172_800_000 })),
        ],
        notes: [],
      }),
    thumbnails: (i) => ThumbnailsResultSchema.parse({ posterKey: `${i.outputPrefix}poster.jpg`, spriteKey: `${i.outputPrefix}sprite.jpg`, vttKey: `${i.outputPrefix}thumbnails.vtt`, count: Math.ceil(SECONDS / i.intervalSec) }),
    publish: (i) => {
      if (i.status === 'FAILED') throw new Error(`the job failed: ${JSON.stringify(i.error)}`);
      return PublishResultSchema.parse({ jobId: i.jobId, status: i.status, reportKey: `${i.outputPrefix}report.json` });
    },
  };

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [state, { fn, kind }] of workflow.taskFunctions) {
    handlers[state] = async (taskInput: unknown) => {
      if (kind === 'item-reader') return parseItems((taskInput as ItemReaderParameters).Key, objects.get((taskInput as ItemReaderParameters).Key)!);
      note(`task payload ${state}`, taskInput);
      if (fn === 'allocator') {
        // The Allocate state keeps its input and puts the answer at $.allocation: what the Fargate state then reads.
        const allocation = await allocator(taskInput);
        note('output AllocateVideoChunk', { ...(taskInput as object), allocation });
        return allocation;
      }
      if (kind === 'ecs') {
        // What RunTask is given: the container overrides with MOSAIC_INPUT and the task token, the size.
        const o = (taskInput as { Overrides: unknown }).Overrides;
        overrides.set(state, Math.max(overrides.get(state) ?? 0, bytes(o)));
        return results[fn]!(await ecsTaskPayload(taskInput, async (key) => Buffer.from(objects.get(key)!)));
      }
      if (kind === 'lambda') return results[fn]!(taskInput);
      throw new Error(`${state}: a ${kind} task with every function on Fargate`);
    };
  }
  const machine = new StateMachine(workflow.definition as never, { validationOptions: { checkPaths: true, checkArn: true } });
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:mosaic-prod-encode:${JOB_ID}`, Name: JOB_ID, StartTime: new Date().toISOString() }, Task: { Token: TASK_TOKEN } } as never,
  });
  let parentStates = 0;
  const reader = 'EncodeVideo·ItemReader';
  const logged = (async () => {
    for await (const e of run.eventLogs as AsyncIterable<any>) {
      const inChild = e.index !== undefined;
      if (e.type === 'MapIterationStarted') note(`Map child input ${e.parentState?.name ?? ''}`, e.input);
      if (e.type !== 'StateEntered' && e.type !== 'StateExited') continue;
      const name = e.state.name as string;
      if (!inChild && e.type === 'StateEntered') parentStates++;
      // Local-only: the reader's output and the local Map's input hold the items, which on AWS never enter a state.
      if (e.type === 'StateEntered' && name !== 'EncodeVideo') note(`input ${name}`, e.state.input);
      if (e.type === 'StateExited' && name !== reader) note(`output ${name}`, e.state.output);
      if (e.type === 'StateEntered' && name === reader) note('input EncodeVideo (the Map, as on AWS)', e.state.input);
    }
  })();
  const out = await run.result;
  await logged;
  expect(out).toMatchObject({ jobId: JOB_ID, status: 'SUCCEEDED' });
  const largest = (m: Map<string, number>): [number, string] => [...m].map(([k, v]) => [v, k] as [number, string]).sort((a, b) => b[0] - a[0])[0]!;
  return { videoTasks, largestPayload: largest(sizes), largestOverride: largest(overrides), parentStates, sizes, overrides };
}

describe('a two-hour 4K title within the Step Functions limits', () => {
  let prod: Measured;
  let most: Measured;

  it('at prod settings: every state payload under 256 KiB, every ECS override under 8 KiB', async () => {
    prod = await measure(100);
    console.log(`2 h 4K, prod (100 at once): ${prod.videoTasks} chunk tasks; largest payload ${prod.largestPayload[0]} B (${prod.largestPayload[1]}), largest override ${prod.largestOverride[0]} B (${prod.largestOverride[1]}); ${prod.parentStates} parent states`);
    expect(prod.largestPayload[0]).toBeLessThan(STATE_PAYLOAD_MAX);
    expect(prod.largestOverride[0]).toBeLessThan(ECS_OVERRIDE_MAX);
  }, 300_000);

  it('with the most chunks a 2-hour title gets (an impossible 60 s deadline, 10,000 at once): still under both limits, with a small parent history', async () => {
    most = await measure(10_000, { deadlineSec: 60 }, UNBOUNDED);
    console.log(`2 h 4K, most chunks: ${most.videoTasks} chunk tasks; largest payload ${most.largestPayload[0]} B (${most.largestPayload[1]}), largest override ${most.largestOverride[0]} B (${most.largestOverride[1]}); ${most.parentStates} parent states`);
    // The fastest plan: 7200 s in whole-GOP 8 s chunks × 7 rungs, one wave of the Distributed Map's 10,000 children.
    expect(most.videoTasks).toBeGreaterThan(5_000);
    expect(most.largestPayload[0]).toBeLessThan(STATE_PAYLOAD_MAX);
    expect(most.largestOverride[0]).toBeLessThan(ECS_OVERRIDE_MAX);
    // Each kind of payload was seen: the Map's input, a child's input, the allocation, the chunk and assemble overrides.
    for (const where of ['input EncodeVideo (the Map, as on AWS)', 'Map child input EncodeVideo', 'output AllocateVideoChunk', 'input Publish'])
      expect(most.sizes.get(where), where).toBeGreaterThan(0);
    for (const state of ['EncodeVideoChunkOnFargate', 'EncodeAudioTrackOnFargate', 'AssembleRungOnFargate', 'MeasureRungQualityOnFargate', 'PackageOnFargate'])
      expect(most.overrides.get(state), state).toBeGreaterThan(TASK_TOKEN.length);
    // The chunks run as child executions: the parent passes the same states for 10,000 chunks as for a few.
    expect(most.parentStates).toBe(prod.parentStates);
  }, 600_000);
});
