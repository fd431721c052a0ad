/** core/per-title: samples, candidates, aggregation, the convex hull and the rungs along it, on synthetic (bitrate, quality) sets. */
import { describe, expect, it } from 'vitest';
import { aggregateTrials, candidateHeights, chooseRungs, convexHull, hullKbpsFor, hullQualityAt, mseOfPsnr, predictedSaving, psnrOfMse, sampleWindows, type TrialPoint } from '../../../lambdas/core/per-title.js';

const config = { maxRungs: 6, stepRatio: 1.7, maxPsnr: 44, maxBitrateKbps: 14000, minBitrateKbps: 120 };
/** A resolution's rate–quality curve: PSNR rises ~`slope` dB per doubling up to a ceiling set by its size (smaller pictures saturate lower). */
function curve(height: number, o: { ceiling: number; kneeKbps: number }): TrialPoint[] {
  const width = Math.round((height * 16) / 9 / 2) * 2;
  return [18, 21, 24, 27, 30, 33, 36, 40].map((crf) => {
    const kbps = o.kneeKbps * 2 ** ((27 - crf) / 3);
    const psnr = o.ceiling - 12 * Math.exp(-kbps / o.kneeKbps);
    return { width, height, crf, kbps, psnr };
  });
}
const synthetic = [...curve(1080, { ceiling: 48, kneeKbps: 2400 }), ...curve(720, { ceiling: 45, kneeKbps: 1200 }), ...curve(360, { ceiling: 39, kneeKbps: 350 })];

describe('the convex hull', () => {
  it('is upper and concave: no trial point lies above it, quality only rises with bitrate, and slopes fall', () => {
    const hull = convexHull(synthetic);
    expect(hull.length).toBeGreaterThan(3);
    for (let i = 1; i < hull.length; i++) {
      expect(hull[i]!.kbps).toBeGreaterThan(hull[i - 1]!.kbps);
      expect(hull[i]!.psnr).toBeGreaterThan(hull[i - 1]!.psnr);
    }
    const slopes = hull.slice(1).map((p, i) => (p.psnr - hull[i]!.psnr) / (p.kbps - hull[i]!.kbps));
    for (let i = 1; i < slopes.length; i++) expect(slopes[i]!).toBeLessThanOrEqual(slopes[i - 1]! + 1e-12);
    for (const p of synthetic) if (p.kbps >= hull[0]!.kbps && p.kbps <= hull.at(-1)!.kbps) expect(p.psnr).toBeLessThanOrEqual(hullQualityAt(hull, p.kbps) + 0.35);
    // Small pictures win at low bitrates, large ones at high bitrates.
    expect(hull[0]!.height).toBe(360);
    expect(hull.at(-1)!.height).toBe(1080);
  });

  it('drops dominated points and keeps a single point', () => {
    const a = { width: 2, height: 2, crf: 1, kbps: 100, psnr: 30 };
    expect(convexHull([a, { ...a, kbps: 200, psnr: 29 }, { ...a, kbps: 0, psnr: 50 }])).toEqual([a]);
  });

  it('reads quality at a bitrate and the bitrate for a quality, inverse of each other', () => {
    const hull = convexHull(synthetic);
    for (const kbps of [500, 1500, 4000]) expect(hullKbpsFor(hull, hullQualityAt(hull, kbps))!).toBeCloseTo(kbps, 6);
    expect(hullKbpsFor(hull, 99)).toBeNull();
  });
});

