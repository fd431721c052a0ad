/**
 * Memory and scratch-disk model of one encode task.
 *
 * Memory = Node runtime + ffmpeg baseline + frame buffers, with 20% headroom. Frame buffers are
 * the encoder's frames in flight (lookahead + references + B-frames + ~1.5 frame-threads per
 * thread, each costing more than the raw picture: padding, half-resolution lookahead planes,
 * per-macroblock data — ×2 for x264, ×2.5 for libvpx-vp9, ×3 for x265, ×4 for the AV1 encoders) plus the decoder's (a few frames + one per thread).
 * Several encoders in one process (a task's `work`: the analysis's trials) hold their frames together.
 * Every term grows with resolution, threads and slower presets, so more work never needs less.
 */
import type { AllocationTask } from '../../contracts/index.js';
import { encoderPreset, PRESET_BUFFERS } from './encoder-presets.js';

export const MEMORY_MODEL = {
  nodeRuntimeMiB: 160,
  ffmpegBaseMiB: 64,
  frameFootprint: { h264: 2, h265: 3, vp9: 2.5, av1: 4 },
  frameThreadsPerThread: 1.5,
  decoderFrames: 4,
  headroom: 1.2,
  /** Scratch disk beyond the staged input and the output. */
  scratchMiB: 256,
} as const;

const MIB = 1024 * 1024;

/** Raw 8-bit 4:2:0 picture size in MiB. */
function pictureMiB(task: Pick<AllocationTask, 'width' | 'height'>): number {
  return (task.width * task.height * 1.5) / MIB;
}

export function requiredMemoryMiB(task: AllocationTask, threads: number): number {
  const p = PRESET_BUFFERS[encoderPreset(task.encoderPreset)];
  const t = Math.max(1, threads);
  const encoderFrames = p.lookahead + p.refs + p.bframes + Math.ceil(MEMORY_MODEL.frameThreadsPerThread * t);
  const decoderFrames = MEMORY_MODEL.decoderFrames + t;
  const encoderMiB = MEMORY_MODEL.frameFootprint[task.codec] * encoderFrames * (task.work ? (task.work.concurrentPixels * 1.5) / MIB : pictureMiB(task));
  // Several encoders in one process (the analysis) share one decoder, of the source's frames.
  const decoderMiB = decoderFrames * (task.work && task.sourceWidth && task.sourceHeight ? pictureMiB({ width: task.sourceWidth, height: task.sourceHeight }) : pictureMiB(task));
  const mib = MEMORY_MODEL.nodeRuntimeMiB + MEMORY_MODEL.ffmpegBaseMiB + encoderMiB + decoderMiB;
  return Math.ceil(mib * MEMORY_MODEL.headroom);
}

/** The task's own share of the source at its bitrate. */
function shareBytes(task: AllocationTask): number {
  return ((task.frames / task.fps) * task.sourceBitrateKbps * 1000) / 8;
}

/** Bytes downloaded before the encode starts: `sourceBytes` when given, else the task's share of the source. */
export function stagedBytes(task: AllocationTask): number {
  return task.sourceBytes ?? shareBytes(task);
}

/** Bytes uploaded after the encode: at most the task's share of the source (an encode for streaming is smaller than its mezzanine). */
export function uploadedBytes(task: AllocationTask): number {
  return shareBytes(task);
}

/**
 * Scratch disk: the staged input, the output (bounded by the task's share of the source — an
 * encode for streaming is smaller than its mezzanine) and fixed scratch space.
 */
export function requiredEphemeralMiB(task: AllocationTask): number {
  return Math.ceil((stagedBytes(task) + shareBytes(task)) / MIB + MEMORY_MODEL.scratchMiB);
}

export function requiredEphemeralGiB(task: AllocationTask): number {
  return Math.ceil(requiredEphemeralMiB(task) / 1024);
}
