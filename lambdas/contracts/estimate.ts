/**
 * What a job would cost and take on AWS before anything runs (`mosaic encode --estimate`, the
 * API's preflight): the allocator's chunk length and the size of every rung's chunk tasks.
 */
import { z } from 'zod';
import { AnalysisEstimateSchema, PlatformSchema } from './tasks.js';
import { CapacitySchema, LimitingQuotaSchema, TurnaroundClassSchema } from './allocator-policy.js';

export const RungEstimateSchema = z.object({
  rung: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  chunks: z.number().int().positive(),
  platform: PlatformSchema,
  vcpu: z.number(),
  memoryMiB: z.number().int(),
  /** One (full-length) chunk task, startup and staging included. */
  secondsPerChunk: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  reason: z.string(),
});
export type RungEstimate = z.infer<typeof RungEstimateSchema>;

export const JobEstimateSchema = z.object({
  region: z.string(),
  pricesTakenOn: z.string(),
  /** Chunk length chosen with the sizes (whole GOPs). */
  chunkSeconds: z.number().positive(),
  chunks: z.number().int().positive(),
  encodeTasks: z.number().int().positive(),
  rungs: z.array(RungEstimateSchema),
  /** Wall time of the encode phase at the given concurrency. */
  encodeSeconds: z.number().nonnegative(),
  /** Every step, the encode tasks as allocated and the others at their function.json sizes. */
  totalUsd: z.number().nonnegative(),
  deadlineSec: z.number().positive().nullable(),
  deadlineMet: z.boolean().nullable(),
  reason: z.string(),
  /** The turnaround the plan was made for: class, the encode phase's target and whether it is met. */
  turnaround: z
    .object({ class: TurnaroundClassSchema, targetSec: z.number().positive().nullable(), source: z.enum(['deadline', 'policy']), met: z.boolean().nullable() })
    .optional(),
  capacity: CapacitySchema.optional(),
  /** The quota that capped the plan's concurrency (and so its turnaround), if one did; `limit` says it in words. */
  limitedBy: LimitingQuotaSchema.nullable().optional(),
  limit: z.string().nullable().optional(),
  /** Start-up costs inside the figures above: per task, and summed over the encode tasks (platform start, Step Functions). */
  startup: z
    .object({ secondsPerTask: z.number().nonnegative(), billedUsd: z.number().nonnegative(), orchestrationUsd: z.number().nonnegative() })
    .optional(),
  /**
   * A per-title preset's analysis step (in `totalUsd`). Before it runs the ladder is not known:
   * the rungs above are the preset's fixed ladder, standing in for the one the analysis picks.
   */
  analysis: AnalysisEstimateSchema.optional(),
});
export type JobEstimate = z.infer<typeof JobEstimateSchema>;
