/**
 * Adapts a ladder to a source: never upscale, keep the display aspect ratio (portrait and
 * square too), even dimensions. Rung heights name the short side (720 = 1280x720 or 720x1280).
 */
import type { Rung, RungSpec } from '../contracts/index.js';
import type { Preset } from './presets.js';

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
  for (const spec of kept) {
    const { width, height } = rungDimensions(src, spec.height);
    if (rungs.some((r) => r.width === width && r.height === height)) continue;
    rungs.push({
      id: `r${rungs.length}`,
      index: rungs.length,
      width,
      height,
      bitrateKbps: spec.bitrateKbps,
      maxrateKbps: Math.round(spec.bitrateKbps * preset.maxrateFactor),
      bufsizeKbps: Math.round(spec.bitrateKbps * preset.bufsizeFactor),
      profile: Math.min(width, height) < 360 ? 'main' : 'high',
      encoderPreset: preset.encoderPreset,
    });
  }
  return rungs;
}
