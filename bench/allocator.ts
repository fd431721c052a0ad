/**
 * Allocator benchmark: Mosaic's allocator against fixed sizing on a simulated catalogue, in a
 * world measured on this machine.
 *
 * Catalogue: 1,000 seeded titles (bench/catalogue.ts), each encoded as the default preset's whole
 * ladder for its source (every rung at or below it), each rung cut into chunks. A job may run 200
 * tasks at once, split evenly between its rungs; a rung's chunks run in waves of its share and a
 * wave lasts as long as its slowest chunk. Job time = the slowest rung; job cost = every chunk.
 *
 * World (bench/measured-world.ts): a task's actual time is NOT the allocator's prediction. Its
 * compute time is drawn per chunk from real chunk encodes of the matching case timed here
 * (bench/data/measured-chunk-encodes.json; `--measure` times them again), scaled to the size's
 * vCPUs by an Amdahl law fitted to the clean 1- and 2-thread runs (with none — a busy machine —
 * the speed model's prior or --fallback-p, said in the output); start-up, transfer, each wave's
 * Map child start and each task's Step Functions cost are the allocator's documented figures
 * (lambdas/core/allocator/startup-costs.ts). Every strategy that cuts a rung alike meets the same
 * draws. Memory, disk and prices are the platform's (memory model, us-east-1 x86_64 price table);
 * no account quotas (every strategy may run its share of 200 tasks at once).
 *
 * Strategies:
 * - mosaic: chooseChunking per rung with the default speed table (a fresh deployment's priors)
 *   and its 1.5× Lambda safety margin. A task running past its timeout is killed (billed to
 *   then) and run again one size up (escalate, cause timeout), as the encode workflow does.
 * - mosaic, learned: the same with the speed table it would have learned (observe, as every
 *   encode feeds it) from the measured runs — a deployment that has encoded on this hardware.
 * - fixed, 12 s: always Lambda 10 GB / Fargate 4 vCPU 8 GB / Fargate 16 vCPU 32 GB with the
 *   default preset's 12 s chunks.
 * - best fixed in hindsight, per platform: the single size of that platform's ladder that, with
 *   each rung of each title given its best chunk length IN THE MEASURED WORLD (the cheapest that
 *   meets the title's deadline; else the fastest that runs), misses the fewest deadlines over the
 *   whole catalogue, and among those costs least in total. Chunk lengths tried: the allocator's
 *   own options (4 s … 6,144 s, the wave-filling lengths, the whole title) and every 1–16 GOPs and
 *   doubling from there. It knows every actual task time in advance, which no real policy does.
 * A fixed size has no escalation: a Lambda task past 900 s fails (billed 900 s), a size without
 * the memory or disk fails; a failed title is a miss. "Feasible" = some size and chunk length of
 * the above meets the title's deadline in the measured world (per rung, no safety margin).
 *
 * Report: cost, deadline misses (all, and where feasible), job time of every strategy; Mosaic's
 * saving against the best fixed sizes in hindsight; Mosaic's prediction error (per task: the
 * allocation's estimate of a full-length chunk vs its actual time before any timeout; per job:
 * the plan's estimate vs the simulated job time). Figures are printed, not asserted: exit 0.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { AllocationContextSchema, type Allocation, type AllocationContext, type AllocationTask, type SpeedTable } from '../lambdas/contracts/index.js';
import {
  candidateSizes,
  chooseChunking,
  costOf,
  DEFAULT_CHUNK_SECONDS_OPTIONS,
  DEFAULT_MAX_WAVES,
  DEFAULT_SPEED_TABLE,
  escalate,
  FARGATE_LIMITS,
  observe,
  LAMBDA_LIMITS,
  priceTable,
  requiredEphemeralMiB,
  requiredMemoryMiB,
  networkBytesPerSec,
  orchestrationUsdPerTask,
  platformStartup,
  stagedBytes,
  STARTUP_COSTS,
  type CandidateSize,
  type ChunkingPlan,
} from '../lambdas/core/allocator/index.js';
import { uploadedBytes } from '../lambdas/core/allocator/memory-model.js';
import { planTiming } from '../lambdas/core/chunks.js';
import { planLadder } from '../lambdas/core/ladder.js';
import { PRESETS } from '../lambdas/core/presets.js';
import { predictedEncodeSeconds } from '../local/calibrate.js';
import { CATALOGUE_MIX, CATALOGUE_SOURCES, makeCatalogue, type Title } from './catalogue.js';
import { drawRung, isCleanRun, mixSeed, MeasuredWorld, worldTaskSeconds, type RungDraws, type WorldCase } from './measured-world.js';
import { loadMeasuredData, measure, measurePairs, MEASURED_DATA_PATH } from './measured-world-measure.js';

const REGION = 'us-east-1';
const PRESET = PRESETS.default;
const prices = priceTable(REGION);
const planCtx: AllocationContext = AllocationContextSchema.parse({ region: REGION });
const LADDER = candidateSizes();
/** Step Functions per task, and each wave's wait for its Map children to start. */
const ORCHESTRATION_USD = orchestrationUsdPerTask(prices);
const MAP_CHILD_START_SEC = STARTUP_COSTS.stepFunctions.mapChildStartSeconds;

