/**
 * Speed model: how long one encode task takes on one size.
 *
 * seconds = platform startup + staging (download and upload at the size's bandwidth) + frames / fps, with
 * fps = fpsPerVcpu(at the task's resolution) × speedup(vCPU). The table holds frames per second
 * per vCPU at each resolution class's reference size; within a class the speed scales with
 * pixels. Per-pixel throughput never rises from one class to the next, so a larger frame is never
 * predicted faster (sd 1.10, hd 1.05, fhd 1, uhd 0.90 × the 1080p rate per pixel).
 *
 * The defaults are plausible figures for one modern x86 vCPU (a hyperthread) running x264; at the
 * same preset name (core/ffmpeg-args.ts maps it to each encoder's speed setting) x265 is taken as
 * 6× slower, libvpx-vp9 3× and AV1 20× (libaom-av1, the slow one: libsvtav1 is several times
 * faster, and a pessimistic prior only sizes tasks larger). They are priors: calibration
 * (`mosaic calibrate --codec …`) replaces them with what this machine's encoders do.
 */
import {
  InputInvalidError,
  resolutionClass,
  speedKey,
  SpeedSampleSchema,
  type AllocationTask,
  type Platform,
  type ResolutionClass,
  type SpeedEntry,
  type SpeedSample,
  type SpeedTable,
  type VideoCodecForAllocation,
  VideoCodecForAllocationSchema,
} from '../../contracts/index.js';
import { ENCODER_PRESETS, encoderPreset, type EncoderPreset } from './encoder-presets.js';
import { stagedBytes, uploadedBytes } from './memory-model.js';
import { networkBytesPerSec, platformStartup } from './startup-costs.js';

export const DEFAULT_FUNCTION = 'encode-video';

export const REFERENCE_SIZE: Record<ResolutionClass, { width: number; height: number }> = {
  sd: { width: 854, height: 480 },
  hd: { width: 1280, height: 720 },
  fhd: { width: 1920, height: 1080 },
  uhd: { width: 3840, height: 2160 },
};
const RES_CLASSES = Object.keys(REFERENCE_SIZE) as ResolutionClass[];
export const refPixels = (c: ResolutionClass) => REFERENCE_SIZE[c].width * REFERENCE_SIZE[c].height;

/** x264 frames per second per vCPU at 1920×1080. */
const X264_FHD_FPS: Record<EncoderPreset, number> = {
  ultrafast: 55,
  superfast: 38,
  veryfast: 26,
  faster: 17,
  fast: 13,
  medium: 9.5,
  slow: 5.5,
  slower: 2.6,
  veryslow: 1.2,
  placebo: 0.35,
};
const CODEC_FACTOR: Record<VideoCodecForAllocation, number> = { h264: 1, h265: 1 / 6, vp9: 1 / 3, av1: 1 / 20 };
const CLASS_THROUGHPUT: Record<ResolutionClass, number> = { sd: 1.1, hd: 1.05, fhd: 1, uhd: 0.9 };
const PRIOR_DATE = '2025-01-01T00:00:00.000Z';

export const DEFAULT_SPEED_TABLE: Readonly<SpeedTable> = Object.freeze(
  Object.fromEntries(
    VideoCodecForAllocationSchema.options.flatMap((codec) =>
      ENCODER_PRESETS.flatMap((preset) =>
        RES_CLASSES.map((rc) => {
          const key = speedKey(DEFAULT_FUNCTION, codec, preset, rc);
          const fps = X264_FHD_FPS[preset] * CODEC_FACTOR[codec] * CLASS_THROUGHPUT[rc] * (refPixels('fhd') / refPixels(rc));
          return [key, { key, fpsPerVcpu: fps, samples: 0, updatedAt: PRIOR_DATE }];
        }),
      ),
    ),
  ),
);

/**
 * Entries of the table that describe the machine rather than one kind of encode. Their
 * `fpsPerVcpu` field holds the figure named here (calibration measures both):
 * - `machine/parallel-fraction`: Amdahl's parallel fraction p of an encode over vCPUs;
 * - `machine/decode`: source pixels decoded per second per vCPU;
 * - `machine/decode-bits`: source bits (entropy decoding) per second per vCPU.
 * Decoding a frame costs pixels / (pixel rate) + bits / (bit rate): a noisy, high-bitrate source
 * decodes several times slower than a clean one of the same size.
 */
