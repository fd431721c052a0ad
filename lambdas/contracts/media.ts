import { z } from 'zod';

/** A reference to an object in a BlobStore (S3 bucket key, or a path under the local root). */
export const BlobRefSchema = z.object({
  key: z.string().min(1),
});
export type BlobRef = z.infer<typeof BlobRefSchema>;

/** Colour description as the stream tags it (ffprobe's names; `unknown` where untagged). */
export const ColorInfoSchema = z.object({
  primaries: z.string(),
  transfer: z.string(),
  matrix: z.string(),
  /** `tv` (limited) or `pc` (full). */
  range: z.enum(['tv', 'pc', 'unknown']),
  /** High dynamic range by its transfer: PQ (smpte2084) or HLG (arib-std-b67). */
  hdr: z.enum(['pq', 'hlg']).nullable(),
});
export type ColorInfo = z.infer<typeof ColorInfoSchema>;

/**
 * How the source's pictures become the constant-rate frame sequence every rung is cut from
 * ("the conformed source"): frame i of it is the source frame shown at `originSec + i / fps`.
 * Chunks, joins, quality and thumbnails all read the source through this one description.
 */
export const ConformSchema = z.object({
  /** The video stream's index in the file (`-map 0:<index>`): cover art and extra angles are skipped. */
  streamIndex: z.number().int().nonnegative(),
  /** Presentation time of the first frame a decoder outputs (after edit lists), in seconds. */
  originSec: z.number(),
  /** The source has frames at uneven intervals (phones, screen recorders). */
  variableFrameRate: z.boolean(),
  /** The longest interval between two frames: a seek must start at least this early. */
  maxFrameGapSec: z.number().nonnegative(),
  /** Frames a decoder outputs (packets not discarded by an edit list). */
  sourceFrames: z.number().int().positive(),
  /** `null` for progressive sources; otherwise the field order deinterlacing uses. */
  interlaced: z.enum(['tff', 'bff']).nullable(),
});
export type Conform = z.infer<typeof ConformSchema>;

export const VideoStreamInfoSchema = z.object({
  codec: z.string(),
  /** Picture size as decoded and turned upright (rotation applied). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Display aspect corrected width (square pixels), used for the ladder. */
  displayWidth: z.number().int().positive(),
  /** The output frame rate: the source's nominal rate (for VFR: its most common frame interval). */
  fps: z.number().positive(),
  /** Exact frame rate as a rational, e.g. "30000/1001". */
  fpsRational: z.string(),
  /** Frames of the conformed source: what every rung has. */
  frames: z.number().int().positive(),
  durationSec: z.number().positive(),
  startSec: z.number(),
  bitrate: z.number().nonnegative().optional(),
  pixFmt: z.string().optional(),
  /** Bits per sample and chroma subsampling of the decoded pictures. */
  bitDepth: z.number().int().positive().optional(),
  chroma: z.enum(['420', '422', '444', '400', '411', 'other']).optional(),
  rotation: z.number().optional(),
  /** Sample aspect ratio as "n:d" (1:1 square pixels). */
  sampleAspect: z.string().optional(),
  color: ColorInfoSchema.optional(),
  conform: ConformSchema.optional(),
});
export type VideoStreamInfo = z.infer<typeof VideoStreamInfoSchema>;

export const AudioStreamInfoSchema = z.object({
  codec: z.string(),
  channels: z.number().int().positive(),
  sampleRate: z.number().int().positive(),
  durationSec: z.number().nonnegative(),
  startSec: z.number(),
});
export type AudioStreamInfo = z.infer<typeof AudioStreamInfoSchema>;

/** One audio track of the source; `index` is its ordinal among audio streams (`-map 0:a:<index>`). */
export const AudioTrackSchema = AudioStreamInfoSchema.extend({
  index: z.number().int().nonnegative(),
  /** ffprobe's layout name (`stereo`, `5.1(side)`, `mono`), when known. */
  channelLayout: z.string().optional(),
  /** ISO 639-2 code from the stream's tags (`und` when untagged). */
  language: z.string(),
  title: z.string().optional(),
  default: z.boolean(),
});
export type AudioTrack = z.infer<typeof AudioTrackSchema>;

/** One subtitle track; `index` is its ordinal among subtitle streams (`-map 0:s:<index>`). */
export const SubtitleTrackSchema = z.object({
  index: z.number().int().nonnegative(),
  codec: z.string(),
  language: z.string(),
  title: z.string().optional(),
  default: z.boolean(),
  /** Text subtitles (SRT, ASS, mov_text, WebVTT) become WebVTT; image ones (PGS, DVB) are skipped. */
  text: z.boolean(),
});
export type SubtitleTrack = z.infer<typeof SubtitleTrackSchema>;

export const MediaInfoSchema = z.object({
  container: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  durationSec: z.number().positive(),
  video: VideoStreamInfoSchema,
  /** The default audio track (the one a player starts with), or null. Also in `audioTracks`. */
  audio: AudioStreamInfoSchema.nullable(),
  /** Every audio track, the default first. */
  audioTracks: z.array(AudioTrackSchema).default([]),
  subtitles: z.array(SubtitleTrackSchema).default([]),
  /** What Inspect decided and a user should know (e.g. "deinterlaced (tff)", "image subtitles skipped"). */
  notes: z.array(z.string()).default([]),
});
export type MediaInfo = z.infer<typeof MediaInfoSchema>;

/**
 * What a task that reads the source's pictures needs to read them as the conformed source: which
 * stream, from where, how far back a seek must start, and how to turn them into BT.709 SDR.
 */
export const SourcePictureSchema = z.object({
  streamIndex: z.number().int().nonnegative(),
  originSec: z.number(),
  maxFrameGapSec: z.number().nonnegative(),
  interlaced: z.enum(['tff', 'bff']).nullable(),
  matrix: z.string(),
  range: z.enum(['tv', 'pc', 'unknown']),
  hdr: z.enum(['pq', 'hlg']).nullable(),
  /** Upright picture size as decoded (rotation applied). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type SourcePicture = z.infer<typeof SourcePictureSchema>;
