/**
 * What a deployment tells the allocator besides the Map concurrency: the turnaround each priority
 * class is promised, and the account's service quotas that bound a plan. Both are per-environment
 * data (lib/config/environments.ts) carried in the workflow input's `allocator`; the defaults live
 * in core/allocator (turnaround.ts, quotas.ts).
 */
import { z } from 'zod';

/** Fargate capacity: on-demand, or Spot (cheaper, interruptible with a two-minute warning). */
export const CapacitySchema = z.enum(['on-demand', 'spot']);
export type Capacity = z.infer<typeof CapacitySchema>;

/** The ECS capacity provider of a capacity (what RunTask's capacityProviderStrategy names). */
export const CapacityProviderSchema = z.enum(['FARGATE', 'FARGATE_SPOT']);
export type CapacityProvider = z.infer<typeof CapacityProviderSchema>;

export const TurnaroundClassSchema = z.enum(['economy', 'standard', 'high']);
export type TurnaroundClass = z.infer<typeof TurnaroundClassSchema>;

/** One class's promise: the encode phase within max(minSeconds, title duration ÷ realtimeFactor). */
export const TurnaroundTargetSchema = z.object({
  /** Seconds of video encoded per second of wall time; null = no time target (the cheapest plan). */
  realtimeFactor: z.number().positive().nullable(),
  /** A short title gets at least this long (startup alone takes a minute on Fargate). */
  minSeconds: z.number().nonnegative(),
  /** Where its Fargate tasks run. */
  capacity: CapacitySchema,
});
export type TurnaroundTarget = z.infer<typeof TurnaroundTargetSchema>;

export const TurnaroundPolicySchema = z.object({
  /** Priorities below this are economy. */
  economyBelowPriority: z.number().int().min(0).max(101),
  /** Priorities at or above this are high. */
  highFromPriority: z.number().int().min(0).max(101),
  classes: z.object({ economy: TurnaroundTargetSchema, standard: TurnaroundTargetSchema, high: TurnaroundTargetSchema }),
});
export type TurnaroundPolicy = z.infer<typeof TurnaroundPolicySchema>;

/** The account quotas (per region) that bound one job's plan. Sources: docs/decisions.md, "Turnaround, quotas and start-up costs". */
export const ServiceQuotasSchema = z.object({
  stepFunctions: z.object({
    /** Open Standard executions at once (jobs and Standard Map children count). */
    openExecutions: z.number().int().positive(),
    /** Child executions one Distributed Map runs at once. */
    distributedMapConcurrency: z.number().int().positive(),
    /** Largest state input or output, bytes. */
    payloadBytes: z.number().int().positive(),
  }),
  lambda: z.object({
    /** Concurrent executions the encode functions may use (the account's, or their reserved concurrency). */
    concurrentExecutions: z.number().int().positive(),
  }),
  fargate: z.object({
    onDemandVcpu: z.number().positive(),
    spotVcpu: z.number().nonnegative(),
    /** Largest RunTask `overrides`, bytes. */
    overrideBytes: z.number().int().positive(),
  }),
});
export type ServiceQuotas = z.infer<typeof ServiceQuotasSchema>;

/** The quota (or configured bound) that capped a plan's concurrency. */
export const LimitingQuotaSchema = z.enum(['map-concurrency', 'distributed-map-concurrency', 'lambda-concurrency', 'fargate-on-demand-vcpu', 'fargate-spot-vcpu']);
export type LimitingQuota = z.infer<typeof LimitingQuotaSchema>;
