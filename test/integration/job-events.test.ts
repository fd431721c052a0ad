/**
 * Webhooks on AWS: the job-events Lambda (lambdas/bootstrap/job-events.ts → platform/job-events)
 * against dynalite and a local HTTP receiver: signed deliveries, retries with backoff within an
 * invocation and across Lambda's retries, every attempt recorded on the job.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { createJobEvents } from '../../lambdas/bootstrap/job-events.js';
import { WEBHOOK_DELIVERY_DETAIL_TYPE, WebhookPayloadSchema, type JobSpec, type WebhookAttempt } from '../../lambdas/contracts/index.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../lambdas/platform/api/webhooks.js';
import { loadOrCreateWebhookSecret } from '../../lambdas/platform/job-events/handler.js';
import type { JobStore } from '../../lambdas/ports.js';
import { emulatorEnv, startDynamo, type DynamoEmulator } from './emulators.js';

interface Received {
  at: number;
  signature: string | undefined;
  body: string;
}

let dynamo: DynamoEmulator;
let receiver: Server;
let base: string;
let env: Record<string, string>;
let jobs: JobStore;
const received: Received[] = [];
/** Status codes the receiver answers with, in order; 204 once they run out. */
let answers: number[] = [];

beforeAll(async () => {
  dynamo = await startDynamo('mosaic');
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ at: Date.now(), signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, body });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  env = {
    ...emulatorEnv({ dynamodb: dynamo.endpoint }),
    MOSAIC_TABLE: 'mosaic',
    MOSAIC_WEBHOOK_BACKOFF_MS: '50,100',
    MOSAIC_WEBHOOK_TIMEOUT_MS: '2000',
    MOSAIC_WEBHOOK_REDELIVERY_SEC: '60,120',
    // The receiver is on loopback: opt in to private webhook addresses (the stack's allowPrivateWebhooks).
    MOSAIC_ALLOW_PRIVATE_WEBHOOKS: 'true',
  };
  jobs = awsJobStore(env);
});

afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await dynamo?.close();
});

beforeEach(() => {
  received.length = 0;
  answers = [];
});

