import { describe, expect, it } from 'vitest';
import { bestInHindsight, chunkFrameOptions, combine, fixedChunk, rungWork, runRung, simulate, type Outcome } from '../../../bench/allocator.js';
import type { Title } from '../../../bench/catalogue.js';
import { amdahl, drawRung, fitParallelFraction, fitResolution, MeasuredWorld, mixSeed, resolutionSeconds, worldTaskSeconds, type MeasuredData } from '../../../bench/measured-world.js';
import { candidateSizes, DEFAULT_SPEED_TABLE, networkBytesPerSec, platformStartup } from '../../../lambdas/core/allocator/index.js';

const run = (wallSeconds: number, cpuSeconds: number, otherVcpus = 0) => ({ wallSeconds, cpuSeconds, maxRssKiB: 0, otherVcpus });
const measuredCase = (codec: 'h264' | 'h265', sourceHeight: number, height: number, threads: number, runs: ReturnType<typeof run>[]) => ({
  codec, encoderPreset: 'fast', content: 'generated' as const,
  source: { width: (sourceHeight * 16) / 9, height: sourceHeight, kbps: 20_000 }, width: (height * 16) / 9, height, threads, frames: 10, fps: 24, runs,
});
const data = (cases: MeasuredData['cases']): MeasuredData => ({
  version: 1, measuredAt: '2026-12-02T00:00:00Z', machine: { cpuModel: 'test', vcpus: 2, os: 'linux', node: 'v20' }, ffmpeg: 'ffmpeg test', repetitions: 3,
  contention: { loadAverageBefore: [0], loadAverageAfter: [0], note: '' }, wallSeconds: 0, cpuSecondsOfRuns: 0, cases,
});

describe('measured world: draws', () => {
  it('draws the same chunk samples for the same seed, and other ones for another', () => {
    const a = drawRung(mixSeed(7, 3, 1), 1000, 40, 3);
    const b = drawRung(mixSeed(7, 3, 1), 1000, 40, 3);
    const c = drawRung(mixSeed(7, 3, 2), 1000, 40, 3);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.counts.reduce((s, n) => s + n, 0)).toBe(999); // every chunk but the last
    expect(a.waveMax.length).toBe(25);
    expect(a.counts.every((n) => n > 250)).toBe(true); // uniform over the three samples
  });

  it('marks each wave with its slowest sample', () => {
    const d = drawRung(42, 5, 2, 1);
    expect([...d.waveMax]).toEqual([0, 0, -1]); // chunks 0–1, 2–3, then only the last chunk
    expect(d.lastIndex).toBe(0);
  });
});

describe('measured world: fits', () => {
  it('fits thread scaling that reproduces its 1- and 2-thread inputs', () => {
    const p = 0.8;
    const pairs = [10, 20, 40].map((one) => ({ one, two: one / amdahl(2, p) }));
    const fit = fitParallelFraction(pairs)!;
    expect(fit).toBeCloseTo(p, 10);
    for (const x of pairs) expect(x.one / amdahl(2, fit)).toBeCloseTo(x.two, 10);
    expect(fitParallelFraction([])).toBeNull();
    expect(amdahl(0.5, p)).toBe(0.5); // a share of one vCPU
  });

  it('fits a resolution law that reproduces exact inputs', () => {
    const law = (s: number, r: number) => 2e-9 * s + 3e-8 * r + 1e-3;
    const points = [[1e6, 1e6], [2e6, 0.5e6], [8e6, 8e6], [8e6, 0.2e6]].map(([s, r]) => ({ sourcePixels: s, rungPixels: r, seconds: law(s, r) }));
    const fit = fitResolution(points);
    for (const x of points) expect(resolutionSeconds(fit, x.sourcePixels, x.rungPixels) / x.seconds).toBeCloseTo(1, 6);
  });

  it('times a task from its measured case: CPU per frame at 1 vCPU, the measured 2-thread wall time at 2 vCPUs', () => {
    const world = new MeasuredWorld(
      data([
        measuredCase('h264', 1080, 720, 1, [run(1.0, 1.0), run(1.2, 1.1), run(1.1, 0.9)]),
        measuredCase('h264', 1080, 720, 2, [run(0.6, 1.1), run(0.6, 1.1), run(0.6, 1.1)]),
        // contended: left out of the thread-scaling fit
        measuredCase('h264', 1080, 360, 1, [run(0.5, 0.5), run(0.5, 0.5)]),
        measuredCase('h264', 1080, 360, 2, [run(5, 0.5, 1.9)]),
      ]),
    );
    const c = world.caseFor({ codec: 'h264', sourceWidth: 1920, sourceHeight: 1080, width: 1280, height: 720 });
    [0.09, 0.1, 0.11].forEach((x, i) => expect(c.perFrame[i]).toBeCloseTo(x, 12));
    const staged = 1e6;
    const one = worldTaskSeconds(c, 1, 100, { platform: 'lambda', vcpu: 1 }, staged);
    expect(one.seconds).toBeCloseTo(platformStartup('lambda').seconds + staged / networkBytesPerSec({ platform: 'lambda', vcpu: 1 }) + 100 * 0.1, 10);
    // The clean walls were 1.0/1.2/1.1 s on one thread and 0.6 s on two: the fitted law gives back their ratio.
    const meanRatio = (0.6 / 1.0 + 0.6 / 1.2 + 0.6 / 1.1) / 3;
    expect(1 / amdahl(2, c.parallelFraction)).toBeCloseTo(meanRatio, 10);
    expect(world.codecs.get('h264')!.pairs).toBe(3);
    const other = world.caseFor({ codec: 'h264', sourceWidth: 1920, sourceHeight: 1080, width: 640, height: 360 });
    expect(other.parallelFraction).toBe(c.parallelFraction); // its own pair was contended: the codec's fit
  });

  it('scales an unmeasured case from the nearest measured one', () => {
    const world = new MeasuredWorld(
      data([
        measuredCase('h265', 1080, 1080, 1, [run(4, 4), run(4, 4)]),
        measuredCase('h265', 1080, 360, 1, [run(1, 1), run(1, 1)]),
        measuredCase('h265', 2160, 2160, 1, [run(16, 16), run(16, 16)]),
      ]),
    );
    const c = world.caseFor({ codec: 'h265', sourceWidth: 1920, sourceHeight: 1080, width: 1280, height: 720 });
    expect(c.origin).toMatch(/^scaled/);
    expect(c.perFrame[0]).toBeGreaterThan(0.1);
    expect(c.perFrame[0]).toBeLessThan(0.4);
  });
});

