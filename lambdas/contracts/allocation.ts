/**
 * The allocator's contract: what a task asks for (AllocationTask + AllocationContext), what the
 * allocator decides (Allocation), and the speed table it learns from observed durations.
 */
import { z } from 'zod';
import { PlatformSchema } from './tasks.js';
import { CapacitySchema } from './allocator-policy.js';

/**
 * The Lambda memory sizes the allocator chooses from: whole-vCPU steps of 1,769 MB, the 10 GB
 * maximum and one sub-vCPU size. The stack deploys one Lambda per size for every function whose
 * function.json says `"allocated": true`, so each choice has a function to run on.
 */
export const LAMBDA_MEMORY_LADDER_MIB: readonly number[] = [1024, 1769, 3538, 5307, 7076, 8845, 10_240];

/**
 * The codec of an encode, as the speed table keys it: `h265` is a rung's `hevc`, `av1` whichever
 * AV1 encoder the ffmpeg has (libsvtav1, else libaom-av1; calibration measures the one present).
 */
export const VideoCodecForAllocationSchema = z.enum(['h264', 'h265', 'av1', 'vp9']);
export type VideoCodecForAllocation = z.infer<typeof VideoCodecForAllocationSchema>;

export const ArchitectureSchema = z.enum(['x86_64', 'arm64']);
export type Architecture = z.infer<typeof ArchitectureSchema>;

/** Resolution class by the frame's short side: ≤576 sd, ≤720 hd, ≤1080 fhd, else uhd. */
export const ResolutionClassSchema = z.enum(['sd', 'hd', 'fhd', 'uhd']);
export type ResolutionClass = z.infer<typeof ResolutionClassSchema>;

export function resolutionClass(width: number, height: number): ResolutionClass {
  const short = Math.min(width, height);
  if (short <= 576) return 'sd';
  if (short <= 720) return 'hd';
  if (short <= 1080) return 'fhd';
  return 'uhd';
}

/** One unit of work to size: one encode of `frames` frames (a chunk of one rung, typically). */
export const AllocationTaskSchema = z.object({
  function: z.string().min(1),
  codec: VideoCodecForAllocationSchema,
  /** x264/x265 preset name: 'ultrafast' … 'placebo'. */
  encoderPreset: z.string().min(1),
  width: z.number().int().positive().max(16_384),
  height: z.number().int().positive().max(16_384),
  fps: z.number().positive().max(1000),
  frames: z.number().int().positive(),
  sourceBitrateKbps: z.number().nonnegative(),
  /** Bytes the task downloads before it runs; when absent, its share of the source (frames/fps × bitrate). */
  sourceBytes: z.number().nonnegative().optional(),
  /** The source frame the task decodes (each output frame decodes one); absent: decoding is not modelled. */
  sourceWidth: z.number().int().positive().max(16_384).optional(),
  sourceHeight: z.number().int().positive().max(16_384).optional(),
  /**
   * A task that is more than one encode (the per-title analysis of one sample): every encode it
   * runs, each at its own size, the source frames it decodes in all, and the most pixels its
   * encoders hold at once (several run in one process). Absent: one encode of `frames` at
   * `width`×`height`, each decoding one source frame.
   */
  work: z
    .object({
      encodes: z.array(z.object({ width: z.number().int().positive(), height: z.number().int().positive(), frames: z.number().int().positive() })).min(1),
      decodedFrames: z.number().int().nonnegative(),
      concurrentPixels: z.number().positive(),
    })
    .optional(),
});
export type AllocationTask = z.infer<typeof AllocationTaskSchema>;

export const AllocationContextSchema = z.object({
  region: z.string().min(1).default('us-east-1'),
  architecture: ArchitectureSchema.default('x86_64'),
  /** Time budget for this task's run, in seconds (platform startup and staging included). */
  deadlineSec: z.number().positive().optional(),
  priority: z.number().min(0).max(100).default(50),
  /** Timeouts are the estimate × this; Lambda is used only when estimate × this ≤ 900 s. */
  safetyMargin: z.number().min(1).max(10).default(1.5),
  /** Where the task may run; default both. */
  platforms: z.array(PlatformSchema).min(1).optional(),
  /** How many times this task has already been escalated (0 = first run). */
  attempt: z.number().int().nonnegative().default(0),
  /** Only sizes at or above this position of the candidate ladder. */
  minSizeIndex: z.number().int().nonnegative().optional(),
  /** Where Fargate sizes run: Spot is priced at its discount plus the expected rework of interruptions. */
  capacity: CapacitySchema.default('on-demand'),
  /** Fargate sizes above this many vCPU are left out (the plan's concurrency × vCPU must fit the quota). */
  maxFargateVcpu: z.number().positive().optional(),
});
export type AllocationContext = z.infer<typeof AllocationContextSchema>;
export type AllocationContextInput = z.input<typeof AllocationContextSchema>;

export const AllocationSchema = z.object({
  platform: PlatformSchema,
  vcpu: z.number().positive(),
  memoryMiB: z.number().int().positive(),
  /** Whole GiB (Lambda: ceil of ephemeralMiB / 1024); ephemeralMiB is the exact setting. */
  ephemeralGiB: z.number().int().positive(),
  ephemeralMiB: z.number().int().positive(),
  timeoutSec: z.number().int().positive(),
  /** Wall time from launch to result: platform startup + staging + encode. */
  estimatedSeconds: z.number().nonnegative(),
  estimatedCostUsd: z.number().nonnegative(),
  reason: z.string(),
  /** Position in the full ordered candidate ladder (`candidateSizes()`), stable across filters. */
  sizeIndex: z.number().int().nonnegative(),
  /** ffmpeg threads for this size. */
  threads: z.number().int().positive(),
  deadlineMet: z.boolean(),
  /** 0 for the first run, n after n escalations. */
  attempt: z.number().int().nonnegative(),
  /** Fargate capacity the task runs on (Lambda: on-demand). */
  capacity: CapacitySchema.default('on-demand'),
});
export type Allocation = z.infer<typeof AllocationSchema>;

/** Frames per second per vCPU at the resolution class's reference size (see the speed model). */
export const SpeedEntrySchema = z.object({
  key: z.string(),
  fpsPerVcpu: z.number().positive(),
  samples: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type SpeedEntry = z.infer<typeof SpeedEntrySchema>;
export const SpeedTableSchema = z.record(z.string(), SpeedEntrySchema);
export type SpeedTable = Record<string, SpeedEntry>;

export function speedKey(fn: string, codec: VideoCodecForAllocation, encoderPreset: string, resClass: ResolutionClass): string {
  return `${fn}/${codec}/${encoderPreset}/${resClass}`;
}

/** An observed task duration: `seconds` is the encode itself (no platform startup, no staging). */
export const SpeedSampleSchema = z.object({
  function: z.string().min(1),
  codec: VideoCodecForAllocationSchema,
  encoderPreset: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frames: z.number().int().positive(),
  seconds: z.number().positive(),
  vcpu: z.number().positive(),
  /** The source frame decoded for each output frame, when known (its decoding time is taken out). */
  sourceWidth: z.number().int().positive().optional(),
  sourceHeight: z.number().int().positive().optional(),
});
export type SpeedSample = z.infer<typeof SpeedSampleSchema>;
