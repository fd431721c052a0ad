/**
 * Caps of ffmpeg/ffprobe children on AWS, from the environment: MOSAIC_CHILD_MEMORY_MB (0 = none)
 * and MOSAIC_PROBE_TIMEOUT_SEC override; otherwise the memory cap follows what the sandbox was given.
 */
import { platformChildMemoryMiB, type RuntimeConfig } from '../runtime/config.js';
import { numberEnv, type Env } from './env.js';

/**
 * Fargate functions run without a `size` only on their task definition, which the stack sizes at
 * 1 vCPU / 2 GiB or more (lib/constructs/fargate-size.ts): assume the smallest.
 */
const SMALLEST_FARGATE_TASK_MIB = 2048;

export function childLimitsFromEnv(env: Env): Pick<RuntimeConfig, 'childMemoryMiB' | 'probeTimeoutMs'> {
  const probeSec = env.MOSAIC_PROBE_TIMEOUT_SEC?.trim() ? numberEnv(env, 'MOSAIC_PROBE_TIMEOUT_SEC', 0) : undefined;
  return { childMemoryMiB: childMemoryMiB(env), probeTimeoutMs: probeSec === undefined ? undefined : probeSec * 1000 };
}

function childMemoryMiB(env: Env): number {
  const raw = env.MOSAIC_CHILD_MEMORY_MB?.trim();
  if (raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`environment variable MOSAIC_CHILD_MEMORY_MB must be a whole number of MiB (0 = no cap), got "${raw}"`);
    return n;
  }
  // Lambda says its size; the container knows it from the task payload the allocator sized.
  const lambdaMiB = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (Number.isInteger(lambdaMiB) && lambdaMiB > 0) return platformChildMemoryMiB(lambdaMiB);
  return platformChildMemoryMiB(taskMemoryMiB(env.MOSAIC_INPUT) ?? SMALLEST_FARGATE_TASK_MIB);
}

/** `size.memoryMiB` of the task input, if it parses; the runtime validates the input itself later. */
function taskMemoryMiB(input: string | undefined): number | undefined {
  try {
    const m = (JSON.parse(input ?? '') as { size?: { memoryMiB?: unknown } })?.size?.memoryMiB;
    return typeof m === 'number' && m > 0 ? m : undefined;
  } catch {
    return undefined;
  }
}
