import { z } from 'zod';
import { BlobRefSchema } from './media.js';
import { PlanAllocatorSchema, SourceLimitsSchema, WorkflowSpecSchema } from './tasks.js';

/** The input of one execution of `state-machines/encode.asl.json`. */
export const EncodeWorkflowInputSchema = z.object({
  jobId: z.string().min(1),
  source: BlobRefSchema,
  spec: WorkflowSpecSchema,
  limits: SourceLimitsSchema,
  workPrefix: z.string(),
  outputPrefix: z.string(),
  parallelism: z.number().int().positive(),
  threadsPerTask: z.number().int().positive(),
  vmafAvailable: z.boolean(),
  allocator: PlanAllocatorSchema,
});
export type EncodeWorkflowInput = z.infer<typeof EncodeWorkflowInputSchema>;

export const DEFAULT_SOURCE_LIMITS = { maxBytes: 50 * 1024 ** 3, maxDurationSec: 6 * 3600 } as const;
