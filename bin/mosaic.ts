/**
 * The `mosaic` CLI. Local commands run on the embedded engine in the output folder:
 *   mosaic encode <input> [--out DIR] [--preset NAME] [--json]
 *   mosaic jobs list [--out DIR] [--json]      mosaic jobs show ID [--out DIR] [--json]
 *   mosaic workflows list|run …                (bin/cli/workflows.ts)
 */
import './cli/local-defaults.js';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import type { JobRecord, JobReport } from '../lambdas/contracts/index.js';
import { presetNames } from '../lambdas/core/presets.js';
import type { LocalEngine } from '../local/engine.js';
import type { SqliteJobStore } from '../local/sqlite-job-store.js';
import { ProgressView, fmtDuration } from './cli/progress-view.js';
import { CALIBRATE_USAGE, EVENTS_USAGE, hasApiFlag, NEW_USAGE, RULES_USAGE, SERVE_USAGE, STATE_DIR, STATS_USAGE, WORKFLOWS_USAGE } from './cli/startup.js';
import { costLine, estimateTarget, formatEstimate } from './cli/estimate.js';
import { UsageError } from './cli/usage-error.js';
import { fixed, table } from './cli/tables.js';
import { parallelismFromEnv, runtimeConfigFromEnv } from './environment.js';

// Commands import what they need when they run (the engine, SQLite, the AWS SDK, Hono), so
// `mosaic --help` and the light commands start without loading it all.

const USAGE = `usage:
  mosaic encode <input> [--out DIR] [--preset NAME] [--json] [--verbose]
  mosaic encode <input> --estimate [--env prod|dev] [--concurrency N] [--deadline SEC]   (AWS plan, sizes and cost as deployed to that environment, default prod; nothing encoded)
  ${CALIBRATE_USAGE}
  mosaic jobs list [--out DIR] [--json]
  mosaic jobs show <job-id> [--out DIR] [--json]
  mosaic encode|jobs ... --api URL [--api-key KEY]   (against a Mosaic server; key also from MOSAIC_API_KEY)
  ${STATS_USAGE}
  ${SERVE_USAGE}
${RULES_USAGE}
${EVENTS_USAGE}
${WORKFLOWS_USAGE}
  ${NEW_USAGE}
presets: ${presetNames().join(', ')}   (default output folder: ./mosaic-out)`;


async function openEngine(out: string, verbose: boolean): Promise<LocalEngine> {
  const [{ setLogLevel }, { LocalEngine }] = await Promise.all([import('../lambdas/runtime/observability.js'), import('../local/engine.js')]);
  setLogLevel(verbose ? 'INFO' : 'SILENT');
  return LocalEngine.open({ root: out, runtime: runtimeConfigFromEnv(), parallelism: parallelismFromEnv() });
}

