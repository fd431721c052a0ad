/**
 * Bounded children: every ffmpeg/ffprobe runs under an address-space cap and a time limit, and a
 * child that hits one fails with Mosaic.ResourceExhausted naming the limit, while this process
 * (the server) stays as it was.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { childLimitOf, runTool } from '../../../lambdas/runtime/ffmpeg-runner.js';
import { CHILD_MEMORY, machineChildMemoryMiB, platformChildMemoryMiB, probeMemoryMiB } from '../../../lambdas/runtime/config.js';
import { defineMediaFunction, resolveMediaTools, type RuntimeDeps } from '../../../lambdas/runtime/index.js';
import { childLimitsFromEnv } from '../../../lambdas/bootstrap/child-limits.js';
import { runtimeConfigFromEnv } from '../../../bin/environment.js';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { InProcessEventBus } from '../../../local/event-bus.js';
import { FFMPEG, FFPROBE, tempDir } from '../../helpers/media.js';

const linux = process.platform === 'linux';

/** A master playlist whose only variant is itself: ffprobe recurses and grows without end. */
function selfReferencingPlaylist(): string {
  const path = join(tempDir(), 'self.m3u8');
  writeFileSync(path, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nself.m3u8\n');
  return path;
}
// Default ffprobe options, no demuxer allow-list: only `file` so the playlist can open itself.
const probeArgs = (path: string) => ['-hide_banner', '-protocol_whitelist', 'file', '-show_format', '-of', 'json', path];

describe.skipIf(!linux)('address-space cap', () => {
  it('stops the self-referencing playlist within seconds with a memory error; this process is unaffected', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const err = await runTool(FFPROBE, probeArgs(selfReferencingPlaylist()), { memoryLimitMiB: 256, timeoutMs: 30_000 }).catch((e) => e);
    const seconds = (Date.now() - started) / 1000;
    console.info(`self-referencing playlist under 256 MiB stopped after ${seconds.toFixed(2)} s`);
    expect(err.name).toBe('Mosaic.ResourceExhausted');
    expect(childLimitOf(err)).toEqual({ limit: 'memory', limitMiB: 256, tool: 'ffprobe' });
    expect(err.message).toBe('ffprobe needed more than 256 MiB of address space (limit MOSAIC_CHILD_MEMORY_MB)');
    expect(seconds).toBeLessThan(10);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 2 ** 20);
  });

  it('a 2160p x264 encode (threads=2) runs under the smallest default cap', async () => {
    expect(machineChildMemoryMiB(1e9, 1e6)).toBe(CHILD_MEMORY.floorMiB); // the floor is the least any machine gives
    const out = join(tempDir(), 'uhd.mp4');
    const r = await runTool(
      FFMPEG,
      ['-hide_banner', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=3840x2160:rate=25:duration=1.2',
        '-c:v', 'libx264', '-preset', 'fast', '-threads', '2', '-pix_fmt', 'yuv420p', '-f', 'mp4', out],
      { memoryLimitMiB: CHILD_MEMORY.floorMiB, timeoutMs: 120_000 },
    );
    expect(r.stderr).not.toMatch(/malloc of size|Cannot allocate/);
    const frames = await runTool(FFPROBE, ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', out], { memoryLimitMiB: probeMemoryMiB(CHILD_MEMORY.floorMiB) });
    expect(frames.stdout.trim()).toBe('30');
  }, 120_000);

  it('a tiny cap fails ffmpeg with the memory error; 0 means no cap and the same run succeeds', async () => {
    const args = ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=0.2', '-f', 'null', '-'];
    const err = await runTool(FFMPEG, args, { memoryLimitMiB: 16 }).catch((e) => e);
    expect(err.name).toBe('Mosaic.ResourceExhausted');
    expect(childLimitOf(err)).toMatchObject({ limit: 'memory', limitMiB: 16, tool: 'ffmpeg' });
    await expect(runTool(FFMPEG, args, { memoryLimitMiB: 0 })).resolves.toMatchObject({ durationMs: expect.any(Number) });
  });

  it('a child killed by a signal counts as memory only while a cap is set', async () => {
    const crash = ['-c', 'kill -SEGV $$'];
    expect(childLimitOf(await runTool('/bin/sh', crash, { memoryLimitMiB: 1024 }).catch((e) => e))).toMatchObject({ limit: 'memory' });
    const uncapped = await runTool('/bin/sh', crash).catch((e) => e);
    expect(uncapped.name).toBe('Mosaic.Transient');
    expect(childLimitOf(uncapped)).toBeNull();
  });

  it('args reach the tool verbatim: the wrapper shell never parses them', async () => {
    const odd = ['$(echo pwned)', '`id`', "a'b\"c", '; exit 3', '*'];
    const r = await runTool('/bin/echo', odd, { memoryLimitMiB: 512 });
    expect(r.stdout).toBe(`${odd.join(' ')}\n`);
  });

  it('a missing binary under the cap is still "not found"', async () => {
    const err = await runTool('/nonexistent/ffmpeg', ['-version'], { memoryLimitMiB: 512 }).catch((e) => e);
    expect(err.name).toBe('Mosaic.Transient');
    expect(err.message).toMatch(/cannot run \/nonexistent\/ffmpeg: not found/);
  });
});

