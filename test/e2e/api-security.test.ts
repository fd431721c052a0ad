/**
 * The request-hardening half of issue 10 against a real `mosaic serve` on loopback: object keys in
 * every spelling never reach `.mosaic/` (source keys, function input and output keys, file URLs),
 * private webhooks are refused at submit and at connect (DNS rebinding), deep JSON is a 400, an
 * upload URL takes one PUT, a job encodes the content it was submitted with even when the object
 * under its key is replaced, an unknown preset is a 400 naming the known ones, and `.mosaic/`
 * is 0700 with its database and secrets 0600.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from '../../bin/cli/serve.js';
import { LocalFileLinks } from '../../local/file-links.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { makeClip, tempDir } from '../helpers/media.js';

let server: TestServer;
let out: string;
let src: string;
let uploadedKey: string;
let receiver: Server;
let receiverPort: number;
const hits: string[] = [];
/** How often the rebinding host was resolved: public the first time (submit), loopback after. */
let rebindLookups = 0;

const state = () => join(out, '.mosaic');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

beforeAll(async () => {
  const dir = tempDir('mosaic-api-security-');
  out = join(dir, 'out');
  src = join(dir, 'src');
  mkdirSync(src);
  mkdirSync(join(out, '.mosaic'), { recursive: true, mode: 0o755 });
  // As `mosaic serve` makes them (an install from before the mode rule: the folder was 0755).
  loadOrCreateSecret(join(out, '.mosaic', 'api-key'), 'mk_');
  loadOrCreateSecret(join(out, '.mosaic', 'webhook-secret'), 'whsec_');
  receiver = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverPort = (receiver.address() as AddressInfo).port;
  server = await startTestServer(out, {
    server: {
      webhookBackoffMs: [20, 20],
      // No real DNS: `rebind.example.com` answers public at submit, then loopback (DNS rebinding).
      resolveWebhookHost: async (host) => {
        if (host !== 'rebind.example.com') return [{ address: '93.184.216.34', family: 4 }];
        return rebindLookups++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
      },
    },
  });
  uploadedKey = await server.api.upload(makeClip(join(src, 'small.mp4'), { width: 320, height: 180, seconds: 2 }));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => receiver?.close(r));
});

/** Spellings of the private prefix and of paths outside the root, as JSON strings. */
const HOSTILE_KEYS = [
  '.mosaic/api-key',
  './.mosaic/api-key',
  './.mosaic/mosaic.db',
  './/.mosaic/mosaic.db',
  './/.mosaic',
  '%2emosaic/api-key',
  '%2Emosaic/mosaic.db',
  '%2e%2e/%2e%2e/etc/passwd',
  '%2E%2E/etc/passwd',
  'uploads/../.mosaic/api-key',
  'a/../.mosaic/mosaic.db',
  '..\\.mosaic\\api-key',
  '.mosaic\\api-key',
  'uploads/x\u0000.mp4',
  'uploads/x%00.mp4',
  '/etc/passwd',
  `${'/'}${'tmp'}/x.mp4`,
  '.MOSAIC/mosaic.db',
];

