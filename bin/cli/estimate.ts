/** `mosaic encode --estimate`: the AWS plan, sizes and cost of a local file, with nothing encoded. */
import type { JobEstimate, JobRecord, MediaInfo } from '../../lambdas/contracts/index.js';
import type { AllocatorPolicy } from '../../lambdas/core/workflow-input.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { UsageError } from './usage-error.js';
import { fmtDuration } from './progress-view.js';
import { table } from './tables.js';

export const usd = (n: number): string => (n >= 1 ? `$${n.toFixed(2)}` : n >= 0.01 ? `$${n.toFixed(4)}` : `$${n.toPrecision(3)}`);

/** One line for a job's AWS cost: the plan-time estimate and what its steps measured. */
export function costLine(cost: NonNullable<JobRecord['cost']>): string {
  const fmt = (n: number | null) => (n === null ? 'n/a' : usd(n));
  return `AWS cost (${cost.region}, prices of ${cost.pricesTakenOn}): estimated ${fmt(cost.estimatedUsd)}, measured ${fmt(cost.actualUsd)}`;
}

/**
 * The deployment an estimate plans for, from lib/config/environments.ts: its Map concurrency
 * (unless `--concurrency` overrides it), turnaround policy and quotas. An unknown name is a usage error.
 */
export function estimateTarget(env: string, concurrency: number | undefined): { concurrency: number; policy: AllocatorPolicy } {
  const config = Object.hasOwn(ENVIRONMENTS, env) ? ENVIRONMENTS[env] : undefined;
  if (!config) throw new UsageError(`unknown environment "${env}" for --env; known: ${Object.keys(ENVIRONMENTS).join(', ')} (lib/config/environments.ts)`);
  return { concurrency: concurrency ?? config.mapMaxConcurrency, policy: { turnaround: config.allocator.turnaround, quotas: config.allocator.quotas } };
}

export function formatEstimate(file: string, preset: string, media: MediaInfo, e: JobEstimate, concurrency: number, env?: string): string {
  const v = media.video;
  const size = (r: JobEstimate['rungs'][number]) =>
    r.platform === 'lambda' ? `Lambda ${r.memoryMiB} MB` : `Fargate ${r.vcpu} vCPU/${r.memoryMiB / 1024} GiB`;
  return [
    `Estimate for ${file} (preset ${preset}) on AWS ${e.region}${env ? ` as deployed to ${env}` : ''}, up to ${concurrency} tasks at once; prices taken ${e.pricesTakenOn}; nothing was encoded.`,
    `  source ${v.width}x${v.height} ${v.fps.toFixed(3).replace(/\.?0+$/, '')} fps, ${fmtDuration(media.durationSec)}; ${e.chunks} chunk${e.chunks === 1 ? '' : 's'} of ${e.chunkSeconds.toFixed(1)} s → ${e.encodeTasks} encode tasks`,
    '',
    table(
      ['rung', 'resolution', 'chunks', 'size', 's/chunk', 'cost'],
      e.rungs.map((r) => [r.rung, `${r.width}x${r.height}`, r.chunks, size(r), r.secondsPerChunk.toFixed(1), usd(r.costUsd)]),
    ),
    '',
    e.analysis
      ? `  per-title analysis: ${e.analysis.tasks} sample${e.analysis.tasks === 1 ? '' : 's'}, ~${fmtDuration(e.analysis.seconds)}, ~${usd(e.analysis.usd)}; the rungs above are the fixed ladder standing in for the one it picks`
      : '',
    `  encode phase ~${fmtDuration(e.encodeSeconds)}; whole job ~${usd(e.totalUsd)} (encode tasks as sized, other steps at their function.json size)`,
    e.deadlineSec === null ? '' : `  deadline ${fmtDuration(e.deadlineSec)}: ${e.deadlineMet ? 'met' : 'NOT met'}`,
    `  why: ${e.reason}`,
  ]
    .filter((l) => l !== '')
    .join('\n');
}
