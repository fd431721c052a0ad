/**
 * `npm run bench -- metrics`: the local metrics store (local/sqlite-metrics-store.ts) at scale.
 *
 * Fills a temp store with N (default 100,000) synthetic jobs spread over D (default 30) days, each
 * recorded as a real tiny job is: its two job-end records and ~8 step-end records, built by the same
 * core functions the lifecycle uses (jobEndRecords, stepEndRecord), with mixed outcomes, cache hits
 * and retries. Prints the insert rate, then times `summary` (whole span, last 7 days) and `series`
 * (a few metrics, period 1 h and 1 day) on a freshly opened store, several runs each: median and max
 * ms per query against the 50 ms target. Exit 1 when a query misses it or the figures disagree.
 *
 * Options: --jobs N (default 100000)  --days N (default 30)  --runs N (default 7)  --seed N  --keep
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MetricNames, type JobRecord, type JobStatus, type MetricName, type MetricRecord, type StepRecord } from '../lambdas/contracts/index.js';
import { jobEndRecords, stepEndRecord } from '../lambdas/core/metric-records.js';
import { SqliteMetricsStore } from '../local/sqlite-metrics-store.js';
import { prng } from './util.js';

const TARGET_MS = 50;
const DAY_MS = 86_400_000;

const STEPS: { fn: string; item?: string; sec: [number, number]; platform: 'lambda' | 'fargate'; size: string }[] = [
  { fn: 'inspect', sec: [0.3, 2], platform: 'lambda', size: '1024MB' },
  { fn: 'plan', sec: [0.05, 0.4], platform: 'lambda', size: '512MB' },
  { fn: 'encode-video', item: 'r0-c0', sec: [4, 60], platform: 'lambda', size: '1769MB' },
  { fn: 'encode-video', item: 'r1-c0', sec: [8, 180], platform: 'fargate', size: '2vCPU-4GB' },
  { fn: 'encode-audio', sec: [1, 8], platform: 'lambda', size: '1024MB' },
  { fn: 'assemble', sec: [1, 12], platform: 'lambda', size: '1769MB' },
  { fn: 'package', sec: [2, 20], platform: 'lambda', size: '1769MB' },
  { fn: 'publish', sec: [0.1, 1], platform: 'lambda', size: '512MB' },
];

/** The records one synthetic job contributes when it ends at `endMs`. */
function jobRecords(i: number, endMs: number, rnd: () => number): MetricRecord[] {
  const roll = rnd();
  const status: JobStatus = roll < 0.9 ? 'SUCCEEDED' : roll < 0.97 ? 'FAILED' : 'CANCELLED';
  const id = `job-${String(i).padStart(7, '0')}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const createdMs = endMs - 20_000 - rnd() * 280_000;
  const startedMs = createdMs + rnd() * 5_000;
  const stepsRun = status === 'SUCCEEDED' ? STEPS.length : 1 + Math.floor(rnd() * (STEPS.length - 1));
  const steps: Pick<StepRecord, 'status'>[] = [];
  const out: MetricRecord[] = [];
  let t = startedMs;
  let cost = 0;
  for (let s = 0; s < stepsRun; s++) {
    const def = STEPS[s]!;
    const last = s === stepsRun - 1;
    const cached = rnd() < 0.1;
    const retried = !cached && rnd() < 0.03;
    const failed = last && status === 'FAILED';
    const durationMs = cached ? Math.round(5 + rnd() * 20) : Math.round(1000 * (def.sec[0] + rnd() * (def.sec[1] - def.sec[0])));
    const costUsd = cached ? 0 : (durationMs / 1000) * (def.platform === 'lambda' ? 0.0000295 : 0.0000548);
    cost += costUsd;
    const stepStatus: StepRecord['status'] = cached ? 'CACHED' : failed ? 'FAILED' : 'SUCCEEDED';
    steps.push({ status: stepStatus });
    const rec = stepEndRecord(
      {
        jobId: id,
        stepId: def.item ? `${def.fn}:${def.item}` : def.fn,
        function: def.fn,
        attempt: retried ? 2 : 1,
        status: stepStatus,
        durationMs,
        costUsd,
        startedAt: iso(t),
        endedAt: iso(Math.min(endMs, t + durationMs)),
      },
      cached ? {} : { platform: def.platform, size: def.size, ...(def.fn === 'encode-video' ? { predictedSec: (durationMs / 1000) * (0.7 + rnd() * 0.6) } : {}) },
    );
    if (rec) out.push(rec);
    t = Math.min(endMs, t + durationMs);
  }
  const job = {
    id,
    status,
    spec: { source: { key: `uploads/${id}/clip.mp4` }, preset: rnd() < 0.5 ? 'default' : 'draft', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} },
    sourceHash: null,
    createdAt: iso(createdMs),
    updatedAt: iso(endMs),
    startedAt: iso(startedMs),
    endedAt: iso(endMs),
    progress: status === 'SUCCEEDED' ? 1 : 0.5,
    etaSec: null,
    error: status === 'SUCCEEDED' ? null : status === 'FAILED' ? { code: rnd() < 0.5 ? 'Mosaic.InputInvalid' : 'Mosaic.Transient', message: 'synthetic' } : { code: 'Mosaic.Cancelled', message: 'cancelled on request' },
    reportKey: null,
    outputPrefix: `outputs/${id}/`,
    cost: { region: 'us-east-1', pricesTakenOn: '2025-01-01', estimatedUsd: cost, actualUsd: cost },
    run: 0,
    version: 1,
  } as JobRecord;
  out.push(...jobEndRecords(job, steps, 10 + rnd() * 590));
  return out;
}

interface Timing {
  name: string;
  median: number;
  max: number;
}

async function time(name: string, runs: number, fn: () => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { name, median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! };
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { jobs: { type: 'string', default: '100000' }, days: { type: 'string', default: '30' }, runs: { type: 'string', default: '7' }, seed: { type: 'string', default: '12' }, keep: { type: 'boolean', default: false } },
  });
  const jobs = Number(values.jobs);
  const days = Number(values.days);
  const runs = Number(values.runs);
  if (![jobs, days, runs].every((n) => Number.isInteger(n) && n > 0)) {
    console.error('--jobs, --days and --runs take positive whole numbers');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-metrics-'));
  const file = join(dir, 'metrics.db');
  try {
    const rnd = prng(Number(values.seed));
    const until = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const from = until.getTime() - days * DAY_MS;

    // ---- insert, in batches as a busy engine would (a job's records at a time is the lifecycle's pace; batches show the store's).
    let store = new SqliteMetricsStore(file);
    const BATCH = 500;
    let records = 0;
    let values_ = 0;
    const t0 = performance.now();
    for (let i = 0; i < jobs; i += BATCH) {
      const batch: MetricRecord[] = [];
      for (let j = i; j < Math.min(jobs, i + BATCH); j++) batch.push(...jobRecords(j, from + ((j + rnd()) / jobs) * days * DAY_MS, rnd));
      records += batch.length;
      for (const r of batch) values_ += Object.keys(r.values).length;
      await store.record(batch);
    }
    const insertSec = (performance.now() - t0) / 1000;
    // One job's records per call, as the lifecycle records them.
    const single = jobRecords(jobs, until.getTime() - 1000, rnd);
    const t1 = performance.now();
    const SINGLE = 200;
    for (let k = 0; k < SINGLE; k++) await store.record(single.map((r) => ({ ...r, at: new Date(until.getTime() - 60_000 + k).toISOString() })));
    const singleMs = (performance.now() - t1) / SINGLE;
    store.close();
    console.log(`metrics store: ${jobs.toLocaleString('en-US')} jobs over ${days} days → ${records.toLocaleString('en-US')} records, ${values_.toLocaleString('en-US')} values; file ${(statSync(file).size / 1e6).toFixed(1)} MB`);
    console.log(`insert: ${(records / insertSec).toFixed(0)} records/s, ${(values_ / insertSec).toFixed(0)} values/s (${BATCH}-job batches, ${insertSec.toFixed(1)} s); one job's ${single.length} records per call: ${singleMs.toFixed(2)} ms`);

    // ---- queries on a freshly opened store (what `mosaic stats` or a new server sees first).
    const tOpen = performance.now();
    store = new SqliteMetricsStore(file);
    const openMs = performance.now() - tOpen;
    const all = new Date(from - DAY_MS);
    const week = new Date(until.getTime() - 7 * DAY_MS);
    // The window ends after the single-call records too.
    const end = new Date(until.getTime() + 1000);
    const series = (metric: MetricName, period: number, since: Date) => () => store.series({ metric, period, since: since.toISOString() }, end);
    const timings: Timing[] = [
      await time(`summary, all ${days} days`, runs, () => store.summary(all, end)),
      await time('summary, last 7 days', runs, () => store.summary(week, end)),
    ];
    for (const metric of [MetricNames.JobsEnded, MetricNames.JobCostUsd, MetricNames.JobWallSeconds, MetricNames.StepDurationSeconds] as MetricName[])
      for (const [label, period] of [['1 h', 3600], ['1 day', 86_400]] as const) timings.push(await time(`series ${metric}, ${label}, all`, runs, series(metric, period, all)));
    timings.push(await time('series StepDurationSeconds, 1 h, last 7 days', runs, series(MetricNames.StepDurationSeconds, 3600, week)));
    // Periods that split hours read every point (no rollups): the slowest kind of series.
    timings.push(await time('series JobsEnded, 5 min, all', runs, series(MetricNames.JobsEnded, 300, all)));
    timings.push(await time('series StepDurationSeconds, 5 min, all', runs, series(MetricNames.StepDurationSeconds, 300, all)));

    // ---- the figures agree with each other and with what was inserted.
    const summary = await store.summary(all, end);
    const ended = await store.series({ metric: MetricNames.JobsEnded, period: 86_400, since: all.toISOString() }, end);
    const costs = await store.series({ metric: MetricNames.JobCostUsd, period: 3600, since: all.toISOString() }, end);
    const seriesJobs = ended.buckets.reduce((s, b) => s + b.sum, 0);
    const seriesCost = costs.buckets.reduce((s, b) => s + b.sum, 0);
    const agree = summary.jobs.total === jobs + SINGLE && seriesJobs === summary.jobs.total && Math.abs(seriesCost - summary.cost.totalUsd) <= 1e-9 * Math.max(1, summary.cost.totalUsd);
    store.close();

    const width = Math.max(...timings.map((t) => t.name.length));
    console.log(`\nopen: ${openMs.toFixed(1)} ms; ${runs} runs per query (first on a fresh store):`);
    for (const t of timings) console.log(`  ${t.name.padEnd(width)}  median ${t.median.toFixed(1).padStart(6)} ms  max ${t.max.toFixed(1).padStart(6)} ms  ${t.max <= TARGET_MS ? 'ok' : `OVER ${TARGET_MS} ms`}`);
    console.log(
      `\nsummary: ${summary.jobs.total} jobs (${summary.jobs.succeeded} succeeded, ${summary.jobs.failed} failed, ${summary.jobs.cancelled} cancelled), $${summary.cost.totalUsd.toFixed(2)}, ` +
        `end to end p50/p90/p99 ${[summary.latency.endToEndSec.p50, summary.latency.endToEndSec.p90, summary.latency.endToEndSec.p99].map((v) => v?.toFixed(1)).join('/')} s, ${Object.keys(summary.latency.steps).length} functions`,
    );
    console.log(`series agree with the summary: jobs ${seriesJobs} vs ${summary.jobs.total}, cost $${seriesCost.toFixed(6)} vs $${summary.cost.totalUsd.toFixed(6)}: ${agree ? 'yes' : 'NO'}`);
    const ok = agree && timings.every((t) => t.max <= TARGET_MS);
    console.log(ok ? `\nall queries ≤ ${TARGET_MS} ms` : `\nFAILED: ${agree ? '' : 'figures disagree; '}${timings.filter((t) => t.max > TARGET_MS).length} queries over ${TARGET_MS} ms`);
    return ok ? 0 : 1;
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
