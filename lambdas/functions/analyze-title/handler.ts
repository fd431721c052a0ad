import { join } from 'node:path';
import { readFile, rm, stat } from 'node:fs/promises';
import { AnalyzeTitleInputSchema, AnalyzeTitleResultSchema, TransientError } from '../../contracts/index.js';
import { trialEncodeArgs, trialScoreArgs } from '../../core/ffmpeg-args.js';
import { TRIAL_PIXEL_BUDGETS, trialBatches, type SampleTrial } from '../../core/per-title.js';
import { parseMseY } from '../../core/quality.js';
import { defineMediaFunction, requireVideoEncoder } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/**
 * One sample of a per-title search: every candidate resolution at every CRF, encoded with a fast
 * preset of the ladder's codec and scored against the same frames of the source at its size. The
 * trials are encoded in as few ffmpeg runs as the pixel budget allows, each scored by one more
 * (core/per-title.ts trialBatches), so the sample is decoded twice per batch, not twice per trial.
 * The hull and the ladder are chosen from all samples' trials by Plan.
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
    const trials: SampleTrial[] = [];
    const total = input.candidates.length * input.crfs.length;
    const durationSec = input.sample.frames / input.timing.fps;
    const common = { source: ctx.inputs.source, picture: input.picture, timing: input.timing, sample: input.sample, threads: input.threads };
    for (const specs of trialBatches(input.candidates, input.crfs, TRIAL_PIXEL_BUDGETS[codec])) {
      const batch = specs.map((t, i) => {
        const name = join(ctx.scratch, `t${trials.length + i}`);
        return { ...t, output: `${name}.mp4`, path: `${name}.mp4`, statsPath: `${name}.psnr` };
      });
      await ctx.ffmpeg(trialEncodeArgs({ ...common, trials: batch, encoderPreset: input.encoderPreset, codec, encoder }));
      await ctx.ffmpeg(trialScoreArgs({ ...common, trials: batch, sourceWidth: input.sourceWidth, sourceHeight: input.sourceHeight }));
      for (const t of batch) {
        const bytes = (await stat(t.output)).size;
        const scored = parseMseY(await readFile(t.statsPath, 'utf8'));
        if (scored.frames === 0) throw new TransientError(`${t.width}x${t.height} CRF ${t.crf}: the psnr filter scored no frame`);
        trials.push({ width: t.width, height: t.height, crf: t.crf, bytes, durationSec, frames: scored.frames, mseY: scored.mseY });
        // Trials are measured, not kept: the scratch folder stays small whatever the sample.
        await rm(t.output, { force: true });
      }
      ctx.progress(trials.length / total);
    }
    return { sample: input.sample, trials };
  },
});