/** Bytes a task moves: its share of the source down, its chunk up. */
const transferBytes = (task: AllocationTask) => stagedBytes(task) + uploadedBytes(task);

interface Options {
  titles: number;
  seed: number;
  concurrency: number;
  measure: boolean;
  measurePairs: boolean;
  repetitions: number;
  pairsBudget: number;
  data: string;
  /** Thread scaling where none was measured cleanly; undefined: the speed model's prior. */
  fallbackP?: number;
}

export interface RungWork {
  task: Omit<AllocationTask, 'frames'>;
  totalFrames: number;
  gopFrames: number;
  concurrency: number;
  worldCase: WorldCase;
  /** Seeds this rung's draws (with the chunk length). */
  seed: number;
}

export interface Outcome {
  seconds: number;
  cost: number;
  failed?: string;
}

const FIXED_12: Array<{ name: string; size: CandidateSize }> = [
  { name: 'lambda 10 GB, 12 s', size: ladderSize('lambda', 10_240) },
  { name: 'fargate 4 vCPU/8 GB, 12 s', size: ladderSize('fargate', 8192, 4) },
  { name: 'fargate 16 vCPU/32 GB, 12 s', size: ladderSize('fargate', 32_768, 16) },
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
  if (opts.measure) {
    console.log(`measuring chunk encodes (${opts.repetitions} repetitions, then up to ${opts.pairsBudget} s of clean thread pairs) into ${opts.data} …`);
    await measure({ repetitions: opts.repetitions, pairsBudgetSec: opts.pairsBudget, out: opts.data });
  } else if (opts.measurePairs && existsSync(opts.data)) {
    await measurePairs({ budgetSec: opts.pairsBudget, path: opts.data });
  } else if (!existsSync(opts.data)) {
    console.error(`no measurements at ${opts.data}: run \`npm run bench -- allocator --measure\` first`);
    return 2;
  }
  const world = new MeasuredWorld(loadMeasuredData(opts.data), opts.fallbackP);
  const started = performance.now();
  const titles = makeCatalogue(opts.titles, opts.seed);
  const sim = simulate(titles, world, opts, [
    { name: 'mosaic', table: DEFAULT_SPEED_TABLE },
    { name: 'mosaic, learned', table: learnedTable(world) },
  ]);
  const elapsed = (performance.now() - started) / 1000;
  report(sim, world, opts, elapsed);
  return 0;
}

function parseOptions(argv: string[]): Options | string {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        titles: { type: 'string', default: '1000' },
        seed: { type: 'string', default: '20250101' },
        concurrency: { type: 'string', default: '200' },
        measure: { type: 'boolean', default: false },
        'measure-pairs': { type: 'boolean', default: false },
        repetitions: { type: 'string', default: '3' },
        'pairs-budget': { type: 'string', default: '300' },
        'fallback-p': { type: 'string' },
        data: { type: 'string', default: MEASURED_DATA_PATH },
      },
      strict: true,
    });
    const titles = Number(values.titles);
    const seed = Number(values.seed);
    const concurrency = Number(values.concurrency);
    const repetitions = Number(values.repetitions);
    if (!Number.isInteger(titles) || titles < 1) return `--titles must be a positive integer, got ${values.titles}`;
    if (!Number.isInteger(seed)) return `--seed must be an integer, got ${values.seed}`;
    if (!Number.isInteger(concurrency) || concurrency < 1) return `--concurrency must be a positive integer, got ${values.concurrency}`;
    const pairsBudget = Number(values['pairs-budget']);
    if (!Number.isInteger(repetitions) || repetitions < 1) return `--repetitions must be a positive integer, got ${values.repetitions}`;
    if (!(pairsBudget >= 0)) return `--pairs-budget must be a number of seconds ≥ 0, got ${values['pairs-budget']}`;
    const fallbackP = values['fallback-p'] === undefined ? undefined : Number(values['fallback-p']);
    if (fallbackP !== undefined && !(fallbackP >= 0 && fallbackP <= 1)) return `--fallback-p must be in [0, 1], got ${values['fallback-p']}`;
    return { titles, seed, concurrency, measure: values.measure, measurePairs: values['measure-pairs'], repetitions, pairsBudget, data: values.data, fallbackP };
  } catch (e) {
    return (e as Error).message;
  }
}

