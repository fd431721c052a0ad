/**
 * The Functions and Rules views in real Chromium, against the API app (the unit fixture's stores and
 * scripted control, the repository's rules): the views are bundled on their own by esbuild with a
 * tiny harness (the app's router mounts them elsewhere), served same-origin with the API. Driven by
 * keyboard where it matters; no console errors or failed requests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { build } from 'esbuild';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, screenshot, watchedPage, type WatchedPage } from '../helpers/browser.js';
import { apiFixture, KEY, type Fixture } from '../unit/platform/api/fixture.js';

const missing = chromiumMissing();
const ROOT = resolve(import.meta.dirname, '..', '..');

let f: Fixture;
let server: ReturnType<typeof createAdaptorServer>;
let base = '';
let browser: Browser;
let context: BrowserContext;
let dir = '';

beforeAll(async () => {
  if (missing) return;
  f = await apiFixture({ metrics: false });
  // A fresh clone has no .mosaic/ yet.
  mkdirSync(join(ROOT, '.mosaic'), { recursive: true });
  dir = mkdtempSync(join(ROOT, '.mosaic', 'ui-harness-'));
  const entry = join(dir, 'harness.tsx');
  writeFileSync(
    entry,
    [
      `import { render } from 'preact';`,
      `import { useApiKey } from '${ROOT}/ui/src/api.ts';`,
      `import { FunctionsView } from '${ROOT}/ui/src/views/functions-view.tsx';`,
      `import { RulesView } from '${ROOT}/ui/src/views/rules-view.tsx';`,
      `useApiKey(${JSON.stringify(KEY)});`,
      `render(location.hash === '#rules' ? <RulesView /> : <FunctionsView />, document.getElementById('root')!);`,
    ].join('\n'),
  );
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]!.text;
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head><body><main id="root"></main><script type="module" src="/harness.js"></script></body></html>';
  server = createAdaptorServer({
    fetch: (req: Request) => {
      const path = new URL(req.url).pathname;
      if (path === '/') return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      if (path === '/harness.js') return new Response(js, { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
      if (path === '/favicon.ico') return new Response(null, { status: 204 });
      return f.app.fetch(req);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (server) await new Promise<void>((r) => server.close(() => r()));
  await f?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The fixture's scripted inspect refuses an input without a source: its 400 is what the view must show. */
const knownProblem = (p: string) => /status of 400/.test(p);

describe.skipIf(missing)('Functions view', () => {
  let w: WatchedPage;
  beforeAll(async () => {
    w = await watchedPage(context, knownProblem);
    await w.page.goto(`${base}/`);
  });

  it('lists the functions and shows the chosen one: config, p50/p99, runs', async () => {
    const { page } = w;
    await page.locator('[data-testid="function-row"][data-function="inspect"]').waitFor();
    await page.getByText('Configuration (function.json)').waitFor();
    await expect(page.locator('#function-detail').textContent()).resolves.toMatch(/p50 .*p99/);
  });

  it('runs the function on a pasted input and shows the result, or the API\'s error message', async () => {
    const { page } = w;
    const input = page.getByLabel(/Input \(JSON object/);
    await input.fill('{ not json');
    await page.getByRole('button', { name: 'Run inspect' }).click();
    await expect(page.locator('[data-testid="invoke-result"]').getAttribute('data-outcome')).resolves.toBe('error');
    await expect(page.locator('[data-testid="invoke-result"]').textContent()).resolves.toMatch(/not valid JSON/);

    await input.fill('{"note": "no source"}');
    await input.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="invoke-result"][data-outcome="error"]').getByText(/source: expected object/).waitFor();

    await input.fill('{"source": {"key": "uploads/a/clip.mp4"}}');
    await page.getByRole('button', { name: 'Run inspect' }).click();
    await page.locator('[data-testid="invoke-result"][data-outcome="ok"]').waitFor();
    await expect(page.locator('[data-testid="invoke-result"]').textContent()).resolves.toContain('"container"');
    await screenshot(page, 'functions-view');
    expect(w.problems).toEqual([]);
  });
});

describe.skipIf(missing)('Rules view', () => {
  let w: WatchedPage;
  beforeAll(async () => {
    await f.jobs.claimFiring({ id: 'ui-firing-1', rule: 'reencode-outdated-job', subject: 'preset:default', eventId: 'evt-ui-1' });
    await f.jobs.assertFacts('preset:default', { version: 2 });
    w = await watchedPage(context);
    await w.page.goto(`${base}/#rules`);
  });

  it('shows every rule with its trigger, conditions and actions', async () => {
    const { page } = w;
    await page.locator('[data-testid="rule-row"][data-rule="ingest-video"]').waitFor();
    expect(await page.locator('[data-testid="rule-row"]').count()).toBeGreaterThanOrEqual(8);
    const row = page.locator('[data-testid="rule-row"][data-rule="reencode-outdated-job"]');
    await expect(row.textContent()).resolves.toMatch(/preset:<preset>.*start-workflow encode/s);
  });

  it('shows the chosen rule\'s firings (chosen by keyboard) and dry-runs an event', async () => {
    const { page } = w;
    await page.getByRole('button', { name: 'Show reencode-outdated-job' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="rule-firing"]').first().waitFor();
    await expect(page.locator('[data-testid="rule-firing"]').first().textContent()).resolves.toContain('evt-ui-1');

    const event = {
      id: 'evt-ui-2',
      source: 'mosaic',
      'detail-type': 'Facts Asserted',
      detail: { subject: 'job:j-ui', rule: 'record-job-preset-version', facts: { preset: 'default', presetVersion: 1, jobId: 'j-ui', sourceKey: 'inbox/a.mp4' } },
    };
    await page.getByLabel(/^Event \(JSON/).fill(JSON.stringify(event));
    await page.getByRole('button', { name: 'Test rule' }).click();
    await page.locator('[data-testid="rule-test-result"][data-outcome="fire"]').waitFor();
    await expect(page.locator('[data-testid="rule-test-result"]').textContent()).resolves.toMatch(/MATCH: the rule would fire.*start-workflow encode/s);
    // A dry run: nothing started, nothing recorded.
    expect(f.control.submitted).toEqual([]);
    expect((await f.jobs.listFirings('reencode-outdated-job', 10)).map((x) => x.id)).toEqual(['ui-firing-1']);

    await page.getByLabel(/Facts by subject/).fill('{"preset:default": {"version": 1}}');
    await page.getByRole('button', { name: 'Test rule' }).click();
    await page.locator('[data-testid="rule-test-result"][data-outcome="conditions-fail"]').waitFor();
  });

  it('looks up the facts of a subject', async () => {
    const { page } = w;
    await page.getByLabel(/^Subject/).fill('preset:default');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="facts-result"]').getByText('"version": 2').waitFor();
    await screenshot(page, 'rules-view');
    expect(w.problems).toEqual([]);
  });
});
