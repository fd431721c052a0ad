/**
 * The web UI's "must show" list in real Chromium against a real in-process `mosaic serve` (the
 * Jobs API, the UI bundle, the embedded engine running jobs with ffmpeg, the rule runtime and the
 * inbox watcher as `mosaic serve` wires them). One server and one browser for the file; a desktop
 * context (1280×800) signed in through the one-time sign-in URL, a phone-sized one (390×844) for
 * the responsive check, and fresh contexts for the signed-out and cold-cache checks.
 *
 * Every page records console errors and warnings, page errors, failed requests and every HTTP
 * answer ≥ 400; each test ends asserting there were none but the ones it provoked on purpose
 * (the sign-in form's 401s), listed exactly.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_RULE_SUBSTITUTIONS } from '../../lambdas/contracts/index.js';
import { uploadJobId } from '../../lambdas/core/upload-trigger.js';
import { InboxWatcher } from '../../local/inbox-watcher.js';
import { LocalRuleRuntime, type FiringReport } from '../../local/rule-runtime.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../helpers/api-server.js';
import { chromiumMissing, launchChromium, screenshot, watchedPage, type WatchedPage } from '../helpers/browser.js';
import { makeClip, tempDir } from '../helpers/media.js';
import { SERIES_COLOURS } from '../../ui/src/lib/series.ts';

// The page's own globals, inside page.evaluate callbacks (this project's tsconfig has no DOM lib).
declare const document: any;
declare const window: any;
declare const getComputedStyle: (el: unknown) => any;
interface Video {
  currentTime: number;
  videoHeight: number;
  muted: boolean;
  play(): Promise<void>;
  pause(): void;
}
/** A resource entry of the page's Performance timeline. */
type ResourceEntry = { name: string; transferSize: number; encodedBodySize: number; decodedBodySize: number };

const missing = chromiumMissing();
if (missing) console.warn(`skipping the web UI tests: ${missing}`);

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const JS_BUDGET_GZIP_BYTES = 250 * 1024;
const FIRST_VIEW_LIMIT_MS = 1500;

const dir = tempDir('mosaic-ui-');
const root = join(dir, 'out');
let clip = '';
let server: TestServer;
let rules: LocalRuleRuntime;
let inbox: InboxWatcher;
/** What the rule runtime reported of each firing. */
const firings: FiringReport[] = [];
let browser: Browser;
let desk: BrowserContext;
let main: Watched;

/** While set, every encode-video invocation waits for it (a job that stays RUNNING until released). */
let hold: { promise: Promise<void>; release: () => void } | null = null;
/** Encodes waiting on `hold` now. */
let held = 0;
const holdEncodes = () => {
  let release = () => {};
  const promise = new Promise<void>((r) => (release = r));
  hold = { promise, release };
};
const releaseEncodes = () => {
  const h = hold;
  hold = null;
  h?.release();
};

/** Jobs the tests ran to an end (for the dashboards). */
const ended = new Set<string>();

interface Watched extends WatchedPage {
  /** Every HTTP answer ≥ 400: `401 POST /v1/session`. */
  httpErrors: string[];
  /** The browser's console line for each of them (`Failed to load resource: …`), as `401 /v1/session`. */
  consoleHttp: string[];
}

/**
 * A watched page whose `problems` leave out only the browser's console line for an HTTP error
 * answer; those answers are kept apart (with their URLs, which the console line lacks), so a
 * test asserts them exactly: none but the ones it provoked.
 */