export function rungWork(title: Title, concurrency: number, world: MeasuredWorld, seed: number): RungWork[] {
  const rungs = planLadder({ width: title.width, height: title.height }, PRESET);
  const timing = planTiming(title.fps, String(title.fps), PRESET.segmentSeconds);
  const totalFrames = Math.round(title.durationSec * title.fps);
  const share = Math.max(1, Math.floor(concurrency / rungs.length));
  return rungs.map((r, i) => ({
    task: {
      function: 'encode-video',
      codec: title.codec,
      encoderPreset: title.encoderPreset,
      width: r.width,
      height: r.height,
      fps: title.fps,
      sourceBitrateKbps: title.sourceBitrateKbps,
      // As Plan sizes real jobs: the source frame each output frame decodes.
      sourceWidth: title.width,
      sourceHeight: title.height,
    },
    totalFrames,
    gopFrames: timing.gopFrames,
    concurrency: share,
    worldCase: world.caseFor({ codec: title.codec === 'h265' ? 'h265' : 'h264', sourceWidth: title.width, sourceHeight: title.height, width: r.width, height: r.height }),
    seed: mixSeed(seed, title.id, i),
  }));
}

/** Chunk lengths (frames) of a rung the baselines and the feasibility check try: see the module comment. */
export function chunkFrameOptions(w: Pick<RungWork, 'totalFrames' | 'gopFrames' | 'concurrency' | 'task'>): number[] {
  const whole = (frames: number) => Math.min(w.totalFrames, Math.ceil(frames / w.gopFrames) * w.gopFrames);
  const gops = Math.ceil(w.totalFrames / w.gopFrames);
  const counts: number[] = [];
  for (let g = 1; g <= Math.min(16, gops); g++) counts.push(g);
  for (let g = 32; g < gops; g *= 2) counts.push(g);
  return [
    ...new Set([
      ...DEFAULT_CHUNK_SECONDS_OPTIONS.map((s) => whole(Math.ceil(s * w.task.fps))),
      ...Array.from({ length: DEFAULT_MAX_WAVES }, (_, k) => whole(Math.ceil(w.totalFrames / ((k + 1) * w.concurrency)))),
      ...counts.map((g) => whole(g * w.gopFrames)),
      w.totalFrames,
    ]),
  ].sort((a, b) => a - b);
}

/** A chunk's outcome given its frames and sample index. */
type ChunkRun = (frames: number, index: number) => Outcome;

/** Runs a rung's chunks in waves: time = Σ waves' slowest chunk, cost = every chunk. */
export function runRung(w: Pick<RungWork, 'totalFrames' | 'concurrency'>, chunkFrames: number, draws: RungDraws, chunk: ChunkRun): Outcome {
  const frames = Math.min(chunkFrames, w.totalFrames);
  const chunks = Math.ceil(w.totalFrames / frames);
  const lastFrames = w.totalFrames - (chunks - 1) * frames;
  const full = draws.counts.map((_, k) => chunk(frames, k));
  const last = chunk(lastFrames, draws.lastIndex);
  let seconds = 0;
  for (let wave = 0; wave < draws.waveMax.length; wave++) {
    const k = draws.waveMax[wave];
    const slowest = k >= 0 ? full[k].seconds : 0;
    seconds += MAP_CHILD_START_SEC + (wave === draws.waveMax.length - 1 ? Math.max(slowest, last.seconds) : slowest);
  }
  let cost = last.cost + chunks * ORCHESTRATION_USD;
  let failed = last.failed;
  draws.counts.forEach((n, k) => {
    if (n === 0) return;
    cost += n * full[k].cost;
    failed ??= full[k].failed;
  });
  return { seconds, cost, failed };
}

