/**
 * ffmpeg arguments that turn text subtitles into WebVTT: a subtitle stream of the source, or
 * a sidecar SRT/WebVTT file. Cue times are shifted afterwards (core/webvtt.ts), in one place
 * for both, so they line up with the conformed video.
 */
import { InputInvalidError } from '../contracts/index.js';
import { INPUT_GUARD } from './ffmpeg-args.js';

/** A sidecar is read like a source (local files only), by the one subtitle demuxer its content shows. */
const SIDECAR_GUARD = ['-protocol_whitelist', 'file,pipe', '-format_whitelist', 'srt,webvtt'];

const COMMON = ['-hide_banner', '-nostdin', '-y', '-nostats'];

/**
 * One subtitle stream of the source as WebVTT, its cues in the source's own timeline
 * (`-copyts`: the same timestamps the video's origin is measured in).
 */
export function trackToWebVttArgs(p: { source: string; index: number; output: string }): string[] {
  return [
    ...COMMON, ...INPUT_GUARD, '-copyts',
    '-i', p.source,
    '-map', `0:s:${p.index}`, '-vn', '-an', '-dn',
    '-c:s', 'webvtt', '-f', 'webvtt', p.output,
  ];
}

export type SidecarFormat = 'srt' | 'webvtt';

/**
 * A sidecar as WebVTT. The demuxer is forced to the format its content shows (never probed), so
 * a caption file can only ever be read as subtitles: no playlist or concat demuxer can open it.
 */
export function sidecarToWebVttArgs(p: { input: string; format: SidecarFormat; output: string }): string[] {
  return [
    ...COMMON, ...SIDECAR_GUARD,
    '-f', p.format, '-i', p.input,
    '-map', '0:s:0',
    '-c:s', 'webvtt', '-f', 'webvtt', p.output,
  ];
}

/** Sidecars larger than this are refused: captions of a feature film are well under 1 MB. */
export const MAX_SIDECAR_BYTES = 8 * 1024 * 1024;

/** Which format a sidecar's first bytes show, or a clear InputInvalidError. */
export function sidecarFormat(head: string, label: string): SidecarFormat {
  const text = head.replace(/^\uFEFF/, '');
  if (/^WEBVTT(?:[ \t]|\r?\n|$)/.test(text)) return 'webvtt';
  // SRT: an optional cue number, then "hh:mm:ss,mmm --> hh:mm:ss,mmm".
  if (/^\s*(?:\d+\s*\r?\n)?\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}/.test(text)) return 'srt';
  throw new InputInvalidError(`caption ${label} is neither WebVTT (no "WEBVTT" header) nor SRT (no "00:00:00,000 --> ..." cue): give an .srt or .vtt file`);
}
