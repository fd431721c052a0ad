import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocationContextSchema, InputInvalidError, speedKey, type AllocationTask, type SpeedTable } from '../../../../lambdas/contracts/index.js';
import {
  candidateSizes,
  DEFAULT_SPEED_TABLE,
  efficiency,
  ENCODER_PRESETS,
  evaluateSize,
  lookupSpeed,
  observe,
  predict,
  predictSeconds,
  priceTable,
  requiredEphemeralGiB,
  requiredMemoryMiB,
  speedup,
} from '../../../../lambdas/core/allocator/index.js';
import { taskArb, fhdTask } from './arbitraries.js';

const fhd = fhdTask(2400);
const sizes = candidateSizes();
const ctx = AllocationContextSchema.parse({});
const prices = priceTable('us-east-1');
const sizeArb = fc.constantFrom(...sizes);
const slower = (p: string) => ENCODER_PRESETS[Math.min(ENCODER_PRESETS.length - 1, ENCODER_PRESETS.indexOf(p as never) + 1)];

describe('efficiency curve', () => {
  it('is 1 at one thread, decreases, and still gives more speed with more vCPUs (sub-linearly)', () => {
    expect(efficiency(1)).toBe(1);
    expect(efficiency(0.25)).toBe(1);
    for (let n = 2; n <= 16; n++) expect(efficiency(n)).toBeLessThan(efficiency(n - 1));
    for (let n = 0.5; n <= 16; n += 0.5) expect(speedup(n)).toBeGreaterThan(speedup(n - 0.25));
    expect(speedup(16)).toBeGreaterThan(8);
    expect(speedup(16)).toBeLessThan(12);
  });
});

describe('default speed table', () => {
  it('has x265 slower than x264, slower presets slower, and never more throughput per pixel at a larger class', () => {
    const pixels = { sd: 854 * 480, hd: 1280 * 720, fhd: 1920 * 1080, uhd: 3840 * 2160 };
    for (const preset of ENCODER_PRESETS) {
      const classes = ['sd', 'hd', 'fhd', 'uhd'] as const;
      for (const rc of classes) {
        const x264 = DEFAULT_SPEED_TABLE[speedKey('encode-video', 'h264', preset, rc)].fpsPerVcpu;
        const x265 = DEFAULT_SPEED_TABLE[speedKey('encode-video', 'h265', preset, rc)].fpsPerVcpu;
        expect(x265).toBeLessThan(x264 / 3);
        const next = slower(preset);
        if (next !== preset) expect(DEFAULT_SPEED_TABLE[speedKey('encode-video', 'h264', next, rc)].fpsPerVcpu).toBeLessThan(x264);
      }
      for (let i = 1; i < classes.length; i++) {
        const t = (rc: (typeof classes)[number]) => DEFAULT_SPEED_TABLE[speedKey('encode-video', 'h264', preset, rc)].fpsPerVcpu * pixels[rc];
        expect(t(classes[i])).toBeLessThanOrEqual(t(classes[i - 1]));
      }
    }
  });
});