/** Memory and disk against the size (the platform's hard limits); the configured scratch disk. */
function resources(task: AllocationTask, size: CandidateSize): { ephemeralMiB: number; misfit?: string } {
  const needed = requiredEphemeralMiB(task);
  const lambda = size.platform === 'lambda';
  const ephemeralMiB = lambda ? Math.max(LAMBDA_LIMITS.minEphemeralMiB, needed) : Math.max(FARGATE_LIMITS.minEphemeralGiB, Math.ceil(needed / 1024)) * 1024;
  const memory = requiredMemoryMiB(task, size.threads);
  if (memory > size.memoryMiB) return { ephemeralMiB, misfit: `${size.label}: needs ${memory} MiB of memory` };
  if (lambda ? ephemeralMiB > LAMBDA_LIMITS.maxEphemeralMiB : ephemeralMiB / 1024 > FARGATE_LIMITS.maxEphemeralGiB) return { ephemeralMiB, misfit: `${size.label}: needs ${ephemeralMiB} MiB of scratch disk` };
  return { ephemeralMiB };
}

/** A fixed size: no escalation; Lambda's 900 s is a hard stop (billed to it). */
export function fixedChunk(w: Pick<RungWork, 'task' | 'worldCase'>, size: CandidateSize): ChunkRun {
  let cached: { frames: number; r: ReturnType<typeof resources>; staged: number } | undefined;
  return (frames, index) => {
    if (cached?.frames !== frames) {
      const task = { ...w.task, frames };
      cached = { frames, r: resources(task, size), staged: transferBytes(task) };
    }
    const { r, staged } = cached;
    const t = worldTaskSeconds(w.worldCase, index, frames, size, staged);
    const capped = size.platform === 'lambda' && t.seconds > LAMBDA_LIMITS.maxTimeoutSec;
    const billed = capped ? LAMBDA_LIMITS.maxTimeoutSec : t.billedSeconds;
    return {
      seconds: capped ? LAMBDA_LIMITS.maxTimeoutSec : t.seconds,
      cost: costOf({ ...size, ephemeralMiB: r.ephemeralMiB }, billed, prices),
      failed: r.misfit ?? (capped ? `${size.label}: a chunk ran past 900 s` : undefined),
    };
  };
}

/** Mosaic's chunk: runs on its allocation; past the timeout it is killed and escalated one size up. */
function mosaicChunk(w: RungWork, allocation: Allocation, table: SpeedTable): ChunkRun & { escalations: () => number } {
  let escalations = 0;
  const run: ChunkRun = (frames, index) => {
    const task = { ...w.task, frames };
    let alloc: Allocation | null = allocation;
    let seconds = 0;
    let cost = 0;
    while (alloc) {
      const size = LADDER[alloc.sizeIndex];
      const t = worldTaskSeconds(w.worldCase, index, frames, size, transferBytes(task));
      const billedSize = { ...size, ephemeralMiB: alloc.ephemeralMiB };
      if (t.seconds <= alloc.timeoutSec) return { seconds: seconds + t.seconds, cost: cost + costOf(billedSize, t.billedSeconds, prices) };
      seconds += alloc.timeoutSec;
      cost += costOf(billedSize, alloc.timeoutSec - (t.seconds - t.billedSeconds), prices);
      escalations++;
      alloc = escalate(alloc, task, planCtx, table, 3, 'timeout');
    }
    return { seconds, cost, failed: 'timed out at every size escalation tried' };
  };
  return Object.assign(run, { escalations: () => escalations });
}

interface TaskError {
  relative: number;
  weight: number;
}

export interface MosaicVariant {
  name: string;
  table: SpeedTable;
}

interface TitleResult {
  title: Title;
  /** Per Mosaic variant. */
  mosaic: Outcome[];
  mosaicPlanned: number[];
  plans: ChunkingPlan[][];
  fixed12: Outcome[];
  /** Per ladder size: the title with every rung at its best chunk length in hindsight. */
  bySize: Outcome[];
  feasible: boolean;
}

interface Simulation {
  variants: MosaicVariant[];
  results: TitleResult[];
  /** Per Mosaic variant. */
  taskErrors: TaskError[][];
  escalations: number[];
  rungs: number;
}

