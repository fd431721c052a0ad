/**
 * Browser sessions: the one-time sign-in URL, signing in with a pasted key, the cookie's flags,
 * the CSRF header and same-origin checks on cookie-authenticated changes, idle expiry, sign-out,
 * and an app without sessions (AWS) answering as before.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp, type ApiApp } from '../../../../lambdas/platform/api/app.js';
import { CSRF_HEADER, memorySessions, SESSION_IDLE_MS, SIGN_IN_TOKEN_TTL_MS, staticKeys, type ApiSessions } from '../../../../lambdas/platform/api/auth.js';
import { FsBlobStore } from '../../../../local/fs-blob-store.js';
import { LocalFileLinks } from '../../../../local/file-links.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';
import { apiFixture, FakeControl, KEY, type Fixture } from './fixture.js';

const ORIGIN = 'http://127.0.0.1:8787';
let clock = 0;
let jobs: SqliteJobStore;
let app: ApiApp;
let sessions: ApiSessions;
const principal = staticKeys([KEY]).verify(KEY) as string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-session-'));
  jobs = new SqliteJobStore(join(dir, 'jobs.db'));
  const blobs = new FsBlobStore(join(dir, 'store'));
  await blobs.putBytes('uploads/a/clip.mp4', 'not really a video', 'video/mp4');
  sessions = memorySessions({ now: () => clock });
  let n = 0;
  app = createApiApp({
    jobs,
    control: new FakeControl(jobs),
    uploads: new LocalFileLinks({ secret: 's', baseUrl: () => ORIGIN, maxUploadBytes: 1024 * 1024 }),
    blobs,
    auth: staticKeys([KEY]),
    sessions,
    engine: 'test',
    version: '0.0.0-test',
    newJobId: () => `job-${String(++n).padStart(4, '0')}`,
  });
});
afterAll(() => jobs.close());
beforeEach(() => {
  clock = 1_000_000;
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(method: string, path: string, o: { cookie?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(o.cookie ? { cookie: `mosaic_session=${o.cookie}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers };
  const res = await app.request(`${ORIGIN}${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML
  }
  return { status: res.status, headers: res.headers, text, body };
}

const cookieOf = (a: Answer): string => {
  const m = /^mosaic_session=([^;]*)/.exec(a.headers.get('set-cookie') ?? '');
  if (!m) throw new Error(`no session cookie in ${a.headers.get('set-cookie')}`);
  return m[1]!;
};

/** Signs in with a fresh one-time token; the session id. */
async function signIn(): Promise<string> {
  const a = await call('GET', `/v1/session/signin?token=${sessions.issueSignInToken(principal)}`);
  expect(a.status).toBe(303);
  return cookieOf(a);
}

const submit = { source: { key: 'uploads/a/clip.mp4' }, preset: 'draft' };
const CSRF = { [CSRF_HEADER]: '1' };

