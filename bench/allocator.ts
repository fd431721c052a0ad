/**
 * Allocator benchmark: Mosaic's allocator against fixed sizing on a simulated catalogue.
 *
 * What is simulated: 1,000 seeded titles (bench/catalogue.ts). Each title is encoded as the
 * default preset's whole ladder for its source (lambdas/core/ladder.ts: every rung at or below
 * the source), and each rung is split into chunks that run on the chosen size. A job may run
 * 200 tasks at once, split evenly between its rungs; a rung's chunks run in waves of its share.
 * Job time = the slowest rung; job cost = every chunk of every rung.
 *
 * Strategies, all on the SAME speed model, memory model, prices (us-east-1, x86_64) and
 * concurrency:
 * - mosaic: chooseChunking per rung (chunk length × the whole 28-size ladder, the job deadline);
 * - fixed: always Lambda 10 GB; always Fargate 4 vCPU/8 GB; always Fargate 16 vCPU/32 GB, each
 *   with the default preset's 12 s chunks (as today). A second table gives each fixed size its
 *   own best chunk length (cheapest meeting the deadline) — the stronger baseline.
 * Baselines are not held to Mosaic's 1.5× safety margin: a fixed Lambda fails only when a chunk
 * really runs past 900 s; a size without enough memory fails (out of memory). A failed title
 * counts as a miss and is charged what its chunks would have run (Lambda capped at 900 s).
 *
 * The simulated world is the model itself (actual duration = prediction), so this measures the
 * policy's choices, not the model's accuracy — that is what calibration is for. "Feasible" is
 * checked independently of chooseChunking, by brute force over every ladder size × chunk lengths
 * of 1–16 GOPs and doubling from there, against the platforms' hard limits (no safety margin).
 */
import { parseArgs } from 'node:util';
import { AllocationContextSchema, type AllocationContext, type AllocationTask } from '../lambdas/contracts/index.js';
import {
  candidateSizes,
  chooseChunking,
  DEFAULT_CHUNK_SECONDS_OPTIONS,
  DEFAULT_SPEED_TABLE,
  evaluateSize,
  priceTable,
  type CandidateSize,
} from '../lambdas/core/allocator/index.js';
import { planTiming } from '../lambdas/core/chunks.js';
import { planLadder } from '../lambdas/core/ladder.js';
import { PRESETS } from '../lambdas/core/presets.js';
import { CATALOGUE_MIX, makeCatalogue, type Title } from './catalogue.js';

const TARGET_SAVING = 0.3;
const REGION = 'us-east-1';
const PRESET = PRESETS.default;
const table = DEFAULT_SPEED_TABLE;
const prices = priceTable(REGION);
/** Mosaic plans with its default safety margin; baselines and feasibility use the hard limits. */
const planCtx: AllocationContext = AllocationContextSchema.parse({ region: REGION });
const hardCtx: AllocationContext = AllocationContextSchema.parse({ region: REGION, safetyMargin: 1 });
const LADDER = candidateSizes();

interface Options {
  titles: number;
  seed: number;
  concurrency: number;
}

interface RungWork {
  task: Omit<AllocationTask, 'frames'>;
  totalFrames: number;
  gopFrames: number;
  concurrency: number;
}

interface Outcome {
  seconds: number;
  cost: number;
  failed?: string;
}

interface TitleResult {
  title: Title;
  mosaic: Outcome & { plans: ReturnType<typeof chooseChunking>[] };
  fixed12: Outcome[];
  fixedBest: Outcome[];
  feasible: boolean;
  /** When Mosaic missed: per rung, a plan the brute force found (or null). */
  witness?: string;
}

const BASELINES: Array<{ name: string; size: CandidateSize }> = [
  { name: 'lambda 10 GB', size: ladderSize('lambda', 10_240) },
  { name: 'fargate 4 vCPU/8 GB', size: ladderSize('fargate', 8192, 4) },
  { name: 'fargate 16 vCPU/32 GB', size: ladderSize('fargate', 32_768, 16) },
];

