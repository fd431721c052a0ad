/**
 * `mosaic serve`'s HTTP server: the Jobs API app (lambdas/platform/api) on @hono/node-server,
 * running jobs on the embedded engine through a bounded job queue, plus the local stand-ins for
 * S3: `PUT /uploads/<token>` (sources, size-limited) and `GET /files/<token>/<key>` (sources and
 * outputs, with content types and Range requests, so HLS and DASH players can stream them), and
 * the web UI: `GET /` and every client-side route answer index.html, `/ui/*` the bundle
 * (local/ui-bundle.ts). The UI's pages need no key; its API calls carry the session cookie a
 * one-time sign-in URL (`signInUrl()`, printed by `mosaic serve`) or a pasted key sets.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { ApiErrorCodes, ConflictError } from '../lambdas/contracts/index.js';
import { createApiApp, flushRequestMetrics, type ApiApp } from '../lambdas/platform/api/app.js';
import { memorySessions, staticKeys, type ApiSessions } from '../lambdas/platform/api/auth.js';
import { SIGN_IN_PATH } from '../lambdas/platform/api/routes/session.js';
import { callerKey, type ObjectKeyError } from '../lambdas/core/object-keys.js';
import { errorResponse } from '../lambdas/platform/api/errors.js';
import type { ResolveHost } from '../lambdas/platform/api/webhooks.js';
import { logger } from '../lambdas/runtime/index.js';
import { STATE_DIR, type LocalEngine } from './engine.js';
import { LocalFileLinks } from './file-links.js';
import { READ_NOFOLLOW } from './fs-blob-store.js';
import { uploadTempName } from './leftovers.js';
import { LocalJobControl } from './job-control.js';
import { loadUiBundle, uiContentSecurityPolicy, type UiBundle } from './ui-bundle.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

export interface LocalApiServerOptions {
  engine: LocalEngine;
  apiKey: string;
  /** Signs webhook deliveries (receivers verify with it). */
  webhookSecret: string;
  /** Signs upload and download URLs. */
  linkSecret: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxUploadBytes?: number;
  maxConcurrentJobs?: number;
  webhookBackoffMs?: number[];
  webhookTimeoutMs?: number;
  /** Let webhooks reach loopback, private and link-local addresses (`--allow-private-webhooks`). */
  allowPrivateWebhooks?: boolean;
  /** Resolves webhook hosts (default node:dns; tests inject one). */
  resolveWebhookHost?: ResolveHost;
  version?: string;
  /**
   * The web UI: `lazy` (default) builds the bundle on the first page request, `eager` right after
   * the server listens (mosaic serve), `false` serves none (`GET /` is then the API's 404).
   */
  ui?: 'lazy' | 'eager' | false;
  /** Browser sessions (default: in this server's memory, 12 h idle). */
  sessions?: ApiSessions;
}

export interface LocalApiServer {
  url: string;
  port: number;
  app: ApiApp;
  control: LocalJobControl;
  webhooks: WebhookDispatcher;
  /** Jobs picked up from a previous process at start. */
  recovered: string[];
  sessions: ApiSessions;
  /** A new one-time sign-in URL for the web UI (valid 10 minutes, one use). */
  signInUrl(): string;
  /** The web UI bundle (built or read from the cache on first call). */
  uiBundle(): Promise<UiBundle>;
  /** Stops listening and suspends running jobs (they stay RUNNING and resume on the next start). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  mpd: 'application/dash+xml',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  ts: 'video/mp2t',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  vtt: 'text/vtt; charset=utf-8',
  json: 'application/json',
};

export function contentTypeOf(key: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** One `bytes=` range of a file of `size` bytes: [start, end] inclusive, null if not satisfiable, undefined if absent or not understood. */
export function parseRange(header: string | undefined, size: number): [number, number] | null | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // multi-range or malformed: serve the whole file
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return null;
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return [start, end];
}

