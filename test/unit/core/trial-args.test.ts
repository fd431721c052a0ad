/**
 * Per-title trials (trialEncodeArgs, trialScoreArgs) on the real ffmpeg. The CRF decides the bits
 * in every codec the trials use: libvpx once ignored -crf when it was given a bitrate ceiling, so
 * every trial of a resolution cost the same and the hull collapsed; this fails if that comes back.
 * The CRFs of a size share one process; scoring compares exactly the sample's frames.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planTiming } from '../../../lambdas/core/chunks.js';
import { sourcePicture } from '../../../lambdas/core/conform.js';
import { trialEncodeArgs, trialScoreArgs } from '../../../lambdas/core/ffmpeg-args.js';
import { TRIAL_PIXEL_BUDGET, TRIAL_PIXEL_BUDGETS, trialBatches } from '../../../lambdas/core/per-title.js';
import { parseMseY } from '../../../lambdas/core/quality.js';
import { FFMPEG, FFPROBE, makeClip, run, tempDir } from '../../helpers/media.js';
import { videoOnlyMedia } from '../../helpers/plan-fixture.js';

const dir = tempDir('mosaic-trial-args-');
const source = makeClip(join(dir, 'src.mp4'), { width: 320, height: 180, seconds: 1, audio: false });
const media = videoOnlyMedia({ width: 320, height: 180, fps: 25, seconds: 1, sizeBytes: 1 });
const timing = planTiming(25, '25/1', 2);
const sample = { startFrame: 5, frames: 12 };
const common = { source, picture: sourcePicture(media), timing, sample, threads: 1 };

function encode(codec: 'h264' | 'hevc' | 'vp9', encoder: string, crfs: number[], sizes = [{ width: 320, height: 180 }]) {
  const trials = sizes.flatMap(({ width, height }) =>
    crfs.map((crf) => ({ width, height, crf, output: join(dir, `${codec}-${width}-${crf}.mp4`), path: join(dir, `${codec}-${width}-${crf}.mp4`), statsPath: join(dir, `${codec}-${width}-${crf}.psnr`) })),
  );
  const args = trialEncodeArgs({ ...common, trials, encoderPreset: 'ultrafast', codec, encoder });
  const r = run(FFMPEG!, args);
  expect(r.code, r.stderr).toBe(0);
  return { args, trials, bytes: trials.map((t) => statSync(t.output).size) };
}

describe('per-title trials', () => {
  it.each([
    ['h264', 'libx264', 20, 44],
    ['hevc', 'libx265', 20, 44],
    ['vp9', 'libvpx-vp9', 24, 54],
  ] as const)('%s (%s): in one process, a higher CRF costs clearly fewer bits, with no cap in the arguments', (codec, encoder, low, high) => {
    const { args, bytes } = encode(codec, encoder, [low, high]);
    if (codec === 'vp9') expect(args).not.toContain('-maxrate');
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(bytes[1]).toBeLessThan(bytes[0]! * 0.7);
  }, 60_000);

  it('one process encodes several sizes from one decode, each at its own size and frame count', () => {
    const { args, trials } = encode('h264', 'libx264', [24], [{ width: 320, height: 180 }, { width: 160, height: 90 }]);
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    for (const t of trials) {
      const r = run(FFPROBE!, ['-v', 'error', '-count_frames', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'csv=p=0', t.output]);
      expect(r.stdout.trim()).toBe(`${t.width},${t.height},12`);
    }
  }, 60_000);

  it('scores each trial of a batch on exactly the sample frames, as it would score alone', () => {
    const { trials } = encode('h264', 'libx264', [18, 40], [{ width: 160, height: 90 }]);
    const score = (batch: typeof trials) => {
      const r = run(FFMPEG!, trialScoreArgs({ ...common, trials: batch, sourceWidth: 320, sourceHeight: 180 }));
      expect(r.code, r.stderr).toBe(0);
      return batch.map((t) => parseMseY(readFileSync(t.statsPath, 'utf8')));
    };
    const together = score(trials);
    expect(together.map((s) => s.frames)).toEqual([12, 12]);
    expect(together[1]!.mseY).toBeGreaterThan(together[0]!.mseY * 1.3);
    const alone = score([trials[1]!]);
    expect(alone[0]!.mseY).toBeCloseTo(together[1]!.mseY, 6);
  }, 60_000);
});

describe('trialBatches', () => {
  const crfs = [18, 22, 26, 30, 34, 38];
  const size = (height: number) => ({ width: Math.round((height * 16) / 9 / 2) * 2, height });
  const shape = (b: { height: number; crf: number }[][]) => b.map((x) => x.map((t) => `${t.height}@${t.crf}`).join(' '));
  it('puts every trial of a 720p source in one process (decoded once), largest size first', () => {
    const b = trialBatches([720, 540, 360, 240].map(size), crfs);
    expect(b).toHaveLength(1);
    expect(b[0]).toHaveLength(24);
    expect(b[0]![0]).toEqual({ width: 1280, height: 720, crf: 18 });
  });
  it('fills each process up to the pixel budget and never leaves a trial out', () => {
    const sizes = [2160, 1440, 1080, 720, 540, 360, 240].map(size);
    const b = trialBatches(sizes, crfs);
    expect(b.flat()).toHaveLength(sizes.length * crfs.length);
    for (const batch of b) expect(batch.length === 1 || batch.reduce((s, t) => s + t.width * t.height, 0) <= TRIAL_PIXEL_BUDGET).toBe(true);
    expect(shape(b).slice(0, 2)).toEqual(['2160@18', '2160@22']); // a 4K trial alone
    expect(trialBatches([{ width: 8000, height: 8000 }], [20, 30])).toHaveLength(2);
  });
  it('AV1 (libaom, large buffers per encoder) gets a smaller budget: a 720p source in two processes, five 720p encoders at most', () => {
    const b = trialBatches([720, 540, 360, 240].map(size), [24, 32, 40, 48, 54], TRIAL_PIXEL_BUDGETS.av1);
    expect(shape(b)).toEqual(['720@24 720@32 720@40 720@48 720@54', '540@24 540@32 540@40 540@48 540@54 360@24 360@32 360@40 360@48 360@54 240@24 240@32 240@40 240@48 240@54']);
    expect(TRIAL_PIXEL_BUDGETS.h264).toBe(TRIAL_PIXEL_BUDGET);
  });
});
