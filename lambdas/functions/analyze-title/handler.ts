import { join } from 'node:path';
import { readFile, rm, stat } from 'node:fs/promises';
import { AnalyzeTitleInputSchema, AnalyzeTitleResultSchema, TransientError } from '../../contracts/index.js';
import { trialEncodeArgs, trialScoreArgs } from '../../core/ffmpeg-args.js';
import { parseMseY } from '../../core/quality.js';
import { defineMediaFunction, requireVideoEncoder } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/**
 * One sample of a per-title search: every candidate resolution at every CRF, encoded with a fast
 * x264 preset and scored against the same frames of the source at its size. The hull and the
 * ladder are chosen from all samples' trials by Plan (core/per-title.ts).
 */
export default defineMediaFunction({
  ...config,
  input: AnalyzeTitleInputSchema,
  output: AnalyzeTitleResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    // The ladder's codec as this ffmpeg encodes it (none: Mosaic.InputInvalid naming the encoder).
    const codec = input.codec ?? 'h264';
    const encoder = requireVideoEncoder(ctx.tools, codec);
    const trials = [];
    const total = input.candidates.length * input.crfs.length;
    const durationSec = input.sample.frames / input.timing.fps;
    for (const c of input.candidates) {
      for (const crf of input.crfs) {
        const n = trials.length;
        const trial = join(ctx.scratch, `t${n}.mp4`);
        const statsPath = join(ctx.scratch, `t${n}.psnr`);
        await ctx.ffmpeg(trialEncodeArgs({ source: ctx.inputs.source, output: trial, picture: input.picture, timing: input.timing, sample: input.sample, width: c.width, height: c.height, crf, encoderPreset: input.encoderPreset, threads: input.threads, codec, encoder }));
        const bytes = (await stat(trial)).size;
        await ctx.ffmpeg(trialScoreArgs({ trial, source: ctx.inputs.source, picture: input.picture, timing: input.timing, sample: input.sample, sourceWidth: input.sourceWidth, sourceHeight: input.sourceHeight, statsPath, threads: input.threads }));
        const scored = parseMseY(await readFile(statsPath, 'utf8'));
        if (scored.frames === 0) throw new TransientError(`${c.width}x${c.height} CRF ${crf}: the psnr filter scored no frame`);
        trials.push({ width: c.width, height: c.height, crf, bytes, durationSec, frames: scored.frames, mseY: scored.mseY });
        // Trials are measured, not kept: the scratch folder stays small whatever the sample.
        await rm(trial, { force: true });
        ctx.progress(trials.length / total);
      }
    }
    return { sample: input.sample, trials };
  },
});
