import { join } from 'node:path';
import { stat, writeFile } from 'node:fs/promises';
import { AssembleInputSchema, AssembleResultSchema, TransientError } from '../../contracts/index.js';
import { chunkSetKeys } from '../../contracts/plan-refs.js';
import { concatArgs, concatListFile } from '../../core/ffmpeg-args.js';
import { defineMediaFunction, probeVideo } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

const stageName = (n: number) => `c${String(n).padStart(4, '0')}`;

export default defineMediaFunction({
  ...config,
  input: AssembleInputSchema,
  output: AssembleResultSchema,
  stage: (i) => Object.fromEntries(chunkSetKeys(i.chunks).map((key, n) => [stageName(n), key])),
  async run(input, ctx) {
    const list = join(ctx.scratch, 'chunks.txt');
    const paths = chunkSetKeys(input.chunks).map((_, n) => ctx.inputs[stageName(n)]);
    await writeFile(list, concatListFile(paths));
    const out = join(ctx.scratch, `${input.rung.id}.mp4`);
    await ctx.ffmpeg(concatArgs(list, out));
    // Verify: every frame of the source, once, and the duration they make.
    const { frames, durationSec } = await probeVideo(ctx, out);
    const expectedSec = input.expectedFrames / input.timing.fps;
    if (frames !== input.expectedFrames)
      throw new TransientError(`${input.rung.id}: joined ${frames} frames, expected ${input.expectedFrames}`);
    if (Math.abs(durationSec - expectedSec) > 1 / input.timing.fps)
      throw new TransientError(`${input.rung.id}: joined duration ${durationSec.toFixed(3)} s, expected ${expectedSec.toFixed(3)} s`);
    const bytes = (await stat(out)).size;
    ctx.output(out, input.output.key, 'video/mp4');
    return { rungId: input.rung.id, key: input.output.key, frames, durationSec, bytes, bitrateKbps: Math.round((bytes * 8) / durationSec / 1000) };
  },
});
