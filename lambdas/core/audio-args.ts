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
export function audioFilter(originSec: number | undefined): string {
  const align = 'aresample=async=1:first_pts=0,apad';
  return originSec === undefined ? align : `asetpts=PTS-(${originSec.toFixed(6)})/TB,${align}`;
}

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
  return [
    ...COMMON,
    ...INPUT_GUARD,
    ...(p.originSec === undefined ? [] : ['-copyts']),
    '-i', p.source,
    '-map', `0:a:${p.track ?? 0}`, '-vn', '-sn', '-dn',
    '-af', audioFilter(p.originSec),
    '-t', p.durationSec.toFixed(6),
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
