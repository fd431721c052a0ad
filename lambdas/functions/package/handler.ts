import { join } from 'node:path';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { PackageInputSchema, PackageResultSchema, TransientError, type PackagedRendition } from '../../contracts/index.js';
import { segmentArgs } from '../../core/ffmpeg-args.js';
import {
  avcCodecString,
  dashManifest,
  hlsMasterPlaylist,
  parseMediaPlaylist,
  segmentBandwidth,
  type DashRepresentation,
} from '../../core/manifests.js';
import { defineMediaFunction, type MediaContext } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.mpd': 'application/dash+xml',
};
const contentType = (f: string) => CONTENT_TYPES[f.slice(f.lastIndexOf('.'))] ?? 'application/octet-stream';

interface Segmented {
  dir: string;
  init: string;
  segments: { uri: string; durationSec: number; bytes: number }[];
  files: string[];
}

/** Cuts one rendition into fMP4 segments under hls/<id>/ and measures them. */
async function segment(ctx: MediaContext, input: string, root: string, id: string, kind: 'video' | 'audio', segmentSeconds: number): Promise<Segmented> {
  const dir = join(root, 'hls', id);
  await mkdir(dir, { recursive: true });
  await ctx.ffmpeg(segmentArgs({ input, dir, kind, segmentSeconds }));
  const playlist = parseMediaPlaylist(await readFile(join(dir, 'index.m3u8'), 'utf8'));
  if (!playlist.initUri || playlist.segments.length === 0) throw new TransientError(`${id}: the segmenter wrote no init segment or no media segments`);
  const segments = await Promise.all(playlist.segments.map(async (s) => ({ ...s, bytes: (await stat(join(dir, s.uri))).size })));
  return { dir, init: playlist.initUri, segments, files: ['index.m3u8', playlist.initUri, ...segments.map((s) => s.uri)] };
}

export default defineMediaFunction({
  ...config,
  input: PackageInputSchema,
  output: PackageResultSchema,
  stage: (i) => ({
    ...Object.fromEntries(i.rungs.map((r) => [r.rung.id, r.rendition.key])),
    ...(i.audio ? { audio: i.audio.rendition.key } : {}),
  }),
  async run(input, ctx) {
    const root = join(ctx.scratch, 'out');
    const publish = (dir: string, files: string[], keyDir: string) => {
      for (const f of files) ctx.output(join(dir, f), `${input.outputPrefix}${keyDir}/${f}`, contentType(f));
    };
    const renditions: PackagedRendition[] = [];
    const dashReps: DashRepresentation[] = [];
    const seg = input.timing.segmentSeconds;

    let audioBandwidth = 0;
    let audioSegmented: Segmented | null = null;
    if (input.audio) {
      audioSegmented = await segment(ctx, ctx.inputs.audio, root, 'audio', 'audio', seg);
      const bw = segmentBandwidth(audioSegmented.segments);
      audioBandwidth = bw.peak;
      publish(audioSegmented.dir, audioSegmented.files, 'hls/audio');
      renditions.push({
        id: 'audio', kind: 'audio', codecs: 'mp4a.40.2', bandwidth: bw.peak, averageBandwidth: bw.average,
        playlistKey: `${input.outputPrefix}hls/audio/index.m3u8`, segments: audioSegmented.segments.length,
        bytes: audioSegmented.segments.reduce((n, s) => n + s.bytes, 0),
      });
      dashReps.push({
        id: 'audio', kind: 'audio', bandwidth: bw.average, codecs: 'mp4a.40.2', audioChannels: input.audio.channels,
        sampleRate: 48000, baseUrl: '../hls/audio/', initUri: audioSegmented.init, segments: audioSegmented.segments,
      });
    }

    for (const [n, { rung }] of input.rungs.entries()) {
      const s = await segment(ctx, ctx.inputs[rung.id], root, rung.id, 'video', seg);
      ctx.progress((n + 1) / input.rungs.length);
      const codecs = avcCodecString(await readFile(join(s.dir, s.init)));
      if (!codecs) throw new TransientError(`${rung.id}: no avcC box in the init segment`);
      const bw = segmentBandwidth(s.segments);
      publish(s.dir, s.files, `hls/${rung.id}`);
      renditions.push({
        id: rung.id, kind: 'video', width: rung.width, height: rung.height, codecs,
        bandwidth: bw.peak + audioBandwidth, averageBandwidth: bw.average + (input.audio ? segmentBandwidth(audioSegmented!.segments).average : 0),
        playlistKey: `${input.outputPrefix}hls/${rung.id}/index.m3u8`, segments: s.segments.length,
        bytes: s.segments.reduce((x, y) => x + y.bytes, 0),
      });
      dashReps.push({
        id: rung.id, kind: 'video', bandwidth: bw.average, codecs, width: rung.width, height: rung.height,
        frameRate: input.timing.fpsRational, baseUrl: `../hls/${rung.id}/`, initUri: s.init, segments: s.segments,
      });
    }

    const video = renditions.filter((r) => r.kind === 'video');
    let hlsMasterKey: string | null = null;
    if (input.hls) {
      const master = hlsMasterPlaylist({
        variants: video.map((r) => ({
          uri: `${r.id}/index.m3u8`, bandwidth: r.bandwidth, averageBandwidth: r.averageBandwidth, width: r.width, height: r.height,
          frameRate: input.timing.fps, codecs: input.audio ? `${r.codecs},mp4a.40.2` : r.codecs, audioGroup: input.audio ? 'audio' : undefined,
        })),
        audio: input.audio ? { uri: 'audio/index.m3u8', name: 'Main', channels: input.audio.channels } : null,
      });
      await writeFile(join(root, 'hls', 'master.m3u8'), master);
      publish(join(root, 'hls'), ['master.m3u8'], 'hls');
      hlsMasterKey = `${input.outputPrefix}hls/master.m3u8`;
    }
    let dashManifestKey: string | null = null;
    if (input.dash) {
      const durationSec = Math.max(...dashReps.filter((r) => r.kind === 'video').map((r) => r.segments.reduce((t, s) => t + s.durationSec, 0)));
      await mkdir(join(root, 'dash'), { recursive: true });
      await writeFile(join(root, 'dash', 'manifest.mpd'), dashManifest({ durationSec, minBufferSec: seg * 2, representations: dashReps }));
      publish(join(root, 'dash'), ['manifest.mpd'], 'dash');
      dashManifestKey = `${input.outputPrefix}dash/manifest.mpd`;
    }
    return { hlsMasterKey, dashManifestKey, renditions };
  },
});
