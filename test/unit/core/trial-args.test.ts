/**
 * Per-title trials (trialEncodeArgs) on the real ffmpeg: the CRF decides the bits in every codec
 * the trials use. libvpx once ignored -crf when it was given a bitrate ceiling, so every trial of a
 * resolution cost the same and the hull collapsed; this fails if that comes back.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planTiming } from '../../../lambdas/core/chunks.js';
import { sourcePicture } from '../../../lambdas/core/conform.js';
import { trialEncodeArgs } from '../../../lambdas/core/ffmpeg-args.js';
import { FFMPEG, makeClip, run, tempDir } from '../../helpers/media.js';
import { videoOnlyMedia } from '../../helpers/plan-fixture.js';

const dir = tempDir('mosaic-trial-args-');
const source = makeClip(join(dir, 'src.mp4'), { width: 320, height: 180, seconds: 1, audio: false });
const media = videoOnlyMedia({ width: 320, height: 180, fps: 25, seconds: 1, sizeBytes: 1 });
const timing = planTiming(25, '25/1', 2);

function trialBytes(codec: 'h264' | 'hevc' | 'vp9', encoder: string, crf: number): number {
  const output = join(dir, `${codec}-${crf}.mp4`);
  const args = trialEncodeArgs({ source, output, picture: sourcePicture(media), timing, sample: { startFrame: 0, frames: 12 }, width: 320, height: 180, crf, encoderPreset: 'ultrafast', threads: 1, codec, encoder });
  const r = run(FFMPEG!, args);
  expect(r.code, r.stderr).toBe(0);
  return statSync(output).size;
}

describe('per-title trials', () => {
  it.each([
    ['h264', 'libx264', 20, 44],
    ['hevc', 'libx265', 20, 44],
    ['vp9', 'libvpx-vp9', 24, 54],
  ] as const)('%s (%s): a higher CRF costs clearly fewer bits, with no cap in the arguments', (codec, encoder, low, high) => {
    const args = trialEncodeArgs({ source, output: 'x.mp4', picture: sourcePicture(media), timing, sample: { startFrame: 0, frames: 12 }, width: 320, height: 180, crf: low, encoderPreset: 'ultrafast', threads: 1, codec, encoder });
    if (codec === 'vp9') expect(args).not.toContain('-maxrate');
    expect(trialBytes(codec, encoder, high)).toBeLessThan(trialBytes(codec, encoder, low) * 0.7);
  }, 60_000);
});
