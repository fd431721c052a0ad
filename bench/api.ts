/**
 * `npm run bench -- api`: the Jobs API on a real `mosaic serve` on loopback.
 *
 * 1. Throughput: autocannon on `GET /v1/jobs/{id}` of a finished job (steps, output links,
 *    quality: the fullest answer). Targets: ≥ 2,000 req/s, p99 ≤ 25 ms, zero errors.
 * 2. Load: N (default 200) concurrent upload + submit of tiny generated clips, each with its own
 *    Idempotency-Key; then every job must complete, none lost, none duplicated.
 *
 * Options: --duration S (default 10)  --connections N (default 10)  --jobs N (default 200)
 *          --max-jobs N (server's concurrent jobs, default 4)  --keep (keep the temp dir)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { REPO_ROOT, resolveTools, runOk } from './util.js';

const TARGET_RPS = 2000;
const TARGET_P99_MS = 25;

interface Server {
  child: ChildProcess;
  url: string;
  key: string;
}

function startServe(out: string, maxJobs: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/mosaic.js'), 'serve', '--port', '0', '--out', out, '--json', '--max-jobs', String(maxJobs)], {
      cwd: REPO_ROOT,
      env: { ...process.env, MOSAIC_OFFLINE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const info = JSON.parse(buf.slice(0, nl)) as { url: string; apiKey: string };
        resolve({ child, url: info.url, key: info.apiKey });
      }
    });
    child.on('exit', (code) => reject(new Error(`mosaic serve exited (${code}) before listening: ${err}`)));
  });
}

async function call<T = any>(s: Server, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { 'x-api-key': s.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function upload(s: Server, bytes: Buffer, filename: string): Promise<string> {
  const ticket = await call<{ url: string; headers: Record<string, string>; key: string }>(s, 'POST', '/v1/uploads', { filename, bytes: bytes.length, contentType: 'video/mp4' });
  if (ticket.status !== 201) throw new Error(`upload ticket: HTTP ${ticket.status}`);
  const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
  if (!put.ok) throw new Error(`upload PUT: HTTP ${put.status}`);
  return ticket.body.key;
}

/** Submits with retries on network errors; the Idempotency-Key makes a retried submit the same job. */
async function submit(s: Server, key: string, idem: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await call<{ id: string }>(s, 'POST', '/v1/jobs', SPEC(key), { 'Idempotency-Key': idem });
      if (r.status !== 202) throw new Error(`submit: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

const SPEC = (key: string) => ({ source: { key }, preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false } });

async function allJobs(s: Server): Promise<{ id: string; status: string; sourceKey: string }[]> {
  const out: { id: string; status: string; sourceKey: string }[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { status: number; body: { jobs: { id: string; status: string; sourceKey: string }[]; nextCursor: string | null } } = await call(s, 'GET', `/v1/jobs?limit=100${q}`);
    out.push(...page.body.jobs);
    cursor = page.body.nextCursor;
  } while (cursor);
  return out;
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      jobs: { type: 'string', default: '200' },
      'max-jobs': { type: 'string', default: '4' },
      keep: { type: 'boolean', default: false },
    },
  });
  const nJobs = Number(values.jobs);
  const tools = resolveTools();
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-api-'));
  console.log(`api bench on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), temp ${dir}`);

  // Tiny clips, a few different ones (pattern, size, tone), cycled over the submissions.
  const clips: Buffer[] = [];
  const shapes = [[320, 180], [256, 144], [320, 240], [240, 136]] as const;
  for (let i = 0; i < 4; i++) {
    const path = join(dir, `clip${i}.mp4`);
    const [w, h] = shapes[i]!;
    await runOk(tools.ffmpeg, [
      '-hide_banner', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `${i % 2 ? 'testsrc2' : 'smptebars'}=size=${w}x${h}:rate=25`,
      '-f', 'lavfi', '-i', `sine=frequency=${300 + 100 * i}:sample_rate=48000`,
      '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', path,
    ]);
    clips.push(readFileSync(path));
  }

  const server = await startServe(join(dir, 'out'), Number(values['max-jobs']));
  let failed = false;
  try {
    // ---- 1. GET /v1/jobs/{id} throughput
    const key = await upload(server, clips[0]!, 'first.mp4');
    const first = await submit(server, key, randomUUID());
    for (;;) {
      const j = await call<{ status: string }>(server, 'GET', `/v1/jobs/${first}`);
      if (j.body.status === 'SUCCEEDED') break;
      if (j.body.status === 'FAILED' || j.body.status === 'CANCELLED') throw new Error(`first job ${j.body.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const ac = await autocannon({
      url: `${server.url}/v1/jobs/${first}`,
      headers: { 'x-api-key': server.key },
      connections: Number(values.connections),
      duration: Number(values.duration),
    });
    const errors = ac.errors + ac.timeouts + ac.non2xx;
    const ok = ac.requests.average >= TARGET_RPS && ac.latency.p99 <= TARGET_P99_MS && errors === 0;
    console.log(`\nGET /v1/jobs/{id} — ${values.connections} connections, ${values.duration} s (autocannon in this process, server in another)`);
    console.log(`  requests/s  avg ${ac.requests.average.toFixed(0)}  (min ${ac.requests.min}, max ${ac.requests.max})   total ${ac.requests.total}`);
    console.log(`  latency ms  p50 ${ac.latency.p50}  p90 ${ac.latency.p90}  p99 ${ac.latency.p99}  max ${ac.latency.max}`);
    console.log(`  errors      ${ac.errors} errors, ${ac.timeouts} timeouts, ${ac.non2xx} non-2xx`);
    console.log(`  ${ok ? 'PASS' : 'FAIL'}: target ≥ ${TARGET_RPS} req/s, p99 ≤ ${TARGET_P99_MS} ms, 0 errors`);
    failed ||= !ok;

    // ---- 2. N concurrent upload + submit, then wait for all
    console.log(`\n${nJobs} concurrent submissions (upload + submit, draft, HLS only), server runs ${values['max-jobs']} jobs at once`);
    const t0 = performance.now();
    const submitted = await Promise.allSettled(
      Array.from({ length: nJobs }, async (_, i) => {
        const k = await upload(server, clips[i % clips.length]!, `load-${i}.mp4`);
        return { id: await submit(server, k, `load-${i}-${randomUUID()}`), key: k };
      }),
    );
    const tSubmitted = (performance.now() - t0) / 1000;
    const accepted = submitted.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = submitted.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    console.log(`  accepted ${accepted.length}/${nJobs} in ${tSubmitted.toFixed(1)} s${refused.length ? `; refused: ${refused.slice(0, 3).join('; ')}` : ''}`);

    const ids = new Set(accepted.map((a) => a.id));
    const deadline = Date.now() + 30 * 60_000;
    let jobs = await allJobs(server);
    let lastPrint = 0;
    for (;;) {
      const mine = jobs.filter((j) => ids.has(j.id));
      const done = mine.filter((j) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status)).length;
      if (Date.now() - lastPrint > 10_000) {
        console.log(`  … ${done}/${ids.size} finished after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        lastPrint = Date.now();
      }
      if (done === ids.size || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
      jobs = await allJobs(server);
    }
    const total = (performance.now() - t0) / 1000;
    const mine = jobs.filter((j) => ids.has(j.id));
    const completed = mine.filter((j) => j.status === 'SUCCEEDED').length;
    const failedJobs = mine.filter((j) => j.status === 'FAILED' || j.status === 'CANCELLED').length;
    const lost = accepted.filter((a) => !mine.some((j) => j.id === a.id && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status))).length + refused.length;
    // One upload, one submission: more than one job per uploaded key, or unknown extra jobs, are duplicates.
    const perKey = new Map<string, number>();
    for (const j of jobs) perKey.set(j.sourceKey, (perKey.get(j.sourceKey) ?? 0) + 1);
    const duplicated = [...perKey.values()].reduce((n, c) => n + Math.max(0, c - 1), 0) + Math.max(0, jobs.length - 1 - accepted.length);
    const ok2 = completed === nJobs && failedJobs === 0 && lost === 0 && duplicated === 0;
    console.log(`  completed ${completed}, failed ${failedJobs}, lost ${lost}, duplicated ${duplicated}; all finished in ${total.toFixed(1)} s (${(nJobs / total).toFixed(2)} jobs/s)`);
    console.log(`  ${ok2 ? 'PASS' : 'FAIL'}: every job completes, none lost, none duplicated`);
    failed ||= !ok2;
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}
