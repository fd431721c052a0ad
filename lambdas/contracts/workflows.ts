/**
 * Workflows other than encode: what a job records of the workflow that runs it, what a caller
 * asks of `POST /v1/workflows/{name}/executions`, and the inputs of the two derived workflows
 * Mosaic ships (`measure`: score an existing job's renditions against its source again;
 * `repackage`: new segments and manifests from an existing job's renditions). Every
 * `state-machines/<name>.asl.json` is a workflow; these are the ones whose input Mosaic builds.
 */
import { z } from 'zod';
import { WebhookSpecSchema } from './job-spec.js';
import { JobReportSchema } from './report.js';
import { KEBAB_NAME } from './rules-api.js';
import { MeasureQualityInputSchema, PackageInputSchema, PackageResultSchema, QualityResultSchema } from './tasks.js';

export const WorkflowNames = { Encode: 'encode', Measure: 'measure', Repackage: 'repackage' } as const;
/** Workflows whose input is built from an existing job (`of`) and its report. */
export const DERIVED_WORKFLOWS = [WorkflowNames.Measure, WorkflowNames.Repackage] as const;
export type DerivedWorkflow = (typeof DERIVED_WORKFLOWS)[number];
export const isDerivedWorkflow = (name: string): name is DerivedWorkflow => (DERIVED_WORKFLOWS as readonly string[]).includes(name);

/**
 * Which workflow runs a job, and what its caller asked of it. `encode` jobs ask through their
 * spec (input `{}`); other workflows keep the request here, so every run (a retry too) builds
 * its execution input from it again.
 */
export const JobWorkflowSchema = z.object({
  name: z.string().regex(KEBAB_NAME),
  input: z.record(z.string(), z.unknown()).default({}),
});
export type JobWorkflow = z.infer<typeof JobWorkflowSchema>;
export const ENCODE_JOB_WORKFLOW: JobWorkflow = { name: WorkflowNames.Encode, input: {} };

const JobIdRef = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a job id');

/** `measure`: the renditions of job `of`, scored against its source again (no re-encode). */
export const MeasureRequestSchema = z.strictObject({
  of: JobIdRef,
  /** Score VMAF too, where the engine's ffmpeg has libvmaf and a model (default true). */
  vmaf: z.boolean().default(true),
  /** Score every n-th frame with VMAF (default: the preset's). */
  vmafSubsample: z.number().int().min(1).max(100).optional(),
});
export type MeasureRequest = z.infer<typeof MeasureRequestSchema>;

/** `repackage`: job `of`'s renditions cut into new segments, with the manifests asked for. */
export const RepackageRequestSchema = z
  .strictObject({
    of: JobIdRef,
    /** Segment length, seconds: a whole multiple of the renditions' keyframe interval (default: as encoded). */
    segmentSeconds: z.number().positive().max(60).optional(),
    hls: z.boolean().default(true),
    dash: z.boolean().default(true),
  })
  .refine((r) => r.hls || r.dash, { message: 'at least one of hls and dash must be true', path: ['hls'] });
export type RepackageRequest = z.infer<typeof RepackageRequestSchema>;

/** `POST /v1/workflows/{name}/executions`: the workflow's input (for `encode`, a job spec) and the job's own settings. */
export const WorkflowExecutionRequestSchema = z
  .object({
    input: z.record(z.string(), z.unknown()).default({}),
    priority: z.number().int().min(0).max(100).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    webhook: WebhookSpecSchema.optional(),
  })
  .strict();
export type WorkflowExecutionRequest = z.infer<typeof WorkflowExecutionRequestSchema>;

/** The job a derived workflow works from. */
export const DerivedFromSchema = z.object({
  jobId: z.string().min(1),
  reportKey: z.string().min(1),
  outputPrefix: z.string(),
});
export type DerivedFrom = z.infer<typeof DerivedFromSchema>;

const DerivedBase = {
  jobId: z.string().min(1),
  workPrefix: z.string(),
  outputPrefix: z.string(),
  of: DerivedFromSchema,
  /** The report of job `of` as published (the new report starts from it). */
  original: JobReportSchema,
};

/** The input of one execution of `state-machines/measure.asl.json`. */
export const MeasureWorkflowInputSchema = z.object({
  ...DerivedBase,
  /** One measure-quality task per rung, its rendition read from the rung's HLS media playlist. */
  qualityTasks: z.array(MeasureQualityInputSchema).min(1),
  maxConcurrency: z.number().int().positive(),
});
export type MeasureWorkflowInput = z.infer<typeof MeasureWorkflowInputSchema>;

/** The input of one execution of `state-machines/repackage.asl.json`. */
export const RepackageWorkflowInputSchema = z.object({
  ...DerivedBase,
  /** The package task: renditions from the HLS media playlists of job `of`, into this job's outputs. */
  package: PackageInputSchema,
});
export type RepackageWorkflowInput = z.infer<typeof RepackageWorkflowInputSchema>;

/** The publish-derived function: the new report.json of a measure or repackage job. */
export const PublishDerivedInputSchema = z.object({
  jobId: z.string().min(1),
  itemId: z.string().min(1).optional(),
  platform: z.enum(['lambda', 'fargate']).optional(),
  workflow: z.enum(DERIVED_WORKFLOWS),
  /** When this run of the workflow started (`$$.Execution.StartTime`): the report's time. */
  startedAt: z.string().optional(),
  outputPrefix: z.string(),
  of: DerivedFromSchema,
  original: JobReportSchema,
  quality: z.array(QualityResultSchema).optional(),
  package: PackageResultSchema.optional(),
  /** Segment length of the new packages (repackage). */
  segmentSeconds: z.number().positive().optional(),
});
export type PublishDerivedInput = z.infer<typeof PublishDerivedInputSchema>;