describe('object keys', () => {
  it('refuses every hostile spelling of a source key with a 400 naming body.source.key (submit and preflight)', async () => {
    for (const key of HOSTILE_KEYS)
      for (const path of ['/v1/jobs', '/v1/jobs/preflight']) {
        const r = await server.api.call('POST', path, { source: { key }, preset: 'draft' });
        expect(r.status, `${path} ${JSON.stringify(key)}`).toBe(400);
        expect(r.body.error.code).toBe('validation_failed');
        expect(r.body.error.details.issues[0].path).toBe('body.source.key');
      }
    expect((await server.api.call('GET', '/v1/jobs')).body.jobs).toEqual([]);
  });

  it('refuses them as function input and output keys and prefixes; the database and API key stay as they were', async () => {
    const db = join(state(), 'mosaic.db');
    const before = { key: sha(join(state(), 'api-key')), dbIno: statSync(db).ino };
    for (const key of HOSTILE_KEYS) {
      const inputs = [
        ['inspect', { source: { key }, limits: { maxBytes: 1e9, maxDurationSec: 3600 } }, 'body.input.source.key'],
        ['encode-video', { source: { key: uploadedKey }, output: { key } }, 'body.input.output.key'],
        ['thumbnails', { source: { key: uploadedKey }, outputPrefix: key.endsWith('/') ? key : `${key}/` }, 'body.input.outputPrefix'],
      ] as const;
      for (const [fn, input, field] of inputs) {
        const r = await server.api.call('POST', `/v1/functions/${fn}/invocations`, { input });
        expect(r.status, `${fn} ${JSON.stringify(key)}`).toBe(400);
        expect(r.body.error.details.issues[0].path, `${fn} ${JSON.stringify(key)}`).toBe(field);
      }
    }
    expect(sha(join(state(), 'api-key'))).toBe(before.key);
    expect(statSync(db).ino).toBe(before.dbIno);
    // Still serving, database intact.
    expect((await server.api.call('GET', '/v1/health')).status).toBe(200);
    expect((await server.api.call('GET', '/v1/jobs')).status).toBe(200);
  });

  it('never serves .mosaic/ through a file URL, however the path is spelt', async () => {
    // A valid download URL for the upload's folder (signed as the server signs them).
    const url = await new LocalFileLinks({ secret: 'links-secret', baseUrl: () => server.url, maxUploadBytes: 1 }).downloadUrl(uploadedKey);
    expect((await fetch(url)).status).toBe(200);
    const base = url.slice(0, url.lastIndexOf('/') + 1);
    for (const tail of ['%2e%2e/%2e%2e/.mosaic/api-key', '..%2f..%2f.mosaic%2fapi-key', '%2E%2E/%2E%2E/.mosaic/mosaic.db', '.%2f.%2f.mosaic/api-key', '%252e%252e/x', 'x%5c..%5c..%5c.mosaic%5capi-key']) {
      const res = await fetch(`${base}${tail}`);
      expect(res.status, tail).toBe(403);
      expect(await res.text()).not.toContain('mk_');
    }
  });
});

