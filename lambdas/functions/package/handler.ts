import { join } from 'node:path';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import {
  InputInvalidError,
  isMosaicError,
  ErrorNames,
  PackageInputSchema,
  PackageResultSchema,
  TransientError,
  type PackageText,
  type Timing,
  type PackagedRendition,
} from '../../contracts/index.js';
import { rungCodec, segmentArgs } from '../../core/ffmpeg-args.js';
import {
  dashManifest,
  hlsMasterPlaylist,
  hlsSubtitlePlaylist,
  parseMediaPlaylist,
  segmentBandwidth,
  videoCodecString,
  withLastSegmentDuration,
  type DashRepresentation,
} from '../../core/manifests.js';
import { MAX_SIDECAR_BYTES, sidecarFormat, sidecarToWebVttArgs, trackToWebVttArgs } from '../../core/subtitle-args.js';
import { alignWebVtt } from '../../core/webvtt.js';
import { defineMediaFunction, probeVideo, type MediaContext, type StageRef } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.mpd': 'application/dash+xml',
  '.vtt': 'text/vtt',
};
const contentType = (f: string) => CONTENT_TYPES[f.slice(f.lastIndexOf('.'))] ?? 'application/octet-stream';
const VTT_FILE = 'subtitles.vtt';
const stagedSidecar = (id: string) => `caption-${id}`;
/** An mp4 is staged as it is; an HLS media playlist as the one fMP4 of its init and segments. */
const rendition = (key: string): StageRef => (key.endsWith('.m3u8') ? { hls: key } : key);

interface Segmented {
  dir: string;
  init: string;
  segments: { uri: string; durationSec: number; bytes: number }[];
  files: string[];
}

/**
 * Cuts one rendition into fMP4 segments under hls/<id>/ and measures them. `lastPacketUntimed`:
 * the packets carry no durations (VP9 from MP4), so the muxer times the last segment one frame
 * short: it is set to what the rendition lasts.
 */
async function segment(ctx: MediaContext, input: string, root: string, id: string, kind: 'video' | 'audio', timing: Timing, lastPacketUntimed = false): Promise<Segmented> {
  const dir = join(root, 'hls', id);
  await mkdir(dir, { recursive: true });
  await ctx.ffmpeg(segmentArgs({ input, dir, kind, segmentSeconds: timing.segmentSeconds, fps: timing.fps, gopFrames: timing.gopFrames }));
  let text = await readFile(join(dir, 'index.m3u8'), 'utf8');
  let playlist = parseMediaPlaylist(text);
  const init = playlist.initUri;
  if (!init || playlist.segments.length === 0) throw new TransientError(`${id}: the segmenter wrote no init segment or no media segments`);
  if (lastPacketUntimed) {
    const { durationSec } = await probeVideo(ctx, input);
    const before = playlist.segments.slice(0, -1).reduce((t, x) => t + x.durationSec, 0);
    const last = playlist.segments[playlist.segments.length - 1].durationSec;
    if (durationSec - before > last + 1e-6) {
      text = withLastSegmentDuration(text, durationSec - before);
      await writeFile(join(dir, 'index.m3u8'), text);
      playlist = parseMediaPlaylist(text);
    }
  }
  const segments = await Promise.all(playlist.segments.map(async (s) => ({ ...s, bytes: (await stat(join(dir, s.uri))).size })));
  return { dir, init, segments, files: ['index.m3u8', init, ...segments.map((s) => s.uri)] };
}

/**
 * One text rendition as WebVTT on the video's timeline: ffmpeg converts (a source stream, or a
 * sidecar read by the demuxer its content shows), then the cues are moved and clipped.
 * Returns null (with a note) for a source stream ffmpeg cannot read; a bad sidecar fails the job.
 */
