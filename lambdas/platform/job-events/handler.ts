/**
 * Webhooks on AWS: an EventBridge rule sends every `Job Status Changed` to this Lambda, which
 * POSTs the signed payload to the job's `webhook.url`, as the local dispatcher does
 * (local/webhook-dispatcher.ts), with the same signing, retries and records (the delivery itself is
 * lambdas/platform/api/webhooks.ts, handed in by lambdas/bootstrap/job-events.ts).
 *
 * Retries happen at two levels: a few quick attempts with backoff inside one invocation; if the
 * receiver still fails, the invocation fails and Lambda runs it again later (its asynchronous
 * retries), and what still fails lands in the dead-letter queue. Attempts are numbered across
 * invocations and every one is recorded on the job (`Webhook Delivery Attempted`). The payload's
 * `id` is `evt_<EventBridge event id>`: the same across retries, so a receiver can drop duplicates.
 * Deliveries are at least once and, across state changes, not ordered: order by `job.status`
 * (QUEUED → RUNNING → an end state) or by `createdAt`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  DetailTypes,
  isVersionConflict,
  JobStatusChangedSchema,
  WEBHOOK_DELIVERY_DETAIL_TYPE,
  WebhookAttemptSchema,
  type JobRecord,
  type WebhookAttempt,
  type WebhookPayload,
} from '../../contracts/index.js';
import type { DocumentStore, JobHistory, JobRepository } from '../../ports.js';
import { logger } from '../../runtime/index.js';

/** The fields of EventBridge's event that the handler reads. */
export const JobStatusChangedEventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.literal(DetailTypes.JobStatusChanged),
  time: z.string().optional(),
  detail: JobStatusChangedSchema,
});

export interface DeliveryOptions {
  secret: string;
  backoffMs: number[];
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  onAttempt: (a: WebhookAttempt) => Promise<void> | void;
}

/** Signing and delivery (lambdas/platform/api/webhooks.ts in production). */
export interface WebhookDelivery {
  payload(job: JobRecord): WebhookPayload;
  deliver(url: string, payload: WebhookPayload, o: DeliveryOptions): Promise<boolean>;
}

export interface JobEventsDeps {
  /** The job (getJob) and its history (earlier deliveries read, each attempt appended). */
  jobs: JobRepository & JobHistory;
  webhooks: WebhookDelivery;
  /** The deployment's webhook signing secret. */
  secret: () => Promise<string>;
  /** Pauses between the attempts of one invocation, ms (its length + 1 attempts per invocation). */
  backoffMs: number[];
  timeoutMs: number;
  /** Seconds until Lambda runs a failed invocation again, per retry (Lambda's async retries: about 60, then 120). */
  redeliveryDelaysSec: number[];
  sleep?: (ms: number) => Promise<void>;
}

export type JobEventsResult =
  | { status: 'ignored'; reason: string }
  | { status: 'delivered' | 'already-delivered' | 'refused'; jobId: string; eventId: string; attempts: number };

/**
 * Trying again cannot help: the receiver said the request itself is wrong (4xx but 408/429), or
 * the address guard refused the target (a Lambda retry would be refused the same: locally too it is final).
 */
const refused = (a: WebhookAttempt | undefined): boolean =>
  !!a && !a.ok && (a.targetRefused === true || (a.httpStatus !== null && a.httpStatus >= 400 && a.httpStatus < 500 && a.httpStatus !== 408 && a.httpStatus !== 429));

export class WebhookDeliveryFailed extends Error {
  override readonly name = 'Mosaic.WebhookDeliveryFailed';
}

