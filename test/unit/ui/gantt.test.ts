import { describe, expect, it } from 'vitest';
import { allocationsOf, barTitle, buildGantt, sizeLabel, timeTicks, type EventLike, type GanttStep } from '../../../ui/src/lib/gantt.ts';
import { formatDuration, formatUsd } from '../../../ui/src/lib/format.ts';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const step = (stepId: string, attempt: number, status: GanttStep['status'], start: number, end: number | null, extra: Partial<GanttStep> = {}): GanttStep => ({
  stepId,
  function: stepId.split(':')[0]!,
  attempt,
  status,
  startedAt: at(start),
  endedAt: end === null ? null : at(end),
  durationMs: end === null ? null : (end - start) * 1000,
  costUsd: null,
  ...extra,
});
let id = 0;
const allocated = (time: number, itemId: string, attempt: number, platform: 'lambda' | 'fargate', memoryMiB: number, vcpu: number, after?: string): EventLike => ({
  id: ++id,
  time: at(time),
  detailType: 'Task Allocated',
  detail: { jobId: 'j', itemId, attempt, platform, vcpu, memoryMiB, timeoutSec: 900, estimatedSeconds: 12, estimatedCostUsd: 0.001, reason: 'fits', ...(after ? { after } : {}) },
});

describe('buildGantt', () => {
  const steps = [
    step('plan', 1, 'SUCCEEDED', 2, 3),
    step('inspect:source', 1, 'CACHED', 0, 0.1),
    step('encode-video:r0-c1', 1, 'SUCCEEDED', 4, 10, { platform: 'lambda', size: '1769MB', costUsd: 0.0002 }),
    step('encode-video:r0-c0', 1, 'FAILED', 3.5, 8, { error: 'Runtime.OutOfMemory' }),
    step('encode-video:r0-c0', 2, 'SUCCEEDED', 9, 20, { platform: 'fargate', size: '2vCPU-4GB' }),
    step('encode-audio:a0', 1, 'RUNNING', 4, null),
  ];
  const events = [
    { id: 100, time: at(0), detailType: 'Job Status Changed', detail: { status: 'RUNNING' } },
    allocated(3.4, 'r0-c0', 0, 'lambda', 1769, 1),
    allocated(3.9, 'r0-c1', 0, 'lambda', 1769, 1),
    allocated(8.8, 'r0-c0', 1, 'fargate', 4096, 2, 'Runtime.OutOfMemory'),
  ];
  const g = buildGantt(steps, events, { jobStart: at(0), now: T0 + 25_000 });

  it('has one row per step id, grouped by function in order of first start', () => {
    expect(g.groups.map((x) => x.fn)).toEqual(['inspect', 'plan', 'encode-video', 'encode-audio']);
    expect(g.rows.map((r) => r.stepId)).toEqual(['inspect:source', 'plan', 'encode-video:r0-c0', 'encode-video:r0-c1', 'encode-audio:a0']);
    expect(g.rows[2]!.label).toBe('r0-c0');
    expect(g.rows[1]!.label).toBe('plan');
    expect(g.attempts).toBe(6);
  });

  it('has a bar per attempt with offsets, retries, cache hits and escalations', () => {
    const [failed, retried] = g.rows[2]!.bars;
    expect(failed).toMatchObject({ attempt: 1, retry: 0, status: 'FAILED', start: 3.5, end: 8, platform: 'lambda', size: '1769MB', escalation: null, error: 'Runtime.OutOfMemory' });
    expect(retried).toMatchObject({ attempt: 2, retry: 1, status: 'SUCCEEDED', start: 9, end: 20, platform: 'fargate', size: '2vCPU-4GB' });
    expect(retried!.escalation).toEqual({ cause: 'Runtime.OutOfMemory', from: '1769MB' });
    expect(g.rows[0]!.bars[0]).toMatchObject({ cached: true, status: 'CACHED' });
    expect(g.rows[3]!.bars[0]).toMatchObject({ costUsd: 0.0002, escalation: null });
  });

  it('ends running attempts now and spans to the last end', () => {
    const running = g.rows[4]!.bars[0]!;
    expect(running).toMatchObject({ running: true, start: 4, end: 25, durationSec: 21 });
    expect(g.span).toBe(25);
    expect(g.origin).toBe(T0);
  });

  it('writes a tooltip with what matters', () => {
    const t = barTitle(g.rows[2]!.bars[1]!, { duration: formatDuration, usd: formatUsd });
    expect(t).toContain('encode-video:r0-c0 — attempt 2 (retry 1)');
    expect(t).toContain('on fargate 2vCPU-4GB');
    expect(t).toContain('escalated from 1769MB after: Runtime.OutOfMemory');
    expect(barTitle(g.rows[0]!.bars[0]!, { duration: formatDuration, usd: formatUsd })).toContain('CACHED');
  });

  it('copes with no steps and no job start', () => {
    const e = buildGantt([], [], { now: T0 });
    expect(e).toMatchObject({ rows: [], groups: [], span: 1, origin: T0 });
  });
});

describe('allocations and ticks', () => {
  it('reads Task Allocated events, skipping others and malformed ones', () => {
    const a = allocationsOf([allocated(1, 'r1-c0', 0, 'fargate', 8192, 4), { id: 9, time: at(0), detailType: 'Task Allocated', detail: { itemId: null } }, { id: 10, time: at(0), detailType: 'Step Status Changed', detail: {} }]);
    expect(a).toHaveLength(1);
    expect(sizeLabel(a[0]!)).toBe('4vCPU-8GB');
    expect(sizeLabel({ platform: 'lambda', vcpu: 1, memoryMiB: 3008 })).toBe('3008MB');
    expect(sizeLabel({ platform: 'fargate', vcpu: 0.5, memoryMiB: 1536 })).toBe('0.5vCPU-1.5GB');
  });
  it('picks nice ticks', () => {
    expect(timeTicks(25)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(timeTicks(3)).toEqual([0, 1, 2, 3]);
    expect(timeTicks(600).length).toBeLessThanOrEqual(9);
  });
});
