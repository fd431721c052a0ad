import { z } from 'zod';
import { RuleDetailTypes, type FunctionResultDetail } from './rules.js';
import { JobStatusSchema, StepStatusSchema } from './status.js';
import { CapacitySchema } from './allocator-policy.js';

export const EVENT_SOURCE = 'mosaic';

export const DetailTypes = {
  JobStatusChanged: 'Job Status Changed',
  StepStatusChanged: 'Step Status Changed',
  StepProgress: 'Step Progress',
  /** The allocator sized a task (or escalated it one size up after a failure). */
  TaskAllocated: 'Task Allocated',
} as const;
export type DetailType = (typeof DetailTypes)[keyof typeof DetailTypes];

/** The detail-type of Step Functions' execution status changes (source `aws.states`, default bus): the lifecycle's input on AWS. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

export const JobStatusChangedSchema = z.object({
  jobId: z.string(),
  status: JobStatusSchema,
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  reportKey: z.string().nullable().optional(),
  /** Preset, its version and the source (set when the job ends): rules record job → preset version from them. */
  preset: z.string().optional(),
  presetVersion: z.number().int().positive().optional(),
  sourceKey: z.string().optional(),
  /** Set when the job ends: the workflow that ran it and the job's tags, for rules that follow a job's end. */
  workflow: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
export const StepStatusChangedSchema = z.object({
  jobId: z.string(),
  stepId: z.string(),
  function: z.string(),
  status: StepStatusSchema,
  durationMs: z.number().nullable().optional(),
  error: z.string().nullable().optional(),
  /** One invocation of the function (an attempt of the step); events of one attempt share it. */
  invocationId: z.string().optional(),
  /** When the step changed, by the function's clock: orders events that arrive out of order. */
  at: z.string().optional(),
  /** What the attempt cost on AWS at the size it ran on (cache hits: 0). */
  costUsd: z.number().nonnegative().nullable().optional(),
  /** What the platform keeps of the result (the plan's estimate and weights, a chunk's speed). */
  summary: z.record(z.string(), z.unknown()).optional(),
  /** Where the attempt ran (set when it ends): the platform, its size label and the allocator's prediction. */
  platform: z.enum(['lambda', 'fargate']).optional(),
  size: z.string().optional(),
  predictedSec: z.number().nonnegative().optional(),
});
export const StepProgressSchema = z.object({
  jobId: z.string(),
  stepId: z.string(),
  function: z.string(),
  /** 0..1 */
  fraction: z.number().min(0).max(1),
  fps: z.number().nullable().optional(),
  speed: z.number().nullable().optional(),
  invocationId: z.string().optional(),
  at: z.string().optional(),
});

export const TaskAllocatedSchema = z.object({
  jobId: z.string(),
  /** The allocated function (absent in events from before the analysis was allocated: encode-video). */
  function: z.string().optional(),
  itemId: z.string().nullable(),
  attempt: z.number().int().nonnegative(),
  platform: z.enum(['lambda', 'fargate']),
  /** Fargate capacity (absent in events from before Spot). */
  capacity: CapacitySchema.optional(),
  vcpu: z.number(),
  memoryMiB: z.number(),
  timeoutSec: z.number(),
  estimatedSeconds: z.number(),
  estimatedCostUsd: z.number(),
  reason: z.string(),
  /** The failure that made this an escalation. */
  after: z.string().optional(),
});

export type JobStatusChanged = z.infer<typeof JobStatusChangedSchema>;
export type TaskAllocated = z.infer<typeof TaskAllocatedSchema>;
export type StepStatusChanged = z.infer<typeof StepStatusChangedSchema>;
export type StepProgress = z.infer<typeof StepProgressSchema>;

/** An event in EventBridge's shape, minus the fields the bus assigns. */
export type MosaicEvent =
  | { source: typeof EVENT_SOURCE; detailType: typeof DetailTypes.JobStatusChanged; detail: JobStatusChanged }
  | { source: typeof EVENT_SOURCE; detailType: typeof DetailTypes.StepStatusChanged; detail: StepStatusChanged }
  | { source: typeof EVENT_SOURCE; detailType: typeof DetailTypes.StepProgress; detail: StepProgress }
  | { source: typeof EVENT_SOURCE; detailType: typeof DetailTypes.TaskAllocated; detail: TaskAllocated }
  /** A media function's invocation ended (rules chain functions on these). */
  | { source: typeof EVENT_SOURCE; detailType: typeof RuleDetailTypes.FunctionResult; detail: FunctionResultDetail };

export interface StoredEvent {
  id: number;
  time: string;
  jobId: string;
  detailType: string;
  detail: unknown;
}
