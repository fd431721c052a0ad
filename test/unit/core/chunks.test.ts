import { describe, expect, it } from 'vitest';
import { parseRational, planChunks, planTiming } from '../../../lambdas/core/chunks.js';
import type { Chunk } from '../../../lambdas/contracts/index.js';

function expectExactCover(chunks: Chunk[], totalFrames: number, gopFrames: number) {
  let next = 0;
  for (const [i, c] of chunks.entries()) {
    expect(c.index).toBe(i);
    expect(c.startFrame).toBe(next); // no gap, no overlap
    expect(c.startFrame % gopFrames).toBe(0);
    expect(c.frames).toBeGreaterThan(0);
    next += c.frames;
  }
  expect(next).toBe(totalFrames);
}

describe('planTiming', () => {
  it('makes a GOP the segment length in frames, rounded up', () => {
    expect(planTiming(24, '24', 4).gopFrames).toBe(96);
    expect(planTiming(25, '25', 4).gopFrames).toBe(100);
    expect(planTiming(30000 / 1001, '30000/1001', 4).gopFrames).toBe(120);
    expect(planTiming(30, '30', 2).gopFrames).toBe(60);
  });

  it('reports the real segment duration of one GOP', () => {
    const t = planTiming(30000 / 1001, '30000/1001', 4);
    expect(t.segmentSeconds).toBeCloseTo(4.004, 6);
    expect(t).toMatchObject({ fpsRational: '30000/1001', fps: 30000 / 1001 });
  });
});

describe('planChunks', () => {
  const timing = planTiming(25, '25', 4); // 100-frame GOPs

  it('splits into GOP-aligned chunks of about chunkSeconds that cover every frame once', () => {
    const chunks = planChunks({ totalFrames: 750, timing, chunkSeconds: 12, rungCount: 4, parallelism: 2 });
    expect(chunks.map((c) => [c.startFrame, c.frames])).toEqual([
      [0, 300],
      [300, 300],
      [600, 150],
    ]);
    expectExactCover(chunks, 750, 100);
  });

  it('covers awkward frame counts exactly (29.97 fps)', () => {
    const t = planTiming(30000 / 1001, '30000/1001', 4);
    const chunks = planChunks({ totalFrames: 1799, timing: t, chunkSeconds: 12, rungCount: 3, parallelism: 4 });
    expectExactCover(chunks, 1799, t.gopFrames);
  });

  it('shrinks chunks until rungCount × chunks reaches parallelism × 2', () => {
    // 12 GOPs, 3 GOPs/chunk → 4 tasks < 6; 2 GOPs/chunk → 6 tasks: stop there
    const chunks = planChunks({ totalFrames: 1200, timing, chunkSeconds: 12, rungCount: 1, parallelism: 3 });
    expect(chunks).toHaveLength(6);
    expect(chunks.every((c) => c.frames === 200)).toBe(true);
    expectExactCover(chunks, 1200, 100);
  });

  it('never shrinks chunks below one GOP', () => {
    const chunks = planChunks({ totalFrames: 750, timing, chunkSeconds: 12, rungCount: 1, parallelism: 64 });
    expect(chunks).toHaveLength(8);
    expect(chunks.every((c) => c.frames <= 100)).toBe(true);
    expectExactCover(chunks, 750, 100);
  });

  it('does not shrink when there are already enough tasks', () => {
    const chunks = planChunks({ totalFrames: 750, timing, chunkSeconds: 12, rungCount: 5, parallelism: 1 });
    expect(chunks[0].frames).toBe(300);
  });
});

describe('parseRational', () => {
  it('parses fractions and integers', () => {
    expect(parseRational('30000/1001')).toBeCloseTo(29.97003, 5);
    expect(parseRational('25')).toBe(25);
    expect(parseRational('50/2')).toBe(25);
  });

  it('returns NaN for zero, negative, or malformed rates', () => {
    for (const r of ['0/0', '25/0', '0', '-25', 'abc', '']) expect(parseRational(r)).toBeNaN();
  });
});
