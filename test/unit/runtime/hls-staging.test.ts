/**
 * Staging an fMP4 HLS rendition as one file: a real tiny rendition cut by ffmpeg, on the local
 * blob store, comes back as one mp4 with every frame; playlists naming files outside their
 * folder are refused before anything is read.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputInvalidError } from '../../../lambdas/contracts/index.js';
import { hlsRenditionFiles, stageHlsRendition } from '../../../lambdas/runtime/hls-staging.js';
import { defineMediaFunction, resolveMediaTools, type RuntimeDeps } from '../../../lambdas/runtime/index.js';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { FFMPEG, FFPROBE, makeClip, run, tempDir, videoFrames } from '../../helpers/media.js';

const KEY = 'job1/hls/r0/index.m3u8';
let blobs: FsBlobStore;
let clip: string;
let playlist: string;

/** Puts every file of a local rendition folder under `job1/hls/r0/`. */
async function putRendition(dir: string) {
  for (const f of readdirSync(dir)) await blobs.putBytes(`job1/hls/r0/${f}`, readFileSync(join(dir, f)), 'application/octet-stream');
}

beforeAll(async () => {
  const work = tempDir();
  clip = makeClip(join(work, 'clip.mp4'), { width: 160, height: 90, seconds: 3, fps: 25, audio: false });
  const dir = join(work, 'r0');
  mkdirSync(dir);
  const r = run(FFMPEG, [
    '-hide_banner', '-v', 'error', '-y', '-i', clip, '-c', 'copy', '-f', 'hls', '-hls_time', '0.01', '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', `${dir}/seg_%05d.m4s`, `${dir}/index.m3u8`,
  ]);
  expect(r.code, r.stderr).toBe(0);
  blobs = new FsBlobStore(tempDir());
  await putRendition(dir);
  playlist = readFileSync(join(dir, 'index.m3u8'), 'utf8');
});

describe('staging an HLS rendition', () => {
  it('concatenates init and segments into one mp4 with the frames of the rendition', async () => {
    expect(hlsRenditionFiles(playlist, KEY).length).toBeGreaterThan(2);
    const dest = join(tempDir(), 'in', 'r0.mp4');
    await stageHlsRendition(blobs, KEY, dest, 'test');
    const frames = videoFrames(clip);
    expect(frames).toBe(75);
    expect(videoFrames(dest)).toBe(frames);
    // Every frame decodes, with no complaint (ffprobe -count_frames decodes them).
    const d = run(FFPROBE, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', dest]);
    expect(d.stderr.trim()).toBe('');
    expect(Number(d.stdout.trim())).toBe(frames);
    expect(readdirSync(join(dest, '..'))).toEqual(['r0.mp4']);
  });

  it.each([
    ['../x.m4s', 'a parent folder'],
    ['a/b.m4s', 'a subfolder'],
    ['https://example.com/x.m4s', 'a URL'],
    ['/etc/passwd', 'an absolute path'],
    ['..', 'the parent itself'],
  ])('refuses a playlist naming %s (%s), naming the playlist', async (uri) => {
    const bad = playlist.replace(/seg_00001\.m4s/, uri);
    expect(bad).not.toBe(playlist);
    await blobs.putBytes('job1/hls/r0/bad.m3u8', bad, 'application/vnd.apple.mpegurl');
    const err = await stageHlsRendition(blobs, 'job1/hls/r0/bad.m3u8', join(tempDir(), 'x.mp4'), 'test').catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputInvalidError);
    expect((err as Error).message).toContain('job1/hls/r0/bad.m3u8');
  });

  it('refuses an init segment outside the folder too', () => {
    expect(() => hlsRenditionFiles(playlist.replace('URI="init.mp4"', 'URI="../init.mp4"'), KEY)).toThrow(InputInvalidError);
  });

  it('refuses what is not a plain fMP4 media playlist', () => {
    expect(() => hlsRenditionFiles('hello', KEY)).toThrow(/job1\/hls\/r0\/index\.m3u8/);
    expect(() => hlsRenditionFiles(playlist.replace(/#EXT-X-MAP:[^\n]*\n/, ''), KEY)).toThrow(/no init segment/);
    expect(() => hlsRenditionFiles(playlist.replace('#EXTINF', '#EXT-X-BYTERANGE:100@0\n#EXTINF'), KEY)).toThrow(/byte-range/);
    expect(() => hlsRenditionFiles('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nr0/index.m3u8\n', KEY)).toThrow(/master playlist/);
  });

  it('a missing playlist or segment is an InputInvalidError', async () => {
    await expect(stageHlsRendition(blobs, 'job1/hls/none/index.m3u8', join(tempDir(), 'x.mp4'), 'test')).rejects.toThrow(InputInvalidError);
    await blobs.putBytes('job1/hls/r0/gap.m3u8', playlist.replace('seg_00001.m4s', 'seg_09999.m4s'), 'application/vnd.apple.mpegurl');
    await expect(stageHlsRendition(blobs, 'job1/hls/r0/gap.m3u8', join(tempDir(), 'x.mp4'), 'test')).rejects.toThrow(InputInvalidError);
  });
});

describe('a media function staging { hls }', () => {
  let runs = 0;
  const counter = defineMediaFunction({
    name: 'count-frames',
    version: 1,
    input: z.object({ jobId: z.string(), itemId: z.string().optional(), rendition: z.string() }),
    output: z.object({ frames: z.number(), file: z.string() }),
    stage: (i) => ({ video: { hls: i.rendition } }),
    async run(_input, ctx) {
      runs++;
      return { frames: videoFrames(ctx.inputs.video), file: ctx.inputs.video.slice(ctx.inputs.video.lastIndexOf('/') + 1) };
    },
  });
  const cache = new Map<string, unknown>();
  async function deps(): Promise<RuntimeDeps> {
    const config = { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000 };
    return {
      blobs,
      cache: {
        getCache: async (key: string) => (cache.get(key) as never) ?? null,
        putCache: async (e: { key: string }) => void cache.set(e.key, e),
      } as never,
      events: { put: async () => undefined } as never,
      speedTable: async () => ({}),
      config,
      tools: await resolveMediaTools(config),
      vmafModelPath: null,
    };
  }

  it('hands run one local <name>.mp4, and keys the result cache on the playlist object', async () => {
    const d = await deps();
    expect(await counter.invoke({ jobId: 'j', rendition: KEY }, d)).toEqual({ frames: 75, file: 'video.mp4' });
    expect(await counter.invoke({ jobId: 'j', rendition: KEY }, d)).toEqual({ frames: 75, file: 'video.mp4' });
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    await blobs.putBytes(KEY, playlist, 'application/vnd.apple.mpegurl'); // rewritten: a new etag
    await counter.invoke({ jobId: 'j', rendition: KEY }, d);
    expect(runs).toBe(2);
  });

  it('a missing playlist fails the invocation with Mosaic.InputInvalid', async () => {
    const err = await counter.invoke({ jobId: 'j', rendition: 'job1/hls/nope/index.m3u8' }, await deps()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputInvalidError);
    expect((err as Error).message).toContain('job1/hls/nope/index.m3u8');
  });
});
