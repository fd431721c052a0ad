import { z } from 'zod';

/** A reference to an object in a BlobStore (S3 bucket key, or a path under the local root). */
export const BlobRefSchema = z.object({
  key: z.string().min(1),
});
export type BlobRef = z.infer<typeof BlobRefSchema>;

export const VideoStreamInfoSchema = z.object({
  codec: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Display aspect corrected width (square pixels), used for the ladder. */
  displayWidth: z.number().int().positive(),
  fps: z.number().positive(),
  /** Exact frame rate as a rational, e.g. "30000/1001". */
  fpsRational: z.string(),
  frames: z.number().int().positive(),
  durationSec: z.number().positive(),
  startSec: z.number(),
  bitrate: z.number().nonnegative().optional(),
  pixFmt: z.string().optional(),
  rotation: z.number().optional(),
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

export const MediaInfoSchema = z.object({
  container: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  durationSec: z.number().positive(),
  video: VideoStreamInfoSchema,
  audio: AudioStreamInfoSchema.nullable(),
});
export type MediaInfo = z.infer<typeof MediaInfoSchema>;