async function webVtt(ctx: MediaContext, t: PackageText, dir: string, durationSec: number, notes: string[]): Promise<string | null> {
  const raw = join(dir, 'raw.vtt');
  if (t.from.kind === 'sidecar') {
    const path = ctx.inputs[stagedSidecar(t.id)];
    const { size } = await stat(path);
    if (size > MAX_SIDECAR_BYTES) throw new InputInvalidError(`caption ${t.from.key} is ${size} bytes, over the ${MAX_SIDECAR_BYTES}-byte limit for a caption file`);
    const fh = await open(path, 'r');
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0).finally(() => fh.close());
    await ctx.ffmpeg(sidecarToWebVttArgs({ input: path, format: sidecarFormat(head.toString('utf8'), t.from.key), output: raw }));
  } else {
    try {
      await ctx.ffmpeg(trackToWebVttArgs({ source: ctx.inputs.source, index: t.from.index, output: raw }));
    } catch (e) {
      if (!isMosaicError(e) || e.name !== ErrorNames.InputInvalid) throw e;
      notes.push(`subtitle track ${t.from.index} (${t.from.codec}) could not be read: skipped (${e.message})`);
      return null;
    }
  }
  return alignWebVtt(await readFile(raw, 'utf8'), { offsetSec: t.offsetSec, durationSec }).text;
}

