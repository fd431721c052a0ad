/**
 * The lifecycle Lambda: EventBridge delivers the Step Functions status changes of every Mosaic
 * state machine, the functions' step events and the allocator's `Task Allocated`; each becomes a
 * lifecycle event applied by `apply.ts` (the same code the local engine runs), or a history entry. Events that are not ours, or not well formed,
 * are logged and ignored: failing on them would only make EventBridge redeliver them. Store and
 * bus failures throw, so EventBridge/Lambda retry and then dead-letter the event.
 */
import { z } from 'zod';
import {
  DetailTypes,
  EVENT_SOURCE,
  EXECUTION_STATUS_CHANGE,
  StepProgressSchema,
  StepStatusChangedSchema,
  TaskAllocatedSchema,
  type JobRecord,
  type MosaicEvent,
  type StepRecord,
} from '../../contracts/index.js';
import type { JobEvent, WorkflowOutcome } from '../../core/job-lifecycle.js';
import { jobErrorFrom } from '../../core/report.js';
import { logger } from '../../runtime/index.js';
import { applyJobEvent, applyStepEvent, applyTaskAllocated, type LifecycleDeps } from './apply.js';
import { stepEventOf } from './step-events.js';

const epochMs = z.number().int().nonnegative();
export const ExecutionStatusChangeSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
  time: z.string().optional(),
  detail: z.object({
    executionArn: z.string().optional(),
    stateMachineArn: z.string().optional(),
    name: z.string().min(1),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
    startDate: epochMs.nullable().optional(),
    stopDate: epochMs.nullable().optional(),
    output: z.string().nullable().optional(),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
  }),
});

const TaskAllocatedEnvelopeSchema = z.object({ source: z.literal(EVENT_SOURCE), 'detail-type': z.literal(DetailTypes.TaskAllocated), detail: TaskAllocatedSchema });

const StepEventEnvelopeSchema = z.discriminatedUnion('detail-type', [
  z.object({ source: z.literal(EVENT_SOURCE), 'detail-type': z.literal(DetailTypes.StepStatusChanged), time: z.string().optional(), detail: StepStatusChangedSchema }),
  z.object({ source: z.literal(EVENT_SOURCE), 'detail-type': z.literal(DetailTypes.StepProgress), time: z.string().optional(), detail: StepProgressSchema }),
]);

export interface LifecycleHandlerDeps extends LifecycleDeps {
  /** The job and run an execution name stands for (adapters/aws: runOfExecutionName), or null when it is not a job's. */
  executionOf: (name: string) => { jobId: string; run: number } | null;
}

export type LifecycleResult =
  | { status: 'ignored'; reason: string }
  | { status: 'job'; jobId: string; jobStatus: JobRecord['status'] }
  | { status: 'step'; jobId: string; stepId: string; recorded: Pick<StepRecord, 'attempt' | 'status' | 'fraction'> | null }
  | { status: 'history'; jobId: string; detailType: string };

const ignored = (reason: string, extra: Record<string, unknown> = {}): LifecycleResult => {
  logger.warn(`lifecycle event ignored: ${reason}`, extra);
  return { status: 'ignored', reason };
};

const isoOf = (ms: number | null | undefined, fallback: string | undefined): string =>
  ms !== null && ms !== undefined ? new Date(ms).toISOString() : (fallback ?? new Date().toISOString());

/** The report key of a SUCCEEDED encode run (its output is Publish's `{ jobId, status, reportKey }`). */
function reportKeyOf(output: string | null | undefined): string | undefined {
  if (!output) return undefined;
  try {
    const v = JSON.parse(output) as { reportKey?: unknown } | null;
    return typeof v?.reportKey === 'string' ? v.reportKey : undefined;
  } catch {
    return undefined;
  }
}

/** The lifecycle event of a Step Functions status change of the job's run `run`. */
export function jobEventOf(e: z.infer<typeof ExecutionStatusChangeSchema>, run: number): JobEvent {
  const d = e.detail;
  if (d.status === 'RUNNING') return { kind: 'workflow-started', run, at: isoOf(d.startDate, e.time) };
  const outcome: WorkflowOutcome = d.status;
  return {
    kind: 'workflow-ended',
    run,
    at: isoOf(d.stopDate, e.time),
    outcome,
    error: outcome !== 'SUCCEEDED' && d.error ? jobErrorFrom({ Error: d.error, ...(d.cause ? { Cause: d.cause } : {}) }) : null,
    ...(outcome === 'SUCCEEDED' ? { reportKey: reportKeyOf(d.output) ?? null } : {}),
  };
}

export function createLifecycleHandler(deps: LifecycleHandlerDeps): (event: unknown) => Promise<LifecycleResult> {
  return async (event) => {
    const execution = ExecutionStatusChangeSchema.safeParse(event);
    if (execution.success) {
      const of = deps.executionOf(execution.data.detail.name);
      if (!of) return ignored('not a job execution', { name: execution.data.detail.name });
      const job = await applyJobEvent(deps, of.jobId, jobEventOf(execution.data, of.run));
      if (!job) return ignored(`no job ${of.jobId}`);
      return { status: 'job', jobId: job.id, jobStatus: job.status };
    }
    const step = StepEventEnvelopeSchema.safeParse(event);
    if (step.success) {
      const e = { source: EVENT_SOURCE, detailType: step.data['detail-type'], detail: step.data.detail } as MosaicEvent;
      const stepEvent = stepEventOf(e, () => step.data.time ?? new Date().toISOString());
      if (!stepEvent) return ignored('step event without an invocation', { jobId: step.data.detail.jobId, stepId: step.data.detail.stepId });
      // Recorded with or without a job record, as locally: a rule chain's steps are its record.
      const stored = await applyStepEvent(deps, stepEvent);
      return { status: 'step', jobId: stepEvent.jobId, stepId: stepEvent.stepId, recorded: stored && { attempt: stored.attempt, status: stored.status, fraction: stored.fraction } };
    }
    // The allocator's sizing goes into the job's history, as locally.
    const allocated = TaskAllocatedEnvelopeSchema.safeParse(event);
    if (allocated.success) {
      const { detail } = allocated.data;
      if (!(await deps.jobs.getJob(detail.jobId))) return ignored(`no job ${detail.jobId}`);
      await applyTaskAllocated(deps, detail);
      return { status: 'history', jobId: detail.jobId, detailType: DetailTypes.TaskAllocated };
    }
    const e = event as { source?: unknown; 'detail-type'?: unknown } | null;
    return ignored('not a workflow status change or step event', {
      source: typeof e?.source === 'string' ? e.source : undefined,
      detailType: typeof e?.['detail-type'] === 'string' ? e['detail-type'] : undefined,
      issues: (execution.error.issues.length <= step.error.issues.length ? execution.error : step.error).issues.slice(0, 3),
    });
  };
}