describe('the one-time sign-in URL', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and redirects to the UI, once', async () => {
    const token = sessions.issueSignInToken(principal);
    const first = await call('GET', `/v1/session/signin?token=${token}`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^mosaic_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure'); // plain http on loopback
    expect(first.headers.get('cache-control')).toBe('no-store');

    const again = await call('GET', `/v1/session/signin?token=${token}`);
    expect(again.status).toBe(401);
    expect(again.headers.get('content-type')).toMatch(/text\/html/);
    expect(again.text).toMatch(/already used|expired/);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('answers an unknown, empty or expired token with a page saying so (never a 5xx)', async () => {
    for (const q of ['?token=nope', '', '?token=', `?token=${'x'.repeat(199)}`]) {
      const a = await call('GET', `/v1/session/signin${q}`);
      expect(a.status, q).toBe(401);
      expect(a.text).toContain('does not work');
    }
    const token = sessions.issueSignInToken(principal);
    clock += SIGN_IN_TOKEN_TTL_MS + 1;
    expect((await call('GET', `/v1/session/signin?token=${token}`)).status).toBe(401);
  });

  it('marks the cookie Secure over https', async () => {
    const res = await app.request(`https://mosaic.example/v1/session/signin?token=${sessions.issueSignInToken(principal)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toContain('Secure');
  });
});

describe('a cookie session', () => {
  it('authenticates reads as the key would', async () => {
    const sid = await signIn();
    const who = await call('GET', '/v1/session', { cookie: sid });
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ signedIn: true, via: 'session', sessions: true });
    expect((await call('GET', '/v1/jobs', { cookie: sid })).status).toBe(200);
    expect((await call('GET', '/v1/jobs', { cookie: 'forged' })).status).toBe(401);
    expect((await call('GET', '/v1/jobs')).status).toBe(401);
  });

  it('says how one stands without a 401 when signed out (the UI first asks that), but a wrong key is still one', async () => {
    for (const cookie of [undefined, 'forged']) {
      const r = await call('GET', '/v1/session', { cookie });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ signedIn: false, via: null, sessions: true, idleTimeoutSec: 43200 });
    }
    expect((await call('GET', '/v1/session', { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
    expect((await call('GET', '/v1/session', { headers: { 'x-api-key': KEY } })).body).toMatchObject({ signedIn: true, via: 'key' });
  });

  it('refuses a state change without the CSRF header (403), and passes it with the header', async () => {
    const sid = await signIn();
    const bare = await call('POST', '/v1/jobs', { cookie: sid, body: submit });
    expect(bare.status).toBe(403);
    expect(bare.body.error.code).toBe('forbidden');
    expect(bare.body.error.message).toContain(CSRF_HEADER);
    const wrong = await call('POST', '/v1/jobs', { cookie: sid, body: submit, headers: { [CSRF_HEADER]: 'yes' } });
    expect(wrong.status).toBe(403);
    const ok = await call('POST', '/v1/jobs', { cookie: sid, body: submit, headers: CSRF });
    expect(ok.status, ok.text).toBe(202);
    // Other state changes too: cancel passes auth (and the job's own rules answer).
    const cancel = await call('POST', `/v1/jobs/${ok.body.id}/cancel`, { cookie: sid });
    expect(cancel.status).toBe(403);
    expect((await call('POST', `/v1/jobs/${ok.body.id}/cancel`, { cookie: sid, headers: CSRF })).status).toBe(200);
  });

  it('refuses a cross-origin Origin or a cross-site fetch, accepts its own origin', async () => {
    const sid = await signIn();
    const evil = await call('POST', '/v1/uploads', { cookie: sid, body: { filename: 'a.mp4', bytes: 10 }, headers: { ...CSRF, origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('forbidden');
    expect(evil.body.error.message).toMatch(/cross-origin/);
    const port = await call('POST', '/v1/uploads', { cookie: sid, body: { filename: 'a.mp4', bytes: 10 }, headers: { ...CSRF, origin: 'http://127.0.0.1:9999' } });
    expect(port.status).toBe(403);
    const site = await call('POST', '/v1/uploads', { cookie: sid, body: { filename: 'a.mp4', bytes: 10 }, headers: { ...CSRF, 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    const own = await call('POST', '/v1/uploads', { cookie: sid, body: { filename: 'a.mp4', bytes: 10 }, headers: { ...CSRF, origin: ORIGIN, 'sec-fetch-site': 'same-origin' } });
    expect(own.status, own.text).toBe(201);
  });

  it('ends after 12 hours idle, and lives on while used', async () => {
    const sid = await signIn();
    clock += SESSION_IDLE_MS - 1000;
    expect((await call('GET', '/v1/jobs', { cookie: sid })).status).toBe(200);
    clock += SESSION_IDLE_MS - 1000; // idle again, but less than 12 h since the last use
    expect((await call('GET', '/v1/jobs', { cookie: sid })).status).toBe(200);
    clock += SESSION_IDLE_MS;
    const late = await call('GET', '/v1/jobs', { cookie: sid });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toMatch(/sign in again/);
    expect((await call('GET', '/v1/session', { cookie: sid })).body.signedIn).toBe(false);
  });

  it('signs out: DELETE ends the session and clears the cookie (with the CSRF header)', async () => {
    const sid = await signIn();
    expect((await call('DELETE', '/v1/session', { cookie: sid })).status).toBe(403);
    const out = await call('DELETE', '/v1/session', { cookie: sid, headers: CSRF });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ signedIn: false });
    expect(out.headers.get('set-cookie')).toMatch(/^mosaic_session=; .*Max-Age=0/);
    expect((await call('GET', '/v1/jobs', { cookie: sid })).status).toBe(401);
  });
});

describe('signing in with a pasted key', () => {
  it('sets the cookie for a valid key and refuses another (401)', async () => {
    const bad = await call('POST', '/v1/session', { body: { apiKey: 'not-the-key' }, headers: CSRF });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const ok = await call('POST', '/v1/session', { body: { apiKey: KEY }, headers: { ...CSRF, origin: ORIGIN } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ signedIn: true, via: 'session' });
    const flags = ok.headers.get('set-cookie')!;
    expect(flags).toContain('HttpOnly');
    expect(flags).toContain('SameSite=Strict');
    const sid = cookieOf(ok);
    expect((await call('GET', '/v1/jobs', { cookie: sid })).status).toBe(200);
  });

  it('needs the CSRF header and its own origin (no sign-in from another site)', async () => {
    expect((await call('POST', '/v1/session', { body: { apiKey: KEY } })).status).toBe(403);
    expect((await call('POST', '/v1/session', { body: { apiKey: KEY }, headers: { ...CSRF, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await call('POST', '/v1/session', { body: {}, headers: CSRF })).status).toBe(400);
  });

  it('keeps the Idempotency-Key scope of the key: a job submitted by session and by key is the same job', async () => {
    const sid = await signIn();
    const a = await call('POST', '/v1/jobs', { cookie: sid, body: submit, headers: { ...CSRF, 'idempotency-key': 'same-one' } });
    const b = await call('POST', '/v1/jobs', { body: submit, headers: { 'x-api-key': KEY, 'idempotency-key': 'same-one' } });
    expect(a.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
  });
});

describe('API keys, as before', () => {
  it('need no CSRF header, also with a stale cookie beside them', async () => {
    const r = await call('POST', '/v1/jobs', { body: submit, headers: { 'x-api-key': KEY, cookie: 'mosaic_session=stale' } });
    expect(r.status).toBe(202);
    const who = await call('GET', '/v1/session', { headers: { authorization: `Bearer ${KEY}` } });
    expect(who.body).toMatchObject({ via: 'key' });
  });
});

describe('an app without sessions (AWS)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await apiFixture({ metrics: false });
  });
  afterAll(() => f.close());

  it('takes no cookie, and its session routes need the key and answer 404 for sign-in', async () => {
    expect((await f.app.request('/v1/jobs', { headers: { cookie: 'mosaic_session=anything' } })).status).toBe(401);
    expect((await f.app.request('/v1/session/signin?token=x')).status).toBe(401);
    const post = await f.req('POST', '/v1/session', { apiKey: KEY }, { [CSRF_HEADER]: '1' });
    expect(post.status).toBe(404);
    expect(post.body.error.message).toMatch(/x-api-key/);
    const who = await f.req('GET', '/v1/session');
    expect(who.body).toEqual({ signedIn: true, via: 'key', sessions: false, idleTimeoutSec: null });
  });
});
