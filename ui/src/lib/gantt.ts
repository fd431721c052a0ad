/**
 * A job's steps as a Gantt chart: one row per step id (grouped by function, ordered by first
 * start), one bar per attempt with its offsets from the job's start, and what the allocator said
 * about it (Task Allocated events: platform, size, escalation and its cause). Pure.
 */
import { sizeLabel as sizeLabelOf } from '../../../lambdas/contracts/metrics.ts';

export type AttemptStatus = 'RUNNING' | 'SUCCEEDED' | 'CACHED' | 'FAILED' | 'ABANDONED';

/** What the chart needs of a step attempt (JobView.steps). */
export interface GanttStep {
  stepId: string;
  function: string;
  attempt: number;
  status: AttemptStatus;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  error?: string | null;
  costUsd?: number | null;
  platform?: 'lambda' | 'fargate' | null;
  size?: string | null;
}

/** A job event as GET /v1/jobs/{id}/events returns it. */
export interface EventLike {
  id: number;
  time: string;
  detailType: string;
  detail: unknown;
}

export interface Allocation {
  time: number;
  itemId: string;
  /** 0 for the first sizing, one more per escalation. */
  attempt: number;
  platform: 'lambda' | 'fargate';
  vcpu: number;
  memoryMiB: number;
  estimatedSeconds: number | null;
  reason: string | null;
  /** The failure that made this an escalation. */
  after: string | null;
}

export interface GanttBar {
  stepId: string;
  fn: string;
  attempt: number;
  status: AttemptStatus;
  cached: boolean;
  running: boolean;
  /** 0 for the first attempt, then 1, 2, … */
  retry: number;
  /** Seconds from the job's start. */
  start: number;
  end: number;
  durationSec: number;
  platform: 'lambda' | 'fargate' | null;
  /** `1769MB`, `2vCPU-4GB`: the step's own, or else the allocator's. */
  size: string | null;
  costUsd: number | null;
  error: string | null;
  /** The allocation this attempt ran under, when the allocator sized it. */
  allocation: Allocation | null;
  /** Set when this attempt is the first at a size the allocator escalated to: the cause. */
  escalation: { cause: string; from: string | null } | null;
}

export interface GanttRow {
  stepId: string;
  fn: string;
  /** The item (`r1-c3`), or the function for a step without one. */
  label: string;
  bars: GanttBar[];
  firstStart: number;
}

export interface GanttGroup {
  fn: string;
  rows: GanttRow[];
}

export interface Gantt {
  groups: GanttGroup[];
  /** Every row in display order. */
  rows: GanttRow[];
  /** Seconds from the job's start to the last bar's end (at least 1). */
  span: number;
  /** Epoch ms of offset 0. */
  origin: number;
  attempts: number;
}

const TASK_ALLOCATED = 'Task Allocated';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The Task Allocated events of a job's history. */
export function allocationsOf(events: readonly EventLike[]): Allocation[] {
  const out: Allocation[] = [];
  for (const e of events) {
    if (e.detailType !== TASK_ALLOCATED || !isObj(e.detail)) continue;
    const d = e.detail;
    if (typeof d.itemId !== 'string' || (d.platform !== 'lambda' && d.platform !== 'fargate')) continue;
    out.push({
      time: Date.parse(e.time),
      itemId: d.itemId,
      attempt: num(d.attempt) ?? 0,
      platform: d.platform,
      vcpu: num(d.vcpu) ?? 0,
      memoryMiB: num(d.memoryMiB) ?? 0,
      estimatedSeconds: num(d.estimatedSeconds),
      reason: typeof d.reason === 'string' ? d.reason : null,
      after: typeof d.after === 'string' && d.after ? d.after : null,
    });
  }
  return out.sort((a, b) => a.time - b.time || a.attempt - b.attempt);
}

/** An allocation's size as the steps' `size` field spells it (one definition, in the contracts). */
export const sizeLabel = (a: Pick<Allocation, 'platform' | 'vcpu' | 'memoryMiB'>): string => sizeLabelOf(a.platform, a);

const itemOf = (stepId: string) => {
  const i = stepId.indexOf(':');
  return i < 0 ? null : stepId.slice(i + 1);
};

/** Allocations are written just before the attempt they size starts: allow this much clock skew. */
const SKEW_MS = 1500;

