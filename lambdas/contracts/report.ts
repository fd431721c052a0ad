import { z } from 'zod';
import { MediaInfoSchema } from './media.js';
import { PerTitleSummarySchema, RungSchema, TimingSchema } from './tasks.js';

export const RungReportSchema = z.object({
  id: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  targetBitrateKbps: z.number(),
  bitrateKbps: z.number(),
  bytes: z.number().int(),
  frames: z.number().int(),
  durationSec: z.number(),
  codecs: z.string().nullable(),
  psnr: z.number().nullable(),
  ssim: z.number().nullable(),
  vmaf: z.number().nullable(),
  playlist: z.string().nullable(),
});
export type RungReport = z.infer<typeof RungReportSchema>;

/** One audio rendition: which source track it came from and what it became. */
export const AudioReportSchema = z.object({
  id: z.string(),
  language: z.string(),
  name: z.string(),
  default: z.boolean(),
  /** Ordinal of the source's audio stream. */
  sourceTrack: z.number().int(),
  sourceChannels: z.number().int(),
  channels: z.number().int(),
  codecs: z.string(),
  bitrateKbps: z.number(),
  durationSec: z.number(),
  playlist: z.string().nullable(),
});
export type AudioReport = z.infer<typeof AudioReportSchema>;

/** One WebVTT rendition: a subtitle track of the source or a sidecar caption. */
export const TextReportSchema = z.object({
  id: z.string(),
  language: z.string(),
  name: z.string(),
  default: z.boolean(),
  from: z.enum(['track', 'sidecar']),
  playlist: z.string().nullable(),
  vtt: z.string().nullable(),
});
export type TextReport = z.infer<typeof TextReportSchema>;

/** `report.json` published next to the outputs of a job. */
export const JobReportSchema = z.object({
  jobId: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  /** When the workflow run that wrote this report started (a retried job reports its last run). */
  createdAt: z.string(),
  source: MediaInfoSchema.nullable(),
  preset: z.object({ name: z.string(), version: z.number() }).nullable(),
  rungs: z.array(RungReportSchema),
  /** The default audio rendition (also first in `audioTracks`). */
  audio: z.object({ codecs: z.string(), bitrateKbps: z.number(), durationSec: z.number() }).nullable(),
  audioTracks: z.array(AudioReportSchema).default([]),
  subtitles: z.array(TextReportSchema).default([]),
  /** What Inspect and Package decided that a user should know (e.g. image subtitles skipped). */
  notes: z.array(z.string()).default([]),
  outputs: z.object({
    hls: z.string().nullable(),
    dash: z.string().nullable(),
    poster: z.string().nullable(),
    sprite: z.string().nullable(),
    thumbnailsVtt: z.string().nullable(),
  }),
  vmafUnavailableReason: z.string().nullable(),
  /**
   * How the renditions were made (the plan's timing and rungs): what measure and repackage
   * work from. Null in reports written before it existed and in failed runs without a plan.
   */
  encoding: z.object({ timing: TimingSchema, rungs: z.array(RungSchema) }).nullable().default(null),
  /** A per-title ladder's search: every trial point, the convex hull, the chosen rungs and the saving predicted against the fixed ladder. */
  perTitle: PerTitleSummarySchema.nullable().default(null),
  /** Set by measure and repackage: the job whose renditions this report's job worked from. */
  derivedFrom: z.object({ jobId: z.string(), workflow: z.string() }).nullable().default(null),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type JobReport = z.infer<typeof JobReportSchema>;