describe('rungs along the hull', () => {
  it('top first at the cheapest point reaching maxPsnr; about stepRatio apart; resolution never rises as bitrate falls', () => {
    const hull = convexHull(synthetic);
    const rungs = chooseRungs(hull, config);
    expect(rungs.length).toBeGreaterThanOrEqual(4);
    expect(rungs.length).toBeLessThanOrEqual(config.maxRungs);
    expect(rungs[0]!.psnr).toBeGreaterThanOrEqual(config.maxPsnr);
    const reaching = hull.filter((p) => p.psnr >= config.maxPsnr).sort((a, b) => a.kbps - b.kbps)[0]!;
    expect(rungs[0]!.kbps).toBeLessThanOrEqual(reaching.kbps + 1e-9);
    for (let i = 1; i < rungs.length; i++) {
      const ratio = rungs[i - 1]!.kbps / rungs[i]!.kbps;
      expect(ratio).toBeGreaterThanOrEqual(1.4);
      expect(ratio).toBeLessThan(2.6);
      expect(rungs[i]!.height).toBeLessThanOrEqual(rungs[i - 1]!.height);
      expect(rungs[i]!.kbps).toBeGreaterThanOrEqual(config.minBitrateKbps * 0.85);
    }
    // Every rung is on the hull (a vertex or between two of one resolution).
    for (const r of rungs) expect(r.psnr).toBeCloseTo(hullQualityAt(hull, r.kbps), 0);
  });

  it('caps the top at maxBitrateKbps, and takes the best point when none reaches maxPsnr', () => {
    const hull = convexHull(synthetic);
    expect(chooseRungs(hull, { ...config, maxBitrateKbps: 3000 })[0]!.kbps).toBeLessThanOrEqual(3000);
    const low = chooseRungs(hull, { ...config, maxPsnr: 99 });
    // The best point under the bitrate cap (19.2 Mb/s at 1080p CRF 18 is above it).
    expect(low[0]!.kbps).toBeLessThanOrEqual(config.maxBitrateKbps);
    expect(low[0]!.kbps).toBeGreaterThanOrEqual(Math.max(...hull.filter((p) => p.kbps <= config.maxBitrateKbps).map((p) => p.kbps)));
    expect(chooseRungs(hull, { ...config, maxRungs: 2 })).toHaveLength(2);
  });

  it('predicts the saving against a fixed ladder off the hull; a ladder on the hull saves nothing', () => {
    const hull = convexHull(synthetic);
    // A fixed ladder that spends 720p bits where 360p would do.
    const fixed = [{ width: 1280, height: 720, kbps: 4000 }, { width: 1280, height: 720, kbps: 600 }];
    const s = predictedSaving(synthetic, hull, fixed)!;
    expect(s.matched).toBe(2);
    expect(s.percent).toBeGreaterThan(0);
    const onHull = hull.filter((p) => p.height === 1080).slice(-1).map((p) => ({ width: p.width, height: p.height, kbps: p.kbps }));
    expect(predictedSaving(synthetic, hull, onHull)!.percent).toBeCloseTo(0, 6);
  });
});

describe('samples, candidates and aggregation', () => {
  it('spreads about 10 % of the title over windows of 3–10 s, at most `count`; samples a short title whole', () => {
    const total = 30 * 60 * 25;
    const w = sampleWindows(total, { count: 24, sampleFrames: 75, maxFrames: 250 });
    expect(w).toHaveLength(24);
    for (let i = 1; i < w.length; i++) expect(w[i]!.startFrame).toBeGreaterThanOrEqual(w[i - 1]!.startFrame + w[i - 1]!.frames);
    expect(w.every((x) => x.frames === 188)).toBe(true); // ⌈4,500 / 24⌉: the share, in longer windows
    expect(w.reduce((s, x) => s + x.frames, 0) / total).toBeCloseTo(0.1, 2);
    // Two hours: the windows stop at 10 s, so the share is 24 × 10 s.
    const long = sampleWindows(2 * 3600 * 25, { count: 24, sampleFrames: 75, maxFrames: 250 });
    expect(long.map((x) => x.frames)).toEqual(new Array(24).fill(250));
    // Three minutes: 18 s in six 3 s windows.
    expect(sampleWindows(3 * 60 * 25, { count: 24, sampleFrames: 75, maxFrames: 250 }).map((x) => x.frames)).toEqual(new Array(6).fill(75));
    expect(sampleWindows(125, { count: 4, sampleFrames: 75, minFrames: 25 })).toEqual([{ startFrame: 50, frames: 25 }]);
    expect(sampleWindows(20, { count: 4, sampleFrames: 75, minFrames: 25 })).toEqual([{ startFrame: 0, frames: 20 }]);
  });

  it('candidates never exceed the source and include its own size', () => {
    expect(candidateHeights(720, [1080, 720, 360])).toEqual([720, 360]);
    expect(candidateHeights(405, [1080, 720, 360])).toEqual([404, 360]);
    expect(candidateHeights(144, [1080, 720, 360])).toEqual([144]);
  });

  it('aggregates samples as total bits over total time and PSNR of the mean MSE', () => {
    const t = (frames: number, psnr: number, bytes: number) => ({ width: 640, height: 360, crf: 27, bytes, durationSec: frames / 25, frames, mseY: mseOfPsnr(psnr) });
    const [p] = aggregateTrials([t(25, 40, 10_000), t(75, 30, 50_000)]);
    expect(p!.kbps).toBeCloseTo(((60_000 * 8) / 1000) / 4, 9);
    expect(p!.psnr).toBeCloseTo(psnrOfMse((mseOfPsnr(40) * 25 + mseOfPsnr(30) * 75) / 100), 9);
    expect(p!.psnr).toBeLessThan(35);
  });
});