async function watch(context: BrowserContext): Promise<Watched> {
  const RESOURCE = /^console error: Failed to load resource: the server responded with a status of \d+/;
  const w = await watchedPage(context, (p) => RESOURCE.test(p));
  const httpErrors: string[] = [];
  const consoleHttp: string[] = [];
  w.page.on('response', (r) => {
    if (r.status() >= 400) httpErrors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  w.page.on('console', (m) => {
    const s = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
    if (s) consoleHttp.push(`${s[1]} ${m.location().url ? new URL(m.location().url).pathname : '?'}`);
  });
  return { ...w, httpErrors, consoleHttp };
}

/** Nothing went wrong on the page but `provoked` (HTTP errors as `status METHOD path`, in order). */
function expectClean(w: Watched, provoked: string[] = []): void {
  expect(w.problems).toEqual([]);
  expect(w.httpErrors).toEqual(provoked);
  // Each console line about an HTTP error is one of those answers.
  const answers = w.httpErrors.map((e) => e.replace(/^(\d+) \S+ /, '$1 '));
  for (const c of w.consoleHttp) {
    const i = answers.indexOf(c);
    expect(i, `console: ${c} (answers: ${answers.join(', ')})`).toBeGreaterThanOrEqual(0);
    answers.splice(i, 1);
  }
}

const nav = (page: Page, label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });

/** Controls (input, select, textarea, button) the browser's accessibility tree gives no name, as `tag#id.class "text"`. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { backendDOMNodeId?: number; ignored: boolean; name?: { value?: string }; role?: { value?: string } }[] };
    const names = new Map<number, { name: string; ignored: boolean; role: string }>();
    for (const n of nodes) if (n.backendDOMNodeId !== undefined) names.set(n.backendDOMNodeId, { name: String(n.name?.value ?? '').trim(), ignored: n.ignored, role: String(n.role?.value ?? '') });
    const { root: doc } = (await cdp.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
    const { nodeIds } = (await cdp.send('DOM.querySelectorAll', { nodeId: doc.nodeId, selector: 'input:not([type=hidden]), select, textarea, button' })) as { nodeIds: number[] };
    const out: string[] = [];
    for (const nodeId of nodeIds) {
      const { node } = (await cdp.send('DOM.describeNode', { nodeId })) as { node: { backendNodeId: number; localName: string; attributes?: string[] } };
      const ax = names.get(node.backendNodeId);
      if (ax?.name) continue;
      if (ax?.ignored || !ax) {
        // Not in the tree as a control: fine only if it is not rendered (display: none), so not a control anyone meets.
        const { object } = (await cdp.send('DOM.resolveNode', { nodeId })) as { object: { objectId: string } };
        const { result } = (await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.checkVisibility(); }', returnByValue: true })) as { result: { value: boolean } };
        if (!result.value) continue;
      }
      const attrs = Object.fromEntries((node.attributes ?? []).reduce<[string, string][]>((a, v, i, all) => (i % 2 ? a : [...a, [v, all[i + 1]!]]), []));
      out.push(`${node.localName}${attrs.id ? `#${attrs.id}` : ''}${attrs.class ? `.${attrs.class.split(/\s+/).join('.')}` : ''}${attrs['data-testid'] ? `[data-testid=${attrs['data-testid']}]` : ''}${ax ? '' : ' (not in the accessibility tree)'}`);
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

/** The focused element and whether its focus is visible (its outline or box shadow; a visually hidden file input shows it on its label). */
const focusState = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const hidden = getComputedStyle(el).opacity === '0' && el.labels?.[0];
    const shown = hidden || el;
    const cs = getComputedStyle(shown);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow !== 'none' && cs.boxShadow !== '';
    const r = shown.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40),
      href: el.getAttribute('href'),
      inNav: !!el.closest('nav[aria-label="Main"]'),
      visible: (outline || shadow) && r.width > 0 && r.height > 0,
      style: `${cs.outlineStyle} ${cs.outlineWidth} / ${cs.boxShadow}`,
    };
  });

beforeAll(async () => {
  if (missing) return;
  mkdirSync(join(dir, 'src'), { recursive: true });
  clip = makeClip(join(dir, 'src', 'clip.mp4'), { width: 640, height: 360, seconds: 4, audio: true });
  server = await startTestServer(root, {
    engine: {
      parallelism: 2,
      testing: {
        invokeHook: async (fn) => {
          if (fn !== 'encode-video' || !hold) return;
          held++;
          await hold.promise.finally(() => held--);
        },
      },
    },
  });
  // As `mosaic serve` wires them: the rules on the engine's buses, jobs through the API's queue, the inbox as S3 uploads.
  rules = await LocalRuleRuntime.start(server.engine, { submitJob: (spec, jobId) => server.control.submit(spec, { jobId }), onFiring: (r) => firings.push(r) });
  inbox = await InboxWatcher.start({ root, settleMs: 150, rescanMs: 400, onEvent: (event) => void rules.put(event, 'default') });
  browser = await launchChromium();
  desk = await browser.newContext({ viewport: DESKTOP });
  main = await watch(desk);
}, 120_000);

