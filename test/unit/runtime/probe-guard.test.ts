/**
 * The probes a caller's input reaches outside Inspect (normalize-audio's, and probeVideo, which
 * package, assemble and encode-video use) read it with the media demuxer allow-list only: a
 * playlist naming a file elsewhere on the machine is refused by ffprobe itself, not read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { INPUT_GUARD } from '../../../lambdas/core/ffmpeg-args.js';
import normalizeAudio from '../../../lambdas/functions/normalize-audio/handler.js';
import { probeVideo, resolveMediaTools, runTool, type MediaContext, type RuntimeDeps } from '../../../lambdas/runtime/index.js';
import { InProcessEventBus } from '../../../local/event-bus.js';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { FFPROBE, makeClip, tempDir } from '../../helpers/media.js';

/** A MediaContext whose ffprobe records its argv and answers `answer` (nothing else is used). */
function recordingContext(answer: unknown = {}): { ctx: MediaContext; argv: string[][] } {
  const argv: string[][] = [];
  const ffprobeJson = async <T,>(args: string[]) => {
    argv.push(args);
    return answer as T;
  };
  return { ctx: { inputs: { source: '/in/source.m3u8' }, scratch: tmpdir(), ffprobeJson } as unknown as MediaContext, argv };
}

/** The guard, whole and in order, before the input path (the last argument). */
function expectGuarded(args: string[], path: string): void {
  const at = args.findIndex((_, i) => INPUT_GUARD.every((g, j) => args[i + j] === g));
  expect(at, args.join(' ')).toBeGreaterThanOrEqual(0);
  expect(args.at(-1)).toBe(path);
  expect(at).toBeLessThan(args.length - 1);
}

const loudness = { integratedLufs: -23, truePeakDbtp: -1, loudnessRangeLu: 7 };

describe('probe argv', () => {
  it('probeVideo passes the demuxer allow-list with its path', async () => {
    const { ctx, argv } = recordingContext({ streams: [{ nb_read_packets: '50', duration: '2' }] });
    expect(await probeVideo(ctx, '/in/rendition.mp4')).toEqual({ frames: 50, durationSec: 2 });
    expect(argv).toHaveLength(1);
    expectGuarded(argv[0]!, '/in/rendition.mp4');
  });

  it("normalize-audio's source probe passes the demuxer allow-list", async () => {
    const { ctx, argv } = recordingContext({ streams: [] });
    const input = { jobId: 'j', source: { key: 'uploads/a.m3u8' }, output: { key: 'out/a.wav' }, loudness };
    await expect(normalizeAudio.definition.run(input as never, ctx)).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
    expect(argv).toHaveLength(1);
    expectGuarded(argv[0]!, '/in/source.m3u8');
  });
});

describe('against a real ffprobe', () => {
  let dir: string;
  let playlist: string;
  beforeAll(() => {
    dir = tempDir('mosaic-probe-guard-');
    // A real media file outside the job, and a playlist naming it by absolute path.
    const elsewhere = makeClip(join(dir, 'elsewhere.mp4'), { width: 160, height: 90, seconds: 2 });
    playlist = join(dir, 'evil.m3u8');
    writeFileSync(playlist, `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${elsewhere}\n#EXT-X-ENDLIST\n`);
  }, 30_000);

  it('probeVideo refuses a playlist with Mosaic.InputInvalid: the hls demuxer is not on the list', async () => {
    const ctx = { ffprobeJson: async (args: string[]) => JSON.parse((await runTool(FFPROBE, args, { timeoutMs: 10_000 })).stdout) } as unknown as MediaContext;
    await expect(probeVideo(ctx, playlist)).rejects.toMatchObject({ name: 'Mosaic.InputInvalid', message: expect.stringMatching(/^ffprobe cannot read the input: [^]*not on whitelist/) });
  });

  it('normalize-audio invoked on a playlist key fails at its first probe, naming no path of the machine', async () => {
    const root = tempDir('mosaic-probe-guard-root-');
    const blobs = new FsBlobStore(root);
    const jobs = new SqliteJobStore(join(root, 'db.sqlite'));
    await blobs.upload(playlist, 'uploads/evil.m3u8', 'application/vnd.apple.mpegurl');
    const config = { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000 };
    const deps: RuntimeDeps = { blobs, cache: jobs, events: new InProcessEventBus(), speedTable: async () => ({}), config, tools: await resolveMediaTools(config), vmafModelPath: null };
    const err = await normalizeAudio.invoke({ jobId: 'j1', source: { key: 'uploads/evil.m3u8' }, output: { key: 'out/evil.wav' }, loudness }, deps).catch((e: Error) => e);
    // ffprobe (the first tool) refuses it; before the guard ffprobe read the segment and only loudnorm's ffmpeg stopped.
    expect(err).toMatchObject({ name: 'Mosaic.InputInvalid', message: expect.stringMatching(/^ffprobe cannot read the input: [^]*not on whitelist/) });
    expect(await blobs.head('out/evil.wav')).toBeNull();
  }, 30_000);
});
