/**
 * Escalation: a task that failed with Mosaic.ResourceExhausted or a timeout runs again one size up.
 *
 * "Up" means strictly more capacity: no less vCPU and no less memory, and more of what ran out —
 * memory (and twice the scratch disk) after ResourceExhausted, vCPU (or leaving Lambda's 15-minute
 * cap for Fargate) after a timeout. After a timeout the encode is assumed to take at least
 * timeout ÷ estimate times what the model said, so the new timeout and the Lambda check use that.
 * Among the sizes that qualify, the policy picks as usual (cheapest meeting the deadline).
 * It stops — returns null — after `maxAttempts` escalations or when no larger size fits.
 */
import {
  InputInvalidError,
  type Allocation,
  type AllocationContextInput,
  type AllocationTask,
  type SpeedTable,
} from '../../contracts/index.js';
import { candidateSizes, LAMBDA_LIMITS } from './limits.js';
import { chooseSize, parseContext, parseTask } from './policy.js';
import { priceTable } from './prices.js';
import { DEFAULT_SPEED_TABLE } from './speed-model.js';

export type EscalationCause = 'resource-exhausted' | 'timeout';

export function escalate(
  previous: Allocation,
  task: AllocationTask,
  ctx: AllocationContextInput = {},
  table: SpeedTable = DEFAULT_SPEED_TABLE,
  maxAttempts = 3,
  cause: EscalationCause = 'resource-exhausted',
): Allocation | null {
  if (previous.attempt >= maxAttempts) return null;
  const t = parseTask(task);
  const c = parseContext(ctx);
  const larger = candidateSizes({ platforms: c.platforms }).filter((s) => {
    if (s.vcpu < previous.vcpu || s.memoryMiB < previous.memoryMiB) return false;
    if (cause === 'timeout') return s.vcpu > previous.vcpu || (previous.platform === 'lambda' && s.platform === 'fargate');
    return s.memoryMiB > previous.memoryMiB;
  });
  if (larger.length === 0) return null;

  const computeFactor = cause === 'timeout' ? Math.max(1, previous.timeoutSec / Math.max(previous.estimatedSeconds, 1e-3)) : 1;
  const minEphemeralMiB =
    cause === 'resource-exhausted' ? Math.max(previous.ephemeralMiB * 2, LAMBDA_LIMITS.minEphemeralMiB) : previous.ephemeralMiB;
  const prices = priceTable(c.region);
  try {
    return chooseSize(t, c, table, prices, larger, { attempt: previous.attempt + 1, computeFactor, minEphemeralMiB });
  } catch (e) {
    if (e instanceof InputInvalidError) return null; // nothing larger can run it
    throw e;
  }
}