describe('predictions: more work never costs less on the same size', () => {
  const both = (a: AllocationTask, b: AllocationTask, size: (typeof sizes)[number]) => {
    const ea = evaluateSize(a, size, ctx, DEFAULT_SPEED_TABLE, prices);
    const eb = evaluateSize(b, size, ctx, DEFAULT_SPEED_TABLE, prices);
    expect(eb.seconds).toBeGreaterThanOrEqual(ea.seconds);
    expect(eb.costUsd).toBeGreaterThanOrEqual(ea.costUsd);
  };

  it('more frames', () => {
    fc.assert(fc.property(taskArb, fc.integer({ min: 0, max: 100_000 }), sizeArb, (t, more, s) => both(t, { ...t, frames: t.frames + more }, s)), { numRuns: 300 });
  });

  it('a bigger frame (either side, across resolution classes)', () => {
    fc.assert(
      fc.property(taskArb, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), sizeArb, (t, dw, dh, s) =>
        both(t, { ...t, width: t.width + dw * 2, height: t.height + dh * 2 }, s),
      ),
      { numRuns: 300 },
    );
    // Right across each class boundary (short side 576 → 578, 720 → 722, 1080 → 1082).
    fc.assert(
      fc.property(taskArb, fc.constantFrom(576, 720, 1080), fc.integer({ min: 1, max: 3 }), sizeArb, (t, edge, wide, s) => {
        const w = Math.max(edge + 2, Math.round((edge * (1 + wide / 3)) / 2) * 2);
        both({ ...t, width: w, height: edge }, { ...t, width: w, height: edge + 2 }, s);
      }),
      { numRuns: 200 },
    );
  });

  it('a slower preset, and H.265 instead of H.264', () => {
    fc.assert(
      fc.property(taskArb, sizeArb, (t, s) => {
        both(t, { ...t, encoderPreset: slower(t.encoderPreset) }, s);
        both({ ...t, codec: 'h264' }, { ...t, codec: 'h265' }, s);
      }),
      { numRuns: 300 },
    );
  });

  it('a bigger size is never slower for the same task on the same platform', () => {
    fc.assert(
      fc.property(taskArb, (t) => {
        for (const platform of ['lambda', 'fargate'] as const) {
          const ladder = sizes.filter((s) => s.platform === platform);
          for (let i = 1; i < ladder.length; i++) expect(predictSeconds(t, ladder[i])).toBeLessThanOrEqual(predictSeconds(t, ladder[i - 1]));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('adds platform startup and staging to the encode time', () => {
    const t = { ...fhd, sourceBytes: 800e6 };
    const lambda = predict(t, { platform: 'lambda', vcpu: 1 });
    const fargate = predict(t, { platform: 'fargate', vcpu: 1 });
    expect(lambda.computeSeconds).toBeCloseTo(2400 / 13, 6); // x264 fast 1080p: 13 fps per vCPU
    // 800 MB down and the chunk up (at most its share of the source: 100 s at 20 Mbit/s = 250 MB), at 80 MB/s
    expect(lambda.stagingSeconds).toBeCloseTo((800e6 + 250e6) / 80e6, 6);
    expect(lambda.seconds).toBeCloseTo(1 + (800e6 + 250e6) / 80e6 + 2400 / 13, 6);
    expect(fargate.seconds - fargate.computeSeconds - fargate.stagingSeconds).toBe(60);
    expect(fargate.billedSeconds).toBeLessThan(fargate.seconds); // provisioning is not billed, the image pull is
  });
});

describe('memory model', () => {
  it('grows with resolution, threads, slower presets and H.265', () => {
    fc.assert(
      fc.property(taskArb, fc.integer({ min: 1, max: 16 }), (t, threads) => {
        const m = requiredMemoryMiB(t, threads);
        expect(requiredMemoryMiB(t, threads + 1)).toBeGreaterThanOrEqual(m);
        // Never less for a bigger frame (whole MiB, so a few extra pixels of a tiny frame may round to the same)…
        expect(requiredMemoryMiB({ ...t, width: t.width + 64, height: t.height + 64 }, threads)).toBeGreaterThanOrEqual(m);
        // …and strictly more for a frame sixteen times the size.
        expect(requiredMemoryMiB({ ...t, width: t.width * 4, height: t.height * 4 }, threads)).toBeGreaterThan(m);
        expect(requiredMemoryMiB({ ...t, encoderPreset: slower(t.encoderPreset) }, threads)).toBeGreaterThanOrEqual(m);
        expect(requiredMemoryMiB({ ...t, codec: 'h265' }, threads)).toBeGreaterThanOrEqual(requiredMemoryMiB({ ...t, codec: 'h264' }, threads));
      }),
    );
  });

  it('gives plausible figures: 1080p x264 fits 1 GB, 4K x265 slow on 16 threads needs GBs', () => {
    expect(requiredMemoryMiB(fhd, 1)).toBeLessThan(1024);
    expect(requiredMemoryMiB(fhd, 1)).toBeGreaterThan(300);
    const uhd = requiredMemoryMiB({ ...fhd, codec: 'h265', encoderPreset: 'slow', width: 3840, height: 2160 }, 16);
    expect(uhd).toBeGreaterThan(3000);
    expect(uhd).toBeLessThan(8192);
  });

  it('scratch disk holds the staged input and the output', () => {
    expect(requiredEphemeralGiB({ ...fhd, sourceBytes: 30e9 })).toBeGreaterThan(28);
    expect(requiredEphemeralGiB({ ...fhd, frames: 24 * 7200, sourceBitrateKbps: 60_000 })).toBeGreaterThan(2 * 50); // 54 GB in, ≤ 54 GB out
  });

  it('rejects an unknown encoder preset with a typed error', () => {
    expect(() => requiredMemoryMiB({ ...fhd, encoderPreset: 'speedy' }, 1)).toThrow(InputInvalidError);
    expect(() => predictSeconds({ ...fhd, encoderPreset: 'speedy' }, sizes[0])).toThrow(/unknown encoder preset "speedy"/);
  });
});

describe('lookupSpeed fallbacks', () => {
  it('uses the exact key, else another resolution of the same settings scaled by pixels, else the default', () => {
    const sdKey = speedKey('encode-video', 'h264', 'fast', 'sd');
    const table: SpeedTable = { [sdKey]: { key: sdKey, fpsPerVcpu: 100, samples: 4, updatedAt: '2025-06-01T00:00:00.000Z' } };
    const exact = lookupSpeed(table, { ...fhd, width: 854, height: 480 });
    expect(exact).toMatchObject({ source: 'exact', samples: 4, fpsPerVcpu: 100 });
    const scaled = lookupSpeed(table, { ...fhd, width: 1280, height: 720 });
    expect(scaled.source).toBe('other-resolution');
    expect(scaled.fpsPerVcpu).toBeCloseTo((100 * 854 * 480) / (1280 * 720), 9);
    const fallback = lookupSpeed(table, { ...fhd, codec: 'h265' });
    expect(fallback.source).toBe('default');
    expect(fallback.fpsPerVcpu).toBe(DEFAULT_SPEED_TABLE[speedKey('encode-video', 'h265', 'fast', 'fhd')].fpsPerVcpu);
    // An unknown function is priced like an encode at the same settings until calibrated.
    expect(lookupSpeed(DEFAULT_SPEED_TABLE, { ...fhd, function: 'measure-quality' })).toMatchObject({ source: 'default', fpsPerVcpu: 13 });
  });
});

describe('observe (calibration)', () => {
  /** A machine `factor`× slower than the prior: what it really takes to encode `task` on `vcpu`. */
  const observed = (task: AllocationTask, vcpu: number, factor: number) => (task.frames / (lookupSpeed(DEFAULT_SPEED_TABLE, task).fpsPerVcpu * speedup(vcpu))) * factor;
  const sample = (task: AllocationTask, vcpu: number, seconds: number) => ({ ...task, seconds, vcpu });

  it('moves the prediction toward a 2× slower machine: within 10% after 8 samples, and closer with every sample', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    let table: SpeedTable = DEFAULT_SPEED_TABLE;
    const truth = observed(fhd, 2, 2);
    let lastError = Infinity;
    for (let i = 1; i <= 8; i++) {
      // Samples of different lengths, resolutions in the class and vCPU counts all teach the same entry.
      const t = { ...fhd, frames: 1000 + 500 * i, width: i % 2 ? 1920 : 1440 };
      const vcpu = [1, 2, 4, 5.79][i % 4];
      table = observe(table, sample(t, vcpu, observed(t, vcpu, 2)), 0.3, now);
      const predicted = predict(fhd, { platform: 'fargate', vcpu: 2 }, table).computeSeconds;
      const error = Math.abs(predicted - truth) / truth;
      expect(error).toBeLessThan(lastError);
      lastError = error;
      if (i === 1) expect(error).toBeGreaterThan(0.1); // one sample does not overwrite the prior
    }
    expect(lastError).toBeLessThan(0.1);
    const entry = table[speedKey('encode-video', 'h264', 'fast', 'fhd')];
    expect(entry).toMatchObject({ samples: 8, updatedAt: '2025-06-01T12:00:00.000Z' });
    expect(DEFAULT_SPEED_TABLE[entry.key].samples).toBe(0); // the input table is not mutated
  });

  it('learns a function with no prior from the fallback, and leaves other keys alone', () => {
    const t = { ...fhd, function: 'measure-quality' };
    const table = observe(DEFAULT_SPEED_TABLE, sample(t, 1, 100), 1);
    expect(lookupSpeed(table, t)).toMatchObject({ source: 'exact', samples: 1, fpsPerVcpu: 24 });
    expect(Object.keys(table)).toHaveLength(Object.keys(DEFAULT_SPEED_TABLE).length + 1);
  });

  it('rejects bad samples and alphas with a typed error', () => {
    expect(() => observe(DEFAULT_SPEED_TABLE, sample(fhd, 1, 0))).toThrow(InputInvalidError);
    expect(() => observe(DEFAULT_SPEED_TABLE, sample(fhd, 0, 10))).toThrow(InputInvalidError);
    expect(() => observe(DEFAULT_SPEED_TABLE, sample(fhd, 1, 10), 0)).toThrow(/alpha/);
    expect(() => observe(DEFAULT_SPEED_TABLE, sample({ ...fhd, encoderPreset: 'speedy' }, 1, 10))).toThrow(/unknown encoder preset/);
  });
});