export async function startLocalApiServer(o: LocalApiServerOptions): Promise<LocalApiServer> {
  const engine = o.engine;
  let baseUrl = '';
  const links = new LocalFileLinks({ secret: o.linkSecret, baseUrl: () => baseUrl, maxUploadBytes: o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES });
  const control = new LocalJobControl(engine, { maxConcurrentJobs: o.maxConcurrentJobs });
  const guard = { allowPrivate: o.allowPrivateWebhooks ?? false, ...(o.resolveWebhookHost ? { resolve: o.resolveWebhookHost } : {}) };
  const webhooks = new WebhookDispatcher(engine.jobs, engine.events, { secret: o.webhookSecret, backoffMs: o.webhookBackoffMs, timeoutMs: o.webhookTimeoutMs, guard });
  const auth = staticKeys([o.apiKey]);
  // Sign-in URLs sign in as the key's own principal (the same Idempotency-Key scope).
  const keyPrincipal = auth.verify(o.apiKey) as string;
  const sessions = o.sessions ?? memorySessions();
  const app = createApiApp({
    webhooks: guard,
    sessions,
    jobs: engine.jobs,
    control,
    uploads: links,
    blobs: engine.blobs,
    auth,
    engine: 'local',
    version: o.version ?? '0.1.0',
    // The same store answers the metrics routes and keeps the API's own request metrics.
    metricsQuery: engine.metrics,
    metrics: engine.metrics,
  });
  const files = fileRoutes(engine, links);
  let bundle: Promise<UiBundle> | null = null;
  const uiBundle = () =>
    (bundle ??= loadUiBundle({ cacheDir: join(engine.root, STATE_DIR, 'ui') }).then(
      (b) => {
        logger.info('web UI bundle', { hash: b.hash, fromCache: b.fromCache, ms: Math.round(b.buildMs), initialJsGzipBytes: b.initialJsGzipBytes, pageJsGzipBytes: b.pageJsGzipBytes, allJsGzipBytes: b.jsGzipBytes, cssGzipBytes: b.cssGzipBytes });
        return b;
      },
      (e: unknown) => {
        bundle = null; // try again on the next request (sources fixed meanwhile)
        throw e;
      },
    ));
  const ui = o.ui === false ? null : uiRoutes(uiBundle, () => baseUrl);
  const server = createAdaptorServer({
    fetch: (req: Request) => {
      const path = new URL(req.url).pathname;
      if (path.startsWith('/uploads/') || path.startsWith('/files/')) return files.fetch(req);
      if (ui && isUiPath(path, req.method)) return ui.fetch(req);
      return app.fetch(req);
    },
  });
  // Keep-alive longer than clients' (autocannon, players) idle gaps; headers must not stall.
  (server as Server).keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8787, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  webhooks.start();
  if (o.ui === 'eager') uiBundle().catch((e: unknown) => logger.warn('web UI not built', { error: e instanceof Error ? e.message : String(e) }));
  const recovered = (await control.recover()).map((j) => j.id);
  return {
    url: baseUrl,
    port,
    app,
    control,
    webhooks,
    recovered,
    sessions,
    signInUrl: () => `${baseUrl}${SIGN_IN_PATH}?token=${sessions.issueSignInToken(keyPrincipal)}`,
    uiBundle,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      webhooks.stop();
      await control.stop();
      // The last requests' metrics, before the engine (and its metrics store) closes.
      flushRequestMetrics(app);
    },
  };
}

