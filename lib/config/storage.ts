import { WORK_ROOT } from '../../lambdas/contracts/job-keys.js';

/** The job table's keys: the same object the DynamoDB adapter uses. */
export { TABLE_KEYS } from '../../lambdas/contracts/job-table.js';

/** Prefixes of short-lived objects, expired by bucket lifecycle rules. */
export const SCRATCH_PREFIXES = [WORK_ROOT, '.mosaic/scratch/'] as const;

// One definition of an upload that starts a job, shared with the trigger code.
export { UPLOAD_PREFIX as INBOX_PREFIX, VIDEO_EXTENSIONS } from '../../lambdas/contracts/uploads.js';
