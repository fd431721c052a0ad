/**
 * Applies the job lifecycle (core/job-lifecycle.ts) to stored state: read, decide, write with a
 * condition on what was read, retry on a conflict. The local engine calls this in-process; on AWS
 * the lifecycle Lambda calls it for Step Functions status changes and the functions' step events.
 * Either way a duplicate or a late event changes nothing, and what a job's end implies (its cost,
 * the speed samples of its chunks, removing what must not outlive it) happens once, here.
 *
 * A change is announced after it is written (the bus, then its history entry), so a failure in
 * between would lose the announcement: the redelivered event finds the change stored and changes
 * nothing. The history entry is therefore the receipt. Each delivery first checks that the stored
 * status (and, for a step event already applied, the step's status) has its history entry, and
 * announces it if not, so a failed put or history write is made good by the retried delivery,
 * once. A put that succeeded with its history write failing is put again (at least once, as
 * EventBridge delivers). Two deliveries racing in the moment between a write and its receipt can
 * both announce; a lost announcement cannot happen.
 */
import {
  DetailTypes,
  EVENT_SOURCE,
  isVersionConflict as isConflict,
  SpeedSampleSchema,
  type JobRecord,
  type JobStatusChanged,
  type MetricRecord,
  type StepRecord,
  type TaskAllocated,
} from '../../contracts/index.js';
import { isTerminal, jobChange, statusChangedOf, stepChange, type JobEvent, type StepEvent } from '../../core/job-lifecycle.js';
import { liveProgress, planSummaryOf, type PlanSummary } from '../../core/job-progress.js';
import { jobCostBreakdown } from '../../core/job-cost.js';
import { allocationRecord, jobEndRecords, lateCostRecord, stepEndRecord } from '../../core/metric-records.js';
import type { BlobStore, DocumentStore, EventBus, JobHistory, JobRepository, MetricsSink, StepLog } from '../../ports.js';
import { logger } from '../../runtime/observability.js';
import { recordSpeedSamples } from '../../runtime/speed-table.js';
import type { LifecycleStepEvent } from './step-events.js';

export interface LifecycleDeps {
  jobs: JobRepository;
  steps: StepLog;
  history: JobHistory;
  documents: DocumentStore;
  blobs: Pick<BlobStore, 'list' | 'deletePrefix'>;
  events: EventBus;
  /** Where the job, step and allocation metrics go (EMF on AWS, SQLite locally). */
  metrics: MetricsSink;
  /** Where a job's intermediates live, e.g. `.mosaic/work/<jobId>/`. */
  workPrefix: (jobId: string) => string;
  /** The version of a preset this engine encodes with, when it differs from the plan's (local tests edit presets). */
  presetVersion?: (name: string) => number | undefined;
  now?: () => number;
}

const MAX_CONFLICTS = 8;

/**
 * Applies a workflow, cancel or retry event to the job; returns the job as stored afterwards
 * (unchanged when the event changed nothing), or null for an unknown job. A refused cancel or
 * retry throws ConflictError.
 */
export async function applyJobEvent(deps: LifecycleDeps, jobId: string, event: JobEvent): Promise<JobRecord | null> {
  for (let attempt = 0; ; attempt++) {
    const job = await deps.jobs.getJob(jobId);
    if (!job) return null;
    await announceUnannounced(deps, job);
    const change = jobChange(job, event);
    if (!change) return job;
    const ending = change.patch.status !== undefined && isTerminal(change.patch.status);
    const steps = ending ? await deps.steps.listSteps(jobId) : [];
    const plan = planSummaryOf(steps);
    const cost = ending ? jobCost(job, steps, plan) : undefined;
    // A failed run's report (PublishFailed wrote it before the workflow failed) is its record.
    const failedReport = change.patch.status === 'FAILED' && !change.patch.reportKey ? await reportOf(deps, job) : null;
    let stored: JobRecord;
    try {
      stored = await deps.jobs.updateJob(jobId, { ...change.patch, ...(cost ? { cost } : {}), ...(failedReport ? { reportKey: failedReport } : {}) }, job.version);
    } catch (e) {
      if (isConflict(e) && attempt < MAX_CONFLICTS) continue;
      throw e;
    }
    await afterChange(deps, stored, change.statusChanged, ending ? steps : null, plan, job.cost?.actualUsd ?? 0);
    return stored;
  }
}