export const MACHINE_KEYS = { parallelFraction: 'machine/parallel-fraction', decode: 'machine/decode', decodeBits: 'machine/decode-bits' } as const;
/** p = 0.95: 2 vCPUs ≈ 1.9×, 16 ≈ 9.1× (x264 scales sub-linearly; a vCPU is a hyperthread). */
export const DEFAULT_PARALLEL_FRACTION = 0.95;
/** ≈ 150 frames/s of 1080p H.264 per vCPU, plus ≈ 80 Mbit/s of entropy decoding per vCPU. */
export const DEFAULT_DECODE_PIXELS_PER_SEC = 300e6;
export const DEFAULT_DECODE_BITS_PER_SEC = 80e6;

export function parallelFraction(table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  const e = Object.hasOwn(table, MACHINE_KEYS.parallelFraction) ? table[MACHINE_KEYS.parallelFraction] : undefined;
  return e ? Math.min(0.999, Math.max(0.01, e.fpsPerVcpu)) : DEFAULT_PARALLEL_FRACTION;
}

export function decodePixelsPerSec(table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  const e = Object.hasOwn(table, MACHINE_KEYS.decode) ? table[MACHINE_KEYS.decode] : undefined;
  return e ? e.fpsPerVcpu : DEFAULT_DECODE_PIXELS_PER_SEC;
}

export function decodeBitsPerSec(table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  const e = Object.hasOwn(table, MACHINE_KEYS.decodeBits) ? table[MACHINE_KEYS.decodeBits] : undefined;
  return e ? e.fpsPerVcpu : DEFAULT_DECODE_BITS_PER_SEC;
}

/** Effective vCPUs of a size, strictly increasing in vCPU: proportional below one, Amdahl above. */
export function speedup(vcpu: number, table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  if (vcpu <= 1) return vcpu;
  const p = parallelFraction(table);
  return 1 / (1 - p + p / vcpu);
}

/** Multi-thread efficiency: speedup per vCPU (1 up to one vCPU, then decreasing). */
export function efficiency(threads: number, table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  return threads <= 1 ? 1 : speedup(threads, table) / threads;
}

/**
 * Encoding alone: the output frames at the task's speed on `vcpu` vCPUs. A task of several encodes
 * (`work`) sums them, each at its own size with the ladder encoder's speed (encode-video's entry:
 * the trials run the same encoder at the same presets, and that is what calibration measures).
 */
export function encodeSeconds(task: AllocationTask, vcpu: number, table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  const s = speedup(vcpu, table);
  if (!task.work) return task.frames / (lookupSpeed(table, task).fpsPerVcpu * s);
  return task.work.encodes.reduce((sum, e) => sum + e.frames / (lookupSpeed(table, { ...task, function: DEFAULT_FUNCTION, width: e.width, height: e.height }).fpsPerVcpu * s), 0);
}

/** Decoding the source frames the task reads (0 when the task does not say what it decodes). */
export function decodeSeconds(
  task: Pick<AllocationTask, 'frames' | 'sourceWidth' | 'sourceHeight'> & { fps?: number; sourceBitrateKbps?: number },
  vcpu: number,
  table: SpeedTable = DEFAULT_SPEED_TABLE,
): number {
  if (!task.sourceWidth || !task.sourceHeight) return 0;
  const bitsPerFrame = task.fps && task.sourceBitrateKbps ? (task.sourceBitrateKbps * 1000) / task.fps : 0;
  const perFrame = (task.sourceWidth * task.sourceHeight) / decodePixelsPerSec(table) + bitsPerFrame / decodeBitsPerSec(table);
  return (task.frames * perFrame) / speedup(vcpu, table);
}

// Startup and network figures live in startup-costs.ts (one definition for estimate and simulation).
export { STARTUP, STAGING_BYTES_PER_SEC } from './startup-costs.js';

export interface SpeedLookup {
  /** Frames per second per vCPU at the task's own resolution. */
  fpsPerVcpu: number;
  key: string;
  source: 'exact' | 'other-resolution' | 'default';
  samples: number;
}

type SpeedTask = Pick<AllocationTask, 'function' | 'codec' | 'encoderPreset' | 'width' | 'height'>;

/**
 * Fallback order: the exact key; else the same function/codec/preset at the nearest other
 * resolution class in the table, scaled by pixels; else the default table (for an unknown
 * function: the encode-video prior at the same settings).
 */
