/**
 * `mosaic workflows list` and `mosaic workflows run NAME --input FILE`: every
 * `state-machines/*.asl.json` on the embedded engine. A run is a job like any other (it shows in
 * `mosaic jobs list`, the API and the UI); its steps print as they end and its report at the end.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobReport, MosaicEvent } from '../../lambdas/contracts/index.js';
import { WORKFLOWS_USAGE } from './startup.js';
import { fixed, table } from './tables.js';

const usage = (message: string) => Object.assign(new Error(`${message}\n${WORKFLOWS_USAGE}`), { usage: true });

export async function workflowsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') return list(rest);
  if (sub === 'run') return run(rest);
  throw usage(`unknown workflows command "${sub ?? ''}"`);
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const [{ loadWorkflowCatalog }, { defaultPlatforms }] = await Promise.all([import('../../local/workflow-catalog.js'), import('../../local/function-registry.js')]);
  const catalog = [...loadWorkflowCatalog(defaultPlatforms()).values()];
  if (values.json) process.stdout.write(`${JSON.stringify(catalog.map((w) => ({ ...w.info, file: w.file, error: w.error })))}\n`);
  else process.stdout.write(table(['workflow', 'functions', 'description'], catalog.map((w) => [w.name, w.info.functions.join(' '), (w.error ? `cannot run: ${w.error}` : w.info.description).slice(0, 100)])) + '\n');
  return catalog.some((w) => w.error) ? 1 : 0;
}

/** The workflow's input from a JSON file (`-` reads standard input). */
function readInput(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : resolve(file), 'utf8');
  } catch (e) {
    throw usage(`cannot read --input ${file}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usage(`--input ${file} is not JSON: ${(e as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw usage(`--input ${file} must hold a JSON object (the workflow's input, e.g. {"of": "<jobId>"})`);
  return value as Record<string, unknown>;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { input: { type: 'string' }, out: { type: 'string', default: 'mosaic-out' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw usage('workflows run takes exactly one workflow NAME');
  if (!values.input) throw usage('workflows run needs --input FILE (a JSON object: the workflow\'s input)');
  const name = positionals[0]!;
  const input = readInput(values.input);
  const [{ setLogLevel }, { LocalEngine }, { newJobId }, { parallelismFromEnv, runtimeConfigFromEnv }] = await Promise.all([
    import('../../lambdas/runtime/observability.js'),
    import('../../local/engine.js'),
    import('../../lambdas/core/job-ids.js'),
    import('../environment.js'),
  ]);
  setLogLevel(values.verbose ? 'INFO' : 'SILENT');
  const out = resolve(values.out);
  const engine = await LocalEngine.open({ root: out, runtime: runtimeConfigFromEnv(), parallelism: parallelismFromEnv() });
  const json = values.json;
  try {
    let job;
    try {
      job = await engine.startWorkflow(name, { input }, newJobId());
    } catch (e) {
      // Refused before anything was recorded (no such workflow or job, a bad input): say why, exit 1.
      process.stderr.write(`mosaic: ${(e as Error).message}\n`);
      return 1;
    }
    if (!json) process.stdout.write(`Running workflow ${name} as job ${job.id}\n`);
    const unsubscribe = engine.events.subscribe((e: MosaicEvent) => {
      if (e.detail.jobId !== job.id || e.detailType !== 'Step Status Changed' || e.detail.status === 'RUNNING') return;
      if (json) process.stdout.write(`${JSON.stringify({ type: 'event', detailType: e.detailType, detail: e.detail })}\n`);
      else {
        const t = e.detail.durationMs != null ? ` ${(e.detail.durationMs / 1000).toFixed(1)} s` : '';
        process.stdout.write(`  ${e.detail.stepId} ${e.detail.status.toLowerCase()}${t}${e.detail.error ? `: ${e.detail.error}` : ''}\n`);
      }
    });
    const final = await engine.run(job.id);
    unsubscribe();
    const report = final.reportKey && (await engine.blobs.head(final.reportKey)) ? (JSON.parse((await engine.blobs.getBytes(final.reportKey)).toString()) as JobReport) : null;
    if (json) process.stdout.write(`${JSON.stringify({ type: 'result', job: final, report, outDir: resolve(out, final.id) })}\n`);
    if (final.status !== 'SUCCEEDED') {
      process.stderr.write(`mosaic: job ${final.id} (${name}) ${final.status.toLowerCase()}: ${final.error ? `${final.error.code}: ${final.error.message}` : 'unknown error'}\n`);
      return 1;
    }
    if (!json) {
      process.stdout.write(`\nJob ${final.id} (${name}) succeeded\n`);
      if (report?.rungs.length)
        process.stdout.write(table(['rung', 'resolution', 'PSNR dB', 'SSIM', 'VMAF', 'playlist'], report.rungs.map((r) => [r.id, `${r.width}x${r.height}`, fixed(r.psnr, 2), fixed(r.ssim, 4), fixed(r.vmaf, 2), r.playlist ?? '-'])) + '\n');
      for (const n of report?.notes ?? []) process.stdout.write(`  ${n}\n`);
      process.stdout.write(`Outputs in ${resolve(out, final.id)}/${report ? `\n  HLS  ${report.outputs.hls ?? '-'}\n  DASH ${report.outputs.dash ?? '-'}\n  report.json` : ''}\n`);
    }
    return 0;
  } finally {
    engine.close();
  }
}