/** What follows a stored status change: its announcement, then what the job's end implies. */
async function afterChange(
  deps: LifecycleDeps,
  job: JobRecord,
  changed: JobStatusChanged | null,
  /** The job's steps when the change ended it (null: it did not). */
  endedSteps: StepRecord[] | null,
  plan: PlanSummary | null,
  costBeforeUsd: number,
): Promise<void> {
  if (changed) await announce(deps, job, changed, plan);
  if (endedSteps) {
    await afterEnd(deps, job, endedSteps);
    await record(deps, jobEndRecords(job, endedSteps, plan?.outputSec ?? null, costBeforeUsd));
  }
}

/**
 * The job's stored status has its history entry (the receipt of its announcement), or it is
 * announced now, with what the change implied. Consecutive status changes always differ (each
 * moves the job to another status), so the latest `Job Status Changed` entry names the last
 * status announced; a job with none was announced QUEUED by whoever created it.
 */
async function announceUnannounced(deps: LifecycleDeps, job: JobRecord): Promise<void> {
  const entries = (await deps.history.listEvents(job.id)).filter((e) => e.detailType === DetailTypes.JobStatusChanged);
  const announced = (entries.at(-1)?.detail as { status?: string } | undefined)?.status ?? 'QUEUED';
  if (announced === job.status) return;
  logger.warn('announcing a job status change whose announcement failed', { jobId: job.id, status: job.status, announced });
  const ending = isTerminal(job.status);
  const steps = ending ? await deps.steps.listSteps(job.id) : [];
  // What an earlier run's end already counted is not known here: count none of it again.
  const costBeforeUsd = (job.run ?? 0) > 0 ? (job.cost?.actualUsd ?? 0) : 0;
  await afterChange(deps, job, statusChangedOf(job), ending ? steps : null, planSummaryOf(steps), costBeforeUsd);
}

/** An allocation (or an escalation one size up) is part of its job's history. */
export async function applyTaskAllocated(deps: Pick<LifecycleDeps, 'history' | 'metrics' | 'now'>, detail: TaskAllocated): Promise<void> {
  await deps.history.appendEvent(detail.jobId, DetailTypes.TaskAllocated, detail);
  await record(deps, [allocationRecord(detail, new Date((deps.now ?? Date.now)()).toISOString())]);
}

/** Metrics are observations: a sink that fails is logged, never a reason to fail (and redeliver) the event. */
async function record(deps: Pick<LifecycleDeps, 'metrics'>, records: MetricRecord[]): Promise<void> {
  if (!records.length) return;
  await deps.metrics.record(records).catch((e: unknown) => logger.warn('metrics not recorded', { message: (e as Error).message }));
}

