/**
 * The container's task logic (containers/ffmpeg/run-task.ts) on real clips, outside Docker:
 * real media functions, S3 on s3rver, DynamoDB on dynalite, and Step Functions / EventBridge on a
 * loopback server that records the calls. The result reaches "Step Functions" through the same
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat calls it makes on AWS.
 */
import { plainPicture } from '../../lambdas/core/conform.js';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { INTERRUPTED_ERROR, MAX_CAUSE_CHARS, runTask, truncate } from '../../containers/ffmpeg/run-task.js';
import { PATHS } from '../../lib/paths.js';
import { FFMPEG, FFPROBE, makeClip, tempDir, VMAF_MODEL } from '../helpers/media.js';
import { startAwsWorld, type AwsWorld, type JsonApiFake } from './emulators.js';

const TOKEN = 'task-token-123';
let world: AwsWorld;
let fake: JsonApiFake;
let client: S3Client;
let work: string;
let baseEnv: Record<string, string>;

beforeAll(async () => {
  work = tempDir('mosaic-container-');
  // The shared model when present; otherwise a missing path, so nothing is downloaded in tests.
  const vmafModel = existsSync(VMAF_MODEL) ? VMAF_MODEL : join(work, 'no-vmaf-model.pkl');
  world = await startAwsWorld({ ffmpeg: FFMPEG!, ffprobe: FFPROBE!, vmafModel });
  ({ fake, client } = world);
  const clip = makeClip(join(work, 'clip.mp4'), { width: 320, height: 180, seconds: 2, fps: 25 });
  await world.putSource('inbox/clip.mp4', await readFile(clip));
  await world.putSource('inbox/broken.mp4', Buffer.from('this is not a video at all'.repeat(40)));
  baseEnv = { ...world.env, MOSAIC_TASK_TOKEN: TOKEN };
});

