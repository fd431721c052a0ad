/** Encoding presets: data, versioned so the result cache and re-encode rules can tell them apart. */
import { InputInvalidError, type RungSpec, type VideoCodec } from '../contracts/index.js';

export interface Preset {
  name: string;
  version: number;
  description: string;
  /** Video codec of the ladder (absent: h264); `codecs` instead: one ladder per codec, packaged together (players pick what they decode). */
  codec?: VideoCodec;
  codecs?: VideoCodec[];
  /** x264 speed preset name; the other encoders map it to their own speed settings (core/ffmpeg-args.ts). */
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
  /**
   * Samples of the source the trials encode: about 10 % of it in at most `samples` scenes of
   * `sampleSeconds` to `maxSampleSeconds` each (the whole source when it is not much longer).
   */
  samples: number;
  sampleSeconds: number;
  maxSampleSeconds: number;
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

/** The default preset: H.264, the standard ladder; per-title starts from it (and is compared with its ladder). */
const DEFAULT_PRESET: Preset = {
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
};

export const PRESETS: Record<string, Preset> = {
  default: DEFAULT_PRESET,
  'per-title': {
    // The default's settings; its fixed ladder is the one the predicted saving is measured against,
    // and the fallback for a source too small to search.
    ...DEFAULT_PRESET,
    name: 'per-title',
    description: 'H.264 per-title ladder: trial encodes of samples of the source pick each rung\'s resolution and CRF along the convex hull (capped CRF), x264 "fast", 4 s segments',
    perTitle: {
      heights: [2160, 1440, 1080, 720, 540, 360, 240],
      // Five CRFs 5 apart (rungs between two of one resolution interpolate): the trials' CPU stays under a third of the ladder's.
      crfs: [18, 23, 28, 33, 38],
      analysisPreset: 'superfast',
      // 10 % in 3–10 s scenes up to 40 min of title; beyond, 24 × 10 s. The cap keeps the samples'
      // trials (returned through the workflow state into Plan) well under Step Functions' 256 KiB,
      // and a 4K sample inside a Lambda's 15 minutes.
      samples: 24,
      sampleSeconds: 3,
      maxSampleSeconds: 10,
      maxRungs: 6,
      stepRatio: 1.7,
      maxPsnr: 44,
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

/** The default ladder at `factor` × its bitrates: what another codec needs for about the same quality. */
const scaledRungs = (factor: number): RungSpec[] => standardRungs.map((r) => ({ height: r.height, bitrateKbps: Math.round(r.bitrateKbps * factor) }));

const codecPreset = (p: Pick<Preset, 'name' | 'description' | 'encoderPreset' | 'rungs'> & Pick<Preset, 'codec' | 'codecs'>): Preset => ({
  version: 1,
  segmentSeconds: 4,
  chunkSeconds: 12,
  maxrateFactor: 1.5,
  bufsizeFactor: 2,
  audio: { bitrateKbps: 128, maxChannels: 2, sampleRate: 48000 },
  thumbnails: { intervalSec: 5, tileWidth: 160, maxTiles: 100 },
  vmafSubsample: 4,
  ...p,
});

// Fixed ladders in the other codecs: the default ladder's sizes at lower bitrates (HEVC and AV1
// save about 40% over H.264 at the same quality, VP9 about 30%), CMAF like the default one.
Object.assign(PRESETS, {
  hevc: codecPreset({
    name: 'hevc', codec: 'hevc', encoderPreset: 'fast', rungs: scaledRungs(0.6),
    description: 'HEVC (libx265, hvc1) + AAC ladder up to 2160p at 0.6× the default bitrates, x265 "fast", 4 s CMAF segments (Safari, Edge, devices; not Chromium or Firefox)',
  }),
  av1: codecPreset({
    name: 'av1', codec: 'av1', encoderPreset: 'faster', rungs: scaledRungs(0.6),
    description: 'AV1 (libsvtav1, else libaom-av1) + AAC ladder up to 2160p at 0.6× the default bitrates, SVT-AV1 preset 9 / libaom cpu-used 6, 4 s CMAF segments',
  }),
  vp9: codecPreset({
    name: 'vp9', codec: 'vp9', encoderPreset: 'fast', rungs: scaledRungs(0.7),
    description: 'VP9 (libvpx-vp9) + AAC ladder up to 2160p at 0.7× the default bitrates, libvpx cpu-used 4, 4 s CMAF segments',
  }),
  'h264-hevc': codecPreset({
    name: 'h264-hevc', codecs: ['h264', 'hevc'], encoderPreset: 'fast', rungs: standardRungs,
    description: 'An H.264 ladder and an HEVC one (0.6× the bitrates) in one HLS master and one MPD: each player picks the codec it decodes',
  }),
} satisfies Record<string, Preset>);

// Per-title ladders in the other codecs: the same search with the codec's own fast trials (its
// CRF scale: x265's is x264's, AV1's and VP9's run 0–63) against the codec's fixed ladder.
const perTitleIn = (codec: VideoCodec, fixed: Preset, crfs: number[], analysisPreset: Preset['encoderPreset']): Preset => ({
  ...fixed,
  name: `per-title-${codec}`,
  description: `${codec.toUpperCase()} per-title ladder: the per-title search with ${codec} trials (${analysisPreset}) along the convex hull, capped CRF, encoded as the ${fixed.name} preset`,
  perTitle: { ...PRESETS['per-title']!.perTitle!, crfs, analysisPreset },
});
Object.assign(PRESETS, {
  'per-title-hevc': perTitleIn('hevc', PRESETS.hevc!, [20, 24, 28, 32, 36, 40], 'ultrafast'),
  'per-title-av1': perTitleIn('av1', PRESETS.av1!, [24, 30, 36, 42, 48, 54], 'ultrafast'),
  'per-title-vp9': perTitleIn('vp9', PRESETS.vp9!, [24, 30, 36, 42, 48, 54], 'ultrafast'),
} satisfies Record<string, Preset>);

/** Bitrates of another codec's ladder in a multi-codec preset, relative to its H.264 rungs. */
export const CODEC_BITRATE_FACTOR: Record<VideoCodec, number> = { h264: 1, hevc: 0.6, av1: 0.6, vp9: 0.7 };

/** The codecs of a preset's ladders, in order. */
export function presetCodecs(preset: Pick<Preset, 'codec' | 'codecs'>): VideoCodec[] {
  return preset.codecs?.length ? preset.codecs : [preset.codec ?? 'h264'];
}

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function findPreset(name: string): Preset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
}

/** The preset `name`, or an InputInvalidError naming the known ones. */
export function requirePreset(name: string): Preset {
  const preset = findPreset(name);
  if (!preset) throw new InputInvalidError(`unknown preset "${name}"; known presets: ${presetNames().join(', ')}`);
  return preset;
}
