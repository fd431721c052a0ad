/**
 * Turnaround as policy: a job without a deadline gets one from its priority class. Standard work
 * (the default priority, 50) is promised a realtime factor of 12 — a one-hour title's encode in
 * five minutes; high priority faster; economy (priority below 30) only has to finish within hours,
 * on Fargate Spot. The allocator then picks the cheapest plan that meets the target. A deployment
 * overrides the policy per environment (lib/config/environments.ts → PlanAllocator.turnaround).
 */
import type { Capacity, TurnaroundClass, TurnaroundPolicy } from '../../contracts/index.js';

export const DEFAULT_TURNAROUND_POLICY: Readonly<TurnaroundPolicy> = Object.freeze<TurnaroundPolicy>({
  economyBelowPriority: 30,
  highFromPriority: 80,
  classes: {
    // Hours are fine: a one-hour title within two, never asked for less than one.
    economy: { realtimeFactor: 0.5, minSeconds: 3600, capacity: 'spot' },
    standard: { realtimeFactor: 12, minSeconds: 120, capacity: 'on-demand' },
    high: { realtimeFactor: 24, minSeconds: 60, capacity: 'on-demand' },
  },
});

export function turnaroundClass(priority: number, policy: TurnaroundPolicy = DEFAULT_TURNAROUND_POLICY): TurnaroundClass {
  if (priority >= policy.highFromPriority) return 'high';
  if (priority < policy.economyBelowPriority) return 'economy';
  return 'standard';
}

export interface Turnaround {
  class: TurnaroundClass;
  /** Seconds the encode phase may take; null: no target (the cheapest plan). */
  targetSec: number | null;
  /** 'deadline' when the job named one (its encode share), else 'policy'. */
  source: 'deadline' | 'policy';
  capacity: Capacity;
  /** For a reason: "standard turnaround (12× realtime): 300 s". */
  describe: string;
}

/**
 * The encode phase's target for a title of `durationSec`: the share of an explicit deadline when
 * the job has one (`encodeDeadlineSec`), else its class's max(minSeconds, duration ÷ realtimeFactor).
 * An explicit deadline keeps the class's capacity: economy with a deadline still runs on Spot.
 */
export function turnaroundFor(durationSec: number, priority: number, policy: TurnaroundPolicy = DEFAULT_TURNAROUND_POLICY, encodeDeadlineSec?: number): Turnaround {
  const cls = turnaroundClass(priority, policy);
  const target = policy.classes[cls];
  if (encodeDeadlineSec !== undefined) {
    return { class: cls, targetSec: encodeDeadlineSec, source: 'deadline', capacity: target.capacity, describe: `${cls} class, deadline: encode within ${Math.round(encodeDeadlineSec)} s` };
  }
  if (target.realtimeFactor === null) return { class: cls, targetSec: null, source: 'policy', capacity: target.capacity, describe: `${cls} turnaround: no time target` };
  const targetSec = Math.max(target.minSeconds, durationSec / target.realtimeFactor);
  return {
    class: cls,
    targetSec,
    source: 'policy',
    capacity: target.capacity,
    describe: `${cls} turnaround (${target.realtimeFactor}× realtime, at least ${Math.round(target.minSeconds)} s): encode within ${Math.round(targetSec)} s`,
  };
}
