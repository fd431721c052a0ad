/**
 * The lifecycle's step event for a function's `Step Status Changed` / `Step Progress`: one
 * mapping, used by the AWS lifecycle Lambda and (through it) the local feed.
 */
import { DetailTypes, type MosaicEvent } from '../../contracts/index.js';
import type { StepEvent } from '../../core/job-lifecycle.js';
import type { StepPlacement } from '../../core/metric-records.js';

export type LifecycleStepEvent = StepEvent & { invocationId: string; summary?: Record<string, unknown>; placement?: StepPlacement };

/**
 * The step event for `e`, or null for other events and for step events without an
 * `invocationId` (they cannot be tied to an attempt). `receivedAt` stands in for a missing `at`.
 */
export function stepEventOf(e: MosaicEvent, receivedAt: () => string = () => new Date().toISOString()): LifecycleStepEvent | null {
  const at = (x: { at?: string }) => x.at ?? receivedAt();
  if (e.detailType === DetailTypes.StepProgress) {
    const d = e.detail;
    if (!d.invocationId) return null;
    return { kind: 'step-progressed', jobId: d.jobId, stepId: d.stepId, function: d.function, attempt: 0, at: at(d), fraction: d.fraction, invocationId: d.invocationId };
  }
  if (e.detailType === DetailTypes.StepStatusChanged) {
    const d = e.detail;
    if (!d.invocationId) return null;
    // `attempt` is numbered by the applier from the stored attempts.
    const base = { jobId: d.jobId, stepId: d.stepId, function: d.function, attempt: 0, at: at(d), invocationId: d.invocationId };
    if (d.status === 'RUNNING') return { kind: 'step-started', ...base };
    if (d.status === 'ABANDONED') return null;
    const placement: StepPlacement = { ...(d.platform ? { platform: d.platform } : {}), ...(d.size ? { size: d.size } : {}), ...(d.predictedSec !== undefined ? { predictedSec: d.predictedSec } : {}) };
    return { kind: 'step-ended', ...base, status: d.status, durationMs: d.durationMs, error: d.error, costUsd: d.costUsd, placement, ...(d.summary ? { summary: d.summary } : {}) };
  }
  return null;
}
