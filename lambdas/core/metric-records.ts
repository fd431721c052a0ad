/**
 * The metric records of the lifecycle's moments (a job ended, a step attempt ended, a task was
 * allocated, an API request was answered), from the catalogue in contracts/metrics.ts. Pure: the
 * EMF emitter on AWS and the SQLite store locally record exactly these, so both engines count alike.
 */
import {
  MetricDimensions as D,
  type JobRecord,
  type MetricRecord,
  type Platform,
  type StepRecord,
  type TaskAllocated,
  sizeLabel,
} from '../contracts/index.js';

export { sizeLabel };

/** Where a step attempt ran, as its end event says (absent for events of older runtimes). */
export interface StepPlacement {
  platform?: Platform;
  size?: string;
  predictedSec?: number;
}

const ms = (iso: string) => Date.parse(iso);

/** One record per ended step attempt (ABANDONED attempts were never measured and are not counted). */
export function stepEndRecord(step: Pick<StepRecord, 'jobId' | 'stepId' | 'function' | 'attempt' | 'status' | 'durationMs' | 'costUsd' | 'endedAt' | 'startedAt'>, placement: StepPlacement): MetricRecord | null {
  if (step.status === 'RUNNING' || step.status === 'ABANDONED') return null;
  const seconds = Math.max(0, (step.durationMs ?? 0) / 1000);
  const cached = step.status === 'CACHED';
  const values: MetricRecord['values'] = {
    StepDurationSeconds: seconds,
    StepCostUsd: step.costUsd ?? 0,
    StepAttempts: 1,
    StepFailures: step.status === 'FAILED' ? 1 : 0,
    StepCacheHits: cached ? 1 : 0,
    StepRetries: step.attempt > 1 ? 1 : 0,
  };
  // A ratio only for measured runs the allocator predicted (a cache hit or a 0 s run says nothing).
  if (placement.predictedSec !== undefined && !cached && seconds > 0) values.AllocationPredictionRatio = placement.predictedSec / seconds;
  return {
    at: step.endedAt ?? step.startedAt,
    dimensions: {
      [D.Function]: step.function,
      [D.Platform]: placement.platform ?? (cached ? 'cache' : 'unknown'),
      [D.Size]: placement.size ?? (cached ? 'none' : 'unknown'),
    },
    values,
    metadata: { jobId: step.jobId, stepId: step.stepId },
  };
}

/**
 * What an ended job contributes: its outcome (by error code), and its cost, time and output. Each
 * end of a retried job counts (a failure, then a success); `costBeforeUsd` is what its earlier ends
 * already counted, so JobCostUsd summed over ends is what the jobs cost, no attempt twice.
 */
export function jobEndRecords(job: JobRecord, steps: Pick<StepRecord, 'status'>[], outputSec: number | null, costBeforeUsd = 0): MetricRecord[] {
  if (job.status !== 'SUCCEEDED' && job.status !== 'FAILED' && job.status !== 'CANCELLED') return [];
  const at = job.endedAt ?? job.updatedAt;
  const metadata = { jobId: job.id, preset: job.spec.preset };
  const outcome: MetricRecord = {
    at,
    dimensions: { [D.Outcome]: job.status, [D.ErrorCode]: job.status === 'SUCCEEDED' ? 'none' : (job.error?.code ?? 'unknown') },
    values: { JobsEnded: 1 },
    metadata,
  };
  const values: MetricRecord['values'] = { JobCostUsd: Math.max(0, (job.cost?.actualUsd ?? 0) - costBeforeUsd) };
  if (job.startedAt) values.JobQueueWaitSeconds = Math.max(0, (ms(job.startedAt) - ms(job.createdAt)) / 1000);
  const ended = steps.filter((s) => s.status !== 'RUNNING' && s.status !== 'ABANDONED');
  if (ended.length) values.JobCacheHitShare = (100 * ended.filter((s) => s.status === 'CACHED').length) / ended.length;
  if (job.status === 'SUCCEEDED') {
    const wall = Math.max(0.001, (ms(at) - ms(job.createdAt)) / 1000);
    values.JobWallSeconds = wall;
    if (outputSec && outputSec > 0) {
      const minutes = outputSec / 60;
      values.JobOutputMinutes = minutes;
      values.JobCostPerOutputMinuteUsd = (job.cost?.actualUsd ?? 0) / minutes;
      values.JobSecondsPerOutputMinute = wall / minutes;
      values.JobRealtimeFactor = outputSec / wall;
    }
  }
  return [outcome, { at, dimensions: {}, values, metadata }];
}

/** A cost the job's end did not count yet (a step end that arrived after it). */
export function lateCostRecord(job: Pick<JobRecord, 'id' | 'updatedAt'>, addedUsd: number): MetricRecord {
  return { at: job.updatedAt, dimensions: {}, values: { JobCostUsd: addedUsd }, metadata: { jobId: job.id } };
}

/** One record per allocation; an escalation (an allocation after a failure) counts twice. */
export function allocationRecord(d: TaskAllocated, at: string): MetricRecord {
  return {
    at,
    dimensions: { [D.Platform]: d.platform },
    values: { TaskAllocations: 1, TaskEscalations: d.after ? 1 : 0 },
    metadata: { jobId: d.jobId, ...(d.itemId ? { itemId: d.itemId } : {}) },
  };
}

export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

/** One record per answered API request, by its route pattern (`/v1/jobs/{id}`, never the raw path: ids are not dimensions). */
export function apiRequestRecord(method: string, route: string, status: number, latencyMs: number, at: string): MetricRecord {
  return {
    at,
    dimensions: { [D.Route]: `${method} ${route}`, [D.StatusClass]: statusClass(status) },
    values: { ApiRequests: 1, ApiLatencyMs: latencyMs },
  };
}
