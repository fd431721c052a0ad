/** The OpenAPI document: valid OpenAPI 3, and exactly the routes the app serves. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type Fixture } from './fixture.js';

let f: Fixture;
let doc: { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>> };

beforeAll(async () => {
  f = await apiFixture();
  const res = await f.app.request('/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
});
afterAll(() => f.close());

/** Documentation routes themselves are not API operations. */
const UNDOCUMENTED = new Set(['GET /openapi.json', 'GET /docs']);

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\./);
  });

  it('documents every route served and serves every route documented', () => {
    const served = new Set(
      f.app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`)
        .filter((r) => !UNDOCUMENTED.has(r)),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    expect([...documented].sort()).toEqual([...served].sort());
    expect(documented.size).toBeGreaterThanOrEqual(12);
  });

  it('answers a documented request in the documented way (every route but health needs a key)', async () => {
    for (const [p, ops] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(ops)) {
        const concrete = p.replace('{id}', 'none').replace('{name}', 'inspect');
        const res = await f.app.request(concrete, { method: m.toUpperCase() });
        if (p === '/v1/health') {
          expect(op.security).toEqual([]);
          expect(res.status).toBe(200);
        } else {
          expect(res.status, `${m} ${p}`).toBe(401);
          expect(Object.keys(op.responses), `${m} ${p}`).toContain('401');
        }
      }
  });

  it('serves a self-contained docs page', async () => {
    const res = await f.app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/);
  });
});
