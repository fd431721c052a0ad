/** POST /v1/jobs/{id}/media-cookies (lambdas/platform/api/routes/media-cookies.ts) and its AWS signer (lambdas/bootstrap/cdn-signer.ts). */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdnSignerFromEnv, extensionSecretReader, PRIVATE_KEY_CACHE_MS } from '../../../../lambdas/bootstrap/cdn-signer.js';
import { outputPrefix } from '../../../../lambdas/contracts/job-keys.js';
import { createApiApp, type ApiApp } from '../../../../lambdas/platform/api/app.js';
import { staticKeys } from '../../../../lambdas/platform/api/auth.js';
import type { MediaCookieSigner } from '../../../../lambdas/platform/api/deps.js';
import { NO_CDN_MESSAGE } from '../../../../lambdas/platform/api/routes/media-cookies.js';
import type { JobControl } from '../../../../lambdas/ports.js';
import { FsBlobStore } from '../../../../local/fs-blob-store.js';
import { LocalFileLinks } from '../../../../local/file-links.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';

const KEY = 'media-cookie-test-key';
const DOMAIN = 'd111111abcdef8.cloudfront.net';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let dir: string;
let jobs: SqliteJobStore;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mosaic-media-cookies-'));
  jobs = new SqliteJobStore(join(dir, 'jobs.db'));
  await jobs.createJob({ id: 'job-0001', spec: { source: { key: 'uploads/a/clip.mp4' }, preset: 'standard' } as never, sourceHash: null, outputPrefix: outputPrefix('job-0001') });
});
afterAll(() => {
  jobs.close();
  rmSync(dir, { recursive: true, force: true });
});

function app(engine: string, cdn?: MediaCookieSigner): ApiApp {
  return createApiApp({
    jobs,
    control: {} as JobControl,
    uploads: new LocalFileLinks({ secret: 's', baseUrl: () => 'http://127.0.0.1:9', maxUploadBytes: 1024 }),
    blobs: new FsBlobStore(join(dir, 'store')),
    auth: staticKeys([KEY]),
    engine,
    version: '0.0.0-test',
    ...(cdn ? { cdn } : {}),
  });
}

const post = (a: ApiApp, id: string, key: string | null = KEY) =>
  a.request(`/v1/jobs/${id}/media-cookies`, { method: 'POST', headers: key ? { 'x-api-key': key } : {} });

const signer = (pem = PEM): MediaCookieSigner => ({ domain: DOMAIN, keyPairId: 'K2JCJMDEHXQW5F', privateKey: async () => pem, ttlSec: 600 });

describe('POST /v1/jobs/{id}/media-cookies', () => {
  it('sets the three CloudFront cookies for /media/<jobId>/ and answers when they expire and where the outputs are', async () => {
    const before = Date.now();
    const res = await post(app('aws', signer()), 'job-0001');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { expiresAt: string; baseUrl: string };
    expect(body.baseUrl).toBe(`https://${DOMAIN}/media/job-0001/`);
    const expires = Date.parse(body.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 600_000);

    const cookies = res.headers.getSetCookie();
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']);
    for (const c of cookies) expect(c).toMatch(/; Path=\/media\/job-0001\/; Expires=[^;]+ GMT; Secure; HttpOnly; SameSite=Strict$/);
    const value = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(';')[0]!.slice(name.length + 1);
    const decode = (s: string) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
    const policy = decode(value('CloudFront-Policy'));
    expect(JSON.parse(policy.toString())).toEqual({
      Statement: [{ Resource: `https://${DOMAIN}/media/job-0001/*`, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(expires / 1000) } } }],
    });
    expect(createVerify('RSA-SHA1').update(policy).verify(publicKey, decode(value('CloudFront-Signature')))).toBe(true);
    expect(value('CloudFront-Key-Pair-Id')).toBe('K2JCJMDEHXQW5F');
  });

  it('needs an API key, and a job that exists', async () => {
    const a = app('aws', signer());
    expect((await post(a, 'job-0001', null)).status).toBe(401);
    const missing = await post(a, 'job-9999');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('answers 404 without a CDN: locally outputs are served by /files/…', async () => {
    const res = await post(app('local'), 'job-0001');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: NO_CDN_MESSAGE } });
    expect(res.headers.getSetCookie()).toEqual([]);
    const aws = await post(app('aws'), 'job-0001');
    expect(aws.status).toBe(404);
    expect(((await aws.json()) as { error: { message: string } }).error.message).toMatch(/cdn\.publicKeyPem/);
  });

  it('says the key is not installed while the secret holds no PEM private key', async () => {
    const res = await post(app('aws', signer('random-initial-secret-value')), 'job-0001');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/signing key is not installed/);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await app('local').request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/v1/jobs/{id}/media-cookies']?.post).toBeDefined();
  });
});

describe('cdnSignerFromEnv (AWS)', () => {
  const env = {
    MOSAIC_CDN_DOMAIN: DOMAIN,
    MOSAIC_CDN_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
    MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:key-AbCdEf',
    MOSAIC_CDN_COOKIE_TTL_SEC: '1800',
    AWS_SESSION_TOKEN: 'session-token',
  };

  it('is absent without the variables, and refuses some without the others', () => {
    expect(cdnSignerFromEnv({})).toBeUndefined();
    expect(() => cdnSignerFromEnv({ MOSAIC_CDN_DOMAIN: DOMAIN })).toThrow(/set together or not at all/);
  });

  it('reads the private key from the Parameters and Secrets extension with the session token, and keeps it five minutes', async () => {
    const calls: { url: string; token: string | null }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push({ url, token: new Headers(init.headers).get('x-aws-parameters-secrets-token') });
      return new Response(JSON.stringify({ SecretString: PEM }), { status: 200 });
    }) as typeof fetch;
    let t = 0;
    const s = cdnSignerFromEnv(env, extensionSecretReader(env, fetchImpl), () => t)!;
    expect(s).toMatchObject({ domain: DOMAIN, keyPairId: 'K2JCJMDEHXQW5F', ttlSec: 1800 });
    expect(await s.privateKey()).toBe(PEM);
    t = PRIVATE_KEY_CACHE_MS - 1;
    expect(await s.privateKey()).toBe(PEM);
    expect(calls).toHaveLength(1);
    t = PRIVATE_KEY_CACHE_MS;
    await s.privateKey();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({ url: `http://localhost:2773/secretsmanager/get?secretId=${encodeURIComponent(env.MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN)}`, token: 'session-token' });
  });

  it('fails a read the extension refuses (nothing cached)', async () => {
    const fetchImpl = (async () => new Response('denied', { status: 400 })) as unknown as typeof fetch;
    const s = cdnSignerFromEnv(env, extensionSecretReader(env, fetchImpl))!;
    await expect(s.privateKey()).rejects.toThrow(/answered 400/);
  });
});
