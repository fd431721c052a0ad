/**
 * Turns ffprobe's JSON and the video packets' timestamps into MediaInfo, rejecting sources Mosaic
 * cannot encode with a reason a user can act on. Nothing is assumed from the container's
 * declared rate or frame count: frames and timing come from what a decoder will output.
 */
import {
  InputInvalidError,
  type AudioTrack,
  type ColorInfo,
  type MediaInfo,
  type SourceLimits,
  type SubtitleTrack,
  type VideoStreamInfo,
} from '../contracts/index.js';
import { parseRational } from './chunks.js';
import { conformedFrames, frameTimeline, nominalRate, type VideoPacket } from './frame-timing.js';

interface ProbeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  start_time?: string;
  bit_rate?: string;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  field_order?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
  disposition?: { attached_pic?: number; default?: number };
}
export interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; size?: string; start_time?: string };
}

/** Smallest and largest pictures a ladder is made from (a side, and pixels in all). */
export const PICTURE_LIMITS = { minSide: 8, maxSide: 8192, maxPixels: 8192 * 4320 };

const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'mov_text', 'webvtt', 'text']);
const fmtBytes = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;

export function checkSize(sizeBytes: number, limits: SourceLimits): void {
  if (sizeBytes === 0) throw new InputInvalidError('source is empty (0 bytes): upload the file again');
  if (sizeBytes > limits.maxBytes)
    throw new InputInvalidError(`source is ${fmtBytes(sizeBytes)}, over the ${fmtBytes(limits.maxBytes)} limit`, {
      sizeBytes,
      maxBytes: limits.maxBytes,
    });
}

/** The stream Mosaic encodes: the first video stream that is not cover art. */
export function pickVideoStream(probe: ProbeJson): ProbeStream & { index: number } {
  const streams = probe.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) {
    const found = streams.map((s) => (s.disposition?.attached_pic ? 'cover art' : s.codec_type)).filter(Boolean);
    throw new InputInvalidError(
      found.length
        ? `source has no video stream (found ${[...new Set(found)].join(', ')} only): Mosaic encodes video sources`
        : 'source has no streams: it is not a media file ffmpeg can read',
    );
  }
  if (!video.codec_name || video.codec_name === 'none' || !video.width || !video.height)
    throw new InputInvalidError(`video stream cannot be decoded (codec ${video.codec_name ?? 'unknown'}, no picture size)`);
  return { ...video, index: video.index ?? streams.indexOf(video) };
}

export interface ProbeFacts {
  probe: ProbeJson;
  /** The chosen video stream's packets (`parsePacketCsv`). */
  packets: VideoPacket[];
  sizeBytes: number;
  limits: SourceLimits;
  /** Field order found by `idet` when the stream does not say. */
  detectedFieldOrder?: 'tff' | 'bff' | 'progressive';
}

