/**
 * CPU seconds of the ffmpeg children a local job's steps ran, per function. Linux counts a child's
 * CPU time into its parent's `cutime`/`cstime` (/proc/self/stat) once the child is reaped, so the
 * CPU added between two step events belongs to the steps running in that interval; it is shared
 * among them evenly (steps of one phase run together: the analysis samples alone, then the
 * chunks, with the odd audio step beside them). Wall step-seconds would instead count waiting for
 * a core as work.
 */
import { readFileSync } from 'node:fs';
import { DetailTypes, type MosaicEvent } from '../lambdas/contracts/index.js';

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** CPU seconds of this process's reaped children so far, or null where /proc is not there. */
export function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses: cutime and cstime are 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SEC;
  } catch {
    return null;
  }
}

export interface ChildCpuMeter {
  /** Feed every bus event (subscribe it to the engine's bus). */
  onEvent(e: MosaicEvent): void;
  /** CPU seconds per function since the meter started (empty where /proc is missing). */
  byFunction(): Map<string, number>;
}

export function childCpuMeter(read: () => number | null = childCpuSeconds): ChildCpuMeter {
  const running = new Map<string, string>(); // stepId → function
  const totals = new Map<string, number>();
  let last = read();
  const settle = () => {
    const now = read();
    if (now === null || last === null) return;
    const delta = now - last;
    last = now;
    if (delta <= 0 || running.size === 0) return;
    for (const fn of running.values()) totals.set(fn, (totals.get(fn) ?? 0) + delta / running.size);
  };
  return {
    onEvent(e) {
      if (e.detailType !== DetailTypes.StepStatusChanged) return;
      settle();
      const key = `${e.detail.jobId}/${e.detail.stepId}`;
      if (e.detail.status === 'RUNNING') running.set(key, e.detail.function);
      else running.delete(key);
    },
    byFunction: () => new Map(totals),
  };
}
