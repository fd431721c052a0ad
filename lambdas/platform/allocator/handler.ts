/**
 * The allocator behind the encode workflow's `Allocate` states: sizes one task (Lambda or a
 * Fargate size, memory, disk, timeout), a chunk of a rung or a sample of the per-title analysis,
 * or, after a failure that means "too small", the next size up, a bounded number of times.
 * Thin: parse → core policy with the learned speed table → the state's result. The AWS wiring is `lambdas/bootstrap/allocator.ts`; locally the engine
 * calls the same handler in-process.
 */
import {
  formatIssues,
  AllocateStateInputSchema,
  DetailTypes,
  ESCALATING_ERRORS,
  EVENT_SOURCE,
  InputInvalidError,
  ResourceExhaustedError,
  type Allocation,
  type AllocateStateInput,
  type AllocateStateResult,
  type AllocatedFunction,
  type Platform,
} from '../../contracts/index.js';
import { allocate } from '../../core/allocator/policy.js';
import { escalate, type EscalationCause } from '../../core/allocator/escalation.js';
import { CAPACITY_PROVIDER } from '../../core/allocator/spot.js';
import { allocationContext, encodeTaskForAllocation } from '../../core/plan-sizing.js';
import { analysisTaskForAllocation } from '../../core/title-analysis.js';
import type { EventBus, JobStore } from '../../ports.js';
import { loadSpeedTable, logger } from '../../runtime/index.js';

/** Escalations after the first run; then the task (and its job) fails with Mosaic.ResourceExhausted. */
export const MAX_ESCALATIONS = 3;

export interface AllocatorDeps {
  jobs: JobStore;
  events: EventBus;
  /** The Lambda to invoke for a function at a memory size (the deployed variants); null when none is deployed for it. */
  lambdaTarget: (memoryMiB: number, fn: AllocatedFunction) => string | null;
  /** Platforms each allocated function's tasks may use (its function.json `platforms`); a function missing here may use none. */
  platforms: Readonly<Partial<Record<AllocatedFunction, readonly Platform[]>>>;
  /** Locally: the engine's worker slot size; the task never gets more ffmpeg threads than this. */
  maxThreads?: number;
}

/** What a failure asks for: more CPU (it ran out of time) or more memory/disk; null if a bigger size cannot help. */
export function causeOf(failure: { Error: string; Cause?: string }): EscalationCause | null {
  if ((ESCALATING_ERRORS.timeout as readonly string[]).includes(failure.Error)) return 'timeout';
  if (!(ESCALATING_ERRORS.resourceExhausted as readonly string[]).includes(failure.Error)) return null;
  // The runtime stops ffmpeg at the allocated budget with Mosaic.ResourceExhausted "ran longer than N s".
  return /ran longer than|timed out/i.test(failure.Cause ?? '') ? 'timeout' : 'resource-exhausted';
}

export function createAllocatorHandler(deps: AllocatorDeps): (event: unknown) => Promise<AllocateStateResult> {
  return async (event) => {
    const parsed = AllocateStateInputSchema.safeParse(event);
    if (!parsed.success) {
      const where = formatIssues(parsed.error);
      throw new InputInvalidError(`allocator: invalid input: ${where}`);
    }
    const input = parsed.data;
    const table = await loadSpeedTable(deps.jobs);
    const task = input.function === 'analyze-title' ? analysisTaskForAllocation(input.task, input.sizing) : encodeTaskForAllocation(input.task, input.sizing);
    const allowed = deps.platforms[input.function] ?? [];
    if (allowed.length === 0) throw new InputInvalidError(`allocator: no platform is configured for ${input.function}`);
    // The Plan's bounds: Spot for economy work, and sizes whose concurrency fits the quotas.
    const { maxFargateVcpu, ...ctx } = allocationContext(input.sizing, allowed);

    let allocation: Allocation;
    if (input.previous && input.failure) {
      const cause = causeOf(input.failure);
      if (!cause) throw new InputInvalidError(`allocator: ${input.failure.Error} is not a failure a larger size can fix`);
      const next = escalate(input.previous, task, ctx, table, MAX_ESCALATIONS, cause);
      if (!next) {
        throw new ResourceExhaustedError(
          `allocator escalation exhausted for ${input.task.itemId ?? 'task'} after ${input.previous.attempt + 1} attempt(s): last size ${describe(input.previous)} failed with ${input.failure.Error}`,
          { attempts: input.previous.attempt + 1, lastError: input.failure.Error, escalationExhausted: true },
        );
      }
      allocation = next;
    } else {
      // Escalation (above) may go past the plan's vCPU bound: a task that cannot run smaller must run larger.
      allocation = allocate(task, { ...ctx, ...(maxFargateVcpu !== undefined ? { maxFargateVcpu } : {}), attempt: input.attempt }, table);
    }

    const result = toStateResult(allocation, input, deps);
    logger.info('task allocated', { jobId: input.task.jobId, function: input.function, itemId: input.task.itemId, attempt: allocation.attempt, reason: allocation.reason });
    await deps.events.put({
      source: EVENT_SOURCE,
      detailType: DetailTypes.TaskAllocated,
      detail: {
        jobId: input.task.jobId,
        function: input.function,
        itemId: input.task.itemId ?? null,
        attempt: allocation.attempt,
        platform: allocation.platform,
        capacity: allocation.capacity,
        vcpu: allocation.vcpu,
        memoryMiB: allocation.memoryMiB,
        timeoutSec: allocation.timeoutSec,
        estimatedSeconds: allocation.estimatedSeconds,
        estimatedCostUsd: allocation.estimatedCostUsd,
        reason: allocation.reason,
        ...(input.failure ? { after: input.failure.Error } : {}),
      },
    });
    return result;
  };
}

function describe(a: { platform: string; vcpu: number; memoryMiB: number }): string {
  return a.platform === 'lambda' ? `Lambda ${a.memoryMiB} MB` : `Fargate ${a.vcpu} vCPU/${a.memoryMiB / 1024} GiB`;
}

function toStateResult(a: Allocation, input: AllocateStateInput, deps: AllocatorDeps): AllocateStateResult {
  const threads = Math.min(a.threads, deps.maxThreads ?? a.threads);
  const target = a.platform === 'lambda' ? deps.lambdaTarget(a.memoryMiB, input.function) : null;
  if (a.platform === 'lambda' && !target) throw new InputInvalidError(`allocator: no Lambda is deployed with ${a.memoryMiB} MB for ${input.function}`);
  return {
    ...a,
    target,
    ecs:
      a.platform === 'fargate'
        ? { cpu: String(Math.round(a.vcpu * 1024)), memory: String(a.memoryMiB), ephemeralGiB: Math.max(21, a.ephemeralGiB), capacityProvider: CAPACITY_PROVIDER[a.capacity] }
        : null,
    task: {
      ...input.task,
      platform: a.platform,
      size: { vcpu: a.vcpu, memoryMiB: a.memoryMiB, ephemeralMiB: a.ephemeralMiB },
      threads,
      timeoutSec: a.timeoutSec,
      estimatedSec: a.estimatedSeconds,
    },
  };
}
