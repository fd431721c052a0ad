/**
 * Lambda entry point of webhook delivery on AWS (CDK points the `Job Status Changed` rule's
 * target at this file): `platform/job-events` with the API's signing and delivery
 * (`platform/api/webhooks.ts`), the job table for records and the secret.
 *
 *   MOSAIC_TABLE                   required
 *   MOSAIC_WEBHOOK_BACKOFF_MS      pauses between attempts within one invocation, comma list (default 2000,10000,30000)
 *   MOSAIC_WEBHOOK_TIMEOUT_MS      per attempt (default 10000); keep the sum under the Lambda timeout
 *   MOSAIC_WEBHOOK_REDELIVERY_SEC  Lambda's async retry delays, for `nextAttemptInSec` (default 60,120: two retries)
 *   MOSAIC_ALLOW_PRIVATE_WEBHOOKS  `true` lets webhooks reach private addresses (default false: public only)
 */
import { deliverWebhook, webhookPayload } from '../platform/api/webhooks.js';
import { createJobEventsHandler, loadOrCreateWebhookSecret, type JobEventsResult } from '../platform/job-events/handler.js';
import { awsJobStore } from './aws-deps.js';
import { booleanEnv, numberEnv, type Env } from './env.js';

export const DEFAULT_IN_INVOCATION_BACKOFF_MS = [2_000, 10_000, 30_000];
export const DEFAULT_REDELIVERY_SEC = [60, 120];

function numberList(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isFinite(n) || n < 0)) throw new Error(`environment variable ${name} must be a comma list of non-negative numbers, got "${raw}"`);
  return list;
}

export function createJobEvents(env: Env = process.env): (event: unknown) => Promise<JobEventsResult> {
  const jobs = awsJobStore(env);
  // The same guard as the API's submit check and the local dispatcher: public addresses only, resolved once per attempt.
  const guard = { allowPrivate: booleanEnv(env, 'MOSAIC_ALLOW_PRIVATE_WEBHOOKS', false) };
  let secret: Promise<string> | null = null;
  return createJobEventsHandler({
    jobs,
    webhooks: { payload: webhookPayload, deliver: (url, payload, o) => deliverWebhook(url, payload, { ...o, guard }) },
    // Read once per warm container; a failed read is tried again on the next event.
    secret: () =>
      (secret ??= loadOrCreateWebhookSecret(jobs).catch((e: unknown) => {
        secret = null;
        throw e;
      })),
    backoffMs: numberList(env, 'MOSAIC_WEBHOOK_BACKOFF_MS', DEFAULT_IN_INVOCATION_BACKOFF_MS),
    timeoutMs: numberEnv(env, 'MOSAIC_WEBHOOK_TIMEOUT_MS', 10_000, { integer: true }),
    redeliveryDelaysSec: numberList(env, 'MOSAIC_WEBHOOK_REDELIVERY_SEC', DEFAULT_REDELIVERY_SEC),
  });
}

let cached: ((event: unknown) => Promise<JobEventsResult>) | null = null;

export const handler = (event: unknown): Promise<JobEventsResult> => {
  cached ??= createJobEvents();
  return cached(event);
};