/** Records a step event on its attempt and keeps the job's stored progress and estimate current. */
export async function applyStepEvent(deps: LifecycleDeps, event: LifecycleStepEvent): Promise<StepRecord | null> {
  // Steps of a job id with no job record are recorded too: a rule chain's functions (an audio
  // upload's normalize → encode) are visible as the steps of the chain's id.
  for (let attempt = 0; ; attempt++) {
    const attempts = await deps.steps.listStepAttempts(event.jobId, event.stepId);
    const current = attempts.find((s) => s.invocationId === event.invocationId) ?? null;
    const number = current?.attempt ?? Math.max(0, ...attempts.map((s) => s.attempt)) + 1;
    const next = stepChange(current, { ...event, attempt: number });
    if (!next) {
      // This change is already stored: an earlier delivery may have failed before its history entry.
      if (current && redelivers(event, current) && !(await stepRecorded(deps, current))) await afterStep(deps, event, current);
      return null;
    }
    let stored: StepRecord;
    try {
      const placement = event.kind === 'step-ended' ? event.placement : undefined;
      stored = await deps.steps.putStep(
        {
          ...next,
          invocationId: event.invocationId,
          summary: summaryOf(event) ?? next.summary,
          platform: placement?.platform ?? next.platform ?? null,
          size: placement?.size ?? next.size ?? null,
          revision: (current?.revision ?? 0) + 1,
        },
        current?.revision ?? null,
      );
    } catch (e) {
      if (isConflict(e) && attempt < MAX_CONFLICTS) continue;
      throw e;
    }
    await afterStep(deps, event, stored);
    return stored;
  }
}

/** A step's start or end goes into its job's history; an end also updates the job's progress and cost. */
async function afterStep(deps: LifecycleDeps, event: LifecycleStepEvent, stored: StepRecord): Promise<void> {
  if (event.kind === 'step-progressed') return;
  await deps.history.appendEvent(event.jobId, DetailTypes.StepStatusChanged, {
    jobId: event.jobId, stepId: event.stepId, function: event.function, status: stored.status, attempt: stored.attempt,
    durationMs: stored.durationMs, error: stored.error,
  });
  if (event.kind === 'step-ended') {
    await record(deps, [stepEndRecord(stored, event.placement ?? {})].filter((r) => r !== null));
    await refreshJob(deps, event.jobId);
  }
}

/** Whether `event` is the change that left the step as stored (a redelivery, not a late or overtaken event). */
function redelivers(event: LifecycleStepEvent, stored: StepRecord): boolean {
  if (event.kind === 'step-started') return stored.status === 'RUNNING';
  return event.kind === 'step-ended' && stored.status === event.status;
}

/** Whether the step's stored status has its history entry. */
async function stepRecorded(deps: Pick<LifecycleDeps, 'history'>, step: StepRecord): Promise<boolean> {
  return (await deps.history.listEvents(step.jobId)).some((e) => {
    if (e.detailType !== DetailTypes.StepStatusChanged) return false;
    const d = e.detail as { stepId?: string; attempt?: number; status?: string };
    return d.stepId === step.stepId && d.attempt === step.attempt && d.status === step.status;
  });
}

async function reportOf(deps: LifecycleDeps, job: JobRecord): Promise<string | null> {
  const key = `${job.outputPrefix}report.json`;
  return (await deps.blobs.list(job.outputPrefix)).includes(key) ? key : null;
}

const summaryOf = (e: StepEvent & { summary?: Record<string, unknown> }) => (e.kind === 'step-ended' ? (e.summary ?? null) : null);

/** The stored progress (what job lists show) and, once planned, the cost estimate. */
async function refreshJob(deps: LifecycleDeps, jobId: string): Promise<void> {
  const job = await deps.jobs.getJob(jobId);
  if (job && isTerminal(job.status) && job.cost) return recostEndedJob(deps, job);
  if (!job || job.status !== 'RUNNING') return;
  const steps = await deps.steps.listSteps(jobId);
  const plan = planSummaryOf(steps);
  const p = liveProgress(job, steps, (deps.now ?? Date.now)());
  const cost = plan && !job.cost?.estimatedUsd ? { ...plan.cost, actualUsd: null, breakdown: [] } : undefined;
  await deps.jobs.updateJob(jobId, { progress: p.fraction, etaSec: p.etaSec, ...(cost ? { cost } : {}) }, job.version).catch((e: unknown) => {
    // Another writer got there first: its view is as current as this one.
    if (!isConflict(e)) throw e;
  });
}