export function buildGantt(steps: readonly GanttStep[], events: readonly EventLike[], opts: { jobStart?: string | null; now?: number } = {}): Gantt {
  const now = opts.now ?? Date.now();
  const starts = steps.map((s) => Date.parse(s.startedAt)).filter(Number.isFinite);
  const jobStart = opts.jobStart ? Date.parse(opts.jobStart) : NaN;
  const origin = Number.isFinite(jobStart) ? Math.min(jobStart, ...starts) : starts.length ? Math.min(...starts) : now;
  const allocs = allocationsOf(events);
  const allocsByItem = new Map<string, Allocation[]>();
  for (const a of allocs) allocsByItem.set(a.itemId, [...(allocsByItem.get(a.itemId) ?? []), a]);

  const byStep = new Map<string, GanttStep[]>();
  for (const s of steps) byStep.set(s.stepId, [...(byStep.get(s.stepId) ?? []), s]);
  const rows: GanttRow[] = [];
  for (const [stepId, attempts] of byStep) {
    attempts.sort((a, b) => a.attempt - b.attempt || a.startedAt.localeCompare(b.startedAt));
    const item = itemOf(stepId);
    const itemAllocs = item ? (allocsByItem.get(item) ?? []) : [];
    const used = new Set<Allocation>();
    const bars = attempts.map((s, i): GanttBar => {
      const startMs = Date.parse(s.startedAt);
      const endedMs = s.endedAt ? Date.parse(s.endedAt) : NaN;
      const running = s.status === 'RUNNING';
      const endMs = Number.isFinite(endedMs) ? endedMs : s.durationMs !== null && !running ? startMs + s.durationMs : running ? Math.max(now, startMs) : startMs;
      const before = itemAllocs.filter((a) => a.time <= startMs + SKEW_MS);
      const allocation = before.at(-1) ?? itemAllocs[0] ?? null;
      const first = allocation !== null && !used.has(allocation);
      if (allocation) used.add(allocation);
      const escalated = first && allocation!.after !== null && allocation!.attempt > 0;
      const previous = escalated ? (itemAllocs.filter((a) => a.attempt < allocation!.attempt).at(-1) ?? null) : null;
      return {
        stepId,
        fn: s.function,
        attempt: s.attempt,
        status: s.status,
        cached: s.status === 'CACHED',
        running,
        retry: i,
        start: (startMs - origin) / 1000,
        end: (endMs - origin) / 1000,
        durationSec: Math.max(0, (endMs - startMs) / 1000),
        platform: s.platform ?? allocation?.platform ?? null,
        size: s.size ?? (allocation ? sizeLabel(allocation) : null),
        costUsd: s.costUsd ?? null,
        error: s.error ?? null,
        allocation,
        escalation: escalated ? { cause: allocation!.after!, from: previous ? sizeLabel(previous) : null } : null,
      };
    });
    rows.push({ stepId, fn: attempts[0]!.function, label: item ?? stepId, bars, firstStart: Math.min(...bars.map((b) => b.start)) });
  }
  rows.sort((a, b) => a.firstStart - b.firstStart || a.stepId.localeCompare(b.stepId, 'en', { numeric: true }));
  const groups: GanttGroup[] = [];
  for (const r of rows) {
    let g = groups.find((x) => x.fn === r.fn);
    if (!g) groups.push((g = { fn: r.fn, rows: [] }));
    g.rows.push(r);
  }
  const ordered = groups.flatMap((g) => g.rows);
  const span = Math.max(1, ...ordered.flatMap((r) => r.bars.map((b) => b.end)));
  return { groups, rows: ordered, span, origin, attempts: steps.length };
}

/** Tick marks for an axis from 0 to `span` seconds: a "nice" step giving at most `max` ticks. */
export function timeTicks(span: number, max = 8): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400];
  const step = steps.find((s) => span / s <= max) ?? Math.ceil(span / max / 3600) * 3600;
  const out: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) out.push(t);
  return out;
}

/** The tooltip of a bar (also its accessible name). */
export function barTitle(b: GanttBar, fmt: { duration: (s: number) => string; usd: (v: number) => string }): string {
  const lines = [`${b.stepId} — attempt ${b.attempt}${b.retry > 0 ? ` (retry ${b.retry})` : ''}`, `${b.cached ? 'CACHED (result from the cache)' : b.status}, ${fmt.duration(b.durationSec)}${b.running ? ' so far' : ''}`];
  lines.push(`start +${fmt.duration(b.start)}${b.running ? '' : `, end +${fmt.duration(b.end)}`}`);
  if (b.platform || b.size) lines.push(`on ${[b.platform, b.size].filter(Boolean).join(' ')}`);
  if (b.escalation) lines.push(`escalated${b.escalation.from ? ` from ${b.escalation.from}` : ''} after: ${b.escalation.cause}`);
  if (b.allocation?.estimatedSeconds !== null && b.allocation?.estimatedSeconds !== undefined) lines.push(`allocator estimate ${fmt.duration(b.allocation.estimatedSeconds)}`);
  if (b.costUsd !== null) lines.push(`cost ${fmt.usd(b.costUsd)}`);
  if (b.error) lines.push(`error: ${b.error}`);
  return lines.join('\n');
}
