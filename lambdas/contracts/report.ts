import { z } from 'zod';
import { MediaInfoSchema } from './media.js';

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

/** `report.json` published next to the outputs of a job. */
export const JobReportSchema = z.object({
  jobId: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  createdAt: z.string(),
  source: MediaInfoSchema.nullable(),
  preset: z.object({ name: z.string(), version: z.number() }).nullable(),
  rungs: z.array(RungReportSchema),
  audio: z.object({ codecs: z.string(), bitrateKbps: z.number(), durationSec: z.number() }).nullable(),
  outputs: z.object({
    hls: z.string().nullable(),
    dash: z.string().nullable(),
    poster: z.string().nullable(),
    sprite: z.string().nullable(),
    thumbnailsVtt: z.string().nullable(),
  }),
  vmafUnavailableReason: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type JobReport = z.infer<typeof JobReportSchema>;