async function encode(args: string[]): Promise<number> {
  if (hasApiFlag(args)) return (await import('./cli/remote.js')).remoteEncode(args);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'mosaic-out' },
      preset: { type: 'string', default: 'default' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      estimate: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      deadline: { type: 'string' },
      env: { type: 'string', default: 'prod' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('encode takes exactly one input file');
  if (!presetNames().includes(values.preset)) throw new UsageError(`unknown preset "${values.preset}"; known presets: ${presetNames().join(', ')}`);
  const positiveInt = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, got "${v}"`);
    return n;
  };
  const concurrency = positiveInt('concurrency', values.concurrency);
  const deadlineSec = positiveInt('deadline', values.deadline);
  if (!values.estimate && concurrency !== undefined) throw new UsageError('--concurrency applies to --estimate only');
  if (!values.estimate && args.some((a) => a === '--env' || a.startsWith('--env='))) throw new UsageError('--env applies to --estimate only');
  const out = resolve(values.out);
  const engine = await openEngine(out, values.verbose);
  try {
    if (values.estimate) {
      // The deployment the estimate plans for: its Map concurrency, turnaround policy and quotas.
      const target = estimateTarget(values.env, concurrency);
      const { media, estimate } = await engine.estimateFile(positionals[0], { preset: values.preset, ...(deadlineSec ? { deadlineSec } : {}) }, target);
      const text = values.json ? JSON.stringify({ type: 'estimate', environment: values.env, media, estimate }) : formatEstimate(positionals[0], values.preset, media, estimate, target.concurrency, values.env);
      process.stdout.write(`${text}\n`);
      return 0;
    }
    const { job, resumed } = await engine.submitFile(positionals[0], { preset: values.preset, ...(deadlineSec ? { deadlineSec } : {}) });
    const json = values.json;
    const say = (s: string) => !json && process.stdout.write(`${s}\n`);
    if (job.status === 'FAILED' && !resumed && job.error) return await finish(engine, job, json, out);
    say(`${resumed ? 'Resuming' : 'Encoding'} ${positionals[0]} as job ${job.id} (preset ${values.preset}, ${engine.parallelism} workers)`);
    if (!engine.vmaf.path) say(`  VMAF unavailable: ${engine.vmaf.reason}`);
    const view = new ProgressView(process.stdout, () => engine.planOf(job.id), () => engine.progressOf(job.id));
    const unsubscribe = engine.events.subscribe((e) => {
      if (e.detail.jobId !== job.id) return;
      if (json) {
        // Status changes only: progress ticks and function results (a plan can be large) stay off the stream.
        if (e.detailType !== 'Step Progress' && e.detailType !== 'Function Result')
          process.stdout.write(`${JSON.stringify({ type: 'event', detailType: e.detailType, detail: e.detail })}\n`);
      } else view.onEvent(e);
    });
    if (!json) view.start();
    const final = await engine.run(job.id);
    view.stop();
    unsubscribe();
    return await finish(engine, final, json, out);
  } finally {
    engine.close();
  }
}

async function finish(engine: LocalEngine, job: JobRecord, json: boolean, out: string): Promise<number> {
  const report = job.reportKey ? (JSON.parse((await engine.blobs.getBytes(job.reportKey)).toString()) as JobReport) : null;
  if (json) process.stdout.write(`${JSON.stringify({ type: 'result', job, report, outDir: resolve(out, job.id) })}\n`);
  if (job.status !== 'SUCCEEDED') {
    process.stderr.write(`mosaic: job ${job.id} failed: ${job.error?.message ?? 'unknown error'}\n`);
    return 1;
  }
  if (!json && report) {
    const steps = await engine.jobs.listSteps(job.id);
    const elapsed = job.startedAt && job.endedAt ? (Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 1000 : null;
    process.stdout.write(`\nJob ${job.id} succeeded in ${fmtDuration(elapsed)} (${steps.filter((s) => s.status === 'CACHED').length} steps from cache)\n\n`);
    process.stdout.write(
      table(
        ['rung', 'resolution', 'kbps', 'size MB', 'PSNR dB', 'SSIM', 'VMAF'],
        report.rungs.map((r) => [r.id, `${r.width}x${r.height}`, r.bitrateKbps, (r.bytes / 1e6).toFixed(2), fixed(r.psnr, 2), fixed(r.ssim, 4), fixed(r.vmaf, 2)]),
      ) + '\n',
    );
    if (report.vmafUnavailableReason) process.stdout.write(`VMAF: ${report.vmafUnavailableReason}\n`);
    if (job.cost) process.stdout.write(`${costLine(job.cost)}\n`);
    const dir = resolve(out, job.id);
    process.stdout.write(`\nOutputs in ${dir}/\n  HLS  ${report.outputs.hls ?? '-'}\n  DASH ${report.outputs.dash ?? '-'}\n  report.json\n`);
  }
  return 0;
}

async function jobs(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (hasApiFlag(rest)) return (await import('./cli/remote.js')).remoteJobs(sub, rest);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string', default: 'mosaic-out' }, json: { type: 'boolean', default: false } } });
  const store = await openJobStore(resolve(values.out));
  try {
    if (sub === 'list') {
      const list = await store.listJobs({ limit: 100 });
      if (values.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else
        process.stdout.write(
          table(['job', 'workflow', 'status', 'progress', 'created', 'preset', 'error'], list.map((j) => [j.id, j.workflow.name, j.status, `${Math.round(j.progress * 100)}%`, j.createdAt, j.spec.preset, j.error?.message.slice(0, 60) ?? ''])) + '\n',
        );
      return 0;
    }
    if (sub === 'show') {
      const id = positionals[0];
      if (!id) throw new UsageError('jobs show needs a job id');
      const job = await store.getJob(id);
      if (!job) {
        process.stderr.write(`mosaic: no job ${id} in ${values.out}\n`);
        return 1;
      }
      const steps = await store.listSteps(id);
      if (values.json) process.stdout.write(`${JSON.stringify({ job, steps })}\n`);
      else {
        process.stdout.write(`${job.id}  ${job.status}  ${Math.round(job.progress * 100)}%  ${job.error ? `${job.error.code}: ${job.error.message}` : ''}\n`);
        process.stdout.write(job.cost ? `${costLine(job.cost)}\n\n` : '\n');
        process.stdout.write(table(['step', 'attempt', 'status', 'seconds'], steps.map((s) => [s.stepId, s.attempt, s.status, s.durationMs === null ? '' : (s.durationMs / 1000).toFixed(1)])) + '\n');
      }
      return 0;
    }
    throw new UsageError(`unknown jobs command "${sub ?? ''}"`);
  } finally {
    store.close();
  }
}

/**
 * The job store of the engine in `out` (what `engine.jobs` is), without starting the engine
 * (no ffmpeg probing, no functions loaded): `jobs list` and `jobs show` only read it. A folder no
 * engine has run in has no jobs, and reading it creates nothing.
 */
async function openJobStore(out: string): Promise<SqliteJobStore> {
  const { SqliteJobStore } = await import('../local/sqlite-job-store.js');
  const state = join(out, STATE_DIR);
  if (!existsSync(join(state, 'mosaic.db'))) return new SqliteJobStore(':memory:');
  // As the engine does at every start: the state folder 0700 and its files 0600.
  await (await import('../local/private-state.js')).securePrivateState(state);
  return new SqliteJobStore(join(state, 'mosaic.db'));
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'encode') return encode(rest);
  if (cmd === 'jobs') return jobs(rest);
  if (cmd === 'serve') return (await import('./cli/serve.js')).serve(rest);
  if (cmd === 'rules') return (await import('./cli/rules.js')).rulesCommand(rest);
  if (cmd === 'events') return (await import('./cli/events.js')).eventsCommand(rest);
  if (cmd === 'calibrate') return (await import('./cli/calibrate.js')).calibrateCommand(rest);
  if (cmd === 'stats') return (await import('./cli/stats.js')).statsCommand(rest);
  if (cmd === 'new') return (await import('./cli/new.js')).newCommand(rest);
  if (cmd === 'workflows') return (await import('./cli/workflows.js')).workflowsCommand(rest);
  if (!cmd || cmd === '--help' || cmd === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 2;
  }
  throw new UsageError(`unknown command "${cmd}"`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(e instanceof UsageError || (e as { usage?: boolean }).usage || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `mosaic: ${e.message}\n${USAGE}\n` : `mosaic: ${e.message}\n`);
    process.exit(2);
  },
);
