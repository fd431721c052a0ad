/**
 * ffmpeg arguments of one audio rendition. Every rendition starts at the video's origin and
 * lasts exactly as long as the video, whatever the source's audio does (starts late or early,
 * stops short, runs on, is mono or 8 kHz), so A/V stay in sync in every rendition.
 */
import { INPUT_GUARD } from './ffmpeg-args.js';

const COMMON = ['-hide_banner', '-nostdin', '-y', '-nostats'];

/**
 * The audio filter. With an origin, timestamps are the source's own (`-copyts`): `asetpts`
 * moves the origin to 0, `aresample=async=1:first_pts=0` drops samples before it and fills
 * gaps (a late start) with silence, `apad` pads the end; `-t` then cuts at the video's duration.
 * Checked with the 4.1-era ffmpeg on audio starting 0.5 s after and before the video and on
 * negative start times: a tone at source time T lands at T - origin within a millisecond.
 */
export function audioFilter(originSec: number | undefined, skipSec = 0): string {
  const skip = skipSec > 0 ? `,atrim=start=${skipSec.toFixed(6)},asetpts=PTS-STARTPTS` : '';
  const align = `aresample=async=1:first_pts=0${skip},apad`;
  return originSec === undefined ? align : `asetpts=PTS-(${originSec.toFixed(6)})/TB,${align}`;
}

/**
 * ffmpeg's AAC encoder starts every stream with 1024 samples of priming. The MP4 it writes says
 * so in an edit list, but CMAF segments carry none and players (MSE) play the priming: 21 ms of
 * delay, over a frame at 60 fps. So as much of the source is left out at the start, and the
 * rendition (priming included) is as long as the video.
 */
export const AAC_PRIMING_SAMPLES = 1024;

export function encodeAudioArgs(p: {
  source: string;
  output: string;
  /** Default aac (MP4); opus is written to WebM at 48 kHz, the only rate Opus codes. */
  codec?: 'aac' | 'opus';
  bitrateKbps: number;
  channels: number;
  sampleRate: number;
  durationSec: number;
  /** Ordinal of the source's audio stream (default the first). */
  track?: number;
  /** Source presentation time of the video's frame 0 (see audioFilter). */
  originSec?: number;
}): string[] {
  const opus = p.codec === 'opus';
  const primingSec = opus ? 0 : AAC_PRIMING_SAMPLES / p.sampleRate;
  return [
    ...COMMON,
    ...INPUT_GUARD,
    ...(p.originSec === undefined ? [] : ['-copyts']),
    '-i', p.source,
    '-map', `0:a:${p.track ?? 0}`, '-vn', '-sn', '-dn',
    '-af', audioFilter(p.originSec, primingSec),
    '-t', Math.max(1 / p.sampleRate, p.durationSec - primingSec).toFixed(6),
    '-c:a', opus ? 'libopus' : 'aac',
    '-b:a', `${p.bitrateKbps}k`,
    // More channels than asked (5.1, 7.1) are down-mixed by `-ac`, i.e. libswresample's matrix
    // with the ITU-R BS.775 coefficients: L = FL + 0.707·FC + 0.707·SL/BL (R alike), LFE dropped.
    // Not normalised (measured: the 4.1 build keeps unit gain on the fronts), so dialogue keeps
    // its level as in a player's own down-mix.
    '-ac', String(p.channels),
    '-ar', opus ? '48000' : String(p.sampleRate),
    ...(opus ? ['-f', 'webm', p.output] : ['-movflags', '+faststart', '-f', 'mp4', p.output]),
  ];
}
