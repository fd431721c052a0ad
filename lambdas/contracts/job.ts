import { z } from 'zod';
import { JobSpecSchema } from './job-spec.js';
import { JobStatusSchema, StepStatusSchema } from './status.js';

export const JobErrorSchema = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobErrorSchema>;

export const JobRecordSchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  spec: JobSpecSchema,
  /** Content hash of the source, used to find a job to resume. */
  sourceHash: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  progress: z.number().min(0).max(1),
  etaSec: z.number().nullable(),
  error: JobErrorSchema.nullable(),
  /** Key of report.json once published. */
  reportKey: z.string().nullable(),
  outputPrefix: z.string(),
  version: z.number().int().nonnegative(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

export const StepRecordSchema = z.object({
  jobId: z.string(),
  /** Function name plus item, e.g. `encode-video:r1-c3`. */
  stepId: z.string(),
  function: z.string(),
  attempt: z.number().int().positive(),
  status: StepStatusSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

export const CacheEntrySchema = z.object({
  key: z.string(),
  function: z.string(),
  result: z.unknown(),
  outputKeys: z.array(z.string()),
  createdAt: z.string(),
});
export type CacheEntry = z.infer<typeof CacheEntrySchema>;
