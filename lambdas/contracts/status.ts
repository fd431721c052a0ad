import { z } from 'zod';

export const JobStatusSchema = z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** How one function invocation ended: `CACHED` means its result came from the result cache. */
export const StepStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'CACHED', 'FAILED', 'ABANDONED']);
export type StepStatus = z.infer<typeof StepStatusSchema>;
