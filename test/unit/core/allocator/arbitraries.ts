/** fast-check generators shared by the allocator tests. */
import fc from 'fast-check';
import type { AllocationContextInput, AllocationTask } from '../../../../lambdas/contracts/index.js';
import { ENCODER_PRESETS, knownRegions } from '../../../../lambdas/core/allocator/index.js';

const even = (min: number, max: number) => fc.integer({ min: min / 2, max: max / 2 }).map((n) => n * 2);

export const taskArb: fc.Arbitrary<AllocationTask> = fc.record(
  {
    function: fc.constantFrom('encode-video', 'measure-quality'),
    codec: fc.constantFrom('h264' as const, 'h265' as const),
    encoderPreset: fc.constantFrom(...ENCODER_PRESETS),
    width: even(128, 3840),
    height: even(96, 2160),
    fps: fc.constantFrom(23.976, 24, 25, 29.97, 30, 50, 60),
    frames: fc.integer({ min: 1, max: 200_000 }),
    sourceBitrateKbps: fc.integer({ min: 300, max: 80_000 }),
    sourceBytes: fc.integer({ min: 0, max: 30e9 }),
  },
  { requiredKeys: ['function', 'codec', 'encoderPreset', 'width', 'height', 'fps', 'frames', 'sourceBitrateKbps'] },
);

export const ctxArb: fc.Arbitrary<AllocationContextInput> = fc.record(
  {
    region: fc.constantFrom(...knownRegions()),
    architecture: fc.constantFrom('x86_64' as const, 'arm64' as const),
    deadlineSec: fc.integer({ min: 1, max: 200_000 }),
    priority: fc.integer({ min: 0, max: 100 }),
    safetyMargin: fc.double({ min: 1, max: 3, noNaN: true }),
    platforms: fc.constantFrom<Array<'lambda' | 'fargate'>>(['lambda'], ['fargate'], ['lambda', 'fargate']),
  },
  { requiredKeys: [] },
);

/** A 1080p24 x264 `fast` encode task (the default preset's top rung) of `frames` frames. */
export function fhdTask(frames: number): AllocationTask {
  return { function: 'encode-video', codec: 'h264', encoderPreset: 'fast', width: 1920, height: 1080, fps: 24, frames, sourceBitrateKbps: 20_000 };
}