let n = 0;
async function jobWithWebhook(webhook = true): Promise<string> {
  const id = `hook-job-${++n}`;
  const spec = { source: { key: 'uploads/a/clip.mp4' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: { order: String(n) }, ...(webhook ? { webhook: { url: `${base}/hooks/${n}` } } : {}) } as JobSpec;
  await jobs.createJob({ id, spec, sourceHash: null, outputPrefix: `${id}/` });
  return id;
}

const statusEvent = (eventId: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: eventId,
  'detail-type': 'Job Status Changed',
  source: 'mosaic',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

const attemptsOf = async (jobId: string): Promise<WebhookAttempt[]> =>
  (await jobs.listEvents(jobId)).filter((e) => e.detailType === WEBHOOK_DELIVERY_DETAIL_TYPE).map((e) => e.detail as WebhookAttempt);

describe('job-events Lambda: webhooks', () => {
  it('POSTs the state change with a valid Mosaic-Signature and records the attempt on the job', async () => {
    const id = await jobWithWebhook();
    const result = await createJobEvents(env)(statusEvent('ev-1', { jobId: id, status: 'QUEUED' }));
    expect(result).toEqual({ status: 'delivered', jobId: id, eventId: 'evt_ev-1', attempts: 1 });
    expect(received).toHaveLength(1);
    const secret = await loadOrCreateWebhookSecret(jobs);
    expect(verifyWebhookSignature(secret, received[0]!.signature, received[0]!.body)).toBe(true);
    expect(verifyWebhookSignature('another-secret-entirely-000000000000', received[0]!.signature, received[0]!.body)).toBe(false);
    const payload = WebhookPayloadSchema.parse(JSON.parse(received[0]!.body));
    expect(payload).toMatchObject({ id: 'evt_ev-1', type: 'job.status_changed', createdAt: '2025-01-01T00:00:00Z', job: { id, status: 'QUEUED', tags: { order: String(n) } } });
    expect(await attemptsOf(id)).toEqual([
      expect.objectContaining({ eventId: 'evt_ev-1', status: 'QUEUED', attempt: 1, ok: true, httpStatus: 204, error: null, nextAttemptInSec: null, url: `${base}/hooks/${n}` }),
    ]);
  });

  it('retries a 500 with backoff within the invocation; every attempt is recorded with the same event id', async () => {
    const id = await jobWithWebhook();
    answers = [500, 503];
    const result = await createJobEvents(env)(statusEvent('ev-2', { jobId: id, status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'not a video' } }));
    expect(result).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(received).toHaveLength(3);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(45);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(95);
    const ids = received.map((r) => JSON.parse(r.body).id);
    expect(new Set(ids)).toEqual(new Set(['evt_ev-2']));
    expect(JSON.parse(received[2]!.body).job).toMatchObject({ status: 'FAILED', error: { code: 'Mosaic.InputInvalid' } });
    const attempts = await attemptsOf(id);
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.ok, a.nextAttemptInSec])).toEqual([
      [1, 500, false, 0.05],
      [2, 503, false, 0.1],
      [3, 204, true, null],
    ]);
    expect(attempts[0]!.error).toBe('receiver answered 500');
  });

  it('fails the invocation when the receiver keeps failing, so Lambda retries it; attempts number on across retries, then it is delivered once', async () => {
    const id = await jobWithWebhook();
    const handler = createJobEvents(env);
    const event = statusEvent('ev-3', { jobId: id, status: 'SUCCEEDED' });
    answers = Array(9).fill(500);
    await expect(handler(event)).rejects.toMatchObject({ name: 'Mosaic.WebhookDeliveryFailed', message: expect.stringMatching(/after 3 attempt/) });
    // Lambda's first retry (about a minute later), and its second.
    await expect(handler(event)).rejects.toThrow(/after 6 attempt/);
    await expect(handler(event)).rejects.toThrow(/after 9 attempt/);
    let attempts = await attemptsOf(id);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The last attempt of each invocation says when Lambda tries again; after the last retry, nothing (the DLQ has it).
    expect(attempts.filter((a) => a.attempt % 3 === 0).map((a) => a.nextAttemptInSec)).toEqual([60, 120, null]);
    // Redriven from the dead-letter queue once the receiver is back: delivered, then never again.
    expect(await handler(event)).toMatchObject({ status: 'delivered', attempts: 10 });
    expect(await handler(event)).toMatchObject({ status: 'already-delivered', attempts: 10 });
    expect(received).toHaveLength(10);
    attempts = await attemptsOf(id);
    expect(attempts.at(-1)).toMatchObject({ attempt: 10, ok: true, httpStatus: 204 });
  });

  it('does not retry a receiver that refuses the request (4xx other than 408/429)', async () => {
    const id = await jobWithWebhook();
    answers = [410];
    const handler = createJobEvents(env);
    const event = statusEvent('ev-4', { jobId: id, status: 'RUNNING' });
    expect(await handler(event)).toMatchObject({ status: 'refused', attempts: 1 });
    expect(await handler(event)).toMatchObject({ status: 'refused', attempts: 1 });
    expect(received).toHaveLength(1);
    expect(await attemptsOf(id)).toEqual([expect.objectContaining({ attempt: 1, httpStatus: 410, ok: false, nextAttemptInSec: null })]);
  });

  it('sends the state of the event, not the state the job has moved on to', async () => {
    const id = await jobWithWebhook();
    await jobs.updateJob(id, { status: 'SUCCEEDED', progress: 1 });
    await createJobEvents(env)(statusEvent('ev-5', { jobId: id, status: 'QUEUED' }));
    expect(JSON.parse(received[0]!.body).job).toMatchObject({ id, status: 'QUEUED' });
  });

  it('ignores jobs without a webhook, unknown jobs and other events, sending nothing', async () => {
    const plain = await jobWithWebhook(false);
    const handler = createJobEvents(env);
    expect(await handler(statusEvent('ev-6', { jobId: plain, status: 'QUEUED' }))).toEqual({ status: 'ignored', reason: 'the job has no webhook' });
    expect(await handler(statusEvent('ev-7', { jobId: 'no-such-job', status: 'QUEUED' }))).toEqual({ status: 'ignored', reason: 'no job no-such-job' });
    expect(await handler({ 'detail-type': 'Step Progress', id: 'x', detail: {} })).toMatchObject({ status: 'ignored' });
    expect(await handler(null)).toMatchObject({ status: 'ignored' });
    expect(received).toEqual([]);
    expect(await attemptsOf(plain)).toEqual([]);
  });

  it('with the default configuration (no opt-in) refuses a loopback webhook at connect: nothing sent, the refusal recorded once and final (no Lambda retry, no dead letter)', async () => {
    const { MOSAIC_ALLOW_PRIVATE_WEBHOOKS: _optIn, ...defaults } = env;
    const id = await jobWithWebhook();
    const handler = createJobEvents(defaults);
    const event = statusEvent('ev-8', { jobId: id, status: 'SUCCEEDED' });
    expect(await handler(event)).toMatchObject({ status: 'refused', attempts: 1 });
    // A redelivery of the same event (a retry, a redrive) finds the refusal and sends nothing.
    expect(await handler(event)).toMatchObject({ status: 'refused', attempts: 1 });
    expect(received).toEqual([]);
    // One attempt, not retried (the guard would answer the same), and no next attempt announced.
    expect(await attemptsOf(id)).toEqual([
      expect.objectContaining({ eventId: 'evt_ev-8', attempt: 1, ok: false, httpStatus: null, targetRefused: true, nextAttemptInSec: null, url: `${base}/hooks/${n}`, error: expect.stringMatching(/^refused: .*not public: loopback/) }),
    ]);
  });

  it('creates the signing secret once and shares it between cold starts', async () => {
    const a = await loadOrCreateWebhookSecret(jobs);
    const b = await loadOrCreateWebhookSecret(awsJobStore(env));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });
});
