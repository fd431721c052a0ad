import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { EncodeVideoInputSchema, EncodeVideoResultSchema, TransientError } from '../../contracts/index.js';
import { encodeVideoChunkArgs } from '../../core/ffmpeg-args.js';
import { defineMediaFunction, probeVideo } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: EncodeVideoInputSchema,
  output: EncodeVideoResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    const out = join(ctx.scratch, 'chunk.mp4');
    await ctx.ffmpeg(
      encodeVideoChunkArgs({ source: ctx.inputs.source, output: out, rung: input.rung, chunk: input.chunk, timing: input.timing, threads: input.threads }),
      { totalFrames: input.chunk.frames },
    );
    const { frames } = await probeVideo(ctx, out);
    if (frames !== input.chunk.frames)
      throw new TransientError(`chunk ${input.itemId} has ${frames} frames, expected ${input.chunk.frames}`);
    ctx.output(out, input.output.key, 'video/mp4');
    return { key: input.output.key, frames, bytes: (await stat(out)).size };
  },
});