function ladderSize(platform: 'lambda' | 'fargate', memoryMiB: number, vcpu?: number): CandidateSize {
  const s = LADDER.find((c) => c.platform === platform && c.memoryMiB === memoryMiB && (vcpu === undefined || c.vcpu === vcpu));
  if (!s) throw new Error(`no ${platform} ${memoryMiB} MiB size in the ladder`);
  return s;
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (typeof opts === 'string') {
    console.error(opts);
    return 2;
  }
  const started = performance.now();
  const titles = makeCatalogue(opts.titles, opts.seed);
  const results = titles.map((t) => simulateTitle(t, opts.concurrency));
  const elapsed = (performance.now() - started) / 1000;

  printHeader(opts);
  const mosaic = summarize(results.map((r) => ({ outcome: r.mosaic, r })));
  const fixed12 = BASELINES.map((b, i) => ({ name: b.name, ...summarize(results.map((r) => ({ outcome: r.fixed12[i], r }))) }));
  const fixedBest = BASELINES.map((b, i) => ({ name: `${b.name}, best chunk`, ...summarize(results.map((r) => ({ outcome: r.fixedBest[i], r }))) }));

  console.log('\nFixed sizes with the default 12 s chunks (the target compares against these):');
  printTable(mosaic, fixed12);
  console.log('\nFixed sizes each with its own best chunk length (stronger baselines, for reference):');
  printTable(mosaic, fixedBest);
  printMosaicMix(results);

  const infeasible = results.filter((r) => !r.feasible).length;
  console.log(`\ntitles with no feasible plan for their deadline (any size, any chunk length): ${infeasible}`);
  for (const r of results.filter((x) => x.feasible && x.witness !== undefined).slice(0, 5)) {
    const t = r.title;
    console.log(
      `  Mosaic missed a feasible deadline: title ${t.id} (${t.durationSec} s, ${t.height}p ${t.codec}, deadline ${t.deadlineSec} s): planned ~${Math.round(r.mosaic.seconds)} s; brute force: ${r.witness}`,
    );
  }
  const ok12 = verdict('target (12 s baselines)', mosaic, fixed12);
  verdict('reference (best-chunk baselines)', mosaic, fixedBest);
  console.log(`\nsimulated ${titles.length} titles (${results.reduce((n, r) => n + r.mosaic.plans.length, 0)} rungs) in ${elapsed.toFixed(1)} s`);
  return ok12 ? 0 : 1;
}

function parseOptions(argv: string[]): Options | string {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { titles: { type: 'string', default: '1000' }, seed: { type: 'string', default: '20250101' }, concurrency: { type: 'string', default: '200' } },
      strict: true,
    });
    const titles = Number(values.titles);
    const seed = Number(values.seed);
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(titles) || titles < 1) return `--titles must be a positive integer, got ${values.titles}`;
    if (!Number.isInteger(seed)) return `--seed must be an integer, got ${values.seed}`;
    if (!Number.isInteger(concurrency) || concurrency < 1) return `--concurrency must be a positive integer, got ${values.concurrency}`;
    return { titles, seed, concurrency };
  } catch (e) {
    return (e as Error).message;
  }
}

function rungWork(title: Title, concurrency: number): RungWork[] {
  const rungs = planLadder({ width: title.width, height: title.height }, PRESET);
  const timing = planTiming(title.fps, String(title.fps), PRESET.segmentSeconds);
  const totalFrames = Math.round(title.durationSec * title.fps);
  const share = Math.max(1, Math.floor(concurrency / rungs.length));
  return rungs.map((r) => ({
    task: {
      function: 'encode-video',
      codec: title.codec,
      encoderPreset: title.encoderPreset,
      width: r.width,
      height: r.height,
      fps: title.fps,
      sourceBitrateKbps: title.sourceBitrateKbps,
    },
    totalFrames,
    gopFrames: timing.gopFrames,
    concurrency: share,
  }));
}