export function createJobEventsHandler(deps: JobEventsDeps): (event: unknown) => Promise<JobEventsResult> {
  const perInvocation = deps.backoffMs.length + 1;
  return async (event) => {
    const parsed = JobStatusChangedEventSchema.safeParse(event);
    if (!parsed.success) {
      logger.warn('not a Job Status Changed event; ignored', { issues: parsed.error.issues.slice(0, 3) });
      return { status: 'ignored', reason: 'not a Job Status Changed event' };
    }
    const { detail } = parsed.data;
    const job = await deps.jobs.getJob(detail.jobId);
    if (!job) return { status: 'ignored', reason: `no job ${detail.jobId}` };
    const url = job.spec.webhook?.url;
    if (!url) return { status: 'ignored', reason: 'the job has no webhook' };

    const eventId = `evt_${parsed.data.id}`;
    // What earlier invocations for this event already did (a Lambda retry, a redrive from the DLQ).
    const earlier = (await deps.jobs.listEvents(job.id))
      .filter((e) => e.detailType === WEBHOOK_DELIVERY_DETAIL_TYPE)
      .map((e) => WebhookAttemptSchema.safeParse(e.detail))
      .flatMap((r) => (r.success && r.data.eventId === eventId ? [r.data] : []));
    const offset = earlier.reduce((m, a) => Math.max(m, a.attempt), 0);
    if (earlier.some((a) => a.ok)) return { status: 'already-delivered', jobId: job.id, eventId, attempts: offset };
    if (refused(earlier.find((a) => a.attempt === offset))) return { status: 'refused', jobId: job.id, eventId, attempts: offset };

    const invocation = Math.floor(offset / perInvocation);
    const later = deps.redeliveryDelaysSec[invocation] ?? null;
    // The state of this event, not whatever the job has moved on to by delivery time.
    const payload: WebhookPayload = {
      ...deps.webhooks.payload({ ...job, status: detail.status, error: detail.error ?? job.error }),
      id: eventId,
      ...(parsed.data.time ? { createdAt: parsed.data.time } : {}),
    };
    let last: WebhookAttempt | undefined;
    const ok = await deps.webhooks.deliver(url, payload, {
      secret: await deps.secret(),
      backoffMs: deps.backoffMs,
      timeoutMs: deps.timeoutMs,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      onAttempt: async (a) => {
        const lastHere = a.nextAttemptInSec === null;
        last = { ...a, attempt: a.attempt + offset, nextAttemptInSec: lastHere && !a.ok && !refused(a) ? later : a.nextAttemptInSec };
        await deps.jobs.appendEvent(job.id, WEBHOOK_DELIVERY_DETAIL_TYPE, last);
      },
    });
    const attempts = last?.attempt ?? offset;
    if (ok) return { status: 'delivered', jobId: job.id, eventId, attempts };
    if (refused(last)) {
      logger.warn(last?.targetRefused ? 'webhook target refused (not a public address); not retried' : 'webhook refused by its receiver; not retried', { jobId: job.id, eventId, httpStatus: last?.httpStatus, error: last?.error });
      return { status: 'refused', jobId: job.id, eventId, attempts };
    }
    // Failing the invocation hands the event back to Lambda's retries, then the dead-letter queue.
    throw new WebhookDeliveryFailed(`webhook for job ${job.id} (${eventId}) not delivered after ${attempts} attempt(s): ${last?.error ?? 'unknown error'}`);
  };
}

/** Name of the JobStore document holding the webhook signing secret. */
export const WEBHOOK_SECRET_DOCUMENT = 'webhook-secret';

/**
 * The deployment's webhook secret: created on first use (32 random bytes, hex) and kept as a
 * document in the job table, as `mosaic serve` keeps its secret with its state. Two cold starts
 * racing to create it agree on the first one written.
 */
export async function loadOrCreateWebhookSecret(jobs: DocumentStore): Promise<string> {
  const read = async () => {
    const d = (await jobs.getDocument(WEBHOOK_SECRET_DOCUMENT))?.data as { secret?: unknown } | undefined;
    return typeof d?.secret === 'string' && d.secret.length >= 32 ? d.secret : null;
  };
  const existing = await read();
  if (existing) return existing;
  const secret = randomBytes(32).toString('hex');
  try {
    await jobs.putDocument(WEBHOOK_SECRET_DOCUMENT, { secret }, null);
    return secret;
  } catch (e) {
    if (!isVersionConflict(e)) throw e;
    const winner = await read();
    if (!winner) throw e;
    return winner;
  }
}
