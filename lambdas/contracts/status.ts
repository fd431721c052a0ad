import { z } from 'zod';
import { JOB_STATUSES } from './job-statuses.js';

export * from './job-statuses.js';

export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** How one function invocation ended: `CACHED` means its result came from the result cache. */
export const StepStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'CACHED', 'FAILED', 'ABANDONED']);
export type StepStatus = z.infer<typeof StepStatusSchema>;
