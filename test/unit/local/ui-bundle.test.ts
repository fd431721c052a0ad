/**
 * The web UI as `mosaic serve` serves it: the bundle builds, index.html names the hashed files,
 * the JS stays within its gzip budget, a second start with the same sources reuses the disk cache,
 * and the server answers the UI's paths (client-side routes included) with a strict CSP.
 */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetUiBundles, loadUiBundle, PACKAGE_ROOT, uiSourceHash, type UiBundle } from '../../../local/ui-bundle.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../../helpers/api-server.js';

const BUDGET = 250 * 1024;
const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
let cacheDir: string;
let bundle: UiBundle;

beforeAll(async () => {
  cacheDir = join(mkdtempSync(join(tmpdir(), 'mosaic-ui-')), 'ui');
  forgetUiBundles();
  bundle = await loadUiBundle({ cacheDir });
}, 60_000);

describe('the UI bundle', () => {
  it('builds, and index.html references the hashed entry files and preloads its chunks', () => {
    expect(bundle.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(bundle.fromCache).toBe(false);
    const js = `/ui/${bundle.hash}.js`;
    const css = `/ui/${bundle.hash}.css`;
    expect(bundle.indexHtml).toContain(`<script type="module" src="${js}"></script>`);
    expect(bundle.indexHtml).toContain(`<link rel="stylesheet" href="${css}">`);
    expect(bundle.assets.get(`${bundle.hash}.js`)!.body.length).toBeGreaterThan(1000);
    expect(bundle.assets.get(`${bundle.hash}.css`)!.body.toString()).toMatch(/prefers-color-scheme/);
    // Every file index.html names is in the bundle, and nothing comes from elsewhere.
    for (const [, ref] of bundle.indexHtml.matchAll(/<(?:link|script)[^>]+(?:href|src)="([^"]+)"/g)) {
      if (ref === 'data:,') continue;
      expect(ref, ref).toMatch(/^\/ui\/[A-Za-z0-9_-]+\.(js|css)$/);
      expect(bundle.assets.has(ref!.slice(4)), ref).toBe(true);
    }
    // The entry's imports (static and lazy pages) are all in the bundle.
    for (const [name, i] of Object.entries(bundle.imports)) for (const n of [...i.static, ...i.dynamic]) expect(bundle.assets.has(n), `${name} → ${n}`).toBe(true);
  });

  it('keeps the JS of the first load and of every page within 250 KB gzip', () => {
    const js = [...bundle.assets].filter(([n]) => n.endsWith('.js'));
    const total = js.reduce((s, [, a]) => s + gz(a.body), 0);
    // The JS of the first load: the entry and its static imports, measured here with zlib.
    const closure = (from: string, into = new Set<string>()) => {
      if (!into.has(from)) {
        into.add(from);
        for (const i of bundle.imports[from]?.static ?? []) closure(i, into);
      }
      return into;
    };
    const first = closure(`${bundle.hash}.js`);
    const sum = (names: Iterable<string>) => [...names].reduce((s, n) => s + gz(bundle.assets.get(n)!.body), 0);
    const initial = sum(first);
    const pages = (bundle.imports[`${bundle.hash}.js`]?.dynamic ?? []).map((p) => ({ page: p, bytes: sum(closure(p, new Set(first))) }));
    const heaviest = Math.max(initial, ...pages.map((p) => p.bytes));
    console.log(
      `UI JS gzip: first load ${(initial / 1024).toFixed(1)} KB, heaviest page ${(heaviest / 1024).toFixed(1)} KB (${pages.length} lazy pages), everything incl. on-demand players ${(total / 1024).toFixed(1)} KB; CSS ${(bundle.cssGzipBytes / 1024).toFixed(1)} KB`,
    );
    expect(initial).toBe(bundle.initialJsGzipBytes);
    expect(heaviest).toBe(bundle.pageJsGzipBytes);
    expect(initial).toBeLessThanOrEqual(BUDGET);
    expect(heaviest).toBeLessThanOrEqual(BUDGET);
    expect(pages.length).toBeGreaterThanOrEqual(6);
  });

  it('is minified ES2022 without a source map, a CDN or a dev build of preact', () => {
    const entry = bundle.assets.get(`${bundle.hash}.js`)!.body.toString();
    expect(entry.split('\n').length).toBeLessThan(20);
    const all = [...bundle.assets].filter(([n]) => n.endsWith('.js')).map(([, a]) => a.body.toString()).join('\n');
    expect(all).not.toMatch(/sourceMappingURL=/);
    expect(all).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs|fonts\.googleapis)/);
    expect(all).not.toContain('preact/debug');
  });

  it('reuses the disk cache when the sources are unchanged, and has a new hash when one changes', async () => {
    forgetUiBundles();
    const again = await loadUiBundle({ cacheDir });
    expect(again.fromCache).toBe(true);
    expect(again.hash).toBe(bundle.hash);
    expect(again.indexHtml).toBe(bundle.indexHtml);
    for (const [n, a] of bundle.assets) expect(again.assets.get(n)?.body.equals(a.body), n).toBe(true);
    expect(again.buildMs).toBeLessThan(bundle.buildMs + 1000);

    // A copy of the sources with one file changed hashes differently.
    const root = mkdtempSync(join(tmpdir(), 'mosaic-ui-src-'));
    cpSync(join(PACKAGE_ROOT, 'ui'), join(root, 'ui'), { recursive: true });
    mkdirSync(join(root, 'lambdas'));
    cpSync(join(PACKAGE_ROOT, 'lambdas', 'contracts'), join(root, 'lambdas', 'contracts'), { recursive: true });
    cpSync(join(PACKAGE_ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(root, 'node_modules'));
    expect(await uiSourceHash(root)).toBe(bundle.hash);
    writeFileSync(join(root, 'ui', 'src', 'styles.css'), '/* changed */\n', { flag: 'a' });
    expect(await uiSourceHash(root)).not.toBe(bundle.hash);
  }, 60_000);
});

