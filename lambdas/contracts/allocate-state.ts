/**
 * The encode workflow's `Allocate` state: what the allocator Lambda receives from the Map
 * iterator and what it returns (ResultPath `$.allocation`), including the task payload with its
 * size, so the Lambda or Fargate state that follows only moves it along.
 */
import { z } from 'zod';
import { AllocationSchema } from './allocation.js';
import { CapacityProviderSchema } from './allocator-policy.js';
import { EncodeVideoInputSchema, PlanSizingSchema } from './tasks.js';

/** How the previous attempt failed (Step Functions' Catch output). */
export const TaskFailureSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
export type TaskFailure = z.infer<typeof TaskFailureSchema>;

export const AllocateStateResultSchema = AllocationSchema.extend({
  /** The Lambda to invoke (the deployed variant of this memory size); null on Fargate. */
  target: z.string().nullable(),
  /** RunTask overrides for Fargate (strings, as ECS wants them); null on Lambda. */
  ecs: z
    .object({
      cpu: z.string(),
      memory: z.string(),
      ephemeralGiB: z.number().int().min(21).max(200),
      /** RunTask's capacity provider (the ASL reads `$.allocation.ecs.capacityProvider`). */
      capacityProvider: CapacityProviderSchema.default('FARGATE'),
    })
    .nullable(),
  /** The task payload with `platform`, `size` and `threads` set for this size. */
  task: EncodeVideoInputSchema,
});
export type AllocateStateResult = z.infer<typeof AllocateStateResultSchema>;

export const AllocateStateInputSchema = z.object({
  task: EncodeVideoInputSchema,
  sizing: PlanSizingSchema,
  /** 0 on the first run, then one more per escalation. */
  attempt: z.number().int().nonnegative(),
  previous: AllocateStateResultSchema.optional(),
  failure: TaskFailureSchema.optional(),
});
export type AllocateStateInput = z.infer<typeof AllocateStateInputSchema>;

/** Failures that mean "too small": retried one size up. Timeouts ask for more CPU, the rest for more memory. */
export const ESCALATING_ERRORS = {
  timeout: ['States.Timeout', 'States.HeartbeatTimeout', 'Sandbox.Timedout'],
  resourceExhausted: ['Mosaic.ResourceExhausted', 'Runtime.OutOfMemory', 'Runtime.ExitError'],
} as const;
