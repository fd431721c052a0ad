/**
 * The latest progress view of each running job, for the CLI's progress line: a view of the
 * job's steps, as the job view computes it, refreshed on step events (throttled: the CLI redraws often).
 */
import { liveProgress } from '../lambdas/core/job-progress.js';
import type { SqliteJobStore } from './sqlite-job-store.js';

export interface ProgressView {
  fraction: number;
  etaSec: number | null;
}

/** At most one refresh per job in this many milliseconds. */
const REFRESH_MS = 250;

export class LiveProgress {
  private readonly views = new Map<string, ProgressView>();
  private readonly refreshedAt = new Map<string, number>();
  /** Only jobs someone watches (the CLI's progress line) are worth a read per step event. */
  private readonly watched = new Set<string>();

  constructor(private readonly jobs: SqliteJobStore) {}

  of(jobId: string): ProgressView {
    this.watched.add(jobId);
    return this.views.get(jobId) ?? { fraction: 0, etaSec: null };
  }

  /** A run starts from nothing. */
  reset(jobId: string): void {
    this.views.set(jobId, { fraction: 0, etaSec: null });
  }

  async refresh(jobId: string): Promise<void> {
    if (!this.watched.has(jobId)) return;
    if (Date.now() - (this.refreshedAt.get(jobId) ?? 0) < REFRESH_MS) return;
    this.refreshedAt.set(jobId, Date.now());
    const job = await this.jobs.getJob(jobId);
    if (job) this.views.set(jobId, liveProgress(job, await this.jobs.listSteps(jobId), Date.now()));
  }
}
