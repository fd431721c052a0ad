import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { EncodeVideoInputSchema, EncodeVideoResultSchema, TransientError } from '../../contracts/index.js';
import { encodeVideoChunkArgs, rungCodec } from '../../core/ffmpeg-args.js';
import { allocationCodec } from '../../core/plan-sizing.js';
import { defineMediaFunction, probeVideo, requireVideoEncoder } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: EncodeVideoInputSchema,
  output: EncodeVideoResultSchema,
  stage: (i) => ({ source: i.source.key }),
  // What the encode took teaches the allocator's speed model (folded once per job by the lifecycle).
  summarize: (input, r) => ({
    speedSample: {
      function: config.name, codec: allocationCodec(input.rung), encoderPreset: input.rung.encoderPreset, width: input.rung.width, height: input.rung.height,
      frames: r.frames, seconds: r.encodeSeconds ?? 0, vcpu: input.size?.vcpu ?? Math.max(1, input.threads),
    },
  }),
  async run(input, ctx) {
    // The codec's encoder as this ffmpeg has it (AV1: libsvtav1, else libaom-av1); none: Mosaic.InputInvalid.
    const encoder = requireVideoEncoder(ctx.tools, rungCodec(input.rung));
    const out = join(ctx.scratch, 'chunk.mp4');
    const started = performance.now();
    await ctx.ffmpeg(
      encodeVideoChunkArgs({ source: ctx.inputs.source, output: out, rung: input.rung, chunk: input.chunk, timing: input.timing, picture: input.picture, threads: input.threads, encoder }),
      { totalFrames: input.chunk.frames },
    );
    const { frames } = await probeVideo(ctx, out);
    if (frames !== input.chunk.frames)
      throw new TransientError(`chunk ${input.itemId} has ${frames} frames, expected ${input.chunk.frames}`);
    ctx.output(out, input.output.key, 'video/mp4');
    return { key: input.output.key, frames, bytes: (await stat(out)).size, encodeSeconds: (performance.now() - started) / 1000 };
  },
});
