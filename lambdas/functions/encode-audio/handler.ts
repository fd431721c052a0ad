import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { EncodeAudioInputSchema, EncodeAudioResultSchema } from '../../contracts/index.js';
import { encodeAudioArgs } from '../../core/audio-args.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: EncodeAudioInputSchema,
  output: EncodeAudioResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    const opus = input.codec === 'opus';
    const out = join(ctx.scratch, opus ? 'audio.webm' : 'audio.m4a');
    await ctx.ffmpeg(encodeAudioArgs({ ...input, source: ctx.inputs.source, output: out }), { totalSeconds: input.durationSec });
    const probe = await ctx.ffprobeJson<{ format?: { duration?: string } }>(['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', out]);
    ctx.output(out, input.output.key, opus ? 'audio/webm' : 'audio/mp4');
    return {
      key: input.output.key,
      durationSec: Number(probe.format?.duration ?? input.durationSec),
      bytes: (await stat(out)).size,
      codecs: opus ? 'opus' : 'mp4a.40.2',
    };
  },
});
