import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { InputInvalidError, NormalizeAudioInputSchema, NormalizeAudioResultSchema } from '../../contracts/index.js';
import { audioProbeArgs, isLinear, loudnormApplyArgs, loudnormMeasureArgs, parseLoudnormReport } from '../../core/loudnorm.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

const SAMPLE_RATE = 48000;

type AudioProbe = { streams?: { channels?: number }[]; format?: { duration?: string } };

export default defineMediaFunction({
  ...config,
  input: NormalizeAudioInputSchema,
  output: NormalizeAudioResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    const source = ctx.inputs.source;
    const probe = await ctx.ffprobeJson<AudioProbe>(audioProbeArgs(source));
    const channels = probe.streams?.[0]?.channels;
    if (!channels) throw new InputInvalidError(`normalize-audio: ${input.source.key} has no audio stream`);
    const durationSec = Number(probe.format?.duration ?? 0);

    // Pass 1 measures; pass 2 applies one gain from the measurement.
    const measured = parseLoudnormReport((await ctx.ffmpeg(loudnormMeasureArgs(source, input.loudness), { captureStderr: true, totalSeconds: durationSec || undefined })).stderr);
    const out = join(ctx.scratch, 'normalized.wav');
    const applied = parseLoudnormReport(
      (await ctx.ffmpeg(loudnormApplyArgs(source, out, input.loudness, measured, SAMPLE_RATE), { captureStderr: true, totalSeconds: durationSec || undefined })).stderr,
    );
    const outProbe = await ctx.ffprobeJson<AudioProbe>(audioProbeArgs(out));
    ctx.output(out, input.output.key, 'audio/wav');
    return {
      key: input.output.key,
      channels: Math.min(channels, 8),
      sampleRate: SAMPLE_RATE,
      durationSec: Number(outProbe.format?.duration ?? durationSec),
      bytes: (await stat(out)).size,
      target: input.loudness,
      measured: measured.input,
      output: applied.output,
      normalizationType: isLinear(measured.input, input.loudness) ? 'linear' : 'dynamic',
    };
  },
});
