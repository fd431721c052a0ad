/**
 * One job lifecycle for both engines. From a job and an event (its workflow started or ended, a
 * step started, progressed or ended, a cancel or retry asked for) it says what changes: the job's
 * fields, the history entries, the events to publish. Which status may follow which, and what may
 * be cancelled or retried, is decided here once. Nothing here does I/O: the local engine and the
 * AWS lifecycle Lambda store what it returns (with a condition on the version they read), so a
 * duplicate or late event changes nothing and a finished job never moves backwards.
 */
import {
  ConflictError,
  ErrorNames,
  isCancellable,
  isRetryable,
  isTerminalStatus,
  type JobError,
  type JobPatch,
  type JobRecord,
  type JobStatus,
  type JobStatusChanged,
  type StepRecord,
  type StepStatus,
} from '../contracts/index.js';

/** What a workflow run ended with (Step Functions' execution statuses). */
export type WorkflowOutcome = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export type JobEvent =
  /** Run `run` of the job's workflow began (0 for the first, n for the n-th retry). */
  | { kind: 'workflow-started'; run: number; at: string }
  | { kind: 'workflow-ended'; run: number; at: string; outcome: WorkflowOutcome; error?: JobError | null; reportKey?: string | null }
  | { kind: 'cancel-requested'; at: string }
  | { kind: 'retry-requested'; at: string };

export interface JobChange {
  /** Fields to write, on the condition that the job is still at the version it was read at. */
  patch: JobPatch;
  /** `Job Status Changed` to record in the job's history and publish (webhooks follow these). */
  statusChanged: JobStatusChanged | null;
}

export const isTerminal = (s: JobStatus): boolean => isTerminalStatus(s);

const CANCELLED_ERROR: JobError = { code: ErrorNames.Cancelled, message: 'cancelled on request' };

/** Why the job cannot be cancelled now, or null when it can (a CANCELLED job is returned as it is). */
export function cancelRefusal(job: Pick<JobRecord, 'id' | 'status'>): ConflictError | null {
  if (job.status !== 'CANCELLED' && !isCancellable(job.status))
    return new ConflictError(`job ${job.id} is ${job.status} and cannot be cancelled`, { status: job.status });
  return null;
}

/** Why the job cannot be retried now, or null when it can. */
export function retryRefusal(job: Pick<JobRecord, 'id' | 'status'>): ConflictError | null {
  if (!isRetryable(job.status))
    return new ConflictError(`job ${job.id} is ${job.status}; only FAILED or CANCELLED jobs can be retried`, { status: job.status });
  return null;
}

/** The error a run that ended without success leaves on its job. */
function endError(e: Extract<JobEvent, { kind: 'workflow-ended' }>): JobError {
  if (e.error) return e.error;
  if (e.outcome === 'TIMED_OUT') return { code: 'States.Timeout', message: 'the workflow ran past its time limit' };
  if (e.outcome === 'ABORTED') return { code: ErrorNames.Cancelled, message: 'the workflow was stopped' };
  return { code: 'Mosaic.Unknown', message: 'the workflow failed' };
}

/**
 * What `event` changes on `job`, or null when it changes nothing: a duplicate, an event of an
 * earlier run, or one arriving after the job finished. Refused requests (cancel of a finished job,
 * retry of a running one) throw ConflictError.
 */
export function jobChange(job: JobRecord, event: JobEvent): JobChange | null {
  const run = job.run ?? 0;
  const changed = (status: JobStatus, extra: Partial<JobStatusChanged> = {}): JobStatusChanged => ({ jobId: job.id, status, ...extra });
  switch (event.kind) {
    case 'workflow-started': {
      if (event.run !== run || job.status !== 'QUEUED') return null;
      return {
        patch: { status: 'RUNNING', error: null, endedAt: null, startedAt: job.startedAt ?? event.at },
        statusChanged: changed('RUNNING'),
      };
    }
    case 'workflow-ended': {
      if (event.run !== run || isTerminal(job.status)) return null;
      if (event.outcome === 'SUCCEEDED')
        return {
          patch: { status: 'SUCCEEDED', progress: 1, etaSec: 0, error: null, endedAt: event.at, reportKey: event.reportKey ?? job.reportKey },
          statusChanged: changed('SUCCEEDED', { reportKey: event.reportKey ?? job.reportKey }),
        };
      // Stopped by a cancel: the cancel request already recorded CANCELLED; anything else stopped it too.
      const error = endError(event);
      const status: JobStatus = event.outcome === 'ABORTED' ? 'CANCELLED' : 'FAILED';
      return { patch: { status, error, etaSec: null, endedAt: event.at, reportKey: event.reportKey ?? null }, statusChanged: changed(status, { error }) };
    }
    case 'cancel-requested': {
      if (job.status === 'CANCELLED') return null;
      const refusal = cancelRefusal(job);
      if (refusal) throw refusal;
      return { patch: { status: 'CANCELLED', error: CANCELLED_ERROR, etaSec: null, endedAt: event.at }, statusChanged: changed('CANCELLED', { error: CANCELLED_ERROR }) };
    }
    case 'retry-requested': {
      const refusal = retryRefusal(job);
      if (refusal) throw refusal;
      return {
        patch: { status: 'QUEUED', run: run + 1, error: null, endedAt: null, etaSec: null, reportKey: null, progress: 0 },
        statusChanged: changed('QUEUED'),
      };
    }
  }
}

