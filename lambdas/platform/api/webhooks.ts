/**
 * Webhooks: a job's state changes POSTed to its `webhook.url`, signed like Stripe's:
 *
 *   Mosaic-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * A receiver recomputes the HMAC over the raw body with the deployment's webhook secret,
 * compares in constant time, and rejects timestamps older than a few minutes (replays).
 * Deliveries are retried with exponential backoff on a network error, a timeout, 408, 429 or
 * any 5xx; every attempt is recorded on the job (event `Webhook Delivery Attempted`).
 * Used by the local dispatcher (local/webhook-dispatcher.ts) and by any AWS one.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { JobRecord, WebhookAttempt, WebhookPayload } from '../../contracts/index.js';

export const SIGNATURE_HEADER = 'Mosaic-Signature';

export function signWebhook(secret: string, body: string, t: number): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** True when `header` is a valid signature of `body` made within `toleranceSec` of `nowSec`. */
export function verifyWebhookSignature(secret: string, header: string | null | undefined, body: string, opts: { nowSec?: number; toleranceSec?: number } = {}): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSec ?? 300)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

export function webhookPayload(job: JobRecord): WebhookPayload {
  return {
    id: `evt_${randomUUID()}`,
    type: 'job.status_changed',
    createdAt: new Date().toISOString(),
    job: { id: job.id, status: job.status, progress: job.progress, error: job.error, tags: job.spec.tags },
  };
}

export interface DeliveryOptions {
  secret: string;
  /** Pauses before attempts 2, 3, … in ms; its length + 1 is the number of attempts. */
  backoffMs: number[];
  timeoutMs: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every attempt (record it on the job). */
  onAttempt: (a: WebhookAttempt) => Promise<void> | void;
}

export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** POSTs one payload until it is accepted (2xx) or the attempts run out; resolves with whether it was. */
export async function deliverWebhook(url: string, payload: WebhookPayload, o: DeliveryOptions): Promise<boolean> {
  const body = JSON.stringify(payload);
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; attempt <= o.backoffMs.length + 1; attempt++) {
    const started = Date.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Mosaic-Webhooks/1', [SIGNATURE_HEADER]: signWebhook(o.secret, body, Math.floor(Date.now() / 1000)) },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `receiver answered ${res.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : `request failed: ${(e as Error).message}`;
    }
    const ok = error === null;
    const more = !ok && attempt <= o.backoffMs.length && (httpStatus === null || retryable(httpStatus));
    await o.onAttempt({
      eventId: payload.id,
      status: payload.job.status,
      attempt,
      at: new Date(started).toISOString(),
      url,
      httpStatus,
      ok,
      error,
      durationMs: Date.now() - started,
      nextAttemptInSec: more ? o.backoffMs[attempt - 1]! / 1000 : null,
    });
    if (!more) return ok;
    await sleep(o.backoffMs[attempt - 1]!);
  }
  return false;
}
