/**
 * Cancel and retry through the API over HTTP: a running job is cancelled mid-encode (its ffmpeg
 * processes die, partial outputs and work files go, it ends CANCELLED and stays so); a job
 * failed by an injected fault is retried and finishes without re-encoding its chunks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../lambdas/contracts/index.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { makeClip, tempDir } from '../helpers/media.js';

let server: TestServer;
let dir: string;
/** The next invocation of this function fails once (set by a test, cleared when it fires). */
let fault: string | null = null;

beforeAll(async () => {
  dir = tempDir('mosaic-api-cancel-');
  mkdirSync(join(dir, 'src'));
  server = await startTestServer(join(dir, 'out'), {
    engine: {
      parallelism: 2,
      testing: {
        invokeHook: (fn) => {
          if (fn !== fault) return;
          fault = null;
          throw new InputInvalidError(`injected failure in ${fn}`);
        },
      },
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

/** ffmpeg processes this test process started (the in-process server's). */
const ffmpegChildren = (): string[] => {
  try {
    return execFileSync('ps', ['--ppid', String(process.pid), '-o', 'comm='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /ffmpeg|ffprobe/.test(l));
  } catch {
    return [];
  }
};

describe('cancel and retry over HTTP', () => {
  it('cancels a job mid-encode: ffmpeg stops, partial outputs go, the job ends CANCELLED', async () => {
    const clip = makeClip(join(dir, 'src', 'long.mp4'), { width: 960, height: 540, seconds: 10 });
    const key = await server.api.upload(clip);
    const job = (await server.api.call('POST', '/v1/jobs', { source: { key }, preset: 'default' })).body;
    // Wait until chunks are being encoded (an ffmpeg is at work).
    for (let i = 0; ; i++) {
      const view = (await server.api.call('GET', `/v1/jobs/${job.id}`)).body;
      // A RUNNING step stages its input before ffmpeg starts: wait for the process itself too.
      if (view.steps.some((s: { function: string; status: string }) => s.function === 'encode-video' && s.status === 'RUNNING') && ffmpegChildren().length > 0) break;
      expect(view.status).not.toMatch(/SUCCEEDED|FAILED/);
      if (i > 600) throw new Error('no chunk started within a minute');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ffmpegChildren().length).toBeGreaterThan(0);

    const cancelled = await server.api.call('POST', `/v1/jobs/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelled.body.error.code).toBe('Mosaic.Cancelled');
    expect(ffmpegChildren()).toEqual([]);
    expect(existsSync(join(dir, 'out', job.id))).toBe(false);
    expect(existsSync(join(dir, 'out', '.mosaic', 'work', job.id))).toBe(false);

    await new Promise((r) => setTimeout(r, 1500));
    const later = (await server.api.call('GET', `/v1/jobs/${job.id}`)).body;
    expect(later.status).toBe('CANCELLED');
    expect(later.steps.some((s: { status: string }) => s.status === 'RUNNING')).toBe(false);
    const statuses = (await server.api.call('GET', `/v1/jobs/${job.id}/events`)).body.events
      .filter((e: { detailType: string }) => e.detailType === 'Job Status Changed')
      .map((e: { detail: { status: string } }) => e.detail.status);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'CANCELLED']);

    // Cancelling again changes nothing; unknown ids are 404.
    expect((await server.api.call('POST', `/v1/jobs/${job.id}/cancel`)).body.status).toBe('CANCELLED');
    expect((await server.api.call('POST', '/v1/jobs/nope/cancel')).status).toBe(404);
  });

  it('retries a job failed by an injected fault; finished chunks are not encoded again', async () => {
    const clip = makeClip(join(dir, 'src', 'retry.mp4'), { width: 640, height: 360, seconds: 4 });
    const key = await server.api.upload(clip);
    fault = 'assemble';
    const job = (await server.api.call('POST', '/v1/jobs', { source: { key }, preset: 'draft' })).body;
    const failed = await server.api.waitFor(job.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error.message).toMatch(/injected failure in assemble/);
    const chunksBefore = failed.steps.filter((s: { function: string }) => s.function === 'encode-video');
    expect(chunksBefore.length).toBeGreaterThan(1);
    expect(chunksBefore.every((s: { status: string }) => s.status === 'SUCCEEDED')).toBe(true);

    const retried = await server.api.call('POST', `/v1/jobs/${job.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('QUEUED');
    expect(retried.body.error).toBeNull();
    const done = await server.api.waitFor(job.id);
    expect(done.status).toBe('SUCCEEDED');
    const byChunk = new Map<string, string[]>();
    for (const s of done.steps.filter((x: { function: string }) => x.function === 'encode-video')) byChunk.set(s.stepId, [...(byChunk.get(s.stepId) ?? []), s.status]);
    for (const [id, statuses] of byChunk) expect(statuses, id).toEqual(['SUCCEEDED', 'CACHED']);
    expect(done.outputs.hls).not.toBeNull();

    // Only FAILED or CANCELLED jobs are retried; a finished job cannot be cancelled.
    const again = await server.api.call('POST', `/v1/jobs/${job.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await server.api.call('POST', `/v1/jobs/${job.id}/cancel`)).status).toBe(409);
    expect((await server.api.call('POST', '/v1/jobs/nope/retry')).status).toBe(404);
  });
});
