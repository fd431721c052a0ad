/**
 * The encode workflow's `Allocate` states (a chunk of a rung, a sample of the per-title analysis):
 * what the allocator Lambda receives from the Map iterator and what it returns (ResultPath
 * `$.allocation`), including the task payload with its size, so the Lambda or Fargate state that
 * follows only moves it along.
 */
import { z } from 'zod';
import { AllocationSchema } from './allocation.js';
import { CapacityProviderSchema } from './allocator-policy.js';
import { AllocationSizingSchema, AnalyzeTitleInputSchema, EncodeVideoInputSchema } from './tasks.js';

/** The functions the allocator sizes (function.json `"allocated": true`): one Lambda per size of each is deployed. */
export const ALLOCATED_FUNCTIONS = ['encode-video', 'analyze-title'] as const;
export type AllocatedFunction = (typeof ALLOCATED_FUNCTIONS)[number];

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
  task: z.union([EncodeVideoInputSchema, AnalyzeTitleInputSchema]),
});
export type AllocateStateResult = z.infer<typeof AllocateStateResultSchema>;

const attemptFields = {
  sizing: AllocationSizingSchema,
  /** 0 on the first run, then one more per escalation. */
  attempt: z.number().int().nonnegative(),
  previous: AllocateStateResultSchema.optional(),
  failure: TaskFailureSchema.optional(),
};
/** `function` names what the task is for (each Map's ItemSelector and escalation Pass state pass it on). */
export const AllocateStateInputSchema = z.discriminatedUnion('function', [
  z.object({ function: z.literal('encode-video'), task: EncodeVideoInputSchema, ...attemptFields }),
  z.object({ function: z.literal('analyze-title'), task: AnalyzeTitleInputSchema, ...attemptFields }),
]);
export type AllocateStateInput = z.infer<typeof AllocateStateInputSchema>;

/** Failures that mean "too small": retried one size up. Timeouts ask for more CPU, the rest for more memory. */
export const ESCALATING_ERRORS = {
  timeout: ['States.Timeout', 'States.HeartbeatTimeout', 'Sandbox.Timedout'],
  resourceExhausted: ['Mosaic.ResourceExhausted', 'Runtime.OutOfMemory', 'Runtime.ExitError'],
} as const;