/**
 * A step end that arrives after its job's end (on AWS, EventBridge may deliver Publish's end after
 * the execution's status change) is still paid for: the job's cost is summed again.
 */
async function recostEndedJob(deps: LifecycleDeps, job: JobRecord): Promise<void> {
  const cost = jobCost(job, await deps.steps.listSteps(job.id), null);
  if (!cost || cost.actualUsd === job.cost?.actualUsd) return;
  try {
    const stored = await deps.jobs.updateJob(job.id, { cost }, job.version);
    await record(deps, [lateCostRecord(stored, (cost.actualUsd ?? 0) - (job.cost?.actualUsd ?? 0))]);
  } catch (e) {
    // Whoever wrote in between summed the steps too (or will, on its own late step).
    if (!isConflict(e)) throw e;
  }
}

function jobCost(job: JobRecord, steps: StepRecord[], plan: PlanSummary | null): JobRecord['cost'] {
  const base = job.cost ?? (plan ? { ...plan.cost, actualUsd: null, breakdown: [] } : null);
  if (!base) return null;
  // What the run cost: every attempt's compute at the size it ran on (cache hits are free), and the
  // requests, transitions, events, writes and log ingestion the run made, priced for the region.
  const priced = jobCostBreakdown(steps, base.region);
  if (priced) return { ...base, actualUsd: priced.actualUsd, breakdown: priced.breakdown };
  return { ...base, actualUsd: steps.reduce((sum, s) => sum + (s.costUsd ?? 0), 0), breakdown: [] };
}

/**
 * The bus, then the history: webhooks and rules follow the stored change, and the history entry,
 * written once the put succeeded, is the receipt announceUnannounced looks for.
 */
async function announce(deps: LifecycleDeps, job: JobRecord, changed: JobStatusChanged, plan: PlanSummary | null): Promise<void> {
  // What rules record about a finished job (job → preset version) to re-encode it when the preset changes.
  const detail: JobStatusChanged = isTerminal(changed.status)
    ? { ...changed, preset: plan?.preset.name ?? job.spec.preset, ...presetVersionOf(deps, plan), sourceKey: job.spec.source.key, workflow: job.workflow?.name ?? 'encode', tags: job.spec.tags }
    : changed;
  await deps.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail });
  await deps.history.appendEvent(job.id, DetailTypes.JobStatusChanged, detail);
}

function presetVersionOf(deps: LifecycleDeps, plan: PlanSummary | null): { presetVersion?: number } {
  if (!plan) return {};
  return { presetVersion: deps.presetVersion?.(plan.preset.name) ?? plan.preset.version };
}

/**
 * What a job's end implies: nothing of a failed or cancelled job may look like a success (its
 * partial outputs go; a failed job's report stays), a succeeded job's intermediates go (a failed
 * one keeps them for a retry), and the speed of its encoded chunks teaches the allocator in one
 * write per job.
 */
async function afterEnd(deps: LifecycleDeps, job: JobRecord, steps: StepRecord[]): Promise<void> {
  if (job.status === 'SUCCEEDED') {
    await deps.blobs.deletePrefix(deps.workPrefix(job.id));
  } else if (job.status === 'CANCELLED') {
    await deps.blobs.deletePrefix(job.outputPrefix);
    await deps.blobs.deletePrefix(deps.workPrefix(job.id));
  } else {
    for (const key of await deps.blobs.list(job.outputPrefix)) if (key !== job.reportKey) await deps.blobs.deletePrefix(key);
  }
  const samples = steps
    .filter((s) => s.status === 'SUCCEEDED' && s.summary && 'speedSample' in s.summary)
    .map((s) => SpeedSampleSchema.safeParse(s.summary!.speedSample))
    .flatMap((r) => (r.success ? [r.data] : []));
  if (samples.length)
    await recordSpeedSamples(deps.documents, samples).catch(() => {
      // A lost observation makes the table learn a little slower; the job's end must not fail for it.
    });
}
