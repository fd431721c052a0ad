/**
 * Turns ffprobe's JSON into MediaInfo, rejecting sources Mosaic cannot encode with a reason a
 * user can act on.
 */
import { InputInvalidError, type MediaInfo, type SourceLimits } from '../contracts/index.js';
import { parseRational } from './chunks.js';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  start_time?: string;
  bit_rate?: string;
  pix_fmt?: string;
  channels?: number;
  sample_rate?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
  disposition?: { attached_pic?: number };
}
export interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; size?: string; start_time?: string };
}

const fmtBytes = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;

export function checkSize(sizeBytes: number, limits: SourceLimits): void {
  if (sizeBytes === 0) throw new InputInvalidError('source is empty (0 bytes): upload the file again');
  if (sizeBytes > limits.maxBytes)
    throw new InputInvalidError(`source is ${fmtBytes(sizeBytes)}, over the ${fmtBytes(limits.maxBytes)} limit`, {
      sizeBytes,
      maxBytes: limits.maxBytes,
    });
}

export function mediaInfoFromProbe(probe: ProbeJson, sizeBytes: number, limits: SourceLimits): MediaInfo {
  const streams = probe.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video) {
    const found = streams.map((s) => s.codec_type).filter(Boolean);
    throw new InputInvalidError(
      found.length
        ? `source has no video stream (found ${found.join(', ')} only): Mosaic encodes video sources`
        : 'source has no streams: it is not a media file ffmpeg can read',
    );
  }
  if (!video.codec_name || video.codec_name === 'none' || !video.width || !video.height)
    throw new InputInvalidError(`video stream cannot be decoded (codec ${video.codec_name ?? 'unknown'}, no picture size)`);

  const fpsRational = pickFrameRate(video);
  const fps = parseRational(fpsRational);
  const frames = Number(video.nb_read_packets ?? video.nb_frames ?? 0);
  const declaredFrames = Number(video.nb_frames ?? 0);
  const duration = Number(video.duration ?? probe.format?.duration ?? 0);
  if (!Number.isFinite(duration) || duration <= 0 || frames <= 0)
    throw new InputInvalidError('source has zero duration (no video frames): the file may be truncated or empty');
  if (declaredFrames > 0 && frames < declaredFrames * 0.99)
    throw new InputInvalidError(
      `source is truncated: its index lists ${declaredFrames} video frames but only ${frames} are in the file (${Math.round((100 * frames) / declaredFrames)}%); upload the complete file`,
      { declaredFrames, frames },
    );
  if (duration > limits.maxDurationSec)
    throw new InputInvalidError(`source lasts ${duration.toFixed(0)} s, over the ${limits.maxDurationSec} s limit`);
  checkSize(sizeBytes, limits);

  const rotation = videoRotation(video);
  const sar = video.sample_aspect_ratio && video.sample_aspect_ratio !== '0:1' ? parseRational(video.sample_aspect_ratio.replace(':', '/')) : 1;
  let dispW = Math.round(video.width * (Number.isFinite(sar) ? sar : 1));
  let dispH = video.height;
  let [w, h] = [video.width, video.height];
  if (Math.abs(rotation) % 180 === 90) {
    // ffmpeg auto-rotates when decoding: the pictures come out turned.
    [dispW, dispH] = [dispH, dispW];
    [w, h] = [h, w];
  }
  return {
    container: probe.format?.format_name ?? 'unknown',
    sizeBytes,
    durationSec: Number(probe.format?.duration ?? duration) || duration,
    video: {
      codec: video.codec_name,
      width: w,
      height: dispH,
      displayWidth: dispW,
      fps,
      fpsRational,
      frames,
      durationSec: frames / fps,
      startSec: Number(video.start_time ?? 0) || 0,
      bitrate: video.bit_rate ? Number(video.bit_rate) : undefined,
      pixFmt: video.pix_fmt,
      rotation,
    },
    audio: audio
      ? {
          codec: audio.codec_name ?? 'unknown',
          channels: audio.channels ?? 2,
          sampleRate: Number(audio.sample_rate ?? 48000),
          durationSec: Number(audio.duration ?? probe.format?.duration ?? 0) || 0,
          startSec: Number(audio.start_time ?? 0) || 0,
        }
      : null,
    audioTracks: [],
    subtitles: [],
    notes: [],
  };
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
