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
import { trialBatches } from '../../../lambdas/core/per-title.js';
import { parseMseY } from '../../../lambdas/core/quality.js';
import { FFMPEG, makeClip, run, tempDir } from '../../helpers/media.js';
import { videoOnlyMedia } from '../../helpers/plan-fixture.js';

const dir = tempDir('mosaic-trial-args-');
const source = makeClip(join(dir, 'src.mp4'), { width: 320, height: 180, seconds: 1, audio: false });
const media = videoOnlyMedia({ width: 320, height: 180, fps: 25, seconds: 1, sizeBytes: 1 });
const timing = planTiming(25, '25/1', 2);
const sample = { startFrame: 5, frames: 12 };
const common = { source, picture: sourcePicture(media), timing, sample, threads: 1 };

function encode(codec: 'h264' | 'hevc' | 'vp9', encoder: string, crfs: number[], width = 320, height = 180) {
  const trials = crfs.map((crf) => ({ crf, output: join(dir, `${codec}-${width}-${crf}.mp4`), path: join(dir, `${codec}-${width}-${crf}.mp4`), statsPath: join(dir, `${codec}-${width}-${crf}.psnr`) }));
  const args = trialEncodeArgs({ ...common, width, height, trials, encoderPreset: 'ultrafast', codec, encoder });
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

  it('scores each trial of a batch on exactly the sample frames, as it would score alone', () => {
    const { trials } = encode('h264', 'libx264', [18, 40], 160, 90);
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
  it('keeps the CRFs of a size together up to the pixel budget, in order', () => {
    const crfs = [18, 22, 26, 30, 34, 38];
    expect(trialBatches(crfs, 1920, 1080)).toEqual([crfs]);
    expect(trialBatches(crfs, 2560, 1440)).toEqual([[18, 22, 26], [30, 34, 38]]);
    expect(trialBatches(crfs, 3840, 2160)).toEqual(crfs.map((c) => [c]));
    expect(trialBatches(crfs, 8000, 8000)).toEqual(crfs.map((c) => [c]));
  });
});