export function simulate(titles: Title[], world: MeasuredWorld, opts: Pick<Options, 'concurrency' | 'seed'>, variants: MosaicVariant[]): Simulation {
  const taskErrors: TaskError[][] = variants.map(() => []);
  const escalations = variants.map(() => 0);
  let rungs = 0;
  const results = titles.map((title): TitleResult => {
    const work = rungWork(title, opts.concurrency, world, opts.seed);
    rungs += work.length;
    const deadline = title.deadlineSec;
    const drawsOf = new Map<string, RungDraws>();
    const draws = (w: RungWork, chunkFrames: number) => {
      const k = `${w.seed}/${chunkFrames}`;
      let d = drawsOf.get(k);
      if (!d) {
        const frames = Math.min(chunkFrames, w.totalFrames);
        d = drawRung(mixSeed(w.seed, frames), Math.ceil(w.totalFrames / frames), w.concurrency, w.worldCase.perFrame.length);
        drawsOf.set(k, d);
      }
      return d;
    };

    const plans = variants.map((v) =>
      work.map((w) => chooseChunking({ totalFrames: w.totalFrames, fps: w.task.fps, gopFrames: w.gopFrames, task: w.task, ctx: planCtx, jobDeadlineSec: deadline, maxConcurrency: w.concurrency, table: v.table })),
    );
    const mosaic = variants.map((v, vi) => combine(work.map((w, i) => {
      const p = plans[vi][i];
      const chunk = mosaicChunk(w, p.allocation, v.table);
      const d = draws(w, p.chunkFrames);
      const out = runRung(w, p.chunkFrames, d, chunk);
      escalations[vi] += chunk.escalations();
      // Prediction error of its full-length chunks, before any timeout.
      const size = LADDER[p.allocation.sizeIndex];
      const frames = Math.min(p.chunkFrames, w.totalFrames);
      d.counts.forEach((n, k) => {
        if (n === 0) return;
        const actual = worldTaskSeconds(w.worldCase, k, frames, size, transferBytes({ ...w.task, frames })).seconds;
        taskErrors[vi].push({ relative: (p.allocation.estimatedSeconds - actual) / actual, weight: n });
      });
      return out;
    })));

    const fixed12 = FIXED_12.map((b) => combine(work.map((w) => {
      const frames = Math.ceil(PRESET.chunkSeconds / PRESET.segmentSeconds) * w.gopFrames;
      return runRung(w, frames, draws(w, frames), fixedChunk(w, b.size));
    })));

    // Every size × every chunk length: the hindsight baselines and feasibility.
    const options = work.map((w) => chunkFrameOptions(w));
    const rungFeasible = work.map(() => false);
    const bySize = LADDER.map((size) =>
      combine(work.map((w, i) => {
        const runs = options[i].map((f) => runRung(w, f, draws(w, f), fixedChunk(w, size)));
        const ok = runs.filter((r) => !r.failed && (deadline === undefined || r.seconds <= deadline));
        if (ok.length > 0) {
          rungFeasible[i] = true;
          return ok.sort((a, b) => a.cost - b.cost)[0];
        }
        const ran = runs.filter((r) => !r.failed);
        return ran.length > 0 ? ran.sort((a, b) => a.seconds - b.seconds)[0] : runs.sort((a, b) => a.cost - b.cost)[0];
      })),
    );
    const mosaicPlanned = plans.map((ps) => Math.max(...ps.map((p) => p.jobEstimatedSeconds)));
    return { title, mosaic, mosaicPlanned, plans, fixed12, bySize, feasible: rungFeasible.every(Boolean) };
  });
  return { variants, results, taskErrors, escalations, rungs };
}

export function combine(outcomes: Outcome[]): Outcome {
  return {
    seconds: Math.max(...outcomes.map((o) => o.seconds)),
    cost: outcomes.reduce((s, o) => s + o.cost, 0),
    failed: outcomes.find((o) => o.failed)?.failed,
  };
}

const missed = (o: Outcome, t: Title) => !!o.failed || (t.deadlineSec !== undefined && o.seconds > t.deadlineSec);

/**
 * The best fixed size in hindsight among `sizes`: fewest misses over the catalogue, then the
 * least total cost (each title's outcome on a size being its best chunk lengths, as computed).
 */
export function bestInHindsight(titles: Title[], outcomes: (sizeIndex: number, title: number) => Outcome, sizes: readonly CandidateSize[]): { size: CandidateSize; misses: number; cost: number } {
  const scored = sizes.map((size) => {
    let misses = 0;
    let cost = 0;
    titles.forEach((t, i) => {
      const o = outcomes(size.index, i);
      cost += o.cost;
      if (missed(o, t)) misses++;
    });
    return { size, misses, cost };
  });
  return scored.sort((a, b) => a.misses - b.misses || a.cost - b.cost)[0];
}

interface Summary {
  name: string;
  cost: number;
  misses: number;
  missesFeasible: number;
  failed: number;
  hours: number;
  medianTimeRatio: number;
}