describe('webhooks', () => {
  const PRIVATE = [
    'http://127.0.0.1/h',
    'http://127.1/h',
    'http://2130706433/h',
    'http://0x7f000001/h',
    'http://0177.0.0.1/h',
    'http://localhost/h',
    'http://[::1]/h',
    'http://[::ffff:127.0.0.1]/h',
    'http://[::ffff:7f00:1]/h',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/h',
    'http://[fd00::1]/h',
    'http://10.0.0.1/h',
    'http://172.16.5.4/h',
    'http://192.168.0.10/h',
    'http://100.64.0.1/h',
    'http://0.0.0.0/h',
    'http://224.0.0.1/h',
    'http://255.255.255.255/h',
    'http://[64:ff9b::10.0.0.1]/h',
  ];

  it('refuses every private spelling at submit with a 400 naming body.webhook.url', async () => {
    for (const url of PRIVATE) {
      const r = await server.api.call('POST', '/v1/jobs', { source: { key: uploadedKey }, preset: 'draft', webhook: { url } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.details.issues[0].path, url).toBe('body.webhook.url');
      expect(r.body.error.message, url).toMatch(/not public/);
    }
  });

  it('refuses at connect a host that resolved public at submit and loopback after (DNS rebinding): nothing reaches the receiver', async () => {
    const r = await server.api.call('POST', '/v1/jobs', {
      source: { key: uploadedKey },
      preset: 'draft',
      outputs: { hls: true, dash: false, thumbnails: false, quality: false },
      webhook: { url: `http://rebind.example.com:${receiverPort}/hook` },
    });
    expect(r.status).toBe(202);
    await server.api.waitFor(r.body.id, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 120_000);
    await server.webhooks.idle();
    const view = (await server.api.call('GET', `/v1/jobs/${r.body.id}`)).body;
    expect(view.webhook.deliveries.length).toBeGreaterThan(0);
    for (const d of view.webhook.deliveries) {
      expect(d).toMatchObject({ ok: false, httpStatus: null, nextAttemptInSec: null });
      expect(d.error).toMatch(/^refused: .* not public: loopback/);
    }
    expect(hits).toEqual([]);
  }, 130_000);
});

describe('requests', () => {
  it('answers 10,000 nested arrays with a 400, on every JSON route, and keeps serving', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const [path, body] of [
      ['/v1/functions/inspect/invocations', `{"input":{"x":${deep}}}`],
      ['/v1/jobs', `{"source":{"key":"uploads/a.mp4"},"tags":${deep}}`],
      ['/v1/jobs/preflight', deep],
      ['/v1/uploads', `{"filename":${deep}}`],
    ]) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'x-api-key': server.api.key!, 'content-type': 'application/json' }, body });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/nested more than 64 levels/);
    }
    expect((await server.api.call('GET', '/v1/health')).status).toBe(200);
  });

  it('refuses an unknown preset at submit and preflight, naming the known ones', async () => {
    for (const path of ['/v1/jobs', '/v1/jobs/preflight']) {
      const r = await server.api.call('POST', path, { source: { key: uploadedKey }, preset: 'ultra' });
      expect(r.status, path).toBe(400);
      expect(r.body.error.message).toMatch(/unknown preset "ultra"; known presets: default, per-title, draft, hevc/);
      expect(r.body.error.details.known).toEqual(expect.arrayContaining(['default', 'draft']));
    }
  });

  it('takes one PUT per upload URL: a second is refused with 409 and the first content stays', async () => {
    const first = readFileSync(makeClip(join(src, 'once.mp4'), { width: 160, height: 90, seconds: 1 }));
    const ticket = await server.api.call('POST', '/v1/uploads', { filename: 'once.mp4', bytes: first.length + 1000, contentType: 'video/mp4' });
    expect(ticket.status).toBe(201);
    const put = (body: Buffer) => fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body });
    expect((await put(first)).status).toBe(200);
    const again = await put(Buffer.from('something else entirely'));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/already used/);
    expect(Buffer.compare(await server.engine.blobs.getBytes(ticket.body.key), first)).toBe(0);
  });
});

describe('a job pins its source', () => {
  it('encodes the content it was submitted with, though the object under its key is rewritten right after', async () => {
    const key = await server.api.upload(makeClip(join(src, 'pinned.mp4'), { width: 320, height: 180, seconds: 3 }));
    const r = await server.api.call('POST', '/v1/jobs', { source: { key }, preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false } });
    expect(r.status).toBe(202);
    // Rewritten in place (same inode), with a bigger picture.
    writeFileSync(server.engine.blobs.pathOf(key), readFileSync(makeClip(join(src, 'other.mp4'), { width: 640, height: 360, seconds: 2 })));
    expect((await server.api.call('POST', '/v1/jobs/preflight', { source: { key }, preset: 'draft' })).body.source.video.height).toBe(360);
    const done = await server.api.waitFor(r.body.id, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('SUCCEEDED');
    expect(done.spec.source.key).toBe(key);
    expect(Math.max(...done.renditions.map((x: { height: number }) => x.height))).toBe(180);
  }, 130_000);
});

describe('file modes', () => {
  it('.mosaic/ is 0700; the database (and -wal, -shm), API key and webhook secret are 0600, fixed at start', () => {
    expect(statSync(state()).mode & 0o777).toBe(0o700);
    for (const f of ['mosaic.db', 'mosaic.db-wal', 'mosaic.db-shm', 'api-key', 'webhook-secret']) expect(statSync(join(state(), f)).mode & 0o777, f).toBe(0o600);
  });
});
