/**
 * The `mosaic` CLI. Local commands run on the embedded engine in the output folder:
 *   mosaic encode <input> [--out DIR] [--preset NAME] [--json]
 *   mosaic jobs list [--out DIR] [--json]      mosaic jobs show ID [--out DIR] [--json]
 */
import './cli/local-defaults.js';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { JobRecord, JobReport } from '../lambdas/contracts/index.js';
import { presetNames } from '../lambdas/core/presets.js';
import { setLogLevel } from '../lambdas/runtime/observability.js';
import { DEFAULT_AWS_CONCURRENCY, LocalEngine } from '../local/engine.js';
import { ProgressView, fmtDuration } from './cli/progress-view.js';
import { hasApiFlag, remoteEncode, remoteJobs } from './cli/remote.js';
import { serve, SERVE_USAGE } from './cli/serve.js';
import { RULES_USAGE, rulesCommand } from './cli/rules.js';
import { EVENTS_USAGE, eventsCommand } from './cli/events.js';
import { CALIBRATE_USAGE, calibrateCommand } from './cli/calibrate.js';
import { STATS_USAGE, statsCommand } from './cli/stats.js';
import { costLine, formatEstimate } from './cli/estimate.js';
import { fixed, table } from './cli/tables.js';
import { parallelismFromEnv, runtimeConfigFromEnv } from './environment.js';

const USAGE = `usage:
  mosaic encode <input> [--out DIR] [--preset NAME] [--json] [--verbose]
  mosaic encode <input> --estimate [--concurrency N] [--deadline SEC]   (AWS plan, sizes and cost; nothing encoded)
  ${CALIBRATE_USAGE}
  mosaic jobs list [--out DIR] [--json]
  mosaic jobs show <job-id> [--out DIR] [--json]
  mosaic encode|jobs ... --api URL [--api-key KEY]   (against a Mosaic server; key also from MOSAIC_API_KEY)
  ${STATS_USAGE}
  ${SERVE_USAGE}
${RULES_USAGE}
${EVENTS_USAGE}
presets: ${presetNames().join(', ')}   (default output folder: ./mosaic-out)`;

class UsageError extends Error {}

async function openEngine(out: string, verbose: boolean): Promise<LocalEngine> {
  setLogLevel(verbose ? 'INFO' : 'SILENT');
  return LocalEngine.open({ root: out, runtime: runtimeConfigFromEnv(), parallelism: parallelismFromEnv() });
}

async function encode(args: string[]): Promise<number> {
  if (hasApiFlag(args)) return remoteEncode(args);
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
  const out = resolve(values.out);
  const engine = await openEngine(out, values.verbose);
  try {
    if (values.estimate) {
      const { media, estimate } = await engine.estimateFile(positionals[0], { preset: values.preset, ...(deadlineSec ? { deadlineSec } : {}) }, concurrency);
      const text = values.json ? JSON.stringify({ type: 'estimate', media, estimate }) : formatEstimate(positionals[0], values.preset, media, estimate, concurrency ?? DEFAULT_AWS_CONCURRENCY);
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
  if (hasApiFlag(rest)) return remoteJobs(sub, rest);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string', default: 'mosaic-out' }, json: { type: 'boolean', default: false } } });
  const engine = await openEngine(resolve(values.out), false);
  try {
    if (sub === 'list') {
      const list = await engine.jobs.listJobs({ limit: 100 });
      if (values.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else
        process.stdout.write(
          table(['job', 'status', 'progress', 'created', 'preset', 'error'], list.map((j) => [j.id, j.status, `${Math.round(j.progress * 100)}%`, j.createdAt, j.spec.preset, j.error?.message.slice(0, 60) ?? ''])) + '\n',
        );
      return 0;
    }
    if (sub === 'show') {
      const id = positionals[0];
      if (!id) throw new UsageError('jobs show needs a job id');
      const job = await engine.jobs.getJob(id);
      if (!job) {
        process.stderr.write(`mosaic: no job ${id} in ${values.out}\n`);
        return 1;
      }
      const steps = await engine.jobs.listSteps(id);
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
    engine.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'encode') return encode(rest);
  if (cmd === 'jobs') return jobs(rest);
  if (cmd === 'serve') return serve(rest);
  if (cmd === 'rules') return rulesCommand(rest);
  if (cmd === 'events') return eventsCommand(rest);
  if (cmd === 'calibrate') return calibrateCommand(rest);
  if (cmd === 'stats') return statsCommand(rest);
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