function simulateTitle(title: Title, concurrency: number): TitleResult {
  const work = rungWork(title, concurrency);
  const plans = work.map((w) =>
    chooseChunking({
      totalFrames: w.totalFrames,
      fps: w.task.fps,
      gopFrames: w.gopFrames,
      task: w.task,
      ctx: planCtx,
      jobDeadlineSec: title.deadlineSec,
      maxConcurrency: w.concurrency,
    }),
  );
  const mosaic = { seconds: Math.max(...plans.map((p) => p.jobEstimatedSeconds)), cost: plans.reduce((s, p) => s + p.jobCostUsd, 0), plans };

  const fixed12 = BASELINES.map((b) => combine(work.map((w) => runFixed(w, b.size, Math.ceil(PRESET.chunkSeconds / PRESET.segmentSeconds) * w.gopFrames))));
  const fixedBest = BASELINES.map((b) => combine(work.map((w) => bestFixed(w, b.size, title.deadlineSec))));
  const mosaicMet = title.deadlineSec === undefined || mosaic.seconds <= title.deadlineSec;
  // Mosaic's own plan is a witness when it meets the deadline; otherwise search independently.
  const witnesses = mosaicMet ? [] : work.map((w) => rungWitness(w, title.deadlineSec!));
  const feasible = mosaicMet || witnesses.every((x) => x !== null);
  return { title, mosaic, fixed12, fixedBest, feasible, witness: mosaicMet ? undefined : witnesses.join(' | ') };
}

function combine(outcomes: Outcome[]): Outcome {
  return {
    seconds: Math.max(...outcomes.map((o) => o.seconds)),
    cost: outcomes.reduce((s, o) => s + o.cost, 0),
    failed: outcomes.find((o) => o.failed)?.failed,
  };
}

/** One rung on one fixed size with a fixed chunk length, run for real: fails on OOM, full disk or Lambda's 900 s. */
function runFixed(w: RungWork, size: CandidateSize, chunkFrames: number): Outcome {
  const frames = Math.min(chunkFrames, w.totalFrames);
  const chunks = Math.ceil(w.totalFrames / frames);
  const waves = Math.ceil(chunks / w.concurrency);
  const lastFrames = w.totalFrames - (chunks - 1) * frames;
  const full = evaluateSize({ ...w.task, frames }, size, hardCtx, table, prices);
  const last = evaluateSize({ ...w.task, frames: lastFrames }, size, hardCtx, table, prices);
  const lambdaCap = (e: typeof full) => (size.platform === 'lambda' && e.seconds > 900 ? (e.costUsd * 900) / e.seconds : e.costUsd);
  return {
    seconds: waves * Math.min(full.seconds, size.platform === 'lambda' ? 900 : Infinity),
    cost: (chunks - 1) * lambdaCap(full) + lambdaCap(last),
    failed: full.fits ? undefined : `${size.label}: ${full.misfit}`,
  };
}

function chunkFrameOptions(w: RungWork, seconds: readonly number[]): number[] {
  return [...new Set([...seconds.map((s) => Math.min(w.totalFrames, Math.ceil(s * w.task.fps))), w.totalFrames])];
}

/** The fixed size with the cheapest chunk length that meets the deadline (else the fastest). */
function bestFixed(w: RungWork, size: CandidateSize, deadline: number | undefined): Outcome {
  const runs = chunkFrameOptions(w, DEFAULT_CHUNK_SECONDS_OPTIONS).map((f) => runFixed(w, size, f));
  const ok = runs.filter((r) => !r.failed && (deadline === undefined || r.seconds <= deadline));
  if (ok.length > 0) return ok.sort((a, b) => a.cost - b.cost)[0];
  const ran = runs.filter((r) => !r.failed);
  return (ran.length > 0 ? ran : runs).sort((a, b) => a.seconds - b.seconds)[0];
}