describe('allocator bench: best fixed size in hindsight', () => {
  const title = (id: number, deadlineSec?: number): Title => ({ id, durationSec: 600, width: 1920, height: 1080, fps: 24, codec: 'h264', encoderPreset: 'fast', sourceBitrateKbps: 20_000, deadlineKind: 'normal', deadlineSec });
  const titles = [title(0, 100), title(1, 100), title(2)];
  const [a, b, c] = candidateSizes().slice(0, 3);
  // Per size, per title: a is cheapest but misses one deadline; b and c miss none, c is cheaper than b.
  const table: Record<number, Outcome[]> = {
    [a.index]: [{ seconds: 50, cost: 1 }, { seconds: 150, cost: 1 }, { seconds: 500, cost: 1 }],
    [b.index]: [{ seconds: 50, cost: 3 }, { seconds: 90, cost: 3 }, { seconds: 500, cost: 3 }],
    [c.index]: [{ seconds: 99, cost: 2 }, { seconds: 100, cost: 2 }, { seconds: 9000, cost: 2.5 }],
  };
  const at = (size: number, i: number) => table[size][i];

  it('picks the fewest misses, then the least total cost', () => {
    const best = bestInHindsight(titles, at, [a, b, c]);
    expect(best.size).toBe(c);
    expect(best).toMatchObject({ misses: 0, cost: 6.5 });
  });

  it('counts a failed title as a miss', () => {
    const failing = { ...table, [c.index]: [{ seconds: 1, cost: 0.1, failed: 'out of memory' }, ...table[c.index].slice(1)] };
    expect(bestInHindsight(titles, (s, i) => failing[s][i], [a, b, c]).size).toBe(b);
  });
});

describe('allocator bench: the hindsight search on a tiny catalogue', () => {
  const cases: MeasuredData['cases'] = [];
  for (const [s, r] of [[480, 360], [480, 240]] as const)
    for (const threads of [1, 2]) cases.push({ ...measuredCase('h264', s, r, threads, [run(0.2 / threads, 0.2), run(0.3 / threads, 0.3)]), source: { width: 854, height: 480, kbps: 5000 }, width: r === 360 ? 640 : 428 });
  const world = new MeasuredWorld(data(cases));
  const title = (id: number, durationSec: number, deadlineSec?: number): Title => ({ id, durationSec, width: 854, height: 480, fps: 24, codec: 'h264', encoderPreset: 'fast', sourceBitrateKbps: 5000, deadlineKind: 'normal', deadlineSec });
  const titles = [title(0, 60, 30), title(1, 600, 1200), title(2, 120)];

  it('gives each size its cheapest on-time chunk length per rung, and the best size has no better rival', () => {
    const sim = simulate(titles, world, { concurrency: 20, seed: 1 }, [{ name: 'mosaic', table: DEFAULT_SPEED_TABLE }]);
    const lambdas = candidateSizes({ platforms: ['lambda'] });
    const best = bestInHindsight(titles, (s, i) => sim.results[i].bySize[s], lambdas);
    // Brute force over every Lambda size and every chunk length of every rung, independently of simulate's bookkeeping.
    const brute = lambdas.map((size) => {
      let misses = 0;
      let cost = 0;
      titles.forEach((t) => {
        const rungs = rungWork(t, 20, world, 1).map((w) => {
          const runs = chunkFrameOptions(w).map((f) => {
            const frames = Math.min(f, w.totalFrames);
            return runRung(w, f, drawRung(mixSeed(w.seed, frames), Math.ceil(w.totalFrames / frames), w.concurrency, w.worldCase.perFrame.length), fixedChunk(w, size));
          });
          const ok = runs.filter((r) => !r.failed && (t.deadlineSec === undefined || r.seconds <= t.deadlineSec));
          return ok.length ? ok.reduce((a, b) => (b.cost < a.cost ? b : a)) : runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
        });
        const o = combine(rungs);
        cost += o.cost;
        if (o.failed || (t.deadlineSec !== undefined && o.seconds > t.deadlineSec)) misses++;
      });
      return { size, misses, cost };
    });
    const truth = brute.reduce((a, b) => (b.misses < a.misses || (b.misses === a.misses && b.cost < a.cost) ? b : a));
    expect(best.size).toBe(truth.size);
    expect(best.cost).toBeCloseTo(truth.cost, 12);
    expect(best.misses).toBe(truth.misses);
  });
});
