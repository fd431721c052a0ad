/**
 * The Lambda entry point of media functions (lambdas/bootstrap/lambda-function.ts) against
 * s3rver + dynalite + a recording EventBridge: it loads the function named by MOSAIC_FUNCTION,
 * keeps its deps across warm invocations and lets typed errors out with their Mosaic.* name
 * (the Lambda error type that Step Functions Retry/Catch match).
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRuntimeDeps } from '../../lambdas/bootstrap/aws-deps.js';
import { createLambdaHandler, loadMediaFunction } from '../../lambdas/bootstrap/lambda-function.js';
import { FFMPEG, FFPROBE, makeClip, tempDir, VMAF_MODEL } from '../helpers/media.js';
import { startAwsWorld, type AwsWorld, type JsonApiFake } from './emulators.js';

let world: AwsWorld;
let fake: JsonApiFake;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  work = tempDir('mosaic-lambda-');
  const vmafModel = existsSync(VMAF_MODEL) ? VMAF_MODEL : join(work, 'no-vmaf-model.pkl');
  world = await startAwsWorld({ ffmpeg: FFMPEG!, ffprobe: FFPROBE!, vmafModel });
  fake = world.fake;
  const clip = makeClip(join(work, 'clip.mov'), { width: 256, height: 144, seconds: 1, fps: 25, audio: false });
  await world.putSource('inbox/clip.mov', await readFile(clip));
  env = { ...world.env, MOSAIC_FUNCTION: 'inspect' };
});

afterAll(async () => {
  await world?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const limits = { maxBytes: 1024 ** 3, maxDurationSec: 3600 };

describe('Lambda entry point for media functions', () => {
  it('invokes the function named by MOSAIC_FUNCTION and returns its result', async () => {
    const handler = createLambdaHandler(env);
    const media = (await handler({ jobId: 'l1', source: { key: 'inbox/clip.mov' }, limits })) as { video: { frames: number; width: number } };
    expect(media.video).toMatchObject({ frames: 25, width: 256 });
    // Warm invocation: same deps, and the result cache answers (no new ffprobe needed).
    const again = await handler({ jobId: 'l1', source: { key: 'inbox/clip.mov' }, limits });
    expect(again).toEqual(media);
    expect(fake.calls.some((c) => JSON.stringify(c.body).includes('CACHED'))).toBe(true);
  });

  it('throws typed errors with their Mosaic.* name', async () => {
    const handler = createLambdaHandler(env);
    const bad = handler({ jobId: 'l2' });
    await expect(bad).rejects.toBeInstanceOf(Error);
    await expect(bad).rejects.toMatchObject({ name: 'Mosaic.InputInvalid', message: expect.stringMatching(/^inspect: invalid input/) });
    await expect(handler({ jobId: 'l3', source: { key: 'inbox/missing.mov' }, limits })).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
  });

  it('refuses function names that are not folder names, and names missing functions', async () => {
    await expect(createLambdaHandler({ ...env, MOSAIC_FUNCTION: '../../local/engine' })({})).rejects.toThrow(/must name a media function/);
    await expect(createLambdaHandler({ ...env, MOSAIC_FUNCTION: '' })({})).rejects.toThrow(/must name a media function/);
    await expect(loadMediaFunction('not-there')).rejects.toThrow(/cannot load media function "not-there"/);
    expect((await loadMediaFunction('encode-video')).name).toBe('encode-video');
  });

  it('names the missing variable when the environment is incomplete', async () => {
    for (const v of ['MOSAIC_SOURCE_BUCKET', 'MOSAIC_DERIVATIVE_BUCKET', 'MOSAIC_TABLE', 'MOSAIC_EVENT_BUS']) {
      await expect(awsRuntimeDeps({ ...env, [v]: undefined })).rejects.toThrow(new RegExp(`${v} is not set`));
    }
    // A failed cold start is retried on the next invocation rather than cached.
    const partial: Record<string, string | undefined> = { ...env, MOSAIC_TABLE: undefined };
    const handler = createLambdaHandler(partial);
    await expect(handler({ jobId: 'l4', source: { key: 'inbox/clip.mov' }, limits })).rejects.toThrow(/MOSAIC_TABLE is not set/);
    partial.MOSAIC_TABLE = 'mosaic';
    await expect(handler({ jobId: 'l4', source: { key: 'inbox/clip.mov' }, limits })).resolves.toMatchObject({ video: { frames: 25 } });
  });

  it('configures scratch and cache under the temp directory and allows the model download', async () => {
    const deps = await awsRuntimeDeps(env);
    expect(deps.config).toMatchObject({ allowModelDownload: true, ffmpegPath: FFMPEG, ffprobePath: FFPROBE });
    expect(deps.config.scratchRoot).toMatch(/mosaic-scratch$/);
    expect(deps.config.cacheDir).toMatch(/mosaic-cache$/);
  });
});