function summarize(name: string, rows: Array<{ o: Outcome; r: TitleResult }>): Summary {
  let cost = 0;
  let misses = 0;
  let missesFeasible = 0;
  let failed = 0;
  let seconds = 0;
  const ratios: number[] = [];
  for (const { o, r } of rows) {
    cost += o.cost;
    seconds += o.seconds;
    ratios.push(o.seconds / r.title.durationSec);
    if (o.failed) failed++;
    if (missed(o, r.title)) {
      misses++;
      if (r.feasible) missesFeasible++;
    }
  }
  ratios.sort((a, b) => a - b);
  return { name, cost, misses, missesFeasible, failed, hours: seconds / 3600, medianTimeRatio: ratios[Math.floor(ratios.length / 2)] };
}

/** Weighted quantile of |x|. */
export function weightedQuantile(xs: ReadonlyArray<{ value: number; weight: number }>, q: number): number {
  const s = [...xs].sort((a, b) => a.value - b.value);
  const total = s.reduce((n, x) => n + x.weight, 0);
  let acc = 0;
  for (const x of s) {
    acc += x.weight;
    if (acc >= q * total) return x.value;
  }
  return s.length ? s[s.length - 1].value : NaN;
}

function report(sim: Simulation, world: MeasuredWorld, opts: Options, elapsed: number): void {
  const { results } = sim;
  const d = world.data;
  const titles = results.map((r) => r.title);
  console.log('Allocator benchmark: Mosaic vs fixed sizing on a simulated catalogue, in the measured world');
  console.log(`catalogue: ${opts.titles} titles, seed ${opts.seed}; ${sim.rungs} rungs`);
  for (const [k, v] of Object.entries(CATALOGUE_MIX)) console.log(`  ${k.padEnd(12)} ${v}`);
  console.log(`concurrency: ${opts.concurrency} tasks per job, split evenly between its rungs; waves last as long as their slowest chunk`);
  console.log(`prices: ${REGION} x86_64 as of ${prices.takenOn}`);
  const su = (p: 'lambda' | 'fargate') => `${platformStartup(p).seconds} s start (${platformStartup(p).billedSeconds} s billed), ${networkBytesPerSec({ platform: p, vcpu: 1 }) / 1e6} MB/s`;
  console.log(`start-up costs (lambdas/core/allocator/startup-costs.ts): Lambda ${su('lambda')}; Fargate ${su('fargate')}; +${MAP_CHILD_START_SEC} s per wave, $${ORCHESTRATION_USD.toPrecision(2)} of Step Functions per task`);
  printWorld(world, opts);

  const mosaics = sim.variants.map((v, vi) => summarize(v.name, results.map((r) => ({ o: r.mosaic[vi], r }))));
  const mosaic = mosaics[0];
  const lambdaSizes = LADDER.filter((s) => s.platform === 'lambda');
  const fargateSizes = LADDER.filter((s) => s.platform === 'fargate');
  const at = (sizeIndex: number, i: number) => results[i].bySize[sizeIndex];
  const bestLambda = bestInHindsight(titles, at, lambdaSizes);
  const bestFargate = bestInHindsight(titles, at, fargateSizes);
  const bestAny = bestInHindsight(titles, at, LADDER);
  const hindsight = (label: string, size: CandidateSize) => summarize(`${label}: ${size.label}`, results.map((r) => ({ o: r.bySize[size.index], r })));
  const rows: Summary[] = [
    ...mosaics,
    hindsight('best Lambda in hindsight', bestLambda.size),
    hindsight('best Fargate in hindsight', bestFargate.size),
    ...FIXED_12.map((b, i) => summarize(b.name, results.map((r) => ({ o: r.fixed12[i], r })))),
    ...FIXED_12.map((b) => hindsight(`${b.name.replace(', 12 s', '')}, best chunks`, b.size)),
  ];
  console.log('');
  printTable(rows);

  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const infeasible = results.filter((r) => !r.feasible).length;
  console.log(`\ntitles no size and chunk length can finish in time: ${infeasible}`);
  sim.variants.forEach((v, vi) => {
    const m = mosaics[vi];
    const overruns = results
      .filter((r) => !r.mosaic[vi].failed && r.title.deadlineSec !== undefined && r.mosaic[vi].seconds > r.title.deadlineSec)
      .map((r) => r.mosaic[vi].seconds / r.title.deadlineSec! - 1)
      .sort((a, b) => a - b);
    const by = overruns.length ? `, late by a median ${pct(overruns[Math.floor(overruns.length / 2)])} (max ${pct(overruns[overruns.length - 1])})` : '';
    console.log(`\n${v.name}: $${m.cost.toFixed(2)}, ${m.misses} deadline misses (${m.missesFeasible} feasible, ${m.failed} failed${by}), ${sim.escalations[vi]} tasks past their timeout escalated`);
    for (const [label, best] of [['best Lambda size', bestLambda], ['best Fargate size', bestFargate], ['best fixed size overall', bestAny]] as const)
      console.log(`  saving vs the ${label} in hindsight (${best.size.label}: $${best.cost.toFixed(2)}, ${best.misses} misses): ${pct(1 - m.cost / best.cost)}`);
    const errs = sim.taskErrors[vi];
    const task = errs.map((e) => ({ value: Math.abs(e.relative), weight: e.weight }));
    const signed = errs.map((e) => ({ value: e.relative, weight: e.weight }));
    const job = results.map((r) => ({ value: Math.abs(r.mosaicPlanned[vi] - r.mosaic[vi].seconds) / r.mosaic[vi].seconds, weight: 1 }));
    const jobSigned = results.map((r) => ({ value: (r.mosaicPlanned[vi] - r.mosaic[vi].seconds) / r.mosaic[vi].seconds, weight: 1 }));
    const tasks = errs.reduce((n, e) => n + e.weight, 0);
    console.log(`  prediction error, (predicted − actual) ÷ actual:`);
    console.log(`    per task (${tasks} full-length chunks, before any timeout): median |error| ${pct(weightedQuantile(task, 0.5))}, p90 ${pct(weightedQuantile(task, 0.9))}; median signed ${pct(weightedQuantile(signed, 0.5))} (negative: optimistic)`);
    console.log(`    per job (${results.length} titles, planned vs simulated job time): median |error| ${pct(weightedQuantile(job, 0.5))}, p90 ${pct(weightedQuantile(job, 0.9))}; median signed ${pct(weightedQuantile(jobSigned, 0.5))}`);
  });
  console.log(`\nmeasurements: ${d.cases.length} cases, ${d.cases.reduce((n, c) => n + c.runs.length, 0)} runs, ${d.machine.vcpus} vCPUs ${d.machine.cpuModel}, ${d.ffmpeg.split(' Copyright')[0]}, ${d.measuredAt}`);
  console.log(`simulated ${results.length} titles in ${elapsed.toFixed(1)} s`);
}

