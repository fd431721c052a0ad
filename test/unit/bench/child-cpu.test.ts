import { describe, expect, it } from 'vitest';
import { childCpuMeter, childCpuSeconds } from '../../../bench/child-cpu.js';
import { DetailTypes, EVENT_SOURCE, type MosaicEvent } from '../../../lambdas/contracts/index.js';

const step = (stepId: string, fn: string, status: 'RUNNING' | 'SUCCEEDED'): MosaicEvent => ({
  source: EVENT_SOURCE,
  detailType: DetailTypes.StepStatusChanged,
  detail: { jobId: 'j', stepId, function: fn, status },
});

describe('childCpuMeter', () => {
  it('charges the CPU added between events to the steps running then, shared evenly', () => {
    let cpu = 10;
    const meter = childCpuMeter(() => cpu);
    meter.onEvent(step('a1', 'analyze-title', 'RUNNING'));
    meter.onEvent(step('a2', 'analyze-title', 'RUNNING'));
    cpu += 4;
    meter.onEvent(step('a1', 'analyze-title', 'SUCCEEDED'));
    cpu += 1;
    meter.onEvent(step('a2', 'analyze-title', 'SUCCEEDED'));
    cpu += 7; // nothing running: the bench's own children, not charged
    meter.onEvent(step('v1', 'encode-video', 'RUNNING'));
    meter.onEvent(step('au', 'encode-audio', 'RUNNING'));
    cpu += 6;
    meter.onEvent(step('v1', 'encode-video', 'SUCCEEDED'));
    meter.onEvent(step('au', 'encode-audio', 'SUCCEEDED'));
    expect(Object.fromEntries(meter.byFunction())).toEqual({ 'analyze-title': 5, 'encode-video': 3, 'encode-audio': 3 });
  });

  it('reads this process’s reaped children from /proc on Linux', () => {
    const s = childCpuSeconds();
    if (process.platform !== 'linux') return;
    expect(s).not.toBeNull();
    expect(s).toBeGreaterThanOrEqual(0);
  });
});