describe('time limit', () => {
  it('stops the self-referencing playlist at a 3 s probe timeout with a time error', async () => {
    const started = Date.now();
    // 8 GiB: a safety belt that this run does not reach in 3 s (~0.4 GB/s), so the time limit is what stops it.
    const err = await runTool(FFPROBE, probeArgs(selfReferencingPlaylist()), {
      timeoutMs: 3000,
      timeoutSetting: 'MOSAIC_PROBE_TIMEOUT_SEC',
      memoryLimitMiB: linux ? 8192 : 0,
    }).catch((e) => e);
    const seconds = (Date.now() - started) / 1000;
    expect(err.name).toBe('Mosaic.ResourceExhausted');
    expect(childLimitOf(err)).toEqual({ limit: 'time', limitSec: 3, tool: 'ffprobe' });
    // The allocator reads "ran longer than" as a timeout: the wording stays.
    expect(err.message).toBe('ffprobe ran longer than 3 s (limit MOSAIC_PROBE_TIMEOUT_SEC)');
    expect(seconds).toBeGreaterThanOrEqual(2.9);
    expect(seconds).toBeLessThan(8);
  });
});

describe('the runtime gives ctx.ffprobe the probe limits', () => {
  let deps: RuntimeDeps;
  beforeAll(async () => {
    const root = tempDir();
    const jobs = new SqliteJobStore(join(root, 'db.sqlite'));
    await jobs.createJob({ id: 'j1', spec: { source: { key: 'x' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} }, sourceHash: null, outputPrefix: 'j1/' });
    const config = { searchPath: [], cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000, ffprobePath: FFPROBE, ffmpegPath: FFMPEG, probeTimeoutMs: 2000, childMemoryMiB: 8192 };
    deps = { blobs: new FsBlobStore(root), cache: jobs, events: new InProcessEventBus(), speedTable: async () => ({}), config, tools: await resolveMediaTools(config), vmafModelPath: null };
  });

  it('a probe stops at the probe timeout (not the encode one) and at most the probe cap', async () => {
    const playlist = selfReferencingPlaylist();
    const probe = defineMediaFunction({
      name: 'probe-test',
      version: 1,
      cacheable: false,
      input: z.object({ jobId: z.string() }),
      output: z.object({}),
      run: async (_i, ctx) => (await ctx.ffprobe(probeArgs(playlist)), {}),
    });
    const started = Date.now();
    const err = await probe.invoke({ jobId: 'j1' }, deps).catch((e) => e);
    expect(err.name).toBe('Mosaic.ResourceExhausted');
    const limit = childLimitOf(err);
    // 2 s or the 2 GiB probe cap, whichever comes first on this machine; never the 8 GiB children's cap or 60 s.
    expect(limit?.limit === 'time' ? limit.limitSec : limit?.limitMiB).toBe(limit?.limit === 'time' ? 2 : CHILD_MEMORY.probeMiB);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("the allocator's task budget", () => {
  const slow = () =>
    defineMediaFunction({
      name: 'budget-test',
      version: 1,
      cacheable: false,
      input: z.object({ jobId: z.string(), timeoutSec: z.number() }),
      output: z.object({}),
      // ~2.5 s of work: longer than the 1 s budget.
      run: async (_i, ctx) => (await ctx.ffmpeg(['-hide_banner', '-nostdin', '-y', '-f', 'lavfi', '-re', '-i', 'testsrc2=size=64x64:rate=25', '-t', '2.5', '-f', 'null', '-']), {}),
    });
  async function depsWith(enforceTaskBudget: boolean): Promise<RuntimeDeps> {
    const root = tempDir();
    const jobs = new SqliteJobStore(join(root, 'db.sqlite'));
    await jobs.createJob({ id: 'j1', spec: { source: { key: 'x' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} }, sourceHash: null, outputPrefix: 'j1/' });
    const config = { searchPath: [], cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000, ffprobePath: FFPROBE, ffmpegPath: FFMPEG, enforceTaskBudget };
    return { blobs: new FsBlobStore(root), cache: jobs, events: new InProcessEventBus(), speedTable: async () => ({}), config, tools: await resolveMediaTools(config), vmafModelPath: null };
  }

  it('on AWS a run past the budget fails as a timeout (the allocator goes one size up); locally it runs on', async () => {
    const fn = slow();
    const err = await fn.invoke({ jobId: 'j1', timeoutSec: 1 }, await depsWith(true)).catch((e) => e);
    expect(err.name).toBe('Mosaic.ResourceExhausted');
    expect(childLimitOf(err)).toMatchObject({ limit: 'time', limitSec: 1 });
    await expect(fn.invoke({ jobId: 'j1', timeoutSec: 1 }, await depsWith(false))).resolves.toEqual({});
  }, 30_000);
});

describe('default caps', () => {
  it('locally: 60 % of RAM shared by the slots, at least 4 GiB, at most 60 % of RAM', () => {
    expect(machineChildMemoryMiB(24_000, 2)).toBe(7200);
    expect(machineChildMemoryMiB(64 * 1024, 16)).toBe(4096);
    expect(machineChildMemoryMiB(4096, 4)).toBe(2457);
    expect(probeMemoryMiB(7200)).toBe(2048);
    expect(probeMemoryMiB(1024)).toBe(1024);
    expect(probeMemoryMiB(0)).toBe(0);
  });

  it('on AWS: twice the Lambda memory or the Fargate task size; the env overrides; 0 = none', () => {
    expect(childLimitsFromEnv({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3008' }).childMemoryMiB).toBe(platformChildMemoryMiB(3008));
    expect(platformChildMemoryMiB(3008)).toBe(6016);
    expect(childLimitsFromEnv({ MOSAIC_INPUT: JSON.stringify({ jobId: 'j', size: { vcpu: 4, memoryMiB: 8192 } }) }).childMemoryMiB).toBe(16_384);
    expect(childLimitsFromEnv({ MOSAIC_INPUT: 'not json' }).childMemoryMiB).toBe(4096);
    expect(childLimitsFromEnv({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3008', MOSAIC_CHILD_MEMORY_MB: '0' }).childMemoryMiB).toBe(0);
    expect(childLimitsFromEnv({ MOSAIC_PROBE_TIMEOUT_SEC: '5' }).probeTimeoutMs).toBe(5000);
    expect(() => childLimitsFromEnv({ MOSAIC_CHILD_MEMORY_MB: '-1' })).toThrow(/MOSAIC_CHILD_MEMORY_MB/);
  });

  it('the CLI reads MOSAIC_CHILD_MEMORY_MB and MOSAIC_PROBE_TIMEOUT_SEC (unset: the engine decides)', () => {
    expect(runtimeConfigFromEnv({ MOSAIC_CHILD_MEMORY_MB: '0', MOSAIC_PROBE_TIMEOUT_SEC: '7' })).toMatchObject({ childMemoryMiB: 0, probeTimeoutMs: 7000 });
    expect(runtimeConfigFromEnv({}).childMemoryMiB).toBeUndefined();
    expect(() => runtimeConfigFromEnv({ MOSAIC_CHILD_MEMORY_MB: 'lots' })).toThrow(/MOSAIC_CHILD_MEMORY_MB/);
  });
});
