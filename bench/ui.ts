/**
 * `npm run bench -- ui`: the web UI's first view on a real `mosaic serve` on loopback, in
 * Debian's Chromium (headless, driven by playwright-core).
 *
 * Signs in once through the one-time sign-in URL the server prints, submits one tiny job (so the
 * Jobs table has a row), loads the UI once to warm the server (its bundle is built at start),
 * then N times (default 10) opens `/` in a fresh browser context (cold cache, the session cookie
 * kept) and times `goto('/')` → the Jobs table visible. Prints each load, the median (target
 * ≤ 300 ms), and the JavaScript that first view loaded: files, bytes as served, and their gzip
 * size computed here with zlib (the local server does not compress; budget ≤ 250 KB). Exit 1 when
 * a target is missed.
 *
 * Options: --loads N (default 10)  --keep (keep the temp dir)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT, resolveTools, runOk } from './util.js';

const TARGET_MEDIAN_MS = 300;
const JS_BUDGET_GZIP_BYTES = 250 * 1024;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Serve {
  child: ChildProcess;
  url: string;
  key: string;
  signInUrl: string;
}

function startServe(out: string): Promise<Serve> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/mosaic.js'), 'serve', '--port', '0', '--out', out, '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, MOSAIC_OFFLINE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let err = '';
    let listening = false;
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d: Buffer) => {
      if (listening) return;
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      listening = true;
      const info = JSON.parse(buf.slice(0, nl)) as { url: string; apiKey: string; signInUrl: string };
      resolve({ child, url: info.url, key: info.apiKey, signInUrl: info.signInUrl });
    });
    child.on('exit', (code) => reject(new Error(`mosaic serve exited (${code}) before listening: ${err}`)));
  });
}

async function call<T = any>(s: Serve, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { 'x-api-key': s.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** One tiny job, so the first view has a table row to show. */
async function oneJob(s: Serve, dir: string): Promise<void> {
  const clip = join(dir, 'clip.mp4');
  const { ffmpeg } = resolveTools();
  await runOk(ffmpeg, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
  const bytes = readFileSync(clip);
  const ticket = await call<{ url: string; headers: Record<string, string>; key: string }>(s, 'POST', '/v1/uploads', { filename: 'bench.mp4', bytes: bytes.length, contentType: 'video/mp4' });
  if (ticket.status !== 201) throw new Error(`upload ticket: HTTP ${ticket.status}`);
  const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
  if (!put.ok) throw new Error(`upload PUT: HTTP ${put.status}`);
  const job = await call(s, 'POST', '/v1/jobs', { source: { key: ticket.body.key }, preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false } });
  if (job.status !== 202) throw new Error(`submit: HTTP ${job.status} ${JSON.stringify(job.body)}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { loads: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false } } });
  const loads = Number(values.loads);
  if (!Number.isInteger(loads) || loads < 1) throw new Error('--loads must be a positive integer');
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is not installed (apt-get install chromium): no browser to measure the UI in`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-ui-'));
  let server: Serve | null = null;
  let browser: Browser | null = null;
  try {
    server = await startServe(join(dir, 'out'));
    await oneJob(server, dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const viewport = { width: 1280, height: 800 };

    // Signed in as the printed URL signs in; the session cookie is all the later contexts keep.
    const first = await browser.newContext({ viewport });
    const page0 = await first.newPage();
    await page0.goto(server.signInUrl);
    await page0.locator('table.s-jobs tbody tr').first().waitFor({ timeout: 60_000 });
    const state = await first.storageState();
    await first.close();

    console.log(`web UI first view on ${server.url}: goto('/') → the Jobs table visible, ${loads} loads, each in a fresh context (cold cache)`);
    const times: number[] = [];
    let scripts: { url: string; encoded: number }[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport, storageState: state });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${server.url}/`);
      await page.locator('table.s-jobs tbody tr').first().waitFor({ timeout: 30_000 });
      const ms = performance.now() - t0;
      times.push(ms);
      if (i === 0)
        scripts = await page.evaluate(() =>
          (performance.getEntriesByType('resource') as unknown as { name: string; encodedBodySize: number }[])
            .filter((e) => /\.m?js(\?|$)/.test(new URL(e.name).pathname))
            .map((e) => ({ url: e.name, encoded: e.encodedBodySize })),
        );
      await context.close();
      console.log(`  load ${String(i + 1).padStart(2)}: ${ms.toFixed(0)} ms`);
    }

    let raw = 0;
    let gzip = 0;
    for (const s of scripts) {
      const body = Buffer.from(await (await fetch(s.url)).arrayBuffer());
      raw += body.length;
      gzip += gzipSync(body, { level: 9 }).length;
    }
    const med = median(times);
    console.log(`\nfirst view: median ${med.toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}; target ≤ ${TARGET_MEDIAN_MS} ms)`);
    console.log(`first view JS: ${scripts.length} files, ${(raw / 1024).toFixed(1)} KB as served, ${(gzip / 1024).toFixed(1)} KB gzip (budget ≤ ${JS_BUDGET_GZIP_BYTES / 1024} KB)`);
    const ok = med <= TARGET_MEDIAN_MS && gzip <= JS_BUDGET_GZIP_BYTES && scripts.length > 0;
    console.log(ok ? 'PASS' : 'FAIL');
    return ok ? 0 : 1;
  } finally {
    await browser?.close();
    if (server) {
      const exited = new Promise<void>((r) => server!.child.once('exit', () => r()));
      server.child.kill('SIGTERM');
      await exited;
    }
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