/**
 * The `Job Status Changed` that announces the job's stored status: what jobChange returned when
 * it wrote that status. An applier that finds the stored status unannounced (the put or history
 * write after the job write failed) announces it again from this.
 */
export function statusChangedOf(job: Pick<JobRecord, 'id' | 'status' | 'error' | 'reportKey'>): JobStatusChanged {
  if (job.status === 'SUCCEEDED') return { jobId: job.id, status: job.status, reportKey: job.reportKey };
  if (job.status === 'FAILED' || job.status === 'CANCELLED') return { jobId: job.id, status: job.status, error: job.error };
  return { jobId: job.id, status: job.status };
}

// ---- Steps

export type StepEvent =
  | { kind: 'step-started'; jobId: string; stepId: string; function: string; attempt: number; at: string }
  | { kind: 'step-progressed'; jobId: string; stepId: string; function: string; attempt: number; at: string; fraction: number }
  | {
      kind: 'step-ended';
      jobId: string;
      stepId: string;
      function: string;
      attempt: number;
      at: string;
      status: Exclude<StepStatus, 'RUNNING' | 'ABANDONED'>;
      durationMs?: number | null;
      error?: string | null;
      costUsd?: number | null;
    };

const STEP_ORDER: Record<StepStatus, number> = { RUNNING: 0, ABANDONED: 1, FAILED: 2, SUCCEEDED: 2, CACHED: 2 };

/**
 * The step record after `event`, or null when the event changes nothing. Steps only move forward
 * (RUNNING → ended; fractions only rise), so a duplicate or an event overtaken by a later one is
 * dropped, and an end that arrives before its start still records the step.
 */
export function stepChange(current: StepRecord | null, event: StepEvent): StepRecord | null {
  const base: StepRecord = current ?? {
    jobId: event.jobId,
    stepId: event.stepId,
    function: event.function,
    attempt: event.attempt,
    status: 'RUNNING',
    startedAt: event.at,
    endedAt: null,
    durationMs: null,
    error: null,
    costUsd: null,
    fraction: 0,
    invocationId: null,
    summary: null,
    revision: 0,
  };
  switch (event.kind) {
    case 'step-started':
      return current ? null : base;
    case 'step-progressed': {
      if (base.status !== 'RUNNING' || (current && event.fraction <= (current.fraction ?? 0))) return null;
      return { ...base, fraction: Math.min(1, Math.max(0, event.fraction)) };
    }
    case 'step-ended': {
      if (current && STEP_ORDER[current.status] >= STEP_ORDER[event.status]) return null;
      return {
        ...base,
        status: event.status,
        endedAt: event.at,
        durationMs: event.durationMs ?? null,
        error: event.error ?? null,
        costUsd: event.costUsd ?? null,
        fraction: event.status === 'FAILED' ? (base.fraction ?? 0) : 1,
      };
    }
  }
}

// ---- Progress and ETA: a view of the steps

/** How much each step weighs in a job's progress (set from the plan; see job-progress weights). */
export type StepWeights = Record<string, number>;

/**
 * The job's progress (0..1) and ETA from its steps' fractions, weighted by the plan's weights;
 * the latest attempt of each step counts. The ETA extrapolates the time since the first encode
 * started over the work still to do.
 */
export function progressOf(weights: StepWeights, steps: StepRecord[], nowMs: number): { fraction: number; etaSec: number | null } {
  const latest = new Map<string, StepRecord>();
  for (const s of steps) if ((latest.get(s.stepId)?.attempt ?? 0) <= s.attempt) latest.set(s.stepId, s);
  let total = 0;
  let got = 0;
  for (const [id, w] of Object.entries(weights)) {
    total += w;
    const s = latest.get(id);
    const f = !s ? 0 : s.status === 'SUCCEEDED' || s.status === 'CACHED' ? 1 : s.status === 'RUNNING' ? (s.fraction ?? 0) : 0;
    got += w * f;
  }
  const fraction = total > 0 ? got / total : 0;
  const firstWork = [...latest.values()].filter((s) => s.function.startsWith('encode-')).map((s) => Date.parse(s.startedAt)).sort((a, b) => a - b)[0];
  if (fraction >= 1) return { fraction: 1, etaSec: 0 };
  if (firstWork === undefined || fraction <= 0.02) return { fraction, etaSec: null };
  const elapsed = Math.max(0, (nowMs - firstWork) / 1000);
  return { fraction, etaSec: Math.round((elapsed * (1 - fraction)) / fraction) };
}