afterAll(async () => {
  await world?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const limits = { maxBytes: 1024 ** 3, maxDurationSec: 3600 };

/** An encode-video payload for one chunk of the 320x180 clip; `slow` makes x264 take its time. */
const chunkTask = (jobId: string, key: string, frames: number, slow = false) => ({
  jobId,
  itemId: 'r0-c0',
  source: { key: 'inbox/clip.mp4' },
  rung: { id: 'r0', index: 0, width: 320, height: 180, bitrateKbps: 300, maxrateKbps: 450, bufsizeKbps: 600, profile: slow ? 'high' : 'main', encoderPreset: slow ? 'veryslow' : 'ultrafast' },
  chunk: { index: 0, startFrame: 0, frames },
  timing: { fps: 25, fpsRational: '25/1', gopFrames: 25, segmentSeconds: 1 },
  picture: plainPicture(320, 180, 25),
  threads: slow ? 1 : 0,
  output: { key },
});

/** Runs one task and returns the Step Functions calls it made. */
async function task(fn: string, input: unknown, extra: Record<string, string> = {}) {
  const before = fake.calls.length;
  const outcome = await runTask({
    ...baseEnv,
    MOSAIC_FUNCTION: fn,
    MOSAIC_INPUT: typeof input === 'string' ? input : JSON.stringify(input),
    ...extra,
  });
  const calls = fake.calls.slice(before).filter((c) => c.target.startsWith('AWSStepFunctions.'));
  return { outcome, calls, of: (op: string) => calls.filter((c) => c.op === op) };
}

describe('container task runner (waitForTaskToken)', () => {
  it('runs inspect on a clip in S3 and reports its result with SendTaskSuccess, sending heartbeats meanwhile', async () => {
    const r = await task('inspect', { jobId: 'job-1', source: { key: 'inbox/clip.mp4' }, limits }, { MOSAIC_HEARTBEAT_SEC: '0.02' });
    expect(r.outcome.status).toBe('succeeded');
    expect(r.of('SendTaskFailure')).toEqual([]);
    const [success, ...more] = r.of('SendTaskSuccess');
    expect(more).toEqual([]);
    expect(success!.body.taskToken).toBe(TOKEN);
    const media = JSON.parse(String(success!.body.output)) as { video: { frames: number; width: number; height: number } };
    expect(media.video).toMatchObject({ frames: 50, width: 320, height: 180 });
    // Heartbeats while the function ran, all with the token, none after the report.
    const heartbeats = r.of('SendTaskHeartbeat');
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(heartbeats.every((h) => h.body.taskToken === TOKEN)).toBe(true);
    expect(r.calls.at(-1)!.op).toBe('SendTaskSuccess');
    // The runtime published step events on the bus (EventBridge PutEvents).
    expect(fake.of('PutEvents').some((c) => JSON.stringify(c.body).includes('Step Status Changed'))).toBe(true);
  });

  it('runs encode-video on one chunk and leaves the chunk in the derivative bucket', async () => {
    const key = '.mosaic/work/job-2/video/r0/c0.mp4';
    const r = await task('encode-video', chunkTask('job-2', key, 25));
    expect(r.outcome).toMatchObject({ status: 'succeeded' });
    const output = JSON.parse(String(r.of('SendTaskSuccess')[0]!.body.output)) as { key: string; frames: number; bytes: number };
    expect(output).toMatchObject({ key, frames: 25 });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'out', Key: key }));
    expect(head.ContentLength).toBe(output.bytes);
    // Only sources live in the source bucket.
    await expect(client.send(new HeadObjectCommand({ Bucket: 'src', Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('reports an unreadable source with SendTaskFailure Mosaic.InputInvalid', async () => {
    const r = await task('inspect', { jobId: 'job-3', source: { key: 'inbox/broken.mp4' }, limits });
    expect(r.outcome).toMatchObject({ status: 'failed', error: 'Mosaic.InputInvalid' });
    expect(r.of('SendTaskSuccess')).toEqual([]);
    const [failure] = r.of('SendTaskFailure');
    expect(failure!.body).toMatchObject({ taskToken: TOKEN, error: 'Mosaic.InputInvalid' });
    expect(String(failure!.body.cause)).toMatch(/not a media file/);
  });

  it('reports a missing source object as Mosaic.InputInvalid', async () => {
    const r = await task('inspect', { jobId: 'job-4', source: { key: 'inbox/nope.mp4' }, limits });
    expect(r.of('SendTaskFailure')[0]!.body).toMatchObject({ error: 'Mosaic.InputInvalid' });
  });

  it('reports MOSAIC_INPUT that is not JSON as Mosaic.InputInvalid without running anything', async () => {
    const r = await task('inspect', '{"jobId": ');
    expect(r.outcome).toMatchObject({ status: 'failed', error: 'Mosaic.InputInvalid' });
    expect(r.calls.map((c) => c.op)).toEqual(['SendTaskFailure']);
    expect(String(r.calls[0]!.body.cause)).toMatch(/MOSAIC_INPUT is not valid JSON/);
  });

  it('reports an unknown or malformed function name as a failure', async () => {
    const bad = await task('../inspect', { jobId: 'j' });
    expect(bad.of('SendTaskFailure')[0]!.body.cause).toMatch(/MOSAIC_FUNCTION must name a media function/);
    const unknown = await task('no-such-function', { jobId: 'j' });
    expect(unknown.of('SendTaskFailure')[0]!.body.cause).toMatch(/cannot load media function "no-such-function"/);
  });

  it('fails without a task token (nothing to report to)', async () => {
    await expect(runTask({ ...baseEnv, MOSAIC_TASK_TOKEN: '', MOSAIC_FUNCTION: 'inspect', MOSAIC_INPUT: '{}' })).rejects.toThrow(/MOSAIC_TASK_TOKEN/);
  });

  it('stops the function when Step Functions says the task timed out, and still tries to report', async () => {
    fake.respond = (c) => (c.op === 'SendTaskHeartbeat' || c.op === 'SendTaskFailure' ? { status: 400, body: { message: 'timed out' }, errorType: 'TaskTimedOut' } : undefined);
    try {
      const key = '.mosaic/work/job-5/c0.mp4';
      const run = task('encode-video', chunkTask('job-5', key, 50, true), { MOSAIC_HEARTBEAT_SEC: '0.01' });
      // SendTaskFailure itself answers TaskTimedOut: nothing could be reported → rejects (exit 1).
      await expect(run).rejects.toMatchObject({ name: 'TaskTimedOut' });
      expect(fake.of('SendTaskFailure').at(-1)!.body.error).toBe('Mosaic.Cancelled');
    } finally {
      fake.respond = null;
    }
  });

  it('reads its input by reference when MOSAIC_INPUT_KEY names an object (a large input: an override holds 8 KiB)', async () => {
    await world.putSource('inbox/job-8-input.json', Buffer.from(JSON.stringify({ jobId: 'job-8', source: { key: 'inbox/clip.mp4' }, limits })));
    const r = await task('inspect', 'not the input', { MOSAIC_INPUT_KEY: 'inbox/job-8-input.json' });
    expect(r.outcome.status).toBe('succeeded');
    expect(JSON.parse(String(r.of('SendTaskSuccess')[0]!.body.output))).toMatchObject({ video: { frames: 50 } });
    const missing = await task('inspect', '{}', { MOSAIC_INPUT_KEY: 'inbox/no-such-input.json' });
    expect(missing.outcome.status).toBe('failed');
    expect(missing.of('SendTaskFailure')[0]!.body.error).toMatch(/^Mosaic\./);
  });

  it('cancels the function when the container is stopped and reports Mosaic.Interrupted so the workflow retries', async () => {
    const stop = new AbortController();
    const before = fake.calls.length;
    const run = runTask(
      {
        ...baseEnv,
        MOSAIC_FUNCTION: 'encode-video',
        MOSAIC_INPUT: JSON.stringify(chunkTask('job-6', '.mosaic/work/job-6/c0.mp4', 50, true)),
      },
      { stop: stop.signal },
    );
    // Stop once the encode is under way (its step has been announced on the bus).
    while (!fake.calls.slice(before).some((c) => c.op === 'PutEvents' && JSON.stringify(c.body).includes('job-6'))) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await expect(run).resolves.toMatchObject({ status: 'failed', error: INTERRUPTED_ERROR });
    const failure = fake.calls.slice(before).find((c) => c.op === 'SendTaskFailure')!;
    expect(failure.body).toMatchObject({ taskToken: TOKEN, error: 'Mosaic.Interrupted' });
    expect(String(failure.body.cause)).toMatch(/container stopped/);
  });

  it('entrypoint: a SIGTERM (ECS stopping the task, e.g. a Fargate Spot interruption) cancels ffmpeg, reports Mosaic.Interrupted and exits 0', async () => {
    const before = fake.calls.length;
    const child = spawn(process.execPath, ['--import', 'tsx', 'containers/ffmpeg/entrypoint.ts'], {
      cwd: PATHS.root,
      env: { ...process.env, ...baseEnv, MOSAIC_FUNCTION: 'encode-video', MOSAIC_INPUT: JSON.stringify(chunkTask('job-7', '.mosaic/work/job-7/c0.mp4', 50, true)) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Once the encode is under way (its step announced on the bus), ECS stops the task.
    const deadline = Date.now() + 60_000;
    while (!fake.calls.slice(before).some((c) => c.op === 'PutEvents' && JSON.stringify(c.body).includes('job-7'))) {
      if (Date.now() > deadline) throw new Error(`the encode never started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    const failure = fake.calls.slice(before).find((c) => c.op === 'SendTaskFailure');
    expect(failure?.body, stderr).toMatchObject({ taskToken: TOKEN, error: 'Mosaic.Interrupted' });
    expect(fake.calls.slice(before).some((c) => c.op === 'SendTaskSuccess')).toBe(false);
    expect(stderr).toMatch(/mosaic task failed \(Mosaic\.Interrupted\)/);
    // The workflow's Fargate states retry exactly this error (state-machines/encode.asl.json).
    const asl = await readFile(join(PATHS.root, 'state-machines', 'encode.asl.json'), 'utf8');
    expect(asl).toContain(`"${INTERRUPTED_ERROR}"`);
  }, 90_000);

  it('truncates causes to the Step Functions limit', () => {
    expect(truncate('x'.repeat(40_000), MAX_CAUSE_CHARS)).toHaveLength(MAX_CAUSE_CHARS);
    expect(truncate('short', MAX_CAUSE_CHARS)).toBe('short');
  });
});
