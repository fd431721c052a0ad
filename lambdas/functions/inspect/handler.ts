import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputInvalidError, InspectInputSchema, InspectResultSchema, isMosaicError } from '../../contracts/index.js';
import { sourcePicture, TONEMAP_FILTERS } from '../../core/conform.js';
import { decodeCheckArgs, fieldDetectArgs, INPUT_GUARD, PACKETS_ARGS, PROBE_ARGS } from '../../core/ffmpeg-args.js';
import { parsePacketCsv } from '../../core/frame-timing.js';
import { parseFieldDetection, sniffRefusal } from '../../core/source-sniff.js';
import { checkSize, mediaInfoFromProbe, needsFieldDetection, pickVideoStream, type ProbeJson } from '../../core/probe.js';
import { defineMediaFunction, stderrTail, type MediaContext } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/** Frames `idet` looks at when a stream does not state its field order. */
const IDET_FRAMES = 120;

export default defineMediaFunction({
  ...config,
  input: InspectInputSchema,
  output: InspectResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    const path = ctx.inputs.source;
    const st = await stat(path);
    if (!st.isFile()) throw new InputInvalidError('source is not a file (a directory or a device): upload the media file itself');
    checkSize(st.size, input.limits);
    const head = readHead(path);
    const refusal = sniffRefusal(head);
    if (refusal) throw new InputInvalidError(refusal);
    // An MP4 (it starts with an ftyp box) cut short before its index, often written last.
    const mp4 = head.subarray(4, 8).toString('latin1') === 'ftyp';

    const probed = await probeSource(ctx, path, mp4);
    const video = pickVideoStream(probed.probe);
    const packets = parsePacketCsv((await readTool(ctx, 'ffprobe', PACKETS_ARGS(probed.path, video.index))).stdout);
    const detectedFieldOrder = needsFieldDetection(probed.probe)
      ? parseFieldDetection((await readTool(ctx, 'ffmpeg', fieldDetectArgs(path, video.index, IDET_FRAMES))).stderr)
      : undefined;
    const media = mediaInfoFromProbe({ probe: probed.probe, packets, sizeBytes: st.size, limits: input.limits, detectedFieldOrder });
    if (probed.container) media.container = probed.container;

    if (media.video.color?.hdr && !TONEMAP_FILTERS.every((f) => ctx.tools.caps.filters.has(f)))
      throw new InputInvalidError(
        `source is HDR (${media.video.color.hdr === 'pq' ? 'PQ' : 'HLG'}) and this ffmpeg has no ${TONEMAP_FILTERS.join('/')} filters to tone-map it to SDR: use an ffmpeg built with zimg`,
      );
    // Headers can parse while the data does not decode: decode the start and the end.
    const { streamIndex } = sourcePicture(media);
    const lastSec = Math.max(0, media.video.durationSec - 1);
    for (const at of lastSec > 0 ? [0, lastSec] : [0]) {
      await ctx.ffmpeg(decodeCheckArgs(path, at, 2, streamIndex)).catch((e: unknown) => {
        throw new InputInvalidError(`video cannot be decoded at ${at.toFixed(1)} s (${lastLine(e)}); the file may be corrupt or truncated`);
      });
    }
    return media;
  },
});

/**
 * ffprobe's JSON. The shipped static ffprobe crashes on every MPEG-TS file: then the streams are
 * copied (timestamps kept) into Matroska with ffmpeg and probed there.
 */
async function probeSource(ctx: MediaContext, path: string, mp4: boolean): Promise<{ probe: ProbeJson; path: string; container?: string }> {
  try {
    return { probe: JSON.parse((await readTool(ctx, 'ffprobe', PROBE_ARGS(path), mp4)).stdout) as ProbeJson, path };
  } catch (e) {
    if (!(isMosaicError(e) && e.details.signal === 'SIGSEGV')) throw e;
    const copy = join(ctx.scratch, 'probe-copy.mkv');
    await readTool(ctx, 'ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-v', 'error', ...INPUT_GUARD, '-copyts', '-i', path, '-map', '0', '-c', 'copy', '-f', 'matroska', copy]);
    const probe = JSON.parse((await readTool(ctx, 'ffprobe', PROBE_ARGS(copy))).stdout) as ProbeJson;
    return { probe, path: copy, container: 'mpegts' };
  }
}

/** Runs a probe of the source; any failure (unreadable, over its time or memory) is the source's fault. */
async function readTool(ctx: MediaContext, tool: 'ffprobe' | 'ffmpeg', args: string[], mp4 = false) {
  const run = tool === 'ffprobe' ? ctx.ffprobe(args) : ctx.ffmpeg(args, { captureStderr: true });
  return run.catch((e: unknown) => {
    if (isMosaicError(e) && e.details.signal === 'SIGSEGV' && tool === 'ffprobe') throw e;
    if (isMosaicError(e) && e.name === 'Mosaic.Cancelled') throw e;
    const limit = isMosaicError(e) ? (e.details.limit as string | undefined) : undefined;
    if (limit === 'memory' || limit === 'time')
      throw new InputInvalidError(`source could not be read within the ${limit === 'time' ? 'time' : 'memory'} allowed to read a source (${(e as Error).message})`);
    if (mp4 && /moov atom not found/.test(stderrOf(e)))
      throw new InputInvalidError('source is truncated or incomplete: its MP4 index (moov atom) is missing; upload the complete file');
    if (/not on whitelist/.test(stderrOf(e)))
      throw new InputInvalidError('source is not in a media container Mosaic reads (MP4/MOV, Matroska/WebM, AVI, MPEG-TS/PS, MXF, FLV, Ogg, GIF, ...)');
    throw new InputInvalidError(`source is not a media file ffmpeg can read (${lastLine(e)})`);
  });
}

function readHead(path: string): Buffer {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function stderrOf(e: unknown): string {
  const details = isMosaicError(e) ? (e.details.stderrTail as string | undefined) : undefined;
  return details || (e as Error).message || String(e);
}

function lastLine(e: unknown): string {
  const text = stderrOf(e);
  // ffmpeg prefixes lines with the input path; the reason is what follows it. No paths leave the job.
  return (
    stderrTail(text, 1)
      .replace(/^.*?:\s(?=[A-Z])/, '')
      // No paths and no decoder addresses ("[h264 @ 0x55d…]") leave the job.
      .replace(/\[[\w-]+ @ 0x[0-9a-f]+\]\s*/gi, '')
      .replace(/\/[^\s'"]*\//g, '')
      .trim() || 'unknown error'
  );
}
