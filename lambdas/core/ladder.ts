/**
 * Adapts a ladder to a source: never upscale, keep the display aspect ratio (portrait and
 * square too), even dimensions. Rung heights name the short side (720 = 1280x720 or 720x1280).
 */
import type { Rung, RungSpec } from '../contracts/index.js';
import { CODEC_BITRATE_FACTOR, presetCodecs, type Preset } from './presets.js';

export interface SourceGeometry {
  /** Display width (sample aspect applied, rotation applied). */
  width: number;
  height: number;
}

const evenDown = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
const evenNearest = (n: number) => Math.max(2, Math.round(n / 2) * 2);

export function rungDimensions(src: SourceGeometry, shortSide: number): { width: number; height: number } {
  const srcShort = Math.min(src.width, src.height);
  const srcLong = Math.max(src.width, src.height);
  const short = Math.min(evenNearest(shortSide), evenDown(srcShort));
  const long = Math.min(evenNearest((short * srcLong) / srcShort), evenDown(srcLong));
  return src.width >= src.height ? { width: long, height: short } : { width: short, height: long };
}

export function planLadder(src: SourceGeometry, preset: Preset, explicit?: RungSpec[]): Rung[] {
  const specs = [...(explicit ?? preset.rungs)].sort((a, b) => b.height - a.height);
  const srcShort = Math.min(src.width, src.height);
  let kept = specs.filter((r) => r.height <= srcShort);
  if (kept.length === 0) {
    // Smaller than every rung: one rung at the source's own size, bitrate scaled by pixels.
    const smallest = specs[specs.length - 1];
    const scale = (srcShort / smallest.height) ** 2;
    kept = [{ height: srcShort, bitrateKbps: Math.max(100, Math.round(smallest.bitrateKbps * scale)) }];
  }
  const rungs: Rung[] = [];
  // A multi-codec preset: one ladder per codec, one after the other (ids r0, r1, … across them);
  // the rungs after the first codec's at that codec's bitrate factor.
  const codecs = presetCodecs(preset);
  for (const codec of codecs) {
    const factor = codecs.length > 1 ? CODEC_BITRATE_FACTOR[codec] / CODEC_BITRATE_FACTOR[codecs[0]] : 1;
    const ladder: Rung[] = [];
    const asked: number[] = [];
    for (const spec of kept) {
      const { width, height } = rungDimensions(src, spec.height);
      // Two rungs of one size only when they were asked for at that height with different bitrates
      // (Apple's ladder has two 1080p, two 720p and two 432p): a height that only rounds or clamps
      // onto a rung already there, or the same rung twice, adds nothing.
      if (ladder.some((r, k) => r.width === width && r.height === height && (asked[k] !== spec.height || r.bitrateKbps === Math.max(50, Math.round(spec.bitrateKbps * factor))))) continue;
      asked.push(spec.height);
      const bitrateKbps = Math.max(50, Math.round(spec.bitrateKbps * factor));
      ladder.push({
        id: `r${rungs.length + ladder.length}`,
        index: rungs.length + ladder.length,
        width,
        height,
        bitrateKbps,
        maxrateKbps: Math.round(bitrateKbps * preset.maxrateFactor),
        bufsizeKbps: Math.round(bitrateKbps * preset.bufsizeFactor),
        profile: Math.min(width, height) < 360 ? 'main' : 'high',
        encoderPreset: preset.encoderPreset,
        // H.264 rungs carry no codec: their payloads (and cache keys) are those of before.
        ...(codec === 'h264' ? {} : { codec }),
      });
    }
    rungs.push(...ladder);
  }
  return rungs;
}
