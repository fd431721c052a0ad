/**
 * Local webhook delivery: every `Job Status Changed` of a job with a `webhook` is POSTed, signed,
 * retried with backoff (lambdas/platform/api/webhooks.ts), and each attempt is recorded on the
 * job. Deliveries of one job go in order (a later state waits for the earlier one's retries).
 */
import { DetailTypes, WEBHOOK_DELIVERY_DETAIL_TYPE } from '../lambdas/contracts/index.js';
import { DEFAULT_BACKOFF_MS, deliverWebhook, webhookPayload, type WebhookGuard } from '../lambdas/platform/api/webhooks.js';
import type { EventBus, JobHistory, JobRepository } from '../lambdas/ports.js';
import { logger } from '../lambdas/runtime/index.js';

export interface WebhookDispatcherOptions {
  secret: string;
  backoffMs?: number[];
  timeoutMs?: number;
  /** Which addresses deliveries may reach (default: public only). */
  guard?: WebhookGuard;
}

export class WebhookDispatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    /** The job (getJob) and its history (each delivery attempt appended). */
    private readonly jobs: JobRepository & JobHistory,
    private readonly events: EventBus,
    private readonly o: WebhookDispatcherOptions,
  ) {}

  start(): void {
    this.unsubscribe = this.events.subscribe(async (e) => {
      if (e.detailType !== DetailTypes.JobStatusChanged || this.stopped) return;
      const job = await this.jobs.getJob(e.detail.jobId);
      const url = job?.spec.webhook?.url;
      if (!job || !url) return;
      // The state of this event, not whatever the job has moved on to by delivery time.
      const payload = webhookPayload({ ...job, status: e.detail.status, error: e.detail.error ?? job.error });
      const prev = this.chains.get(job.id) ?? Promise.resolve();
      const next = prev
        .then(() =>
          deliverWebhook(url, payload, {
            secret: this.o.secret,
            backoffMs: this.o.backoffMs ?? DEFAULT_BACKOFF_MS,
            timeoutMs: this.o.timeoutMs ?? 10_000,
            guard: this.o.guard ?? { allowPrivate: false },
            sleep: (ms) => this.sleep(ms),
            onAttempt: (a) => this.jobs.appendEvent(job.id, WEBHOOK_DELIVERY_DETAIL_TYPE, a),
          }),
        )
        .then(
          () => undefined,
          (err: unknown) => logger.error('webhook delivery failed', { jobId: job.id, error: (err as Error).message }),
        )
        .finally(() => {
          if (this.chains.get(job.id) === next) this.chains.delete(job.id);
        });
      this.chains.set(job.id, next);
    });
  }

  /** Resolves when every delivery started so far has finished (succeeded or given up). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }

  /** Stops taking new events; pending retries end at their next pause. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const wake of this.sleepers.splice(0)) wake();
  }

  private readonly sleepers: (() => void)[] = [];
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('dispatcher stopped'));
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(t);
        reject(new Error('dispatcher stopped'));
      };
      const t = setTimeout(() => {
        this.sleepers.splice(this.sleepers.indexOf(wake), 1);
        resolve();
      }, ms);
      this.sleepers.push(wake);
    });
  }
}