/** Brute force: a ladder size and chunk length of 1–16 GOPs (then doubling) that meets the deadline, if any. */
function rungWitness(w: RungWork, deadline: number): string | null {
  const gops = Math.ceil(w.totalFrames / w.gopFrames);
  const counts = new Set<number>();
  for (let g = 1; g <= Math.min(16, gops); g++) counts.add(g);
  for (let g = 32; g < gops; g *= 2) counts.add(g);
  counts.add(gops);
  for (const g of counts) {
    const frames = Math.min(w.totalFrames, g * w.gopFrames);
    const waves = Math.ceil(Math.ceil(w.totalFrames / frames) / w.concurrency);
    for (const size of LADDER) {
      const e = evaluateSize({ ...w.task, frames }, size, hardCtx, table, prices);
      if (e.fits && waves * e.seconds <= deadline) return `${size.label}, ${g} GOP chunks, ${waves} waves, ~${Math.round(waves * e.seconds)} s`;
    }
  }
  return null;
}

interface Summary {
  cost: number;
  misses: number;
  missesFeasible: number;
  failed: number;
  /** This strategy's cost ÷ Mosaic's, over the titles this strategy finished on time. */
  vsMosaicWhereMet: number;
  /** Median job time ÷ title duration. */
  medianTimeRatio: number;
}

function summarize(rows: Array<{ outcome: Outcome; r: TitleResult }>): Summary {
  let cost = 0;
  let misses = 0;
  let missesFeasible = 0;
  let failed = 0;
  let metCost = 0;
  let metMosaicCost = 0;
  const ratios: number[] = [];
  for (const { outcome, r } of rows) {
    cost += outcome.cost;
    ratios.push(outcome.seconds / r.title.durationSec);
    const late = r.title.deadlineSec !== undefined && outcome.seconds > r.title.deadlineSec;
    if (outcome.failed) failed++;
    if (outcome.failed || late) {
      misses++;
      if (r.feasible) missesFeasible++;
    } else {
      metCost += outcome.cost;
      metMosaicCost += r.mosaic.cost;
    }
  }
  ratios.sort((a, b) => a - b);
  return {
    cost,
    misses,
    missesFeasible,
    failed,
    vsMosaicWhereMet: metMosaicCost > 0 ? metCost / metMosaicCost : NaN,
    medianTimeRatio: ratios[Math.floor(ratios.length / 2)],
  };
}

function printHeader(opts: Options): void {
  const p = prices;
  console.log('Allocator benchmark: Mosaic vs fixed sizing on a simulated catalogue');
  console.log(`catalogue: ${opts.titles} titles, seed ${opts.seed}`);
  for (const [k, v] of Object.entries(CATALOGUE_MIX)) console.log(`  ${k.padEnd(12)} ${v}`);
  console.log(`  ladder       preset "${PRESET.name}": every rung at or below the source (${PRESET.rungs.map((r) => r.height).join('/')}p)`);
  console.log(`concurrency: ${opts.concurrency} tasks per job, split evenly between its rungs`);
  console.log(
    `prices: ${REGION} x86_64 as of ${p.takenOn} — Lambda $${p.lambda.x86_64.gbSecond}/GB-s; Fargate $${p.fargate.x86_64.vcpuHour}/vCPU-h, $${p.fargate.x86_64.gbHour}/GB-h (1 min minimum)`,
  );
  console.log('model: the default speed table (uncalibrated priors), Lambda startup ~1 s, Fargate ~60 s (25 s billed)');
  console.log('world: actual duration = the model\'s estimate; Mosaic plans with a 1.5× Lambda safety margin, baselines fail only past 900 s');
  console.log('columns: "vs mosaic where met" = the strategy\'s cost ÷ Mosaic\'s on the titles the strategy finished in time; "median time" = job time ÷ title duration');
}