export function mediaInfoFromProbe({ probe, packets, sizeBytes, limits, detectedFieldOrder }: ProbeFacts): MediaInfo {
  const video = pickVideoStream(probe);
  checkPictureSize(video.width!, video.height!);
  const timeline = frameTimeline(packets);
  if (!timeline) throw new InputInvalidError('source has zero duration (no video frames): the file may be truncated or empty');
  const declaredFrames = Number(video.nb_frames ?? 0);
  // Muxers round: AVI's index may count a frame more than it holds. Truncation is more than that.
  if (declaredFrames > 0 && packets.length < declaredFrames * 0.99 && declaredFrames - packets.length > 2)
    throw new InputInvalidError(
      `source is truncated: its index lists ${declaredFrames} video frames but only ${packets.length} are in the file (${Math.round((100 * packets.length) / declaredFrames)}%); upload the complete file`,
      { declaredFrames, frames: packets.length },
    );
  const fpsRational = timeline.variableFrameRate ? nominalRate(timeline.typicalIntervalSec) : pickFrameRate(video);
  const fps = parseRational(fpsRational);
  const frames = conformedFrames(timeline, fps);
  const durationSec = frames / fps;
  if (durationSec > limits.maxDurationSec) throw new InputInvalidError(`source lasts ${durationSec.toFixed(0)} s, over the ${limits.maxDurationSec} s limit`);
  checkSize(sizeBytes, limits);

  const notes: string[] = [];
  const rotation = videoRotation(video);
  const sar = video.sample_aspect_ratio && video.sample_aspect_ratio !== '0:1' ? parseRational(video.sample_aspect_ratio.replace(':', '/')) : 1;
  let dispW = Math.round(video.width! * (Number.isFinite(sar) ? sar : 1));
  let dispH = video.height!;
  let w = video.width!;
  if (Math.abs(rotation) % 180 === 90) {
    // ffmpeg auto-rotates when decoding: the pictures come out turned.
    [dispW, dispH] = [dispH, dispW];
    w = video.height!;
  }
  if (rotation) notes.push(`rotated ${rotation}° in the file: turned upright`);
  checkPictureSize(dispW, dispH);
  const interlaced = fieldOrder(video.field_order, detectedFieldOrder);
  if (interlaced) notes.push(`interlaced (${interlaced}): deinterlaced with bwdif`);
  if (timeline.variableFrameRate) notes.push(`variable frame rate: conformed to a constant ${fpsRational} fps (its most common frame interval)`);
  const discarded = packets.length - timeline.frames;
  if (discarded > 0) notes.push(`edit list: ${discarded} leading frame(s) the file does not show are left out`);
  const color = colorInfo(video);
  if (color.hdr) notes.push(`HDR (${color.hdr === 'pq' ? 'PQ' : 'HLG'}): tone-mapped to SDR BT.709`);
  const pixFmt = video.pix_fmt;
  const bitDepth = depthOf(video);
  const chroma = chromaOf(pixFmt);

  const audioTracks = audioTracksOf(probe);
  const subtitles = subtitleTracksOf(probe);
  const imageSubs = subtitles.filter((s) => !s.text);
  if (imageSubs.length) notes.push(`${imageSubs.length} image subtitle track(s) (${[...new Set(imageSubs.map((s) => s.codec))].join(', ')}) skipped: only text subtitles become WebVTT`);

  const videoInfo: VideoStreamInfo = {
    codec: video.codec_name!,
    width: w,
    height: dispH,
    displayWidth: dispW,
    fps,
    fpsRational,
    frames,
    durationSec,
    startSec: timeline.originSec,
    bitrate: video.bit_rate ? Number(video.bit_rate) : undefined,
    pixFmt,
    bitDepth,
    chroma,
    rotation,
    sampleAspect: video.sample_aspect_ratio && video.sample_aspect_ratio !== '0:1' ? video.sample_aspect_ratio : '1:1',
    color,
    conform: {
      streamIndex: video.index,
      originSec: timeline.originSec,
      variableFrameRate: timeline.variableFrameRate,
      maxFrameGapSec: timeline.maxGapSec,
      sourceFrames: timeline.frames,
      interlaced,
    },
  };
  const audio = audioTracks[0] ?? null;
  return {
    container: probe.format?.format_name ?? 'unknown',
    sizeBytes,
    durationSec: Math.max(durationSec, Number(probe.format?.duration ?? 0) || 0),
    video: videoInfo,
    audio: audio ? { codec: audio.codec, channels: audio.channels, sampleRate: audio.sampleRate, durationSec: audio.durationSec, startSec: audio.startSec } : null,
    audioTracks,
    subtitles,
    notes,
  };
}

export function checkPictureSize(width: number, height: number): void {
  const { minSide, maxSide, maxPixels } = PICTURE_LIMITS;
  if (width < minSide || height < minSide)
    throw new InputInvalidError(`picture is ${width}x${height}: too small for a ladder (at least ${minSide} px a side)`);
  if (width > maxSide || height > maxSide || width * height > maxPixels)
    throw new InputInvalidError(`picture is ${width}x${height}: over the ${maxSide} px a side / ${(maxPixels / 1e6).toFixed(1)} Mpixel limit`);
}

/**
 * `idet` is consulted only when the stream does not say. Stream values: tt/bb (coded and shown
 * in the same order), tb/bt (coded one way, shown the other: the display order is what counts).
 */
function fieldOrder(tag: string | undefined, detected: ProbeFacts['detectedFieldOrder']): 'tff' | 'bff' | null {
  if (tag === 'tt' || tag === 'tb') return 'tff';
  if (tag === 'bb' || tag === 'bt') return 'bff';
  if (tag === 'progressive') return null;
  return detected === 'tff' || detected === 'bff' ? detected : null;
}

/** Codecs that carry interlaced pictures; VP9, AV1, GIF and the like never do. */
const MAY_BE_INTERLACED = new Set(['mpeg2video', 'mpeg1video', 'h264', 'hevc', 'mpeg4', 'dvvideo', 'mjpeg', 'prores', 'rawvideo', 'ffv1', 'dnxhd', 'v210', 'vc1', 'wmv3']);

/** Whether Inspect should run `idet`: the stream may be interlaced and does not state its field order. */
export function needsFieldDetection(probe: ProbeJson): boolean {
  const v = pickVideoStream(probe);
  return (!v.field_order || v.field_order === 'unknown') && MAY_BE_INTERLACED.has(v.codec_name ?? '');
}

