import { describe, expect, it } from 'vitest';
import { planLadder, rungDimensions } from '../../../lambdas/core/ladder.js';
import { PRESETS } from '../../../lambdas/core/presets.js';

const preset = PRESETS.default;
const dims = (w: number, h: number) => planLadder({ width: w, height: h }, preset).map((r) => `${r.width}x${r.height}`);

function expectSane(src: { width: number; height: number }) {
  const rungs = planLadder(src, preset);
  expect(rungs.length).toBeGreaterThan(0);
  for (const r of rungs) {
    expect(r.width % 2).toBe(0);
    expect(r.height % 2).toBe(0);
    expect(r.width).toBeLessThanOrEqual(src.width);
    expect(r.height).toBeLessThanOrEqual(src.height);
    // aspect ratio preserved within 2 pixels on the long side
    expect(Math.abs(r.width - (r.height * src.width) / src.height)).toBeLessThanOrEqual(2);
  }
  return rungs;
}

describe('planLadder', () => {
  it('gives a 1080p landscape source 1080/720/540/360/240 rungs, highest first', () => {
    const rungs = planLadder({ width: 1920, height: 1080 }, preset);
    expect(rungs.map((r) => r.height)).toEqual([1080, 720, 540, 360, 240]);
    expect(rungs.map((r) => r.width)).toEqual([1920, 1280, 960, 640, 426]);
    expect(rungs.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(rungs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(rungs[0]).toMatchObject({ bitrateKbps: 5000, maxrateKbps: 7500, bufsizeKbps: 10000, encoderPreset: 'fast' });
  });

  it('never upscales: a 720p source gets no 1080 rung', () => {
    expect(dims(1280, 720)).toEqual(['1280x720', '960x540', '640x360', '426x240']);
  });

  it('uses the short side as rung height for portrait sources', () => {
    expect(dims(1080, 1920)).toEqual(['1080x1920', '720x1280', '540x960', '360x640', '240x426']);
  });

  it('keeps square sources square', () => {
    expect(dims(1000, 1000)).toEqual(['720x720', '540x540', '360x360', '240x240']);
  });

  it('keeps odd-sized sources even, not larger than the source, and in aspect', () => {
    expect(expectSane({ width: 641, height: 363 }).map((r) => r.height)).toEqual([360, 240]);
    expectSane({ width: 1921, height: 1081 });
    expectSane({ width: 363, height: 641 });
    expectSane({ width: 1920, height: 1080 });
    expectSane({ width: 1080, height: 1920 });
  });

  it('gives a source smaller than every rung exactly one rung at its own size', () => {
    const rungs = expectSane({ width: 176, height: 144 });
    expect(rungs).toHaveLength(1);
    expect(rungs[0]).toMatchObject({ width: 176, height: 144, profile: 'main' });
    // bitrate scaled down from the smallest rung by pixel count, floored at 100
    expect(rungs[0].bitrateKbps).toBeLessThan(450);
    expect(rungs[0].bitrateKbps).toBeGreaterThanOrEqual(100);
    const odd = expectSane({ width: 175, height: 143 });
    expect(odd).toHaveLength(1);
  });

  it('lets an explicit ladder override the preset rungs', () => {
    const rungs = planLadder({ width: 1920, height: 1080 }, preset, [
      { height: 360, bitrateKbps: 800 },
      { height: 720, bitrateKbps: 2500 },
    ]);
    expect(rungs.map((r) => [r.height, r.bitrateKbps])).toEqual([
      [720, 2500],
      [360, 800],
    ]);
  });

  it('removes rungs that only round onto another’s dimensions, keeps two asked at one height with different bitrates', () => {
    const rungs = planLadder({ width: 1280, height: 720 }, preset, [
      { height: 720, bitrateKbps: 3000 },
      { height: 719, bitrateKbps: 2900 },
      { height: 720, bitrateKbps: 2800 },
      { height: 720, bitrateKbps: 3000 },
      { height: 360, bitrateKbps: 900 },
    ]);
    expect(rungs.map((r) => `${r.width}x${r.height}@${r.bitrateKbps}`)).toEqual(['1280x720@3000', '1280x720@2800', '640x360@900']);
    expect(rungs.map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
  });

  it('keeps Apple’s HLS ladder whole on a 1080p source: two rungs at 1080p, 720p and 432p', () => {
    const apple = [[234, 145], [360, 365], [432, 730], [432, 1100], [540, 2000], [720, 3000], [720, 4500], [1080, 6000], [1080, 7800]].map(([height, bitrateKbps]) => ({ height: height!, bitrateKbps: bitrateKbps! }));
    const rungs = planLadder({ width: 1920, height: 1080 }, preset, apple);
    expect(rungs).toHaveLength(9);
    expect(rungs.filter((r) => r.height === 1080).map((r) => r.bitrateKbps).sort()).toEqual([6000, 7800]);
  });
});

describe('rungDimensions', () => {
  it('scales the long side from the short side and orients like the source', () => {
    expect(rungDimensions({ width: 1920, height: 1080 }, 720)).toEqual({ width: 1280, height: 720 });
    expect(rungDimensions({ width: 1080, height: 1920 }, 720)).toEqual({ width: 720, height: 1280 });
  });

  it('clamps to the source size, rounded down to even', () => {
    expect(rungDimensions({ width: 641, height: 363 }, 1080)).toEqual({ width: 640, height: 362 });
  });
});