export function lookupSpeed(table: SpeedTable, task: SpeedTask): SpeedLookup {
  const preset = encoderPreset(task.encoderPreset);
  const rc = resolutionClass(task.width, task.height);
  const key = speedKey(task.function, task.codec, preset, rc);
  const pixels = task.width * task.height;
  const exact = Object.hasOwn(table, key) ? table[key] : undefined;
  if (exact) return { fpsPerVcpu: (exact.fpsPerVcpu * refPixels(rc)) / pixels, key, source: 'exact', samples: exact.samples };

  const others = RES_CLASSES.filter((c) => c !== rc)
    .map((c) => ({ c, e: table[speedKey(task.function, task.codec, preset, c)] as SpeedEntry | undefined }))
    .filter((o): o is { c: ResolutionClass; e: SpeedEntry } => !!o.e)
    .sort((a, b) => Math.abs(Math.log(refPixels(a.c) / pixels)) - Math.abs(Math.log(refPixels(b.c) / pixels)) || b.e.samples - a.e.samples);
  if (others.length > 0) {
    const { c, e } = others[0];
    return { fpsPerVcpu: (e.fpsPerVcpu * refPixels(c)) / pixels, key, source: 'other-resolution', samples: e.samples };
  }

  const prior = DEFAULT_SPEED_TABLE[key] ?? DEFAULT_SPEED_TABLE[speedKey(DEFAULT_FUNCTION, task.codec, preset, rc)];
  return { fpsPerVcpu: (prior.fpsPerVcpu * refPixels(rc)) / pixels, key, source: 'default', samples: 0 };
}

export interface SizeLike {
  platform: Platform;
  vcpu: number;
}

export interface Prediction {
  /** Wall time from launch to result. */
  seconds: number;
  /** The part of it that is billed. */
  billedSeconds: number;
  startupSeconds: number;
  stagingSeconds: number;
  computeSeconds: number;
}

export function predict(task: AllocationTask, size: SizeLike, table: SpeedTable = DEFAULT_SPEED_TABLE): Prediction {
  const decoded = task.work ? { ...task, frames: task.work.decodedFrames } : task;
  const computeSeconds = encodeSeconds(task, size.vcpu, table) + decodeSeconds(decoded, size.vcpu, table);
  // Download the source, upload the chunk, at the size's network bandwidth.
  const stagingSeconds = (stagedBytes(task) + uploadedBytes(task)) / networkBytesPerSec(size);
  const startup = platformStartup(size.platform);
  const work = stagingSeconds + computeSeconds;
  return {
    seconds: startup.seconds + work,
    billedSeconds: startup.billedSeconds + work,
    startupSeconds: startup.seconds,
    stagingSeconds,
    computeSeconds,
  };
}

export function predictSeconds(task: AllocationTask, size: SizeLike, table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  return predict(task, size, table).seconds;
}

/**
 * Learns from one observed encode: returns a new table whose entry for the sample's key moved a
 * fraction `alpha` of the way toward the observation. The average is taken on seconds per frame
 * (the quantity being predicted), not on fps, so one very slow run weighs what it cost. The first
 * sample for a key starts from the prior (the lookup fallback) and moves `alpha` toward the
 * observation, like every later one: one outlier cannot replace a sensible prior, and after n
 * samples the prior's weight is (1 − alpha)^n (0.3 → 3% after 10).
 */
export function observe(table: SpeedTable, sample: SpeedSample, alpha = 0.3, now: Date = new Date()): SpeedTable {
  const parsed = SpeedSampleSchema.safeParse(sample);
  if (!parsed.success) throw new InputInvalidError(`invalid speed sample: ${parsed.error.message}`, { sample });
  if (!(alpha > 0 && alpha <= 1)) throw new InputInvalidError(`alpha must be in (0, 1], got ${alpha}`);
  const s = parsed.data;
  const rc = resolutionClass(s.width, s.height);
  const key = speedKey(s.function, s.codec, encoderPreset(s.encoderPreset), rc);
  const toRef = (s.width * s.height) / refPixels(rc);
  // The encode's own share: what decoding the source took is not the encoder's speed.
  const encoding = Math.max(s.seconds * 0.2, s.seconds - decodeSeconds(s, s.vcpu, table));
  const observedRef = (s.frames / encoding / speedup(s.vcpu, table)) * toRef;
  const current = Object.hasOwn(table, key) ? table[key] : undefined;
  const priorRef = current ? current.fpsPerVcpu : lookupSpeed(table, s).fpsPerVcpu * toRef;
  const secondsPerFrame = (1 - alpha) / priorRef + alpha / observedRef;
  const entry: SpeedEntry = { key, fpsPerVcpu: 1 / secondsPerFrame, samples: (current?.samples ?? 0) + 1, updatedAt: now.toISOString() };
  return { ...table, [key]: entry };
}