function printTable(mosaic: Summary, baselines: Array<Summary & { name: string }>): void {
  const rows = [{ name: 'mosaic', ...mosaic }, ...baselines];
  const w = Math.max(24, ...rows.map((r) => r.name.length + 2));
  console.log(
    `${'strategy'.padEnd(w)} ${'total cost'.padStart(12)} ${'vs mosaic'.padStart(10)} ${'deadline misses'.padStart(16)} ${'misses (feasible)'.padStart(18)} ${'failed'.padStart(7)} ${'vs mosaic where met'.padStart(20)} ${'median time'.padStart(12)}`,
  );
  for (const r of rows) {
    const first = r === rows[0];
    const vs = first ? '' : `${(r.cost / mosaic.cost).toFixed(2)}×`;
    const vsMet = first ? '' : `${r.vsMosaicWhereMet.toFixed(2)}×`;
    console.log(
      `${r.name.padEnd(w)} ${('$' + r.cost.toFixed(2)).padStart(12)} ${vs.padStart(10)} ${String(r.misses).padStart(16)} ${String(r.missesFeasible).padStart(18)} ${String(r.failed).padStart(7)} ${vsMet.padStart(20)} ${(r.medianTimeRatio.toFixed(2) + '× dur').padStart(12)}`,
    );
  }
}

function printMosaicMix(results: TitleResult[]): void {
  const bySize = new Map<string, { cost: number; rungs: number }>();
  let lambdaCost = 0;
  let total = 0;
  const chunkSeconds: number[] = [];
  for (const r of results) {
    for (const p of r.mosaic.plans) {
      const label = LADDER[p.allocation.sizeIndex].label;
      const e = bySize.get(label) ?? { cost: 0, rungs: 0 };
      e.cost += p.jobCostUsd;
      e.rungs++;
      bySize.set(label, e);
      total += p.jobCostUsd;
      if (p.allocation.platform === 'lambda') lambdaCost += p.jobCostUsd;
      chunkSeconds.push(p.chunkSeconds);
    }
  }
  chunkSeconds.sort((a, b) => a - b);
  const q = (f: number) => chunkSeconds[Math.min(chunkSeconds.length - 1, Math.floor(f * chunkSeconds.length))].toFixed(0);
  const top = [...bySize.entries()].sort((a, b) => b[1].rungs - a[1].rungs).slice(0, 6);
  console.log(`\nMosaic's choices: ${((100 * lambdaCost) / total).toFixed(0)}% of its cost on Lambda; chunk length p10/p50/p90 ${q(0.1)}/${q(0.5)}/${q(0.9)} s`);
  for (const [label, e] of top) console.log(`  ${label.padEnd(28)} ${String(e.rungs).padStart(5)} rungs  $${e.cost.toFixed(2)}`);
}

function verdict(label: string, mosaic: Summary, baselines: Array<Summary & { name: string }>): boolean {
  const eligible = baselines.filter((b) => b.misses <= mosaic.misses);
  const pool = eligible.length > 0 ? eligible : baselines;
  const ref = [...pool].sort((a, b) => a.cost - b.cost)[0];
  const saving = 1 - mosaic.cost / ref.cost;
  const savingOk = saving >= TARGET_SAVING;
  const missesOk = mosaic.missesFeasible === 0;
  const against =
    eligible.length > 0
      ? `the cheapest baseline missing no more deadlines than Mosaic (${ref.name}: ${ref.misses} misses vs ${mosaic.misses})`
      : `the cheapest baseline (${ref.name}); every baseline misses more deadlines than Mosaic (${mosaic.misses})`;
  console.log(`\n${label}: Mosaic is ${(saving * 100).toFixed(1)}% cheaper than ${against} — ${savingOk ? 'PASS' : 'FAIL'} (≥ ${TARGET_SAVING * 100}%)`);
  console.log(`${label}: Mosaic misses where a feasible plan exists: ${mosaic.missesFeasible} — ${missesOk ? 'PASS' : 'FAIL'} (0)`);
  return savingOk && missesOk;
}