export default defineMediaFunction({
  ...config,
  input: PackageInputSchema,
  output: PackageResultSchema,
  stage: (i) => ({
    // Renditions of an earlier job are read from its HLS media playlists (repackage).
    ...Object.fromEntries(i.rungs.map((r) => [r.rung.id, rendition(r.rendition.key)])),
    ...Object.fromEntries(i.audio.map((a) => [a.id, rendition(a.rendition.key)])),
    ...Object.fromEntries(i.subtitles.flatMap((t) => (t.from.kind === 'sidecar' ? [[stagedSidecar(t.id), t.from.key]] : []))),
    ...(i.source && i.subtitles.some((t) => t.from.kind === 'track') ? { source: i.source.key } : {}),
  }),
  async run(input, ctx) {
    const root = join(ctx.scratch, 'out');
    const publish = (dir: string, files: string[], keyDir: string) => {
      for (const f of files) ctx.output(join(dir, f), `${input.outputPrefix}${keyDir}/${f}`, contentType(f));
    };
    const renditions: PackagedRendition[] = [];
    const dashReps: DashRepresentation[] = [];
    const notes: string[] = [];
    const seg = input.timing.segmentSeconds;
    const steps = input.rungs.length + input.audio.length + input.subtitles.length;
    let done = 0;
    const stepDone = () => ctx.progress(++done / steps);

    // A variant's bandwidth counts the largest audio rendition a player may pair it with.
    let audioPeak = 0;
    let audioAverage = 0;
    for (const a of input.audio) {
      const s = await segment(ctx, ctx.inputs[a.id], root, a.id, 'audio', input.timing);
      const bw = segmentBandwidth(s.segments);
      audioPeak = Math.max(audioPeak, bw.peak);
      audioAverage = Math.max(audioAverage, bw.average);
      publish(s.dir, s.files, `hls/${a.id}`);
      renditions.push({
        id: a.id, kind: 'audio', language: a.language, codecs: 'mp4a.40.2', bandwidth: bw.peak, averageBandwidth: bw.average,
        playlistKey: `${input.outputPrefix}hls/${a.id}/index.m3u8`, segments: s.segments.length,
        bytes: s.segments.reduce((n, x) => n + x.bytes, 0),
      });
      dashReps.push({
        id: a.id, kind: 'audio', bandwidth: bw.average, codecs: 'mp4a.40.2', audioChannels: a.channels, sampleRate: 48000,
        language: a.language, label: a.name, default: a.default, baseUrl: `../hls/${a.id}/`, initUri: s.init, segments: s.segments,
      });
      stepDone();
    }

    let videoDurationSec = 0;
    for (const { rung } of input.rungs) {
      const s = await segment(ctx, ctx.inputs[rung.id], root, rung.id, 'video', input.timing, rungCodec(rung) === 'vp9');
      // RFC 6381 from the init segment's codec configuration box (avcC, hvcC, av1C or vpcC).
      const codecs = videoCodecString(await readFile(join(s.dir, s.init)));
      if (!codecs) throw new TransientError(`${rung.id}: no avcC, hvcC, av1C or vpcC box in the init segment (${rungCodec(rung)})`);
      const bw = segmentBandwidth(s.segments);
      videoDurationSec = Math.max(videoDurationSec, s.segments.reduce((t, x) => t + x.durationSec, 0));
      publish(s.dir, s.files, `hls/${rung.id}`);
      renditions.push({
        id: rung.id, kind: 'video', width: rung.width, height: rung.height, codecs,
        bandwidth: bw.peak + audioPeak, averageBandwidth: bw.average + audioAverage,
        playlistKey: `${input.outputPrefix}hls/${rung.id}/index.m3u8`, segments: s.segments.length,
        bytes: s.segments.reduce((x, y) => x + y.bytes, 0),
      });
      dashReps.push({
        id: rung.id, kind: 'video', bandwidth: bw.average, codecs, width: rung.width, height: rung.height,
        frameRate: input.timing.fpsRational, baseUrl: `../hls/${rung.id}/`, initUri: s.init, segments: s.segments,
      });
      stepDone();
    }

    const texts: PackageText[] = [];
    for (const t of input.subtitles) {
      const dir = join(root, 'hls', t.id);
      await mkdir(dir, { recursive: true });
      const vtt = await webVtt(ctx, t, dir, videoDurationSec, notes);
      stepDone();
      if (vtt === null) continue;
      await writeFile(join(dir, VTT_FILE), vtt);
      await writeFile(join(dir, 'index.m3u8'), hlsSubtitlePlaylist({ uri: VTT_FILE, durationSec: videoDurationSec }));
      publish(dir, ['index.m3u8', VTT_FILE], `hls/${t.id}`);
      const bytes = Buffer.byteLength(vtt);
      const bandwidth = Math.max(1, Math.ceil((bytes * 8) / Math.max(videoDurationSec, 1e-3)));
      texts.push(t);
      renditions.push({
        id: t.id, kind: 'text', language: t.language, codecs: 'wvtt', bandwidth, averageBandwidth: bandwidth,
        playlistKey: `${input.outputPrefix}hls/${t.id}/index.m3u8`, vttKey: `${input.outputPrefix}hls/${t.id}/${VTT_FILE}`, segments: 1, bytes,
      });
      dashReps.push({ id: t.id, kind: 'text', bandwidth, language: t.language, label: t.name, default: t.default, baseUrl: `../hls/${t.id}/${VTT_FILE}`, segments: [] });
    }

    const video = renditions.filter((r) => r.kind === 'video');
    let hlsMasterKey: string | null = null;
    if (input.hls) {
      const master = hlsMasterPlaylist({
        variants: video.map((r) => ({
          uri: `${r.id}/index.m3u8`, bandwidth: r.bandwidth, averageBandwidth: r.averageBandwidth, width: r.width, height: r.height,
          frameRate: input.timing.fps, codecs: input.audio.length ? `${r.codecs},mp4a.40.2` : r.codecs,
        })),
        audio: input.audio.map((a) => ({ uri: `${a.id}/index.m3u8`, name: a.name, language: a.language, default: a.default, channels: a.channels })),
        subtitles: texts.map((t) => ({ uri: `${t.id}/index.m3u8`, name: t.name, language: t.language, default: t.default })),
      });
      await writeFile(join(root, 'hls', 'master.m3u8'), master);
      publish(join(root, 'hls'), ['master.m3u8'], 'hls');
      hlsMasterKey = `${input.outputPrefix}hls/master.m3u8`;
    }
    let dashManifestKey: string | null = null;
    if (input.dash) {
      await mkdir(join(root, 'dash'), { recursive: true });
      await writeFile(join(root, 'dash', 'manifest.mpd'), dashManifest({ durationSec: videoDurationSec, minBufferSec: seg * 2, representations: dashReps }));
      publish(join(root, 'dash'), ['manifest.mpd'], 'dash');
      dashManifestKey = `${input.outputPrefix}dash/manifest.mpd`;
    }
    return { hlsMasterKey, dashManifestKey, renditions, notes };
  },
});
