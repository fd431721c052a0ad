/**
 * A deterministic synthetic catalogue for the allocator benchmark: titles of 1–120 minutes,
 * 480p to 2160p, H.264 and H.265, 24/25/30 fps, with mixed deadlines. Seeded, so every run and
 * every strategy sees the same titles.
 */
import type { VideoCodecForAllocation } from '../lambdas/contracts/index.js';
import { prng } from './util.js';

export type DeadlineKind = 'tight' | 'normal' | 'overnight' | 'none';

export interface Title {
  id: number;
  durationSec: number;
  width: number;
  height: number;
  fps: number;
  codec: VideoCodecForAllocation;
  /** Mosaic's default preset encodes with x264/x265 "fast". */
  encoderPreset: string;
  /** Mezzanine bitrate of the source. */
  sourceBitrateKbps: number;
  deadlineKind: DeadlineKind;
  /** Seconds from start by which every rendition must be encoded; undefined = none. */
  deadlineSec?: number;
}


function pick<T>(rand: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of weighted) {
    r -= w;
    if (r < 0) return v;
  }
  return weighted[weighted.length - 1][0];
}

const RESOLUTIONS: ReadonlyArray<readonly [{ width: number; height: number; kbps: number }, number]> = [
  [{ width: 854, height: 480, kbps: 5_000 }, 15],
  [{ width: 1280, height: 720, kbps: 10_000 }, 25],
  [{ width: 1920, height: 1080, kbps: 20_000 }, 40],
  [{ width: 3840, height: 2160, kbps: 60_000 }, 20],
];

/** The catalogue's source formats: size and mezzanine bitrate (what the measured world encodes from). */
export const CATALOGUE_SOURCES = RESOLUTIONS.map(([r]) => r);

export const CATALOGUE_MIX = {
  durations: '1–120 min: 30% short (1–10), 40% medium (10–60), 30% long (60–120)',
  resolutions: '480p 15%, 720p 25%, 1080p 40%, 2160p 20% (mezzanine 5/10/20/60 Mbit/s)',
  codecs: 'H.264 70%, H.265 30%, x264/x265 preset "fast"',
  fps: '24, 25, 30 equally',
  deadlines: 'tight 25% (0.5× the duration), normal 50% (2–4× the duration), overnight 12.5% (8 h), none 12.5%',
} as const;

export function makeCatalogue(count: number, seed: number): Title[] {
  const rand = prng(seed);
  const titles: Title[] = [];
  for (let id = 0; id < count; id++) {
    const band = pick<readonly [number, number]>(rand, [
      [[1, 10], 30],
      [[10, 60], 40],
      [[60, 120], 30],
    ]);
    const durationSec = Math.round((band[0] + rand() * (band[1] - band[0])) * 60);
    const res = pick(rand, RESOLUTIONS);
    const codec = pick<VideoCodecForAllocation>(rand, [
      ['h264', 70],
      ['h265', 30],
    ]);
    const fps = pick<number>(rand, [
      [24, 1],
      [25, 1],
      [30, 1],
    ]);
    const deadlineKind = pick<DeadlineKind>(rand, [
      ['tight', 25],
      ['normal', 50],
      ['overnight', 12.5],
      ['none', 12.5],
    ]);
    const deadlineSec =
      deadlineKind === 'tight'
        ? Math.round(0.5 * durationSec)
        : deadlineKind === 'normal'
          ? Math.round((2 + 2 * rand()) * durationSec)
          : deadlineKind === 'overnight'
            ? 8 * 3600
            : undefined;
    titles.push({
      id,
      durationSec,
      width: res.width,
      height: res.height,
      fps,
      codec,
      encoderPreset: 'fast',
      sourceBitrateKbps: res.kbps,
      deadlineKind,
      deadlineSec,
    });
  }
  return titles;
}
