/**
 * `mosaic encode|jobs ... --api URL`: the same commands against a Mosaic server (`mosaic serve`,
 * or the API on AWS) instead of the embedded engine: upload, submit, poll with the same progress
 * view, and the same tables. The key comes from `--api-key` or MOSAIC_API_KEY.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JobSummary, JobView, MosaicEvent } from '../../lambdas/contracts/index.js';
import { isTerminal } from '../../lambdas/core/job-lifecycle.js';
import { apiKeyFromEnv } from '../environment.js';
import { JobsApiClient } from './api-client.js';
import { fmtDuration, ProgressView } from './progress-view.js';
import { fixed, table } from './tables.js';

import { hasApiFlag } from './startup.js';

export { hasApiFlag };

const POLL_MS = 500;

function client(api: string | undefined, key: string | undefined): JobsApiClient {
  if (!api || !/^https?:\/\//.test(api)) throw Object.assign(new Error('--api needs the server URL, e.g. --api http://127.0.0.1:8787'), { usage: true });
  const k = key ?? apiKeyFromEnv();
  if (!k) throw Object.assign(new Error('--api needs an API key: --api-key KEY or MOSAIC_API_KEY (mosaic serve prints it)'), { usage: true });
  return new JobsApiClient(api, k);
}

export async function remoteEncode(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      'api-key': { type: 'string' },
      preset: { type: 'string', default: 'default' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw Object.assign(new Error('encode takes exactly one input file'), { usage: true });
  const api = client(values.api, values['api-key']);
  const input = positionals[0]!;
  if (!existsSync(input) || !statSync(input).isFile()) {
    process.stderr.write(`mosaic: source not found: ${input}\n`);
    return 1;
  }
  const json = values.json;
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  const key = await api.uploadFile(input);
  let job = await api.call<JobView>('POST', '/v1/jobs', { source: { key }, preset: values.preset });
  say(`Encoding ${input} as job ${job.id} on ${api.base} (preset ${values.preset})`);
  const view = new ProgressView(process.stdout, () => undefined, () => ({ fraction: job.progress.percent / 100, etaSec: job.progress.etaSec }));
  if (!json) view.start();
  let after = 0;
  for (;;) {
    const page = await api.call<{ events: { id: number; detailType: string; detail: unknown }[] }>('GET', `/v1/jobs/${job.id}/events?after=${after}&limit=1000`);
    for (const e of page.events) {
      after = e.id;
      if (e.detailType !== 'Job Status Changed' && e.detailType !== 'Step Status Changed') continue;
      if (json) process.stdout.write(`${JSON.stringify({ type: 'event', detailType: e.detailType, detail: e.detail })}\n`);
      else view.onEvent({ source: 'mosaic', detailType: e.detailType, detail: e.detail } as MosaicEvent);
    }
    job = await api.job(job.id);
    if (isTerminal(job.status)) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  view.stop();
  if (json) process.stdout.write(`${JSON.stringify({ type: 'result', job })}\n`);
  if (job.status !== 'SUCCEEDED') {
    process.stderr.write(`mosaic: job ${job.id} ${job.status.toLowerCase()}: ${job.error?.message ?? 'unknown error'}\n`);
    return 1;
  }
  if (!json) {
    const elapsed = job.startedAt && job.endedAt ? (Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 1000 : null;
    process.stdout.write(`\nJob ${job.id} succeeded in ${fmtDuration(elapsed)} (${job.steps.filter((s) => s.status === 'CACHED').length} steps from cache)\n\n`);
    process.stdout.write(
      table(
        ['rung', 'resolution', 'kbps', 'size MB', 'PSNR dB', 'SSIM', 'VMAF'],
        job.renditions.map((r) => [r.id, `${r.width}x${r.height}`, r.bitrateKbps, (r.bytes / 1e6).toFixed(2), fixed(r.psnr, 2), fixed(r.ssim, 4), fixed(r.vmaf, 2)]),
      ) + '\n',
    );
    if (job.vmafUnavailableReason) process.stdout.write(`VMAF: ${job.vmafUnavailableReason}\n`);
    process.stdout.write(`\nOutputs\n  HLS  ${job.outputs.hls?.url ?? '-'}\n  DASH ${job.outputs.dash?.url ?? '-'}\n  report ${job.outputs.report?.url ?? '-'}\n`);
  }
  return 0;
}

export async function remoteJobs(sub: string | undefined, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { api: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean', default: false }, status: { type: 'string' }, out: { type: 'string' } },
  });
  const api = client(values.api, values['api-key']);
  if (sub === 'list') {
    const q = new URLSearchParams({ limit: '100', ...(values.status ? { status: values.status } : {}) });
    const page = await api.call<{ jobs: JobSummary[] }>('GET', `/v1/jobs?${q}`);
    if (values.json) process.stdout.write(`${JSON.stringify(page.jobs)}\n`);
    else
      process.stdout.write(
        table(['job', 'workflow', 'status', 'progress', 'created', 'preset', 'error'], page.jobs.map((j) => [j.id, j.workflow, j.status, `${Math.round(j.progress.percent)}%`, j.createdAt, j.preset, j.error?.message.slice(0, 60) ?? ''])) + '\n',
      );
    return 0;
  }
  if (sub === 'show') {
    const id = positionals[0];
    if (!id) throw Object.assign(new Error('jobs show needs a job id'), { usage: true });
    const job = await api.job(id);
    if (values.json) process.stdout.write(`${JSON.stringify({ job, steps: job.steps })}\n`);
    else {
      process.stdout.write(`${job.id}  ${job.status}  ${Math.round(job.progress.percent)}%  ${job.error ? `${job.error.code}: ${job.error.message}` : ''}\n\n`);
      process.stdout.write(
        table(['step', 'attempt', 'status', 'seconds'], job.steps.map((s: JobView['steps'][number]) => [s.stepId, s.attempt, s.status, s.durationMs === null ? '' : (s.durationMs / 1000).toFixed(1)])) + '\n',
      );
    }
    return 0;
  }
  throw Object.assign(new Error(`unknown jobs command "${sub ?? ''}"`), { usage: true });
}
