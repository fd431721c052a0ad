/**
 * Cancel, retry and fail on the embedded engine: each is asked of the job lifecycle
 * (core/job-lifecycle decides what may be cancelled or retried), as on AWS; what is left here is
 * stopping a workflow in flight first.
 */
import { NotFoundError, type JobRecord } from '../lambdas/contracts/index.js';
import { cancelRefusal, retryRefusal } from '../lambdas/core/job-lifecycle.js';
import type { EngineCore } from './engine-core.js';
import type { SqliteJobStore } from './sqlite-job-store.js';

/** The workflows in flight, as far as cancel and retry need them (local/workflow-runs.ts). */
export interface RunsInFlight {
  has(jobId: string): boolean;
  /** Stops the job's workflow, if one runs, and resolves when nothing of it still runs. */
  stop(jobId: string): Promise<void>;
}

/**
 * Cancels a job: a running workflow is stopped, its ffmpeg processes killed (the runtime sees
 * Mosaic.Cancelled) and awaited; then the job is CANCELLED and its outputs and intermediates
 * removed. A job already CANCELLED is returned as it is; a finished one is a ConflictError.
 */
export async function cancelJob(core: EngineCore, runs: RunsInFlight, jobId: string): Promise<JobRecord> {
  const job = await core.jobs.getJob(jobId);
  if (!job) throw new NotFoundError(`no job ${jobId}`);
  if (job.status === 'CANCELLED') return job;
  const refusal = cancelRefusal(job);
  if (refusal) throw refusal;
  // Nothing of the run may still be working when the job is CANCELLED and its outputs removed.
  await runs.stop(jobId);
  return (await core.lifecycle.applyJob(jobId, { kind: 'cancel-requested', at: new Date().toISOString() }))!;
}

/** Puts a FAILED or CANCELLED job back to QUEUED; the next run() takes finished steps from the cache. */
export async function retryJob(core: EngineCore, runs: RunsInFlight, jobId: string): Promise<JobRecord> {
  const job = await core.jobs.getJob(jobId);
  if (!job) throw new NotFoundError(`no job ${jobId}`);
  // A workflow still in flight is a running job, whatever its record says already.
  if (runs.has(jobId)) throw retryRefusal({ id: jobId, status: 'RUNNING' })!;
  return (await core.lifecycle.applyJob(jobId, { kind: 'retry-requested', at: new Date().toISOString() }))!;
}

/** Fails a job for a reason outside its workflow (a missing source, a run that could not start). */
export async function failJob(core: EngineCore, jobId: string, err: Error): Promise<void> {
  const job = await core.jobs.getJob(jobId);
  if (!job) return;
  await core.lifecycle.applyJob(jobId, { kind: 'workflow-ended', run: job.run, outcome: 'FAILED', at: new Date().toISOString(), error: { code: err.name, message: err.message } });
}

/** Jobs a dead process left QUEUED or RUNNING, oldest first: run() resumes each from the cache. */
export async function unfinishedJobs(jobs: SqliteJobStore): Promise<JobRecord[]> {
  const found = [...(await jobs.listJobs({ status: 'RUNNING', limit: 100_000 })), ...(await jobs.listJobs({ status: 'QUEUED', limit: 100_000 }))];
  return found.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}