function printWorld(world: MeasuredWorld, opts: Options): void {
  const d = world.data;
  const runs = d.cases.flatMap((c) => c.runs.map((r) => ({ r, c })));
  console.log(`world: ${d.cases.length} measured cases (${runs.length} runs, ${d.repetitions} repetitions, interleaved) on ${d.machine.vcpus} vCPUs, ${d.measuredAt.slice(0, 10)}; load average ${d.contention.loadAverageBefore[0]} → ${d.contention.loadAverageAfter[0]}`);
  const share = (threads: number) => {
    const of = runs.filter((x) => x.c.threads === threads);
    return `${of.filter((x) => isCleanRun(x.r, threads, d.machine.vcpus)).length} of ${of.length} ${threads}-thread runs`;
  };
  const others = runs.map((x) => x.r.otherVcpus).sort((a, b) => a - b);
  console.log(`  contention: other processes used a median ${others[Math.floor(others.length / 2)].toFixed(2)} vCPU during a run; clean (the vCPUs the run needed were free): ${share(1)}, ${share(2)}`);
  for (const [codec, c] of world.codecs)
    if (c.pairs === 0) console.log(`  ${codec}: NO clean 1/2-thread pair was measured (the machine was busy): thread scaling falls back to p = ${c.parallelFraction}${opts.fallbackP === undefined ? ", the speed model's prior" : ' (--fallback-p)'} — not a measurement`);
  for (const [codec, c] of world.codecs)
    console.log(`  ${codec}: thread scaling p = ${c.parallelFraction.toFixed(3)} over ${c.pairs} clean 1/2-thread pairs (speedup 2 vCPU ${(1 / (1 - c.parallelFraction / 2)).toFixed(2)}×, 16 vCPU ${(1 / (1 - c.parallelFraction + c.parallelFraction / 16)).toFixed(2)}×); resolution fit s/frame = ${(c.fit.perSourcePixel * 1e9).toFixed(1)} ns/source px + ${(c.fit.perRungPixel * 1e9).toFixed(1)} ns/rung px + ${(c.fit.fixed * 1e3).toFixed(1)} ms`);
  console.log('  case (1 thread)          CPU s/frame min–max   p      prior s/frame   prior ÷ measured   learned ÷ measured');
  const learned = learnedTable(world);
  for (const c of world.measured) {
    const task = { width: c.width, height: c.height, fps: 24, frames: 1, threads: 1, source: { width: c.sourceWidth, height: c.sourceHeight, kbps: sourceKbps(c) } };
    const model = predictedEncodeSeconds(DEFAULT_SPEED_TABLE, task, 'fast', c.codec);
    const mid = c.perFrame[Math.floor(c.perFrame.length / 2)];
    const ratio = (x: number) => `${(x / mid).toFixed(2)}×`;
    console.log(`  ${`${c.codec} ${c.sourceHeight}p→${c.height}p`.padEnd(24)} ${`${c.perFrame[0].toFixed(4)}–${c.perFrame[c.perFrame.length - 1].toFixed(4)}`.padEnd(21)} ${c.parallelFraction.toFixed(2).padEnd(6)} ${model.toFixed(4).padEnd(15)} ${ratio(model).padEnd(18)} ${ratio(predictedEncodeSeconds(learned, task, 'fast', c.codec))}`);
  }
  const bbb = d.cases.filter((c) => c.content === 'bbb' && c.threads === 1);
  for (const b of bbb) {
    const gen = world.measured.find((c) => c.codec === b.codec && c.sourceHeight === b.source.height && c.height === b.height);
    const perFrame = Math.min(...b.runs.map((r) => r.cpuSeconds / b.frames));
    if (gen) console.log(`  real footage check: Big Buck Bunny 720p→${b.height}p ${perFrame.toFixed(4)} CPU s/frame = ${(perFrame / gen.perFrame[0]).toFixed(2)}× the generated source's`);
  }
}

