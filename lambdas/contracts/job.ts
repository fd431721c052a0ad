import { z } from 'zod';
import { JobSpecSchema } from './job-spec.js';
import { JobStatusSchema, StepStatusSchema } from './status.js';
import { ENCODE_JOB_WORKFLOW, JobWorkflowSchema } from './workflows.js';

export const JobErrorSchema = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobErrorSchema>;

/** The AWS services a job's cost is made of. */
export const CostServiceSchema = z.enum(['lambda', 'fargate', 'step-functions', 'eventbridge', 'dynamodb', 's3', 'cloudwatch']);
export type CostService = z.infer<typeof CostServiceSchema>;

/** One line of a job's cost: how much of what (`quantity` `unit`s of `item`) and what it cost. */
export const CostLineSchema = z.object({
  service: CostServiceSchema,
  /** What was used, e.g. `compute`, `state transitions`, `write request units`. */
  item: z.string(),
  quantity: z.number().nonnegative(),
  /** The unit of `quantity`, e.g. `seconds`, `requests`, `GB`. */
  unit: z.string(),
  usd: z.number().nonnegative(),
});
export type CostLine = z.infer<typeof CostLineSchema>;

/**
 * What the job costs on AWS: estimated from the allocator's sizes when it is planned, and
 * computed from the measured step durations at the end (locally too: what the same run would cost).
 */
export const JobCostSchema = z.object({
  region: z.string(),
  /** Date the price table was taken (prices change; the figure is only as fresh as this). */
  pricesTakenOn: z.string(),
  estimatedUsd: z.number().nonnegative().nullable(),
  actualUsd: z.number().nonnegative().nullable(),
  /**
   * What `actualUsd` is made of (core/job-cost.ts): compute per platform plus the run's Step
   * Functions, Lambda requests, EventBridge, DynamoDB, S3 and CloudWatch usage. Its lines' usd add
   * up to `actualUsd`. Empty until the job ended, and in records written before it existed.
   */
  breakdown: z.array(CostLineSchema).default([]),
});
export type JobCost = z.infer<typeof JobCostSchema>;

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
  cost: JobCostSchema.nullable().default(null),
  /** Which run of the workflow is current: 0, then one more per retry (events of older runs are stale). */
  run: z.number().int().nonnegative().default(0),
  /** The workflow that runs the job (`encode` unless started as another one) and its request. */
  workflow: JobWorkflowSchema.default(ENCODE_JOB_WORKFLOW),
  version: z.number().int().nonnegative(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** The fields of a job a write may change. */
export interface JobPatch {
  status?: JobRecord['status'];
  /** Which workflow run is current (retry bumps it). */
  run?: number;
  progress?: number;
  etaSec?: number | null;
  error?: JobError | null;
  reportKey?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
  cost?: JobCost | null;
}

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
  /** What this attempt cost on AWS at the size it ran (or would run) on; 0 when served from cache. */
  costUsd: z.number().nonnegative().nullable().default(null),
  /** Share done, 0..1 (1 once it succeeded). */
  fraction: z.number().min(0).max(1).default(0),
  /** The invocation this attempt is (its events carry it), when known. */
  invocationId: z.string().nullable().default(null),
  /** What the platform keeps of the result (see StepStatusChanged.summary). */
  summary: z.record(z.string(), z.unknown()).nullable().default(null),
  /** Where the attempt ran (from its end event): `lambda` or `fargate`, and the size label (`1769MB`, `2vCPU-4GB`). */
  platform: z.enum(['lambda', 'fargate']).nullable().optional(),
  size: z.string().nullable().optional(),
  /** Bumped by every write: the lifecycle writes a step only if it is still as read. */
  revision: z.number().int().nonnegative().default(0),
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

/** A small named document with an optimistic version (the allocator's speed table). */
export const StoredDocumentSchema = z.object({
  name: z.string().min(1),
  data: z.unknown(),
  version: z.number().int().positive(),
  updatedAt: z.string(),
});
export type StoredDocument = z.infer<typeof StoredDocumentSchema>;
