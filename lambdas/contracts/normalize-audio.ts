/** normalize-audio: EBU R128 loudness normalisation of an audio file (two-pass `loudnorm`). */
import { z } from 'zod';
import { BlobRefSchema } from './media.js';

export const LoudnessTargetSchema = z.object({
  /** Integrated loudness, LUFS (EBU R128: -23). */
  integratedLufs: z.number().min(-70).max(-5),
  /** Maximum true peak, dBTP. */
  truePeakDbtp: z.number().min(-9).max(0),
  /** Loudness range, LU. */
  loudnessRangeLu: z.number().min(1).max(50),
});
export type LoudnessTarget = z.infer<typeof LoudnessTargetSchema>;

export const NormalizeAudioInputSchema = z.object({
  jobId: z.string().min(1),
  itemId: z.string().min(1).optional(),
  source: BlobRefSchema,
  loudness: LoudnessTargetSchema.default({ integratedLufs: -23, truePeakDbtp: -1, loudnessRangeLu: 7 }),
  /** A WAV file (PCM, 48 kHz). */
  output: BlobRefSchema,
});
export type NormalizeAudioInput = z.infer<typeof NormalizeAudioInputSchema>;

/** What `loudnorm` measured: the input in pass 1, the output in pass 2. */
export const LoudnessMeasurementSchema = z.object({
  integratedLufs: z.number(),
  truePeakDbtp: z.number(),
  loudnessRangeLu: z.number(),
  thresholdLufs: z.number(),
});
export type LoudnessMeasurement = z.infer<typeof LoudnessMeasurementSchema>;

export const NormalizeAudioResultSchema = z.object({
  key: z.string(),
  channels: z.number().int().min(1).max(8),
  sampleRate: z.number().int().positive(),
  durationSec: z.number().positive(),
  bytes: z.number().int().positive(),
  target: LoudnessTargetSchema,
  /** The source, as pass 1 measured it. */
  measured: LoudnessMeasurementSchema,
  /** The output, as pass 2 reports it. */
  output: LoudnessMeasurementSchema,
  /** `linear` when one gain met the target; `dynamic` when loudnorm had to compress (the true-peak limit forced it). */
  normalizationType: z.enum(['linear', 'dynamic']),
});
export type NormalizeAudioResult = z.infer<typeof NormalizeAudioResultSchema>;
