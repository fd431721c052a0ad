/** The Jobs API app through app.request(): validation, errors, auth, pagination, idempotency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorBodySchema } from '../../../../lambdas/contracts/index.js';
import { apiFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await apiFixture();
});
afterAll(() => f.close());

const expectError = (r: { status: number; body: unknown }, status: number, code: string) => {
  expect(r.status).toBe(status);
  expect(ApiErrorBodySchema.safeParse(r.body).success, JSON.stringify(r.body)).toBe(true);
  expect((r.body as { error: { code: string } }).error.code).toBe(code);
};

describe('Jobs API app', () => {
  it('answers health without a key and everything else only with one', async () => {
    const health = await f.app.request('/v1/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', engine: 'test', version: '0.0.0-test' });
    for (const [m, p] of [['GET', '/v1/jobs'], ['POST', '/v1/jobs'], ['GET', '/v1/functions'], ['GET', '/v1/nothing-here']]) {
      const r = await f.app.request(p!, { method: m });
      expect(r.status, `${m} ${p}`).toBe(401);
      expect(ApiErrorBodySchema.parse(await r.json()).error.code).toBe('unauthorized');
    }
    expectError(await f.req('GET', '/v1/jobs', undefined, { 'x-api-key': 'wrong' }), 401, 'unauthorized');
  });

  it('rejects invalid specs with 400 and the field paths', async () => {
    const r = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' }, ladder: [{ height: 'tall', bitrateKbps: 10 }], extra: 1 });
    expectError(r, 400, 'validation_failed');
    const paths = r.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.ladder.0.height', 'body.ladder.0.bitrateKbps', 'body']));
    expect(r.body.error.message).toMatch(/^body\./);
    const hook = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' }, webhook: { url: 'ftp://x.example/hook' } });
    expect(hook.body.error.details.issues[0].path).toBe('body.webhook.url');
    expectError(await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' }, outputs: { hls: false, dash: false } }), 400, 'validation_failed');
    const q = await f.req('GET', '/v1/jobs?limit=0&status=DONE');
    expect(q.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['query.limit', 'query.status']);
  });

  it('maps malformed JSON, wrong media types, big bodies, unknown routes and methods to the error shape', async () => {
    expectError(await f.req('POST', '/v1/jobs', '{"source":', { 'content-type': 'application/json' }), 400, 'bad_request');
    expectError(await f.req('POST', '/v1/jobs', 'source=x', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    expectError(await f.req('POST', '/v1/jobs', { source: { key: 'x' }, tags: { big: 'x'.repeat(70_000) } }), 413, 'payload_too_large');
    expectError(await f.req('GET', '/v2/jobs'), 404, 'not_found');
    const wrong = await f.req('DELETE', '/v1/jobs/abc');
    expectError(wrong, 405, 'method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expectError(await f.req('GET', '/v1/jobs/nope'), 404, 'not_found');
    expectError(await f.req('GET', '/v1/jobs/nope/events'), 404, 'not_found');
  });

  it('refuses sources that do not exist or point at private state', async () => {
    const missing = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/zzz/none.mp4' } });
    expectError(missing, 400, 'validation_failed');
    expect(missing.body.error.details.issues[0].path).toBe('body.source.key');
    for (const key of ['.mosaic/mosaic.db', '../etc/passwd', '/etc/passwd'])
      expectError(await f.req('POST', '/v1/jobs', { source: { key } }), 400, 'validation_failed');
    expect(f.control.submitted).toEqual([]);
  });

  it('submits, shows, pages, cancels and retries with the right statuses', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' }, preset: 'draft', tags: { n: String(i) } });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: 'QUEUED', progress: { percent: 0 }, steps: [], webhook: null });
      ids.push(r.body.id);
      await new Promise((res) => setTimeout(res, 3));
    }
    const p1 = await f.req('GET', '/v1/jobs?limit=2');
    expect(p1.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[4], ids[3]]);
    const p2 = await f.req('GET', `/v1/jobs?limit=2&cursor=${encodeURIComponent(p1.body.nextCursor)}`);
    expect(p2.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    expectError(await f.req('GET', '/v1/jobs?cursor=forged'), 400, 'input_invalid');

    expect((await f.req('POST', `/v1/jobs/${ids[0]}/cancel`)).body.status).toBe('CANCELLED');
    expect((await f.req('POST', `/v1/jobs/${ids[0]}/retry`)).status).toBe(202);
    await f.jobs.updateJob(ids[1]!, { status: 'SUCCEEDED' });
    expectError(await f.req('POST', `/v1/jobs/${ids[1]}/cancel`), 409, 'conflict');
    expectError(await f.req('POST', `/v1/jobs/${ids[2]}/retry`), 409, 'conflict');
    expectError(await f.req('POST', '/v1/jobs/unknown/retry'), 404, 'not_found');
    const cancelledOnly = await f.req('GET', '/v1/jobs?status=QUEUED&limit=100');
    expect(cancelledOnly.body.jobs.every((j: { status: string }) => j.status === 'QUEUED')).toBe(true);
  });

  it('keeps Idempotency-Keys per caller: same body → same job, other body → 409', async () => {
    const body = { source: { key: 'uploads/a/clip.mp4' }, tags: { a: '1', b: '2' } };
    const a = await f.req('POST', '/v1/jobs', body, { 'idempotency-key': 'k-1' });
    const b = await f.req('POST', '/v1/jobs', { tags: { b: '2', a: '1' }, source: { key: 'uploads/a/clip.mp4' } }, { 'idempotency-key': 'k-1' });
    expect(b.body.id).toBe(a.body.id);
    expect(f.control.submitted.filter((id) => id === a.body.id)).toHaveLength(1);
    expectError(await f.req('POST', '/v1/jobs', { ...body, priority: 99 }, { 'idempotency-key': 'k-1' }), 409, 'idempotency_key_reused');
    expectError(await f.req('POST', '/v1/jobs', body, { 'idempotency-key': 'has space' }), 400, 'validation_failed');
  });

  it('turns a server fault into a 500 that leaks nothing', async () => {
    f.control.fail = new Error('disk on fire at /var/secret/path');
    const r = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' } });
    f.control.fail = null;
    expectError(r, 500, 'internal_error');
    expect(JSON.stringify(r.body)).not.toMatch(/secret|fire/);
    expect(r.body.error.details.ref).toMatch(/^[a-z0-9]+$/);
    // Not even something thrown that is not an Error escapes the shape.
    f.control.fail = 'a bare string' as unknown as Error;
    const bare = await f.req('POST', '/v1/jobs', { source: { key: 'uploads/a/clip.mp4' } });
    f.control.fail = null;
    expectError(bare, 500, 'internal_error');
  });

  it('preflights: a plan for a good source, reasons for a bad one', async () => {
    const ok = await f.req('POST', '/v1/jobs/preflight', { source: { key: 'uploads/a/clip.mp4' }, preset: 'draft' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: true, reasons: [], plan: { preset: { name: 'draft' } } });
    expect(ok.body.plan.rungs.map((r: { height: number }) => r.height)).toEqual([360]);
    expect(ok.body.estimate).toMatchObject({ region: expect.any(String), pricesTakenOn: expect.any(String) });
    expect(ok.body.estimate.estimatedUsd).toBeGreaterThan(0);
    expect(ok.body.estimate.estimatedSeconds).toBeGreaterThan(0);
    expect(ok.body.estimateUnavailableReason).toBeNull();
    const bad = await f.req('POST', '/v1/jobs/preflight', { source: { key: 'uploads/b/bad.mp4' } });
    expect(bad.body).toMatchObject({ accepted: false, plan: null });
    expect(bad.body.reasons[0]).toMatch(/not a media file/);
    // An unknown preset is the request's mistake, at preflight as at submit: 400 naming the known ones.
    for (const path of ['/v1/jobs/preflight', '/v1/jobs']) {
      const preset = await f.req('POST', path, { source: { key: 'uploads/a/clip.mp4' }, preset: 'nope' });
      expectError(preset, 400, 'validation_failed');
      expect(preset.body.error.message).toMatch(/unknown preset "nope"; known presets: default, per-title, draft, hevc/);
      expect(preset.body.error.details.issues[0].path).toBe('body.preset');
    }
  });

  it('gives upload tickets within the size limit', async () => {
    const t = await f.req('POST', '/v1/uploads', { filename: 'My Movie (final).MOV', bytes: 1000 });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ method: 'PUT', maxBytes: 1000, headers: { 'content-type': 'application/octet-stream' } });
    expect(t.body.key).toMatch(/^uploads\/[^/]+\/My_Movie__final_\.MOV$/);
    expect(t.body.url).toMatch(/^http:\/\/127\.0\.0\.1:9\/uploads\//);
    expectError(await f.req('POST', '/v1/uploads', { filename: 'big.mp4', bytes: 11 * 1024 * 1024 }), 413, 'payload_too_large');
    expectError(await f.req('POST', '/v1/uploads', { filename: '../x.mp4', bytes: 10 }), 400, 'validation_failed');
  });

  it('lists functions and workflows and invokes one function on its own', async () => {
    expect((await f.req('GET', '/v1/functions')).body.functions[0].name).toBe('inspect');
    expect((await f.req('GET', '/v1/workflows')).body.workflows[0].name).toBe('encode');
    const r = await f.req('POST', '/v1/functions/inspect/invocations', { input: { source: { key: 'uploads/a/clip.mp4' } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ function: 'inspect', result: { video: { width: 640 } } });
    expect(r.body.invocationId).toMatch(/^fn-/);
    expectError(await f.req('POST', '/v1/functions/nope/invocations', { input: {} }), 404, 'not_found');
    expectError(await f.req('POST', '/v1/functions/inspect/invocations', { input: { source: 'x' } }), 400, 'input_invalid');
    expectError(await f.req('POST', '/v1/functions/inspect/invocations', { input: { output: { key: '.mosaic/mosaic.db' } } }), 400, 'validation_failed');
  });
});
