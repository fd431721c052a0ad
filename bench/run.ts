/**
 * Benchmark entry point: `npm run bench -- <name> [options]`.
 * Each benchmark is a module exporting `main(args): Promise<number>` (the exit code).
 */
type Bench = { describe: string; load: () => Promise<{ main: (args: string[]) => Promise<number> }> };

const BENCHMARKS: Record<string, Bench> = {
  api: {
    describe: 'Jobs API on `mosaic serve`: GET /v1/jobs/{id} req/s and p99 (target ≥ 2,000 req/s, p99 ≤ 25 ms, 0 errors); 200 concurrent submissions all complete',
    load: () => import('./api.js'),
  },
  encode: {
    describe: 'wall time of `mosaic encode` vs a plain ffmpeg shell script (target ≤ 1.15×)',
    load: () => import('./encode.js'),
  },
  allocator: {
    describe: 'simulated catalogue in a world of chunk encodes measured here (bench/data): Mosaic vs the best fixed Lambda and Fargate size in hindsight — saving, deadline misses, prediction error',
    load: () => import('./allocator.js'),
  },
  'speed-model': {
    describe: 'allocator speed model vs measured encode time of real chunks on this machine, after calibration (target: median abs error ≤ 25%)',
    load: () => import('./speed-model.js'),
  },
  corpus: {
    describe: 'source corpus of issue 10 through the CLI: per case the expected outcome (complete ladder or one-line refusal), seconds and reason; totals',
    load: () => import('./corpus.js'),
  },
  rules: {
    describe: 'event-pattern matcher: 100 rules × 100,000 realistic events (target ≥ 1,000,000 evaluations/s)',
    load: () => import('./rules.js'),
  },
  metrics: {
    describe: 'local metrics store: 100,000 synthetic jobs over 30 days; insert rate, then summary and series (1 h, 1 day) each ≤ 50 ms',
    load: () => import('./metrics.js'),
  },
  ui: {
    describe: 'web UI in Chromium on `mosaic serve`: median first view (goto / → Jobs table, cold cache) over 10 loads (target ≤ 300 ms) and the JS it loaded, gzip (budget ≤ 250 KB)',
    load: () => import('./ui.js'),
  },
  'per-title': {
    describe: 'per-title vs default vs Apple HLS H.264 ladders on the shared clips and a generated one: BD-rate (VMAF every frame, PSNR-Y) per clip, mean and worst; analysis over encode step-seconds',
    load: () => import('./per-title.js'),
  },
  turnaround: {
    describe: 'modelled encode wall time and cost on AWS of 60 min 1080p, 60 min 2160p and 120 min 2160p titles: default turnaround, a 5-minute deadline, economy on Fargate Spot, the cheapest plan; start-up costs apart; MediaConvert list price (target: 1080p in ≤ 5 min within 25% of the cheapest)',
    load: () => import('./turnaround.js'),
  },
  cli: {
    describe: 'cold start of the bundled `mosaic` CLI: median/min/max of 10 runs of --help, jobs list and rules list vs `node -e 0` (target ≤ 300 ms each), the first (building) run apart',
    load: () => import('./cli.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(BENCHMARKS).map((n) => n.length));
  return [
    'usage: npm run bench -- <benchmark> [options]',
    '',
    'benchmarks:',
    ...Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(width)}  ${b.describe}`),
    '',
    'api options: --duration S (default 10)   --connections N (default 10)   --jobs N (default 200)   --max-jobs N (default 4)   --keep',
    'encode options: --only bbb|gen   --preset NAME (default: default)   --keep (keep temp dirs)',
    'allocator options: --titles N (default 1000)   --seed N   --concurrency N (tasks per job, default 200)   --data FILE   --measure (time the chunk encodes again: ~15 min)   --repetitions N (default 3)   --measure-pairs (more clean 1/2-thread pairs)   --pairs-budget S (default 300)   --fallback-p P (thread scaling where none was measured cleanly)',
    'speed-model options: --keep (keep the temp folder)',
    'corpus options: --only TEXT (cases whose name contains it)   --keep (keep the temp folder)   --json',
    'rules options: --rules N (default 100)   --events N (default 100000)   --passes N (default 3)   --seed N',
    'metrics options: --jobs N (default 100000)   --days N (default 30)   --runs N (default 7)   --seed N   --keep',
    'ui options: --loads N (default 10)   --keep',
    'cli options: --runs N (default 10)   --keep',
    'turnaround options: --env NAME (default prod: its Map concurrency, turnaround policy and quotas)   --json',
    'per-title options: --quick (first N s of each clip)   --seconds N (default 10)   --only TEXT (clips whose name contains it)   --keep',
  ].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !Object.hasOwn(BENCHMARKS, name)) {
    if (name && name !== '--help' && name !== '-h') console.error(`unknown benchmark "${name}"\n`);
    console.error(usage());
    return 2;
  }
  const bench = await BENCHMARKS[name].load();
  return bench.main(rest);
}

process.exitCode = await run(process.argv.slice(2));