function fileRoutes(engine: LocalEngine, links: LocalFileLinks): Hono {
  const files = new Hono();
  files.onError((err, c) => errorResponse(c, 500, ApiErrorCodes.Internal, 'internal error', { message: err.message.slice(0, 200) }));
  files.notFound((c) => errorResponse(c, 404, ApiErrorCodes.NotFound, `no route ${c.req.method} ${c.req.path}`));

  files.put('/uploads/:token', async (c) => {
    const claim = links.verifyUpload(c.req.param('token'));
    if (!claim) return errorResponse(c, 403, 'forbidden', 'the upload URL is invalid or has expired; ask POST /v1/uploads for a new one');
    const declared = Number(c.req.header('content-length'));
    if (Number.isFinite(declared) && declared > claim.maxBytes) return tooLarge(c, claim.maxBytes);
    const body = c.req.raw.body;
    if (!body) return errorResponse(c, 400, 'bad_request', 'the PUT has no body');
    // A ticket names a fresh key, so an object already there means this URL was used: one PUT per ticket.
    if (await engine.blobs.head(claim.key)) return usedUpload(c, claim.key);
    const tmpDir = join(engine.root, STATE_DIR, 'uploads-tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, uploadTempName(randomBytes(8).toString('hex')));
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(bytes > claim.maxBytes ? new PayloadTooLarge() : null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(body as never), limit, createWriteStream(tmp));
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof PayloadTooLarge) return tooLarge(c, claim.maxBytes);
      return errorResponse(c, 400, 'bad_request', 'the upload was interrupted');
    }
    if (bytes === 0) {
      await rm(tmp, { force: true });
      return errorResponse(c, 400, 'bad_request', 'the upload is empty');
    }
    try {
      await engine.blobs.uploadOnce(tmp, claim.key);
    } catch (e) {
      if (e instanceof ConflictError) return usedUpload(c, claim.key);
      throw e;
    }
    return c.json({ key: claim.key, bytes }, 200);
  });

  files.on(['GET', 'HEAD'], '/files/:token/*', async (c) => {
    const token = c.req.param('token');
    const prefix = `/files/${token}/`;
    // The raw path, decoded exactly once by the key choke point (never the platform's own state).
    const rawPath = new URL(c.req.url).pathname;
    let key: string;
    try {
      key = callerKey(rawPath.slice(rawPath.indexOf(prefix) + prefix.length), { field: 'path' });
    } catch (e) {
      return errorResponse(c, 403, 'forbidden', `the file URL is invalid: ${(e as ObjectKeyError).reason ?? 'malformed key'}`);
    }
    if (!links.verifyDownload(token, key)) return errorResponse(c, 403, 'forbidden', 'the file URL is invalid, has expired or does not cover this file');
    let path: string;
    let size: number;
    try {
      path = engine.blobs.pathOf(key);
      const s = await lstat(path);
      if (!s.isFile()) throw new Error('not a file');
      size = s.size;
    } catch {
      return errorResponse(c, 404, ApiErrorCodes.NotFound, `no file ${key}`);
    }
    const headers: Record<string, string> = {
      'content-type': contentTypeOf(key),
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=60',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'content-length, content-range',
    };
    const range = parseRange(c.req.header('range'), size);
    if (range === null) return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    const [start, end] = range ?? [0, size - 1];
    const length = size === 0 ? 0 : end - start + 1;
    headers['content-length'] = String(length);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    const status = range ? 206 : 200;
    if (c.req.method === 'HEAD' || length === 0) return new Response(null, { status, headers });
    // Opened without following a link swapped in since the check.
    const fh = await open(path, READ_NOFOLLOW).catch(() => null);
    if (!fh) return errorResponse(c, 404, ApiErrorCodes.NotFound, `no file ${key}`);
    return new Response(Readable.toWeb(fh.createReadStream({ start, end })) as ReadableStream, { status, headers });
  });
  return files;
}

/** The UI's paths: its assets, and GETs of anything that is not the API's or a file (client-side routes). */
export function isUiPath(path: string, method: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (path.startsWith('/ui/')) return true;
  return !(path.startsWith('/v1/') || path === '/v1' || path === '/openapi.json' || path === '/docs');
}

function uiRoutes(bundle: () => Promise<UiBundle>, baseUrl: () => string): Hono {
  const ui = new Hono();
  const security = (origin: string) => ({
    // The file links name the server's own address; a browser that opened it as `localhost` needs it named.
    'content-security-policy': uiContentSecurityPolicy([origin]),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
  });
  ui.onError((err, c) => {
    logger.warn('web UI not served', { error: err.message });
    const msg = err.message.replace(/[&<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);
    return c.html(`<!doctype html><meta charset="utf-8"><title>Mosaic</title><h1>The web UI could not be built</h1><pre>${msg.slice(0, 2000)}</pre><p>The API works: <a href="/docs">/docs</a>.</p>`, 503, {
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
  });
  ui.on(['GET', 'HEAD'], '/ui/:name', async (c) => {
    const b = await bundle();
    const a = b.assets.get(c.req.param('name'));
    if (!a) return errorResponse(c, 404, ApiErrorCodes.NotFound, `no UI file ${c.req.param('name')} (the UI was rebuilt: reload the page)`);
    return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(a.body), {
      status: 200,
      headers: {
      'content-type': a.contentType,
      'content-length': String(a.body.length),
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      },
    });
  });
  ui.on(['GET', 'HEAD'], '*', async (c) => {
    // A name with an extension (favicon.ico, robots.txt) is a file this server does not have; anything else is a client-side route.
    if (/\.[A-Za-z0-9]+$/.test(c.req.path)) return errorResponse(c, 404, ApiErrorCodes.NotFound, `no file ${c.req.path}`);
    const b = await bundle();
    return new Response(c.req.method === 'HEAD' ? null : b.indexHtml, {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...security(new URL(baseUrl()).origin) },
    });
  });
  return ui;
}

class PayloadTooLarge extends Error {}

function usedUpload(c: Context, key: string): Response {
  return errorResponse(c, 409, ApiErrorCodes.Conflict, 'this upload URL was already used (a ticket takes one PUT); ask POST /v1/uploads for a new one', { key });
}

function tooLarge(c: Context, maxBytes: number): Response {
  return errorResponse(c, 413, ApiErrorCodes.PayloadTooLarge, `the upload is over its limit of ${maxBytes} bytes`, { maxBytes });
}
