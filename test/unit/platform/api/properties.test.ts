/**
 * Property tests: whatever a client sends — any method, path, headers or body — the API never
 * answers 5xx, and every error has the one shape `{ error: { code, message, details } }`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorBodySchema, JobStatusSchema } from '../../../../lambdas/contracts/index.js';
import { apiFixture, KEY, type Fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await apiFixture();
});
afterAll(() => f.close());

const ROUTES = [
  'POST /v1/jobs',
  'POST /v1/jobs/preflight',
  'GET /v1/jobs',
  'GET /v1/jobs/{id}',
  'GET /v1/jobs/{id}/events',
  'POST /v1/jobs/{id}/cancel',
  'POST /v1/jobs/{id}/retry',
  'POST /v1/uploads',
  'GET /v1/functions',
  'POST /v1/functions/{name}/invocations',
  'GET /v1/workflows',
  'GET /v1/health',
  'GET /openapi.json',
];

const segment = fc.oneof(
  fc.constantFrom('job-0001', 'nope', 'inspect', 'preflight', '..', '.', '%2e%2e', '%00', '%E0%A4%A', 'a'.repeat(300), '{id}', ' '),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...ROUTES), segment, fc.option(fc.string({ maxLength: 30 }).map((q) => `?${q}`), { nil: '' })).map(
    ([route, seg, q]) => `${route.split(' ')[1]!.replace(/\{[a-z]+\}/, seg)}${q}`,
  ),
  fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`),
  fc.constantFrom('/v1/jobs?limit=-1', '/v1/jobs?limit=1e9', '/v1/jobs?cursor=', '/v1/jobs?status=RUNNING&status=QUEUED', '/v1/jobs/job-0001/events?after=-5', '/v1/jobs?cursor=W10', '/v1/jobs?limit=abc'),
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

const specish = fc.record(
  {
    source: fc.oneof(fc.record({ key: fc.oneof(fc.constantFrom('uploads/a/clip.mp4', 'uploads/b/bad.mp4', '.mosaic/x', '', '../../etc/passwd'), fc.string()) }), fc.anything()),
    preset: fc.oneof(fc.constantFrom('draft', 'default', 'nope'), fc.anything()),
    ladder: fc.oneof(fc.array(fc.record({ height: fc.integer({ min: -10, max: 9000 }), bitrateKbps: fc.integer() }), { maxLength: 14 }), fc.anything()),
    outputs: fc.oneof(fc.record({ hls: fc.boolean(), dash: fc.boolean(), thumbnails: fc.boolean(), quality: fc.boolean() }, { requiredKeys: [] }), fc.anything()),
    priority: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.string()),
    tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), fc.anything()),
    deadlineSec: fc.anything(),
    webhook: fc.oneof(fc.record({ url: fc.oneof(fc.webUrl(), fc.string()) }), fc.anything()),
    filename: fc.string(),
    bytes: fc.oneof(fc.integer(), fc.double(), fc.constant(1e20)),
    input: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()), fc.anything()),
  },
  { requiredKeys: [] },
);

/** Specs that are (mostly) valid, so the success paths run too. */
const goodSpec = fc.record(
  {
    source: fc.record({ key: fc.constantFrom('uploads/a/clip.mp4', 'uploads/b/bad.mp4') }),
    preset: fc.constantFrom('draft', 'default', 'nope'),
    ladder: fc.array(fc.record({ height: fc.integer({ min: 16, max: 4320 }), bitrateKbps: fc.integer({ min: 50, max: 100_000 }) }), { minLength: 1, maxLength: 3 }),
    outputs: fc.record({ hls: fc.constant(true), dash: fc.boolean(), thumbnails: fc.boolean(), quality: fc.boolean() }),
    priority: fc.integer({ min: 0, max: 100 }),
    tags: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
    webhook: fc.record({ url: fc.webUrl() }),
  },
  { requiredKeys: ['source'] },
);

const body = fc.oneof(
  specish.map((b) => ({ text: safeJson(b), type: 'application/json' })),
  fc.jsonValue().map((v) => ({ text: JSON.stringify(v), type: 'application/json' })),
  fc.string().map((s) => ({ text: s, type: 'application/json' })),
  fc.tuple(fc.string(), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-8', 'application/vnd.api+json', '', 'application/octet-stream')).map(([text, type]) => ({ text, type })),
  fc.constant(null),
);

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '{}';
  }
}

const extraHeaders = fc.dictionary(fc.constantFrom('idempotency-key', 'range', 'accept', 'x-forwarded-for', 'content-length'), fc.string({ maxLength: 40 }), { maxKeys: 3 });

async function send(m: string, p: string, b: { text: string; type: string } | null, h: Record<string, string>, withKey: boolean) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (/^[\t\x20-\x7e]*$/.test(v) && k !== 'content-length') headers[k] = v;
  if (withKey) headers['x-api-key'] = KEY;
  if (b?.type) headers['content-type'] = b.type;
  const hasBody = b !== null && m !== 'GET' && m !== 'HEAD';
  const res = await f.app.request(p, { method: m, headers, body: hasBody ? b.text : undefined });
  const text = await res.text();
  return { status: res.status, text };
}

function expectShaped(r: { status: number; text: string }, what: string) {
  expect(r.status, what).toBeLessThan(500);
  if (r.status >= 400) {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(r.text)), `${what} → ${r.text.slice(0, 200)}`).not.toThrow();
    expect(ApiErrorBodySchema.safeParse(parsed).success, `${what} → ${r.text.slice(0, 200)}`).toBe(true);
  }
}

describe('API properties', () => {
  it('never answers 5xx to any method, path, headers and body, and every error has the shape', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, body, extraHeaders, fc.boolean(), async (m, p, b, h, withKey) => {
        const r = await send(m, p, b, h, withKey);
        // HEAD answers carry no body by definition.
        if (m === 'HEAD') expect(r.status).toBeLessThan(500);
        else expectShaped(r, `${m} ${p} ${b?.type ?? ''} ${b?.text.slice(0, 80) ?? ''}`);
      }),
      { numRuns: 1500 },
    );
  });

  it('never answers 5xx to job-spec-like bodies on every POST route', async () => {
    const posts = ROUTES.filter((r) => r.startsWith('POST')).map((r) => r.split(' ')[1]!.replace('{id}', 'job-0001').replace('{name}', 'inspect'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...posts), fc.oneof(goodSpec, specish), fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }), async (p, b, idem) => {
        const r = await send('POST', p, { text: safeJson(b), type: 'application/json' }, idem ? { 'idempotency-key': idem } : {}, true);
        expectShaped(r, `POST ${p} ${safeJson(b).slice(0, 200)}`);
      }),
      { numRuns: 1500 },
    );
    // Some of those were accepted: the property exercised the success path too.
    const listed = await send('GET', '/v1/jobs?limit=100', null, {}, true);
    const jobs = JSON.parse(listed.text).jobs as { status: string }[];
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => JobStatusSchema.safeParse(j.status).success)).toBe(true);
  });
});
