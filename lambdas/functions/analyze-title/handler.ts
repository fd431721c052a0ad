import { join } from 'node:path';
import { readFile, rm, stat } from 'node:fs/promises';
import { AnalyzeTitleInputSchema, AnalyzeTitleResultSchema, TransientError } from '../../contracts/index.js';
import { trialEncodeArgs, trialScoreArgs } from '../../core/ffmpeg-args.js';
import { trialBatches, type SampleTrial } from '../../core/per-title.js';
import { parseMseY } from '../../core/quality.js';
import { defineMediaFunction, requireVideoEncoder } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/**
 * One sample of a per-title search: every candidate resolution at every CRF, encoded with a fast
 * preset of the ladder's codec and scored against the same frames of the source at its size. The
 * CRFs of a resolution are encoded by one ffmpeg and scored by another, so the sample is decoded
 * twice per batch instead of twice per trial (core/per-title.ts trialBatches). The hull and the
 * ladder are chosen from all samples' trials by Plan.
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
    for (const c of input.candidates) {
      for (const crfs of trialBatches(input.crfs, c.width, c.height)) {
        const batch = crfs.map((crf, i) => {
          const name = join(ctx.scratch, `t${trials.length + i}`);
          return { crf, output: `${name}.mp4`, path: `${name}.mp4`, statsPath: `${name}.psnr` };
        });
        await ctx.ffmpeg(trialEncodeArgs({ ...common, width: c.width, height: c.height, trials: batch, encoderPreset: input.encoderPreset, codec, encoder }));
        await ctx.ffmpeg(trialScoreArgs({ ...common, trials: batch, sourceWidth: input.sourceWidth, sourceHeight: input.sourceHeight }));
        for (const t of batch) {
          const bytes = (await stat(t.output)).size;
          const scored = parseMseY(await readFile(t.statsPath, 'utf8'));
          if (scored.frames === 0) throw new TransientError(`${c.width}x${c.height} CRF ${t.crf}: the psnr filter scored no frame`);
          trials.push({ width: c.width, height: c.height, crf: t.crf, bytes, durationSec, frames: scored.frames, mseY: scored.mseY });
          // Trials are measured, not kept: the scratch folder stays small whatever the sample.
          await rm(t.output, { force: true });
        }
        ctx.progress(trials.length / total);
      }
    }
    return { sample: input.sample, trials };
  },
});
