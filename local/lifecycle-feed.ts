/**
 * Feeds the job lifecycle locally, as the lifecycle Lambda does on AWS: the functions' step events
 * from the in-process bus, and the engine's own workflow starts and ends, cancels and retries. One
 * job's events are applied one at a time (a read-decide-write each), in the order they came.
 */
import { DetailTypes, type JobRecord, type MosaicEvent } from '../lambdas/contracts/index.js';
import type { JobEvent } from '../lambdas/core/job-lifecycle.js';
import { applyJobEvent, applyStepEvent, applyTaskAllocated, type LifecycleDeps } from '../lambdas/platform/lifecycle/apply.js';
import { stepEventOf } from '../lambdas/platform/lifecycle/step-events.js';
import { logger } from '../lambdas/runtime/index.js';

export class LifecycleFeed {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: LifecycleDeps) {}

  /** Applies what a bus event means for its job (step events; allocations go to the history). */
  onEvent(e: MosaicEvent): Promise<void> {
    const step = stepEventOf(e);
    if (step) return this.serial(step.jobId, (deps) => applyStepEvent(deps, step)).then(() => undefined);
    if (e.detailType === DetailTypes.TaskAllocated) return this.serial(e.detail.jobId, (deps) => applyTaskAllocated(deps, e.detail));
    return Promise.resolve();
  }

  /** Applies a workflow, cancel or retry event, after the job's earlier events. */
  applyJob(jobId: string, event: JobEvent): Promise<JobRecord | null> {
    return this.serial(jobId, (deps) => applyJobEvent(deps, jobId, event));
  }

  /** Settles when every event of the job received so far is applied. */
  async settled(jobId: string): Promise<void> {
    await this.chains.get(jobId)?.catch(() => undefined);
  }

  /**
   * Runs `work` after the job's earlier events. What it publishes goes on the bus once it is
   * done: a subscriber reacting to it (rules, webhooks) may put further events of the same job,
   * which must queue behind this one rather than wait for it.
   */
  private serial<T>(jobId: string, work: (deps: LifecycleDeps) => Promise<T>): Promise<T> {
    const outbox: MosaicEvent[] = [];
    const deps: LifecycleDeps = { ...this.deps, events: { put: async (e) => void outbox.push(e), subscribe: () => () => undefined } };
    const prev = this.chains.get(jobId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => work(deps));
    const tail = next.catch((e: unknown) => logger.error('lifecycle event not applied', { jobId, error: (e as Error).message }));
    this.chains.set(jobId, tail);
    void tail.finally(() => {
      if (this.chains.get(jobId) === tail) this.chains.delete(jobId);
    });
    return next.then(async (result) => {
      for (const e of outbox) await this.deps.events.put(e);
      return result;
    });
  }
}
