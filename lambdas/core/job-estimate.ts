/**
 * A job's AWS estimate before it runs: the Plan step's own code with the allocator choosing the
 * chunk length (as on AWS), then every encode task sized by the same policy as the Allocate state.
 */
import type { JobEstimate, PlanInput, RungEstimate, SpeedTable } from '../contracts/index.js';
import { allocate } from './allocator/policy.js';
import { describeSize } from './allocator/limits.js';
import { planEncode } from './encode-plan.js';
import { encodeTaskForAllocation, ENCODE_SHARE_OF_DEADLINE } from './plan-sizing.js';

export interface EstimateInput {
  /** A Plan input; its `allocator` names the region and the concurrency the job would get on AWS. */
  plan: PlanInput;
  speeds?: SpeedTable;
}

export function estimateJob({ plan: input, speeds }: EstimateInput): JobEstimate {
  const plan = planEncode({ ...input, allocator: { ...input.allocator, chooseChunks: true } }, speeds);
  const { sizing } = plan;
  const ctx = { region: sizing.region, priority: sizing.priority, ...(sizing.taskDeadlineSec ? { deadlineSec: sizing.taskDeadlineSec } : {}) };
  const rungs: RungEstimate[] = plan.rungs.map((rung) => {
    const tasks = plan.videoTasks.filter((t) => t.rung.id === rung.id);
    const allocations = tasks.map((t) => allocate(encodeTaskForAllocation(t, sizing), ctx, speeds));
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
  const sizes = [...new Set(rungs.map((r) => describeSize(r)))].join(', ');
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
    reason: deadlineMet === false ? `deadline ${deadlineSec} s cannot be met: ${sizing.reason}` : `${sizing.reason}; sizes: ${sizes}`,
  };
}
