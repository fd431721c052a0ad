import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputInvalidError, InspectInputSchema, InspectResultSchema, isMosaicError } from '../../contracts/index.js';
import { decodeCheckArgs, PROBE_ARGS } from '../../core/ffmpeg-args.js';
import { checkSize, mediaInfoFromProbe, type ProbeJson } from '../../core/probe.js';
import { defineMediaFunction, stderrTail } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: InspectInputSchema,
  output: InspectResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    const path = ctx.inputs.source;
    const { size } = await stat(path);
    checkSize(size, input.limits);
    const probe = await ctx.ffprobeJson<ProbeJson>(PROBE_ARGS(path)).catch((e: unknown) => {
      // An MP4 (it starts with an ftyp box) cut short before its index, often written last.
      if (/moov atom not found/.test(stderrOf(e)) && startsWithFtyp(path))
        throw new InputInvalidError('source is truncated or incomplete: its MP4 index (moov atom) is missing; upload the complete file');
      throw new InputInvalidError(`source is not a media file ffmpeg can read (${lastLine(e)})`);
    });
    const media = mediaInfoFromProbe(probe, size, input.limits);
    // Headers can parse while the data does not decode: decode the start and the end.
    const lastSec = Math.max(0, media.video.durationSec - 1);
    for (const at of lastSec > 0 ? [0, lastSec] : [0]) {
      await ctx.ffmpeg(decodeCheckArgs(path, at, 2)).catch((e: unknown) => {
        throw new InputInvalidError(`video cannot be decoded at ${at.toFixed(1)} s (${lastLine(e)}); the file may be corrupt or truncated`);
      });
    }
    return media;
  },
});

function startsWithFtyp(path: string): boolean {
  const head = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  return head.subarray(4, 8).toString('latin1') === 'ftyp';
}

function stderrOf(e: unknown): string {
  const details = isMosaicError(e) ? (e.details.stderrTail as string | undefined) : undefined;
  return details || (e as Error).message || String(e);
}

function lastLine(e: unknown): string {
  const text = stderrOf(e);
  // ffmpeg prefixes lines with the input path; the reason is what follows it.
  return stderrTail(text, 1).replace(/^.*?:\s(?=[A-Z])/, '').trim() || 'unknown error';
}