/** The catalogue's mezzanine bitrate of the case's source (what it was measured from). */
/**
 * The speed table Mosaic learns from these encodes through its own path (observe, EWMA per key):
 * every measured run of the generated cases, in the order timed, 1-thread runs as 1 vCPU, clean
 * 2-thread runs as 2 vCPUs.
 */
export function learnedTable(world: MeasuredWorld): SpeedTable {
  let t: SpeedTable = DEFAULT_SPEED_TABLE;
  const vcpus = world.data.machine.vcpus;
  const when = Number.isNaN(Date.parse(world.data.measuredAt)) ? new Date(0) : new Date(world.data.measuredAt);
  const cases = world.data.cases.filter((c) => c.content === 'generated');
  const longest = Math.max(...cases.map((c) => c.runs.length));
  for (let i = 0; i < longest; i++)
    for (const c of cases) {
      const r = c.runs[i];
      if (!r || (c.threads > 1 && !isCleanRun(r, c.threads, vcpus))) continue;
      const seconds = c.threads === 1 ? r.cpuSeconds : r.wallSeconds;
      t = observe(t, { function: 'encode-video', codec: c.codec, encoderPreset: c.encoderPreset, width: c.width, height: c.height, frames: c.frames, seconds, vcpu: c.threads, sourceWidth: c.source.width, sourceHeight: c.source.height }, 0.3, when);
    }
  return t;
}

function sourceKbps(c: WorldCase): number {
  return CATALOGUE_SOURCES.find((s) => s.height === c.sourceHeight)?.kbps ?? 0;
}

function printTable(rows: Summary[]): void {
  const w = Math.max(24, ...rows.map((r) => r.name.length + 2));
  const mosaic = rows[0];
  console.log(`${'strategy'.padEnd(w)} ${'total cost'.padStart(11)} ${'vs mosaic'.padStart(10)} ${'misses'.padStart(7)} ${'(feasible)'.padStart(10)} ${'failed'.padStart(7)} ${'job hours'.padStart(10)} ${'median time'.padStart(12)}`);
  for (const r of rows) {
    const vs = r === mosaic ? '' : `${(r.cost / mosaic.cost).toFixed(2)}×`;
    console.log(
      `${r.name.padEnd(w)} ${('$' + r.cost.toFixed(2)).padStart(11)} ${vs.padStart(10)} ${String(r.misses).padStart(7)} ${String(r.missesFeasible).padStart(10)} ${String(r.failed).padStart(7)} ${r.hours.toFixed(1).padStart(10)} ${(r.medianTimeRatio.toFixed(2) + '× dur').padStart(12)}`,
    );
  }
}
