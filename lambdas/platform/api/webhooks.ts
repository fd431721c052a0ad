/**
 * Webhooks: a job's state changes POSTed to its `webhook.url`, signed like Stripe's:
 *
 *   Mosaic-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * A receiver recomputes the HMAC over the raw body with the deployment's webhook secret,
 * compares in constant time, and rejects timestamps older than a few minutes (replays).
 * Deliveries are retried with exponential backoff on a network error, a timeout, 408, 429 or
 * any 5xx; every attempt is recorded on the job (event `Webhook Delivery Attempted`).
 * Used by the local dispatcher (local/webhook-dispatcher.ts) and by the AWS job-events Lambda.
 *
 * Only public addresses are contacted (core/network-address.ts) unless the deployment opts in
 * (`allowPrivate`): the URL is vetted when the job is submitted (`webhookProblem`) and again on
 * every attempt, where the host is resolved once, every address it resolves to is vetted, and
 * the socket connects to a vetted address (a `lookup` handed to http.request), so a DNS answer
 * that changes between check and connect (rebinding) reaches nothing private. Redirects are not
 * followed.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { JobRecord, WebhookAttempt, WebhookPayload } from '../../contracts/index.js';
import { addressProblem, webhookTarget } from '../../core/network-address.js';

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

/** Every address a host name resolves to (node:dns lookup with `all`; tests inject their own). */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** Where webhooks may go: public addresses only, unless a deployment opts in to private ones. */
export interface WebhookGuard {
  allowPrivate: boolean;
  resolve?: ResolveHost;
}

const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A webhook target refused by the guard (not retried: the same answer would come back). */
export class WebhookTargetRefused extends Error {
  override readonly name = 'Mosaic.WebhookTargetRefused';
}

/** Every address of `hostname`, all of them public (or the guard allows private ones); else WebhookTargetRefused. */
async function vettedAddresses(hostname: string, guard: WebhookGuard): Promise<{ address: string; family: number }[]> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (guard.resolve ?? systemResolve)(hostname);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOTFOUND' || code === 'ENODATA' ? new WebhookTargetRefused(`the webhook host "${hostname}" does not resolve`) : e;
  }
  if (!addresses.length) throw new WebhookTargetRefused(`the webhook host "${hostname}" does not resolve`);
  if (!guard.allowPrivate)
    for (const a of addresses) {
      const problem = addressProblem(a.address);
      // Which address is not said: the job view must not map the private network.
      if (problem) throw new WebhookTargetRefused(`the webhook host "${hostname}" resolves to an address that is not public: ${problem.replace(/ \(.*\)$/, '')}`);
    }
  return addresses;
}

/**
 * Why a webhook URL is refused at submit (not http(s), credentials, a non-public address in any
 * spelling, a name that does not resolve or resolves to a non-public address), or null. A lookup
 * that fails for another reason (a DNS timeout) is left to the connect-time check.
 */
export async function webhookProblem(url: string, guard: WebhookGuard): Promise<string | null> {
  const target = webhookTarget(url, { allowPrivate: guard.allowPrivate });
  if (!target.ok) return target.problem;
  if (target.address !== null || guard.allowPrivate) return null;
  try {
    await vettedAddresses(target.hostname, guard);
    return null;
  } catch (e) {
    return e instanceof WebhookTargetRefused ? e.message : null;
  }
}

/** POSTs once to a vetted address; resolves with the receiver's status. */
async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, guard: WebhookGuard): Promise<number> {
  const target = webhookTarget(url, { allowPrivate: guard.allowPrivate });
  if (!target.ok) throw new WebhookTargetRefused(target.problem);
  let lookup: LookupFunction | undefined;
  if (target.address === null) {
    // Resolved once, here; the socket connects to these addresses and nothing else.
    const addresses = await vettedAddresses(target.hostname, guard);
    lookup = (_host, opts, cb) => {
      const family = typeof opts === 'object' && opts?.family ? opts.family : 0;
      const usable = addresses.filter((a) => !family || a.family === family);
      if (!usable.length) return cb(Object.assign(new Error(`no IPv${family} address for ${target.hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if (typeof opts === 'object' && opts?.all) return (cb as unknown as (e: null, a: typeof usable) => void)(null, usable);
      return cb(null, usable[0]!.address, usable[0]!.family);
    };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    signal,
    // A fresh connection per attempt: nothing pooled from an earlier resolution.
    agent: false,
    ...(lookup ? { lookup } : {}),
  };
  return new Promise<number>((resolve, reject) => {
    const req = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(target.url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(signal.aborted ? Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }) : e));
    req.end(body);
  });
}

export interface DeliveryOptions {
  secret: string;
  /** Pauses before attempts 2, 3, … in ms; its length + 1 is the number of attempts. */
  backoffMs: number[];
  timeoutMs: number;
  /** Which addresses may be contacted (default: public ones only, resolved with node:dns). */
  guard?: WebhookGuard;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every attempt (record it on the job). */
  onAttempt: (a: WebhookAttempt) => Promise<void> | void;
}

export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** POSTs one payload until it is accepted (2xx) or the attempts run out; resolves with whether it was. */
export async function deliverWebhook(url: string, payload: WebhookPayload, o: DeliveryOptions): Promise<boolean> {
  const body = JSON.stringify(payload);
  const guard = o.guard ?? { allowPrivate: false };
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; attempt <= o.backoffMs.length + 1; attempt++) {
    const started = Date.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      const headers = { 'content-type': 'application/json', 'user-agent': 'Mosaic-Webhooks/1', [SIGNATURE_HEADER]: signWebhook(o.secret, body, Math.floor(Date.now() / 1000)) };
      httpStatus = await post(url, headers, body, o.timeoutMs, guard);
      // A redirect is an answer, not an instruction: never followed.
      if (httpStatus < 200 || httpStatus >= 300) error = `receiver answered ${httpStatus}`;
    } catch (e) {
      refused = e instanceof WebhookTargetRefused;
      error = refused ? `refused: ${(e as Error).message}` : (e as Error).name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : `request failed: ${(e as Error).message}`;
    }
    const ok = error === null;
    const more = !ok && !refused && attempt <= o.backoffMs.length && (httpStatus === null || retryable(httpStatus));
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
      ...(refused ? { targetRefused: true } : {}),
    });
    if (!more) return ok;
    await sleep(o.backoffMs[attempt - 1]!);
  }
  return false;
}