describe('the UI on the local server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(mkdtempSync(join(tmpdir(), 'mosaic-ui-serve-')));
  }, 60_000);
  afterAll(() => server?.stop());

  it('answers / and client-side routes with index.html, no-cache and a strict CSP, without a key', async () => {
    for (const path of ['/', '/jobs', '/jobs/20250101-abc', '/dashboards?range=7d', '/jobs/new']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy')!;
      for (const d of ["default-src 'self'", 'img-src ', 'blob: data:', "media-src 'self'", "style-src 'self' 'unsafe-inline'", "worker-src 'self' blob:", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"])
        expect(csp, `${path}: ${d}`).toContain(d);
      expect(csp).not.toMatch(/https:\/\/|\*/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).toContain(`/ui/${(await server.uiBundle()).hash}.js`);
    }
  });

  it('serves the hashed files as immutable, and 404s what it does not have', async () => {
    const b = await server.uiBundle();
    const js = await fetch(`${server.url}/ui/${b.hash}.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await js.arrayBuffer()).equals(b.assets.get(`${b.hash}.js`)!.body)).toBe(true);
    const css = await fetch(`${server.url}/ui/${b.hash}.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${server.url}/ui/nothing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/ui/..%2Fapi-key`)).status).toBe(404);
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(404);
  });

  it('leaves the API as it was: JSON errors, the key or a session required', async () => {
    const r = await fetch(`${server.url}/v1/jobs`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await fetch(`${server.url}/v1/nothing`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/jobs`, { headers: { 'x-api-key': TEST_API_KEY } })).status).toBe(200);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).not.toBe(200);
  });

  it('signs in through the printed one-time URL, then the cookie reads and (with the CSRF header) writes', async () => {
    const url = server.signInUrl();
    expect(url).toMatch(new RegExp(`^${server.url}/v1/session/signin\\?token=[A-Za-z0-9_-]{43}$`));
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${server.url}/v1/jobs`, { headers: { cookie } })).status).toBe(200);
    const body = JSON.stringify({ filename: 'a.mp4', bytes: 10 });
    const post = (h: Record<string, string>) => fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...h }, body });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-mosaic-csrf': '1', origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'x-mosaic-csrf': '1', origin: server.url })).status).toBe(201);
  });
});
