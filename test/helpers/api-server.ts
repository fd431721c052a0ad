/** Test helpers for the Jobs API: an in-process `mosaic serve` on a free loopback port, and a tiny client. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine, type LocalEngineOptions } from '../../local/engine.js';
import { startLocalApiServer, type LocalApiServer, type LocalApiServerOptions } from '../../local/api-server.js';
import { VMAF_MODEL } from './media.js';

export const TEST_API_KEY = 'test-key-0123456789abcdef';
export const TEST_WEBHOOK_SECRET = 'whsec_test_0123456789';

export interface TestServer extends LocalApiServer {
  engine: LocalEngine;
  api: ApiClient;
  stop(): Promise<void>;
}

export async function startTestServer(
  root: string,
  o: { engine?: Partial<LocalEngineOptions>; server?: Partial<Omit<LocalApiServerOptions, 'engine'>> } = {},
): Promise<TestServer> {
  const engine = await LocalEngine.open({
    root,
    runtime: {
      searchPath: (process.env.PATH ?? '').split(':'),
      cacheDir: tmpdir(),
      allowModelDownload: false,
      ffmpegTimeoutMs: 120_000,
      ...(existsSync(VMAF_MODEL) ? { vmafModelPath: VMAF_MODEL } : {}),
    },
    ...o.engine,
    testing: { retryIntervalMs: 10, ...o.engine?.testing },
  });
  const server = await startLocalApiServer({
    engine,
    apiKey: TEST_API_KEY,
    webhookSecret: TEST_WEBHOOK_SECRET,
    linkSecret: 'links-secret',
    port: 0,
    ...o.server,
  });
  return {
    ...server,
    engine,
    api: new ApiClient(server.url, TEST_API_KEY),
    async stop() {
      await server.close();
      engine.close();
    },
  };
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    readonly url: string,
    readonly key: string | null,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(this.key ? { 'x-api-key': this.key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** POST /v1/uploads, then PUT the file where it says; returns the key. */
  async upload(path: string, filename = path.split('/').pop()!): Promise<string> {
    const bytes = await readFile(path);
    const ticket = await this.call('POST', '/v1/uploads', { filename, bytes: bytes.length, contentType: 'video/mp4' });
    if (ticket.status !== 201) throw new Error(`upload ticket: ${ticket.status} ${JSON.stringify(ticket.body)}`);
    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
    if (put.status !== 200) throw new Error(`upload PUT: ${put.status} ${await put.text()}`);
    return ticket.body.key;
  }

  /** Polls GET /v1/jobs/{id} until the job is in one of `statuses`. */
  async waitFor(id: string, statuses: string[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'], timeoutMs = 300_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.call('GET', `/v1/jobs/${id}`);
      if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      if (statuses.includes(r.body.status)) return r.body;
      if (Date.now() > until) throw new Error(`job ${id} still ${r.body.status} after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 150));
    }
  }

  /**
   * Polls the job view until the webhook delivery of `status` has ended (delivered, or no attempt
   * left). The job's end is announced just after it is stored, so a job seen ended may not have
   * started that delivery yet.
   */
  async waitForWebhook(id: string, status: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const view = (await this.call('GET', `/v1/jobs/${id}`)).body;
      const ended = (view.webhook?.deliveries ?? []).some((d: { status: string; ok: boolean; nextAttemptInSec: number | null }) => d.status === status && (d.ok || d.nextAttemptInSec === null));
      if (ended) return;
      if (Date.now() > until) throw new Error(`job ${id}: no ended ${status} webhook delivery after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

export const sourceDir = (root: string) => join(root, 'src');
