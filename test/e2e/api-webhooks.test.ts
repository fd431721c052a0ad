/**
 * Webhooks over real HTTP: a local receiver gets every state change of a job, each with a valid
 * `Mosaic-Signature`; when it answers 500 the delivery is retried with backoff, and every attempt
 * is on the job.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../lambdas/platform/api/webhooks.js';
import { startTestServer, TEST_WEBHOOK_SECRET, type TestServer } from '../helpers/api-server.js';
import { makeClip, tempDir } from '../helpers/media.js';

interface Received {
  at: number;
  signature: string | undefined;
  body: string;
}

let server: TestServer;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** How many more requests the receiver answers with 500. */
let failNext = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ at: Date.now(), signature: req.headers['mosaic-signature'] as string | undefined, body });
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('try later');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/mosaic`;
  const dir = tempDir('mosaic-api-hooks-');
  mkdirSync(join(dir, 'src'));
  // The receiver is on loopback: this server opts in to private webhook addresses (as `--allow-private-webhooks`).
  server = await startTestServer(join(dir, 'out'), { server: { webhookBackoffMs: [100, 300, 600], allowPrivateWebhooks: true } });
  (globalThis as { clipPath?: string }).clipPath = makeClip(join(dir, 'src', 'hook.mp4'), { width: 320, height: 180, seconds: 2 });
});

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe('webhooks', () => {
  it('signs like Stripe: t=<unix>,v1=<hmac of "t.body">; tampering, other secrets and old timestamps fail', () => {
    const body = '{"a":1}';
    const header = signWebhook('s3cret', body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', header, body, { nowSec: 1_700_000_010 })).toBe(true);
    expect(verifyWebhookSignature('s3cret', header, '{"a":2}', { nowSec: 1_700_000_010 })).toBe(false);
    expect(verifyWebhookSignature('other', header, body, { nowSec: 1_700_000_010 })).toBe(false);
    expect(verifyWebhookSignature('s3cret', header, body, { nowSec: 1_700_001_000 })).toBe(false);
    expect(verifyWebhookSignature('s3cret', 'garbage', body)).toBe(false);
  });

  it('delivers every state change, signed, retrying a receiver that answers 500, and records each attempt', async () => {
    failNext = 2;
    const key = await server.api.upload((globalThis as { clipPath?: string }).clipPath!);
    const submitted = await server.api.call('POST', '/v1/jobs', {
      source: { key },
      preset: 'draft',
      outputs: { hls: true, dash: false, thumbnails: false, quality: false },
      webhook: { url: receiverUrl },
    });
    expect(submitted.status).toBe(202);
    const done = await server.api.waitFor(submitted.body.id);
    expect(done.status).toBe('SUCCEEDED');
    await server.api.waitForWebhook(done.id, 'SUCCEEDED');
    await server.webhooks.idle();

    // Every request is signed with the deployment's secret over its raw body.
    for (const r of received) expect(verifyWebhookSignature(TEST_WEBHOOK_SECRET, r.signature, r.body), r.body).toBe(true);
    const ok = received.slice(2).map((r) => JSON.parse(r.body));
    expect(ok.map((p) => p.job.status)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(ok.every((p) => p.type === 'job.status_changed' && p.job.id === done.id)).toBe(true);
    // The first delivery failed twice (500) and was retried with growing pauses, same event each time.
    const first = received.slice(0, 3).map((r) => JSON.parse(r.body));
    expect(new Set(first.map((p) => p.id)).size).toBe(1);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(90);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(280);

    const view = (await server.api.call('GET', `/v1/jobs/${done.id}`)).body;
    expect(view.webhook.url).toBe(receiverUrl);
    const attempts = view.webhook.deliveries.map((d: { status: string; attempt: number; httpStatus: number; ok: boolean; nextAttemptInSec: number | null }) => [
      d.status,
      d.attempt,
      d.httpStatus,
      d.ok,
      d.nextAttemptInSec,
    ]);
    expect(attempts).toEqual([
      ['QUEUED', 1, 500, false, 0.1],
      ['QUEUED', 2, 500, false, 0.3],
      ['QUEUED', 3, 204, true, null],
      ['RUNNING', 1, 204, true, null],
      ['SUCCEEDED', 1, 204, true, null],
    ]);
  });

  it('gives up after the last attempt and says so on the job', async () => {
    received.length = 0;
    failNext = 100;
    const key = await server.api.upload((globalThis as { clipPath?: string }).clipPath!, 'again.mp4');
    const job = (await server.api.call('POST', '/v1/jobs', { source: { key }, preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false }, webhook: { url: receiverUrl } })).body;
    await server.api.waitFor(job.id);
    await server.webhooks.idle();
    const deliveries = (await server.api.call('GET', `/v1/jobs/${job.id}`)).body.webhook.deliveries;
    const queued = deliveries.filter((d: { status: string }) => d.status === 'QUEUED');
    expect(queued.map((d: { attempt: number }) => d.attempt)).toEqual([1, 2, 3, 4]);
    expect(queued.every((d: { ok: boolean }) => !d.ok)).toBe(true);
    expect(queued[3].nextAttemptInSec).toBeNull();
    failNext = 0;
  });
});
