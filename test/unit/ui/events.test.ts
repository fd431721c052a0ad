import { describe, expect, it } from 'vitest';
import { describeEvent, mergeEvents } from '../../../ui/src/lib/events.ts';

const ev = (id: number, detailType: string, detail: unknown) => ({ id, time: '2024-05-01T12:00:00Z', detailType, detail });

describe('describeEvent', () => {
  it('writes job and step changes', () => {
    expect(describeEvent(ev(1, 'Job Status Changed', { status: 'RUNNING' }))).toMatchObject({ text: 'Job RUNNING', status: 'RUNNING' });
    expect(describeEvent(ev(2, 'Job Status Changed', { status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'no video stream' } })).text).toBe('Job FAILED: Mosaic.InputInvalid — no video stream');
    expect(describeEvent(ev(3, 'Step Status Changed', { stepId: 'encode-video:r0-c1', status: 'SUCCEEDED', attempt: 2, durationMs: 65_000 })).text).toBe('encode-video:r0-c1 · attempt 2 · SUCCEEDED · in 1 m 05 s');
    expect(describeEvent(ev(4, 'Step Status Changed', { stepId: 'inspect:source', status: 'FAILED', attempt: 1, error: 'boom' })).text).toBe('inspect:source · FAILED — boom');
  });
  it('writes allocations, escalations and webhook deliveries', () => {
    expect(describeEvent(ev(5, 'Task Allocated', { itemId: 'r0-c0', attempt: 0, platform: 'lambda', vcpu: 1, memoryMiB: 1769, estimatedSeconds: 12, reason: 'fits Lambda' })).text).toBe('r0-c0 sized lambda 1769MB · est. 12 s — fits Lambda');
    const esc = describeEvent(ev(6, 'Task Allocated', { itemId: 'r0-c0', attempt: 1, platform: 'fargate', vcpu: 2, memoryMiB: 4096, estimatedSeconds: 30, reason: 'one size up', after: 'Runtime.OutOfMemory' }));
    expect(esc).toMatchObject({ status: 'ESCALATED' });
    expect(esc.text).toContain('escalated to fargate 2vCPU-4GB after Runtime.OutOfMemory');
    expect(describeEvent(ev(7, 'Webhook Delivery Attempted', { status: 'SUCCEEDED', url: 'https://h.example/x', attempt: 1, ok: false, httpStatus: 500, error: null, nextAttemptInSec: 30 })).text).toBe(
      'Webhook SUCCEEDED to https://h.example/x (attempt 1): failed HTTP 500, next in 30 s',
    );
    expect(describeEvent(ev(8, 'Something Else', { a: 1 }))).toMatchObject({ type: 'Something Else', text: '{"a":1}', status: null });
    expect(describeEvent(ev(9, 'Job Status Changed', null)).text).toBe('Job ?');
  });
});

describe('mergeEvents', () => {
  it('appends new events in id order without duplicates', () => {
    const a = [{ id: 1 }, { id: 2 }];
    expect(mergeEvents(a, [{ id: 2 }, { id: 4 }, { id: 3 }]).map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(mergeEvents(a, [])).toBe(a);
  });
});