afterAll(async () => {
  releaseEncodes();
  await desk?.close();
  await browser?.close();
  inbox?.close();
  if (rules) {
    await rules.idle();
    rules.close();
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing)('web UI in Chromium', () => {
  it('the sign-in URL lands on the Jobs view, signed in with an HttpOnly cookie', async () => {
    const { page } = main;
    const url = server.signInUrl(); // as `mosaic serve` prints it
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/session\/signin\?token=/);
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await nav(page, 'Jobs').waitFor();
    expect(await page.locator('#s-apikey').count()).toBe(0);
    await page.getByText(/No jobs yet/).waitFor();

    const cookie = (await desk.cookies()).find((c) => c.name === 'mosaic_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('mosaic_session');
    // The one-time URL is spent.
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'jobs-empty');
    expectClean(main);
  });

  let jobId = '';
  let jobView: any;

  it('new job: upload through the drop zone, preflight, submit, and the job page follows it live to SUCCEEDED', async () => {
    const { page } = main;
    await nav(page, 'New job').click();
    await page.getByRole('heading', { name: 'New job', level: 1 }).waitFor();
    const preflight = page.waitForResponse((r) => r.url().endsWith('/v1/jobs/preflight') && r.request().method() === 'POST');
    await page.locator('#nj-file').setInputFiles(clip);
    await page.getByText('— uploaded').waitFor();
    const pf = await (await preflight).json();
    expect(pf.accepted).toBe(true);
    expect(pf.plan.rungs.length).toBeGreaterThanOrEqual(2);
    // The preflight as the API answered it: source, ladder rows, chunks, tasks, estimate.
    const panel = page.locator('section[aria-labelledby="pf-title"]');
    await panel.getByText(/Source: 640×360, 25 fps/).waitFor();
    const ladder = panel.locator('table', { has: page.locator('caption', { hasText: /^Ladder/ }) });
    await expect.poll(() => ladder.locator('tbody tr').count()).toBe(pf.plan.rungs.length);
    expect((await ladder.locator('tbody tr td:nth-child(3)').allTextContents()).every((t) => /\d/.test(t))).toBe(true);
    expect(await ladder.locator('tbody tr td:first-child').allTextContents()).toEqual(pf.plan.rungs.map((r: { id: string }) => r.id));
    expect(await ladder.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(pf.plan.rungs.map((r: { width: number; height: number }) => `${r.width}×${r.height}`));
    await expect(panel.locator('.s-tile', { hasText: 'Chunks' }).locator('.s-tile-value').textContent()).resolves.toBe(String(pf.plan.chunks.count));
    await expect(panel.locator('.s-tile', { hasText: 'Estimated cost' }).locator('.s-tile-value').textContent()).resolves.toMatch(/^\$\d/);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'new-job-preflight');

    // The same document from here to the end: no reload, no new page load.
    let reloads = 0;
    const reload = page.reload.bind(page);
    page.reload = (...a: Parameters<Page['reload']>) => (reloads++, reload(...a));
    let loads = 0;
    const onLoad = () => loads++;
    page.on('load', onLoad);
    await page.evaluate(() => (window.__marker = 1));

    // The preset stays the form's `default`: on a 360p source `draft` has a single rung, `default`
    // two (a rung switch to check in the player), and here it is as quick (~4 s).
    expect(await page.getByLabel('Preset').inputValue()).toBe('default');
    const submitted = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/jobs' && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Submit job' }).click();
    const job = await (await submitted).json();
    jobId = job.id;
    await page.waitForURL(`**/jobs/${jobId}`);
    const seen: { status: string; progress: string }[] = [];
    for (;;) {
      const status = (await page.locator('[data-testid="job-status"]').textContent({ timeout: 10_000 })) ?? '';
      const progress = (await page.locator('[data-testid="job-progress"]').textContent()) ?? '';
      const last = seen.at(-1);
      if (!last || last.status !== status || last.progress !== progress) seen.push({ status, progress });
      if (/SUCCEEDED|FAILED|CANCELLED/.test(status)) break;
      await page.waitForTimeout(100);
    }
    expect(seen.at(-1)).toEqual({ status: 'SUCCEEDED', progress: '100%' });
    // It was followed live: an unfinished state first, progress never going back.
    expect(seen[0]!.status).toMatch(/QUEUED|RUNNING/);
    const pcts = seen.map((s) => parseFloat(s.progress)).filter((p) => Number.isFinite(p));
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(pcts[0]).toBeLessThan(100);
    page.reload = reload;
    page.off('load', onLoad);
    expect(reloads).toBe(0);
    expect(loads).toBe(0);
    expect(await page.evaluate(() => window.__marker as number | undefined)).toBe(1);
    console.log(`job page followed ${jobId}: ${seen.map((s) => `${s.status} ${s.progress}`).join(' → ')}`);
    ended.add(jobId);

    jobView = (await server.api.call('GET', `/v1/jobs/${jobId}`)).body;
    expect(jobView.status).toBe('SUCCEEDED');
  });

  it('the finished job page: graph all succeeded, a Gantt bar per chunk attempt, a ladder point per rung', async () => {
    const { page } = main;
    // The workflow graph: every state that ran succeeded, none failed.
    const graph = page.locator('[data-testid="workflow-graph"]');
    await graph.locator('[data-state][data-status]').first().waitFor();
    const nodes = await graph.locator('[data-state]').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-state')!, status: e.getAttribute('data-status'), label: e.getAttribute('aria-label') ?? '' })));
    expect(nodes.length).toBeGreaterThan(5);
    expect(nodes.filter((n) => n.status !== 'SUCCEEDED' && n.status !== 'NOT_RUN')).toEqual([]);
    const fns = [...new Set<string>(jobView.steps.map((s: { function: string }) => s.function))];
    expect(fns).toEqual(expect.arrayContaining(['inspect', 'plan', 'encode-video', 'encode-audio', 'assemble', 'package', 'publish']));
    for (const fn of fns) {
      const tasks = nodes.filter((n) => n.label.startsWith('Task ') && n.label.includes(`runs ${fn},`));
      expect(tasks.length, fn).toBeGreaterThan(0);
      expect(tasks.some((t) => t.status === 'SUCCEEDED'), `${fn}: ${JSON.stringify(tasks)}`).toBe(true);
    }
    // Nothing on the failure path ran.
    expect(nodes.filter((n) => n.label.startsWith('Fail ')).every((n) => n.status === 'NOT_RUN' || n.status === null)).toBe(true);

    // The Gantt: one bar per encode-video chunk attempt of the API's steps.
    const apiChunks = jobView.steps
      .filter((s: { function: string }) => s.function === 'encode-video')
      .map((s: { stepId: string; attempt: number }) => `${s.stepId}#${s.attempt}`)
      .sort();
    expect(apiChunks.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await page.locator('[data-testid="gantt"] [data-step^="encode-video:"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step')}#${e.getAttribute('data-attempt')}`))).sort())
      .toEqual(apiChunks);
    expect(await page.locator('[data-testid="gantt"] [data-step^="encode-video:"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(apiChunks.map(() => 'SUCCEEDED'));

    // The ladder: one point per rendition of the job view, drawn by uPlot.
    const points = page.locator('[data-testid="ladder-point"]');
    await expect.poll(() => points.count()).toBe(jobView.renditions.length);
    expect((await points.evaluateAll((els) => els.map((e) => e.getAttribute('data-rung')))).sort()).toEqual(jobView.renditions.map((r: { id: string }) => r.id).sort());
    expect(await points.evaluateAll((els) => els.every((e) => Number(e.getAttribute('data-quality')) > 0))).toBe(true);
    await page.locator('[data-testid="ladder-chart"] canvas').first().waitFor();
    expectClean(main);
  });

  it('a measure job started through the API: its page names the workflow and the job it measured, and draws the measure graph', async () => {
    const { page } = main;
    const started = await server.api.call('POST', '/v1/workflows/measure/executions', { input: { of: jobId } });
    expect(started.status).toBe(202);
    await page.goto(`${server.url}/jobs/${started.body.id}`);
    await page.locator('[data-testid="job-status"]', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('job-workflow').textContent()).resolves.toBe(`measure of job ${jobId}`);
    const graph = page.locator('[data-testid="workflow-graph"]');
    await graph.locator('[data-state][data-status="SUCCEEDED"]').first().waitFor();
    const labels = await graph.locator('[data-state][data-status="SUCCEEDED"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels.some((l) => l.includes('runs measure-quality,'))).toBe(true);
    expect(labels.some((l) => l.includes('runs publish-derived,'))).toBe(true);
    await page.locator('[data-testid="ladder-point"]').first().waitFor();
    ended.add(started.body.id);
    expectClean(main);
    // Back to the encode job the later tests use.
    await page.goto(`${server.url}/jobs/${jobId}`);
    await page.locator('[data-testid="job-status"]', { hasText: 'SUCCEEDED' }).waitFor();
  });

  it('the player plays and a chosen rung plays at that rung\'s height', async () => {
    const { page } = main;
    const video = page.locator('[data-testid="player"]');
    await video.waitFor();
    // The player knows the manifest's renditions (ready to switch).
    await page.locator('[data-testid="player-engine"]').waitFor();
    await expect(page.locator('[data-testid="rung-select"]').isEnabled()).resolves.toBe(true);
    await video.evaluate((v: Video) => {
      v.muted = true;
      return v.play();
    });
    const t0 = await video.evaluate((v: Video) => v.currentTime);
    await page.waitForFunction((t) => (document.querySelector('[data-testid="player"]') as Video).currentTime >= t + 1, t0, { timeout: 15_000 });
    console.log(`player: ${(await page.locator('[data-testid="player-engine"]').textContent())?.trim()}; currentTime ${t0.toFixed(2)} → ≥ ${(t0 + 1).toFixed(2)}`);

    // Each end of the ladder in turn: the lowest rung, then the highest.
    const rungs = [...jobView.renditions].sort((a: { height: number }, b: { height: number }) => a.height - b.height);
    for (const r of [rungs[0], rungs.at(-1)]) {
      await page.locator('[data-testid="rung-select"]').selectOption(r.id);
      await page.waitForFunction((h) => (document.querySelector('[data-testid="player"]') as Video).videoHeight === h, r.height, { timeout: 15_000 });
      expect(await video.evaluate((v: Video) => v.videoHeight), r.id).toBe(r.height);
    }
    await video.evaluate((v: Video) => v.pause());
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'job-finished');
    expectClean(main);
  });

  it('cancels a running job from the UI (CANCELLED shown), then retries it from the UI to SUCCEEDED', async () => {
    const { page } = main;
    holdEncodes();
    let job: { id: string };
    try {
      const key = await server.api.upload(clip, 'to-cancel.mp4');
      job = (await server.api.call('POST', '/v1/jobs', { source: { key }, preset: 'draft' })).body;
      // Opened from the Jobs list, as a user would.
      await nav(page, 'Jobs').click();
      await page.getByRole('link', { name: 'to-cancel.mp4' }).click();
      await page.waitForURL(`**/jobs/${job.id}`);
      // RUNNING, with its chunk encodes held.
      await expect.poll(() => held, { timeout: 30_000 }).toBeGreaterThan(0);
      await page.locator('[data-testid="job-status"]', { hasText: 'RUNNING' }).waitFor();
      await page.locator('[data-testid="job-progress"]').waitFor();
      const cancelled = page.waitForRequest((r) => r.url().endsWith(`/v1/jobs/${job.id}/cancel`));
      await page.getByTestId('cancel-job').click();
      await cancelled;
    } finally {
      // The held encodes may go on now: the cancel stops them (it waits for what is in flight).
      releaseEncodes();
    }
    await page.locator('[data-testid="job-status"]', { hasText: 'CANCELLED' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="job-failure"]', { hasText: 'Mosaic.Cancelled' }).waitFor();
    expect(await page.getByTestId('cancel-job').count()).toBe(0);
    expect((await server.api.call('GET', `/v1/jobs/${job.id}`)).body.status).toBe('CANCELLED');
    await screenshot(page, 'job-cancelled');

    await page.getByTestId('retry-job').click();
    await page.locator('[data-testid="job-status"]', { hasText: /QUEUED|RUNNING/ }).waitFor();
    await page.locator('[data-testid="job-status"]', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('job-progress').textContent()).resolves.toBe('100%');
    const done = (await server.api.call('GET', `/v1/jobs/${job.id}`)).body;
    expect(done.status).toBe('SUCCEEDED');
    expect(done.outputs.hls).not.toBeNull();
    ended.add(job.id);
    expectClean(main);
  });

  it('an inbox drop: the rules fire (shown in the Rules view) and its job appears in Jobs', async () => {
    const { page } = main;
    const dropped = join(dir, 'src', 'drop.mp4');
    makeClip(dropped, { width: 320, height: 180, seconds: 2, audio: true });
    const key = 'inbox/draft/drop.mp4';
    const etag = createHash('md5').update(readFileSync(dropped)).digest('hex');
    const id = uploadJobId(LOCAL_RULE_SUBSTITUTIONS.SourceBucket, key, { etag });
    mkdirSync(join(root, 'inbox', 'draft'), { recursive: true });
    // Written beside it and renamed in, as a copy that lands whole (the watcher skips *.part).
    copyFileSync(dropped, join(root, `${key}.part`));
    renameSync(join(root, `${key}.part`), join(root, key));

    // The job the ingest rule started appears in the Jobs list (polled, no reload).
    await nav(page, 'Jobs').click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'drop.mp4' }) });
    await row.waitFor({ timeout: 30_000 });
    await expect(row.textContent()).resolves.toContain(id);
    await expect(row.textContent()).resolves.toContain('trigger=s3-upload');
    await expect(row.textContent()).resolves.toContain('rule=ingest-video');
    await row.locator('.s-badge', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    ended.add(id);
    await rules.idle();
    await screenshot(page, 'jobs');

    // What the rules did: ingest-video started the job; record-job-preset-version (rule engine) recorded its end.
    const ingest = firings.find((f) => f.rule === 'ingest-video' && JSON.stringify(f.actions).includes(id));
    expect(ingest, JSON.stringify(firings)).toMatchObject({ via: 'eventbridge', detailType: 'Object Created', actions: [{ result: { status: 'started', jobId: id } }] });
    const recorded = firings.find((f) => f.rule === 'record-job-preset-version' && JSON.stringify(f.actions).includes(`job:${id}`));
    expect(recorded, JSON.stringify(firings)).toMatchObject({ via: 'rule-engine', detailType: 'Job Status Changed', duplicate: false });

    // The Rules view shows them: the ingest rule's firing (EventBridge keeps no record: the job it
    // started, tagged rule=ingest-video), the record-job-preset-version firing of this job's end
    // (its event), and the facts it asserted.
    await nav(page, 'Rules').click();
    await page.locator('[data-testid="rule-row"][data-rule="ingest-video"]').waitFor();
    const ingestFirings = (await server.api.call('GET', '/v1/rules/ingest-video/firings')).body;
    await page.getByRole('button', { name: 'Show ingest-video' }).click();
    const detail = page.locator('#rule-detail');
    await detail.getByRole('heading', { name: 'ingest-video', exact: true }).waitFor();
    expect(ingestFirings.firings).toEqual([expect.objectContaining({ id, rule: 'ingest-video', subject: id })]);
    expect(ingestFirings.note).toMatch(/jobs it started \(tagged rule=ingest-video\)/);
    await detail.locator('[data-testid="rule-firing"]', { hasText: id }).waitFor();
    await detail.getByText(ingestFirings.note).waitFor();
    await page.getByRole('button', { name: 'Show record-job-preset-version' }).click();
    await detail.getByRole('heading', { name: 'record-job-preset-version', exact: true }).waitFor();
    await detail.locator('[data-testid="rule-firing"]', { hasText: recorded!.eventId }).waitFor();
    const listed = (await server.api.call('GET', '/v1/rules/record-job-preset-version/firings')).body.firings.map((f: { id: string }) => f.id);
    expect(await detail.locator('[data-testid="rule-firing"] td:last-child').allTextContents()).toEqual(listed);
    await page.getByLabel(/^Subject/).fill(`job:${id}`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="facts-result"]').getByText(`"sourceKey": "${key}"`).waitFor();
    await page.locator('[data-testid="facts-result"]').getByText('"preset": "draft"').waitFor();
    await screenshot(page, 'rules');
    expect(await unnamedControls(page)).toEqual([]);
    expectClean(main);
  });

  it('dashboards show the jobs: summary tiles and uPlot charts with data', async () => {
    const { page } = main;
    expect(ended.size).toBeGreaterThanOrEqual(3);
    await nav(page, 'Dashboards').click();
    const jobsTile = page.locator('.s-tile', { hasText: 'Jobs ended' });
    await jobsTile.waitFor();
    const summary = (await server.api.call('GET', `/v1/metrics/summary?since=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`)).body;
    const shown = Number(await jobsTile.locator('.s-tile-value').textContent());
    expect(shown).toBeGreaterThanOrEqual(ended.size);
    expect(shown).toBe(summary.jobs.total);
    await expect(jobsTile.locator('.s-tile-note').textContent()).resolves.toMatch(new RegExp(`^${summary.jobs.succeeded} succeeded`));
    expect(summary.jobs.succeeded).toBeGreaterThanOrEqual(ended.size);
    await expect(page.locator('.s-tile', { hasText: 'Total cost' }).locator('.s-tile-value').textContent()).resolves.toMatch(/^\$\d/);
    await expect(page.locator('.s-tile', { hasText: 'End to end p50' }).locator('.s-tile-value').textContent()).resolves.not.toBe('—');

    // Every chart of these figures drew its data: a uPlot canvas with the series on it, and no "No data yet".
    const charts = page.locator('[data-testid="time-series-chart"]');
    await expect.poll(() => charts.count()).toBeGreaterThanOrEqual(6);
    for (const title of ['Jobs ended', 'Step attempts', 'Cost', 'End to end (submit → done)', 'Step durations', 'API latency']) {
      const chart = charts.filter({ has: page.locator('figcaption', { hasText: new RegExp(`^${title.replace(/[()]/g, '\\$&')} \\(`) }) });
      expect(await chart.count(), title).toBe(1);
      expect(await chart.getByText('No data yet.').count(), title).toBe(0);
      await chart.locator('.uplot canvas').waitFor();
      // Pixels in the first series' colour: its line or points, not just axes and grid.
      const inked = await chart.locator('.uplot canvas').evaluate((c: any, hex: string) => {
        const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - want[0]!) + Math.abs(d[i + 1] - want[1]!) + Math.abs(d[i + 2] - want[2]!) < 40) n++;
        return n;
      }, SERIES_COLOURS[0]!);
      expect(inked, title).toBeGreaterThan(4);
      // The series' values, as the screen-reader table states them.
      await expect(chart.locator('tbody td').first().textContent(), title).resolves.not.toBe('—');
    }
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'dashboards');
    expectClean(main);
  });

  it('the workflows and functions views render (screenshots)', async () => {
    const { page } = main;
    await nav(page, 'Workflows').click();
    await page.locator('[data-testid="workflow"][data-workflow="encode"] [data-testid="workflow-graph"] [data-state]').first().waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'workflows');
    await nav(page, 'Functions').click();
    const encodeVideo = page.locator('[data-testid="function-row"][data-function="encode-video"]');
    await encodeVideo.waitFor();
    // The first function listed (analyze-title) has no runs in these jobs: look at encode-video's.
    await encodeVideo.locator('a, button').first().click();
    await page.getByText('Configuration (function.json)').waitFor();
    // The runs of this file's jobs are there.
    await page.locator('[data-testid="function-run"]').first().waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'functions');
    expectClean(main);
  });

  it('a bad source: the preflight shows the API\'s reason and the job cannot be submitted', async () => {
    const { page } = main;
    const bad = join(dir, 'src', 'notes.mp4');
    writeFileSync(bad, 'this is a text file, not a video\n'.repeat(50));
    await nav(page, 'New job').click();
    const preflight = page.waitForResponse((r) => r.url().endsWith('/v1/jobs/preflight'));
    await page.locator('#nj-file').setInputFiles(bad);
    const pf = await (await preflight).json();
    expect(pf.accepted).toBe(false);
    expect(pf.reasons.join(' ')).toMatch(/not a media file/);
    const alert = page.getByRole('alert').filter({ hasText: 'This job would fail' });
    await alert.waitFor();
    for (const reason of pf.reasons) await alert.getByText(reason).waitFor();
    await expect(page.getByRole('button', { name: 'Submit job' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'new-job-bad-source');
    expectClean(main);
  });

  it('a bad key on the sign-in form shows the API\'s 401 message; the right key signs in', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const w = await watch(context);
      const { page } = w;
      await page.goto(`${server.url}/`);
      const input = page.getByLabel('API key');
      await input.waitFor();
      expect(await unnamedControls(page)).toEqual([]);
      await screenshot(page, 'sign-in');
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/session' && r.request().method() === 'POST');
      await input.fill('mk_this-is-not-the-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const res = await answered;
      expect(res.status()).toBe(401);
      const message = (await res.json()).error.message;
      expect(message).toBe('the API key is not valid');
      await page.getByRole('alert').filter({ hasText: message }).waitFor();
      await screenshot(page, 'sign-in-bad-key');
      await input.fill(TEST_API_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'drop.mp4' }).waitFor();
      // Provoked: the bad key's 401; nothing else (the signed-out check of the session is no error).
      expectClean(w, ['401 POST /v1/session']);
    } finally {
      await context.close();
    }
  });

  it('keyboard: Tab reaches the nav links and the New job controls, always with a visible focus', async () => {
    const { page } = main;
    await nav(page, 'Jobs').click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    // Tabbing from the top of the page, as after a load.
    await page.evaluate(() => {
      const start = document.createElement('span');
      start.tabIndex = -1;
      document.body.prepend(start);
      start.focus();
      start.remove();
    });
    const navLinks = new Set<string>();
    const stops: NonNullable<Awaited<ReturnType<typeof focusState>>>[] = [];
    for (let i = 0; i < 20 && navLinks.size < 6; i++) {
      await page.keyboard.press('Tab');
      const f = await focusState(page);
      expect(f, `tab stop ${i}`).not.toBeNull();
      stops.push(f!);
      if (f!.inNav) navLinks.add(f!.href!);
    }
    expect([...navLinks]).toEqual(['/jobs', '/jobs/new', '/workflows', '/functions', '/rules', '/dashboards']);
    expect(stops.filter((s) => !s.visible)).toEqual([]);

    // To New job by keyboard, then through its controls.
    for (let i = 0; i < 10 && (await focusState(page))?.href !== '/jobs/new'; i++) await page.keyboard.press('Shift+Tab');
    expect((await focusState(page))?.href).toBe('/jobs/new');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New job', level: 1 }).waitFor();
    const wanted = ['nj-file', 'nj-preset', 'nj-priority', 'nj-deadline', 'nj-tags', 'nj-cap-file', 'nj-cap-key', 'nj-webhook'];
    const reached = new Set<string>();
    const formStops: NonNullable<Awaited<ReturnType<typeof focusState>>>[] = [];
    for (let i = 0; i < 40 && !wanted.every((id) => reached.has(id)); i++) {
      await page.keyboard.press('Tab');
      const f = await focusState(page);
      expect(f, `tab stop ${i}`).not.toBeNull();
      formStops.push(f!);
      if (f!.id) reached.add(f!.id);
    }
    expect(wanted.filter((id) => !reached.has(id))).toEqual([]);
    expect(formStops.filter((s) => !s.visible)).toEqual([]);
    // The checkboxes too (Outputs).
    expect(formStops.filter((s) => s.tag === 'input' && !s.id).length).toBeGreaterThanOrEqual(4);
    expect(await unnamedControls(page)).toEqual([]);
    console.log(`keyboard: ${stops.length} tab stops to the 6 nav links, ${formStops.length} through New job; focus visible at each (${stops[0]!.style})`);
    expectClean(main);
  });

  it('responsive: the Jobs view at 390×844 fits the screen', async () => {
    const phone = await browser.newContext({ viewport: PHONE, storageState: await desk.storageState() });
    try {
      const w = await watch(phone);
      const { page } = w;
      await page.goto(`${server.url}/jobs`);
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'drop.mp4' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      // Rows become cards: each cell labelled, nothing wider than the screen.
      const widest = await page.locator('table.s-jobs tbody tr').evaluateAll((rows) => Math.max(...rows.map((r) => r.getBoundingClientRect().right)));
      expect(widest).toBeLessThanOrEqual(PHONE.width);
      await nav(page, 'New job').waitFor();
      // Every page is in reach: each nav link wholly on screen (they wrap rather than scroll away).
      const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((as) =>
        as.map((a) => ({ name: a.textContent, left: a.getBoundingClientRect().left, right: a.getBoundingClientRect().right })),
      );
      expect(links.length).toBe(6);
      for (const l of links) expect(l.left >= 0 && l.right <= PHONE.width, JSON.stringify(l)).toBe(true);
      expect(await unnamedControls(page)).toEqual([]);
      await screenshot(page, 'jobs-390x844');
      expectClean(w);
    } finally {
      await phone.close();
    }
  });

  it('first view: signed in, / to the Jobs table visible within 1.5 s, with ≤ 250 KB of JS (gzip)', async () => {
    // A cold browser cache, the session cookie kept.
    const cold = await browser.newContext({ viewport: DESKTOP, storageState: await desk.storageState() });
    try {
      const w = await watch(cold);
      const { page } = w;
      const t0 = Date.now();
      await page.goto(`${server.url}/`);
      await page.locator('table.s-jobs tbody tr').first().waitFor();
      const ms = Date.now() - t0;
      const scripts = await page.evaluate(() =>
        (performance.getEntriesByType('resource') as unknown as ResourceEntry[])
          .filter((e) => /\.m?js(\?|$)/.test(new URL(e.name).pathname))
          .map((e) => ({ url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
      );
      expect(scripts.length).toBeGreaterThan(0);
      let gzip = 0;
      for (const s of scripts) {
        const res = await fetch(s.url);
        expect(res.status).toBe(200);
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.length).toBe(s.decoded);
        gzip += gzipSync(body, { level: 9 }).length;
      }
      const transfer = scripts.reduce((a, s) => a + s.transfer, 0);
      const encoded = scripts.reduce((a, s) => a + s.encoded, 0);
      console.log(
        `first view: ${ms} ms from goto('/') to the Jobs table; JS ${scripts.length} files, ${(encoded / 1024).toFixed(1)} KB as served (${(transfer / 1024).toFixed(1)} KB transferred), ${(gzip / 1024).toFixed(1)} KB gzip (budget ${JS_BUDGET_GZIP_BYTES / 1024} KB)`,
      );
      expect(gzip).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
      expect(ms).toBeLessThanOrEqual(FIRST_VIEW_LIMIT_MS);
      expectClean(w);
    } finally {
      await cold.close();
    }
  });
});
