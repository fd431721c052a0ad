/**
 * The connect-time webhook guard: a name is resolved once per attempt, every address vetted, and
 * the socket connects to a vetted address only — so a host that resolves (or re-resolves, DNS
 * rebinding) to loopback reaches nothing, and redirects are never followed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookAttempt, WebhookPayload } from '../../../../lambdas/contracts/index.js';
import { deliverWebhook, webhookProblem, type ResolveHost } from '../../../../lambdas/platform/api/webhooks.js';

let receiver: Server;
let port: number;
let hits: string[] = [];
let answer = 204;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host} ${req.url}`);
    req.resume();
    req.on('end', () => (answer === 302 ? res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end() : res.writeHead(answer).end()));
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => receiver.close(r)));
beforeEach(() => {
  hits = [];
  answer = 204;
});

const payload: WebhookPayload = { id: 'evt_1', type: 'job.status_changed', createdAt: '2025-01-01T00:00:00Z', job: { id: 'j', status: 'RUNNING', progress: 0, error: null, tags: {} } };

async function deliver(url: string, resolve: ResolveHost, allowPrivate = false): Promise<{ ok: boolean; attempts: WebhookAttempt[] }> {
  const attempts: WebhookAttempt[] = [];
  const ok = await deliverWebhook(url, payload, { secret: 's', backoffMs: [1, 1], timeoutMs: 2000, guard: { allowPrivate, resolve }, sleep: async () => {}, onAttempt: (a) => void attempts.push(a) });
  return { ok, attempts };
}

describe('webhook guard at connect', () => {
  it('refuses a name that resolves to loopback: nothing is sent, one attempt recorded, not retried', async () => {
    const { ok, attempts } = await deliver(`http://hooks.example.com:${port}/h`, async () => [{ address: '127.0.0.1', family: 4 }]);
    expect(ok).toBe(false);
    expect(hits).toEqual([]);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ ok: false, httpStatus: null, nextAttemptInSec: null });
    expect(attempts[0]!.error).toMatch(/^refused: the webhook host "hooks\.example\.com" resolves to an address that is not public: loopback/);
    // Which address is not told (the job view must not map the network).
    expect(attempts[0]!.error).not.toContain('127.0.0.1');
  });

  it('refuses when any one of the answers is private (a mixed answer is a rebinding attempt)', async () => {
    const { ok } = await deliver(`http://mixed.example.com:${port}/h`, async () => [{ address: '93.184.216.34', family: 4 }, { address: '::1', family: 6 }]);
    expect(ok).toBe(false);
    expect(hits).toEqual([]);
  });

  it('resolves once per attempt: the answer vetted is the one used (no second lookup a rebinding DNS could answer)', async () => {
    let calls = 0;
    const rebinding: ResolveHost = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '93.184.216.34', family: 4 }]);
    const { ok } = await deliver(`http://rebind.example.com:${port}/h`, rebinding);
    expect(ok).toBe(false);
    expect(calls).toBe(1);
    expect(hits).toEqual([]);
  });

  it('refuses private IP literals in every spelling without any lookup', async () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f000001', '127.1', '[::ffff:127.0.0.1]', '[::1]']) {
      let looked = false;
      const { ok, attempts } = await deliver(`http://${host}:${port}/h`, async () => ((looked = true), []));
      expect(ok, host).toBe(false);
      expect(looked).toBe(false);
      expect(attempts[0]!.error).toMatch(/^refused: the webhook address is not public/);
    }
    expect(hits).toEqual([]);
  });

  it('connects to the resolved address itself (the name does not exist in DNS; Host keeps it) and never follows a redirect', async () => {
    const resolve: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
    expect((await deliver(`http://hooks.example.com:${port}/h`, resolve, true)).ok).toBe(true);
    expect(hits).toEqual([`POST hooks.example.com:${port} /h`]);
    answer = 302;
    const redirected = await deliver(`http://hooks.example.com:${port}/h`, resolve, true);
    expect(redirected.ok).toBe(false);
    expect(redirected.attempts[0]).toMatchObject({ httpStatus: 302, error: 'receiver answered 302' });
    expect(hits.filter((h) => h.includes('/elsewhere'))).toEqual([]);
  });
});

describe('webhook check at submit', () => {
  const publicDns: ResolveHost = async () => [{ address: '93.184.216.34', family: 4 }];
  it('names the reason, resolving names with the same rules', async () => {
    expect(await webhookProblem('https://hooks.example.com/h', { allowPrivate: false, resolve: publicDns })).toBeNull();
    expect(await webhookProblem('http://169.254.169.254/', { allowPrivate: false, resolve: publicDns })).toMatch(/link-local/);
    expect(await webhookProblem('https://db.internal/h', { allowPrivate: false, resolve: async () => [{ address: '10.0.0.7', family: 4 }] })).toMatch(/RFC 1918|not public/);
    const nx = Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
    expect(await webhookProblem('https://nx.example/h', { allowPrivate: false, resolve: async () => Promise.reject(nx) })).toMatch(/does not resolve/);
    // A resolver hiccup is left to the connect-time check.
    const slow = Object.assign(new Error('timeout'), { code: 'EAI_AGAIN' });
    expect(await webhookProblem('https://slow.example/h', { allowPrivate: false, resolve: async () => Promise.reject(slow) })).toBeNull();
    expect(await webhookProblem('http://127.0.0.1:9/h', { allowPrivate: true })).toBeNull();
  });
});
