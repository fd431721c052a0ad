/**
 * What a job would cost and take on AWS before anything runs (`mosaic encode --estimate`, the
 * API's preflight): the allocator's chunk length and the size of every rung's chunk tasks.
 */
import { z } from 'zod';
import { PlatformSchema } from './tasks.js';

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
});
export type JobEstimate = z.infer<typeof JobEstimateSchema>;
