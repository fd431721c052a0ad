/** Encoding presets: data, versioned so the result cache and re-encode rules can tell them apart. */
import type { RungSpec } from '../contracts/index.js';

export interface Preset {
  name: string;
  version: number;
  description: string;
  /** x264 speed preset. */
  encoderPreset: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow';
  segmentSeconds: number;
  /** Chunks are about this long (rounded to whole segments) unless more tasks are needed. */
  chunkSeconds: number;
  rungs: RungSpec[];
  maxrateFactor: number;
  bufsizeFactor: number;
  audio: { bitrateKbps: number; maxChannels: number; sampleRate: number };
  thumbnails: { intervalSec: number; tileWidth: number; maxTiles: number };
  /** VMAF on every Nth frame: libvmaf 1.x runs at a few fps, and every 4th frame scores within a point. */
  vmafSubsample: number;
  /** Set for a per-title preset: the ladder comes from trial encodes of the source (core/per-title.ts), not `rungs`. */
  perTitle?: PerTitleConfig;
}

/** How a per-title ladder is searched and chosen. */
export interface PerTitleConfig {
  /** Short sides of the candidate resolutions (those above the source are left out; the source's own is added). */
  heights: number[];
  /** CRFs of the trial encodes at every candidate resolution. */
  crfs: number[];
  /** x264 speed of the trial encodes (a fast preset picks the parameters for the slower one). */
  analysisPreset: Preset['encoderPreset'];
  /** Samples of the source the trials encode: this many scenes of this many seconds (the whole source when it is not much longer). */
  samples: number;
  sampleSeconds: number;
  /** At most this many rungs, about `stepRatio` apart in bitrate. */
  maxRungs: number;
  stepRatio: number;
  /** The top rung is the cheapest hull point reaching this PSNR-Y (dB), and never above `maxBitrateKbps`. */
  maxPsnr: number;
  maxBitrateKbps: number;
  /** No rung below this bitrate. */
  minBitrateKbps: number;
}

const standardRungs: RungSpec[] = [
  { height: 2160, bitrateKbps: 14000 },
  { height: 1440, bitrateKbps: 8000 },
  { height: 1080, bitrateKbps: 5000 },
  { height: 720, bitrateKbps: 3000 },
  { height: 540, bitrateKbps: 1800 },
  { height: 360, bitrateKbps: 900 },
  { height: 240, bitrateKbps: 450 },
];

export const PRESETS: Record<string, Preset> = {
  default: {
    name: 'default',
    version: 1,
    description: 'H.264 + AAC ladder up to 2160p (never above the source), x264 "fast", 4 s CMAF segments',
    encoderPreset: 'fast',
    segmentSeconds: 4,
    chunkSeconds: 12,
    rungs: standardRungs,
    maxrateFactor: 1.5,
    bufsizeFactor: 2,
    audio: { bitrateKbps: 128, maxChannels: 2, sampleRate: 48000 },
    thumbnails: { intervalSec: 5, tileWidth: 160, maxTiles: 100 },
    vmafSubsample: 4,
  },
  'per-title': {
    name: 'per-title',
    version: 1,
    description: 'H.264 per-title ladder: trial encodes of samples of the source pick each rung\'s resolution and CRF along the convex hull (capped CRF), x264 "fast", 4 s segments',
    encoderPreset: 'fast',
    segmentSeconds: 4,
    chunkSeconds: 12,
    // The fixed ladder it is compared with (the predicted saving), and the fallback for a source too small to search.
    rungs: standardRungs,
    maxrateFactor: 1.5,
    bufsizeFactor: 2,
    audio: { bitrateKbps: 128, maxChannels: 2, sampleRate: 48000 },
    thumbnails: { intervalSec: 5, tileWidth: 160, maxTiles: 100 },
    vmafSubsample: 4,
    perTitle: {
      heights: [2160, 1440, 1080, 720, 540, 360, 240],
      crfs: [18, 21, 24, 27, 30, 33, 36, 40],
      analysisPreset: 'veryfast',
      samples: 4,
      sampleSeconds: 3,
      maxRungs: 6,
      stepRatio: 1.7,
      maxPsnr: 46,
      maxBitrateKbps: 14000,
      minBitrateKbps: 120,
    },
  },
  draft: {
    name: 'draft',
    version: 1,
    description: 'Quick preview: two rungs (720p, 360p), x264 "ultrafast", 2 s segments',
    encoderPreset: 'ultrafast',
    segmentSeconds: 2,
    chunkSeconds: 4,
    rungs: [
      { height: 720, bitrateKbps: 2000 },
      { height: 360, bitrateKbps: 700 },
    ],
    maxrateFactor: 1.5,
    bufsizeFactor: 2,
    audio: { bitrateKbps: 96, maxChannels: 2, sampleRate: 48000 },
    thumbnails: { intervalSec: 2, tileWidth: 120, maxTiles: 100 },
    vmafSubsample: 10,
  },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function findPreset(name: string): Preset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
}