function colorInfo(s: ProbeStream): ColorInfo {
  const full = s.color_range === 'pc' || /^yuvj/.test(s.pix_fmt ?? '');
  const transfer = s.color_transfer ?? 'unknown';
  return {
    primaries: s.color_primaries ?? 'unknown',
    transfer,
    matrix: s.color_space ?? 'unknown',
    range: full ? 'pc' : s.color_range === 'tv' ? 'tv' : 'unknown',
    hdr: transfer === 'smpte2084' ? 'pq' : transfer === 'arib-std-b67' ? 'hlg' : null,
  };
}

function depthOf(s: ProbeStream): number | undefined {
  const fromFmt = /p(9|10|12|14|16)(le|be)?$/.exec(s.pix_fmt ?? '');
  if (fromFmt) return Number(fromFmt[1]);
  const raw = Number(s.bits_per_raw_sample);
  return raw > 0 ? raw : s.pix_fmt ? 8 : undefined;
}

function chromaOf(pixFmt: string | undefined): VideoStreamInfo['chroma'] {
  if (!pixFmt) return undefined;
  if (/^(yuvj?420|nv12|nv21|yuva420|p010|p016)/.test(pixFmt)) return '420';
  if (/^(yuvj?422|yuva422|nv16|yuyv|uyvy|y210)/.test(pixFmt)) return '422';
  if (/^(yuvj?444|yuva444|gbr|rgb|bgr|argb|abgr|rgba|bgra|0rgb|rgb0|pal8|x2rgb)/.test(pixFmt)) return '444';
  if (/^(gray|ya)/.test(pixFmt)) return '400';
  if (/^(yuvj?411|uyyvyy411)/.test(pixFmt)) return '411';
  return 'other';
}

const lang = (s: ProbeStream) => (s.tags?.language ?? s.tags?.LANGUAGE ?? 'und').toLowerCase();
const title = (s: ProbeStream) => s.tags?.title ?? s.tags?.handler_name?.replace(/^(Sound|Subtitle|Video)Handler$/, '') ?? undefined;
/**
 * The default-disposition track first, the only one marked default; otherwise the file's order.
 * A player always plays some audio, so with none flagged the first audio track is the default;
 * subtitles stay off unless the source asks for them.
 */
const defaultFirst = <T extends { default: boolean }>(tracks: T[], needsDefault: boolean): T[] => {
  const i = tracks.findIndex((t) => t.default);
  if (i < 0) return tracks.map((t, n) => ({ ...t, default: needsDefault && n === 0 }));
  return [{ ...tracks[i] }, ...tracks.filter((_, n) => n !== i).map((t) => ({ ...t, default: false }))];
};

function audioTracksOf(probe: ProbeJson): AudioTrack[] {
  const audio = (probe.streams ?? []).filter((s) => s.codec_type === 'audio');
  const tracks = audio
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => (s.channels ?? 0) > 0 && Number(s.sample_rate ?? 0) > 0)
    .map(({ s, index }): AudioTrack => ({
      index,
      codec: s.codec_name ?? 'unknown',
      channels: s.channels!,
      channelLayout: s.channel_layout,
      sampleRate: Number(s.sample_rate),
      durationSec: Number(s.duration ?? probe.format?.duration ?? 0) || 0,
      startSec: Number(s.start_time ?? 0) || 0,
      language: lang(s),
      ...(title(s) ? { title: title(s) } : {}),
      default: s.disposition?.default === 1,
    }));
  return defaultFirst(tracks, true);
}

function subtitleTracksOf(probe: ProbeJson): SubtitleTrack[] {
  const subs = (probe.streams ?? []).filter((s) => s.codec_type === 'subtitle');
  return defaultFirst(
    subs.map((s, index): SubtitleTrack => ({
      index,
      codec: s.codec_name ?? 'unknown',
      language: lang(s),
      ...(title(s) ? { title: title(s) } : {}),
      default: s.disposition?.default === 1,
      text: TEXT_SUBTITLES.has(s.codec_name ?? ''),
    })),
    false,
  );
}

function pickFrameRate(s: ProbeStream): string {
  // avg_frame_rate reflects real timing; r_frame_rate can be a field rate or a timebase guess.
  for (const r of [s.avg_frame_rate, s.r_frame_rate]) {
    if (!r) continue;
    const v = parseRational(r);
    if (Number.isFinite(v) && v >= 1 && v <= 240) return normaliseRational(r);
  }
  throw new InputInvalidError('source has no usable frame rate: it may be a still image or broken');
}

/** Turns ffprobe's "24000/1001" or "2997/125" into the smallest equivalent fraction. */
export function normaliseRational(r: string): string {
  const [n, d = 1] = r.split('/').map(Number);
  const g = gcd(n, d);
  return d / g === 1 ? String(n / g) : `${n / g}/${d / g}`;
}
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function videoRotation(s: ProbeStream): number {
  const fromSide = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  if (typeof fromSide === 'number') return fromSide;
  const tag = s.tags?.rotate;
  return tag ? Number(tag) || 0 : 0;
}
