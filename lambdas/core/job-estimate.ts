/**
 * A job's AWS estimate before it runs: the Plan step's own code with the allocator choosing the
 * chunk length (as on AWS), then every encode task sized by the same policy as the Allocate state.
 * It says which turnaround it planned for, which quota (if any) capped its concurrency, and how
 * much of the time and cost is start-up (platform start, Step Functions).
 */
import type { Allocation, JobEstimate, LimitingQuota, PlanInput, RungEstimate, ServiceQuotas, SpeedTable } from '../contracts/index.js';
import { allocate } from './allocator/policy.js';
import { costOf } from './allocator/cost.js';
import { describeSize } from './allocator/limits.js';
import { priceTable, type PriceTable } from './allocator/prices.js';
import { QUOTA_NAMES } from './allocator/quotas.js';
import { orchestrationUsdPerTask, platformStartup } from './allocator/startup-costs.js';
import { planEncode } from './encode-plan.js';
import { allocationBounds, encodeTaskForAllocation, ENCODE_SHARE_OF_DEADLINE, planQuotas } from './plan-sizing.js';

export interface EstimateInput {
  /** A Plan input; its `allocator` names the region and the concurrency the job would get on AWS. */
  plan: PlanInput;
  speeds?: SpeedTable;
}

export function estimateJob({ plan: input, speeds }: EstimateInput): JobEstimate {
  const plan = planEncode({ ...input, allocator: { ...input.allocator, chooseChunks: true } }, speeds);
  const { sizing } = plan;
  const prices = priceTable(sizing.region);
  const capacity = sizing.capacity ?? 'on-demand';
  const ctx = { region: sizing.region, priority: sizing.priority, capacity, ...(sizing.taskDeadlineSec ? { deadlineSec: sizing.taskDeadlineSec } : {}), ...allocationBounds(sizing) };
  let startupBilledUsd = 0;
  const rungs: RungEstimate[] = plan.rungs.map((rung) => {
    const tasks = plan.videoTasks.filter((t) => t.rung.id === rung.id);
    const allocations = tasks.map((t) => allocate(encodeTaskForAllocation(t, sizing), ctx, speeds));
    startupBilledUsd += allocations.reduce((sum, a) => sum + startupUsd(a, prices), 0);
    const first = allocations[0];
    return {
      rung: rung.id,
      width: rung.width,
      height: rung.height,
      chunks: tasks.length,
      platform: first.platform,
      vcpu: first.vcpu,
      memoryMiB: first.memoryMiB,
      secondsPerChunk: Math.max(...allocations.map((a) => a.estimatedSeconds)),
      costUsd: allocations.reduce((s, a) => s + a.estimatedCostUsd, 0),
      reason: first.reason,
    };
  });
  const deadlineSec = input.spec.deadlineSec ?? null;
  // Other steps need about a quarter of what the encode phase gets (ENCODE_SHARE_OF_DEADLINE).
  const deadlineMet = deadlineSec === null ? null : sizing.estimatedSeconds <= deadlineSec * ENCODE_SHARE_OF_DEADLINE;
  const turnaround = sizing.turnaround ? { ...sizing.turnaround, met: sizing.turnaround.targetSec === null ? null : sizing.estimatedSeconds <= sizing.turnaround.targetSec } : undefined;
  const limitedBy = sizing.limitedBy ?? null;
  const limit = limitedBy && limitedBy !== 'map-concurrency' ? `turnaround limited by ${QUOTA_NAMES[limitedBy]} (${quotaValue(limitedBy, planQuotas(input.allocator))})` : limitedBy ? `turnaround limited by ${QUOTA_NAMES[limitedBy]} (${input.allocator.maxConcurrency} tasks)` : null;
  const sizes = [...new Set(rungs.map((r) => describeSize(r)))].join(', ');
  const first = rungs[0];
  const why = deadlineMet === false ? `deadline ${deadlineSec} s cannot be met: ${sizing.reason}` : `${sizing.reason}; sizes: ${sizes}`;
  return {
    region: sizing.region,
    pricesTakenOn: sizing.pricesTakenOn,
    chunkSeconds: sizing.chunkSeconds,
    chunks: plan.chunks.length,
    encodeTasks: plan.videoTasks.length,
    rungs,
    encodeSeconds: sizing.estimatedSeconds,
    totalUsd: sizing.estimatedUsd,
    deadlineSec,
    deadlineMet,
    reason: limit ? `${why}; ${limit}` : why,
    ...(turnaround ? { turnaround } : {}),
    capacity,
    limitedBy,
    limit,
    startup: {
      secondsPerTask: first ? platformStartup(first.platform).seconds : 0,
      billedUsd: startupBilledUsd,
      orchestrationUsd: plan.videoTasks.length * orchestrationUsdPerTask(prices),
    },
    ...(sizing.analysis ? { analysis: sizing.analysis } : {}),
  };
}

/** The billed part of a task's platform start, at its size's rate (Fargate's one-minute minimum aside). */
function startupUsd(a: Allocation, prices: PriceTable): number {
  const perHour = costOf({ platform: a.platform, vcpu: a.vcpu, memoryMiB: a.memoryMiB, ephemeralMiB: a.ephemeralMiB }, 3600, prices, 'x86_64', a.capacity);
  return (perHour / 3600) * platformStartup(a.platform).billedSeconds;
}

function quotaValue(q: LimitingQuota, quotas: ServiceQuotas): string {
  switch (q) {
    case 'lambda-concurrency':
      return `${quotas.lambda.concurrentExecutions} at once`;
    case 'fargate-on-demand-vcpu':
      return `${quotas.fargate.onDemandVcpu} vCPU`;
    case 'fargate-spot-vcpu':
      return `${quotas.fargate.spotVcpu} vCPU`;
    case 'distributed-map-concurrency':
      return `${quotas.stepFunctions.distributedMapConcurrency} children`;
    default:
      return '';
  }
}
