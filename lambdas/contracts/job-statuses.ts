/**
 * A job's statuses and what may be asked of a job in each: plain values with no imports, so the
 * UI bundles them as they are (status.ts builds the schema from them; core/job-lifecycle decides
 * cancels and retries with them).
 */
export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves but by a retry. */
export const TERMINAL_JOB_STATUSES: readonly JobStatusName[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const isTerminalStatus = (s: string | undefined): boolean => s !== undefined && (TERMINAL_JOB_STATUSES as readonly string[]).includes(s);

/** A job that may be cancelled (a CANCELLED one is answered as it is; a SUCCEEDED or FAILED one is refused). */
export const isCancellable = (s: string | undefined): boolean => s === 'QUEUED' || s === 'RUNNING';
/** A job that may be retried: it ended without success. */
export const isRetryable = (s: string | undefined): boolean => s === 'FAILED' || s === 'CANCELLED';
