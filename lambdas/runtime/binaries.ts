/**
 * Finds ffmpeg/ffprobe (explicit path, then PATH, then the npm-shipped static builds) and
 * probes what they can do instead of assuming it.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { InputInvalidError, type Rung, type VideoCodec } from '../contracts/index.js';
import { pickVideoEncoder, rungCodec, VIDEO_ENCODERS } from '../core/ffmpeg-args.js';
import type { RuntimeConfig } from './config.js';
import { runTool } from './ffmpeg-runner.js';

export interface Capabilities {
  version: string;
  encoders: Set<string>;
  filters: Set<string>;
  muxers: Set<string>;
}

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  caps: Capabilities;
  /** An ffmpeg with libvmaf (may differ from `ffmpeg`), or null with the reason. */
  vmafFfmpeg: string | null;
  vmafMissingReason: string | null;
}

const REQUIRED_ENCODERS = ['libx264', 'aac'];
const REQUIRED_MUXERS = ['mp4', 'hls'];

function shipped(pkg: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const p = (require(pkg) as { path: string }).path;
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function onPath(name: string, dirs: string[]): string | null {
  for (const d of dirs) {
    const p = join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

export function candidates(name: 'ffmpeg' | 'ffprobe', config: RuntimeConfig): string[] {
  const explicit = name === 'ffmpeg' ? config.ffmpegPath : config.ffprobePath;
  const list = [
    explicit,
    onPath(name, config.searchPath),
    shipped(name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe'),
  ].filter((p): p is string => Boolean(p));
  return [...new Set(list)];
}

export async function probeCapabilities(ffmpeg: string): Promise<Capabilities> {
  const list = async (what: string) => (await runTool(ffmpeg, ['-hide_banner', `-${what}`])).stdout;
  const names = (text: string, re: RegExp) => new Set([...text.matchAll(re)].map((m) => m[1]));
  const [version, encoders, filters, muxers] = await Promise.all([list('version'), list('encoders'), list('filters'), list('muxers')]);
  return {
    version: version.split('\n')[0] ?? 'unknown',
    encoders: names(encoders, /^\s*[VAS][A-Z.]{5}\s+(\S+)/gm),
    filters: names(filters, /^\s*[A-Z.]{2,3}\s+(\S+)\s+\S+->\S+/gm),
    muxers: names(muxers, /^\s*D?E\s+(\S+)/gm),
  };
}

/** What to install for a codec's encoder. */
const ENCODER_HINT: Record<VideoCodec, string> = {
  h264: 'an ffmpeg built with --enable-libx264',
  hevc: 'an ffmpeg built with --enable-libx265 (the npm-shipped @ffmpeg-installer/ffmpeg has it)',
  av1: 'an ffmpeg built with --enable-libsvtav1 or --enable-libaom (Debian/Ubuntu ffmpeg ≥ 5.1 has both)',
  vp9: 'an ffmpeg built with --enable-libvpx',
};

/**
 * The encoder this ffmpeg uses for a codec (AV1: libsvtav1, else libaom-av1). Throws
 * Mosaic.InputInvalid when it has none: a job asking for that codec cannot run here.
 */
export function requireVideoEncoder(tools: Pick<MediaTools, 'ffmpeg' | 'caps'>, codec: VideoCodec): string {
  const encoder = pickVideoEncoder(codec, tools.caps.encoders);
  if (encoder) return encoder;
  throw new InputInvalidError(
    `this ffmpeg has no ${VIDEO_ENCODERS[codec].join(' or ')} encoder (${tools.ffmpeg}, ${tools.caps.version}) for ${codec}; install ${ENCODER_HINT[codec]} or set MOSAIC_FFMPEG`,
    { codec, ffmpeg: tools.ffmpeg },
  );
}

/** Every codec of a ladder has an encoder here (see requireVideoEncoder). */
export function requireLadderEncoders(tools: Pick<MediaTools, 'ffmpeg' | 'caps'>, rungs: Pick<Rung, 'codec'>[]): void {
  for (const codec of new Set(rungs.map(rungCodec))) requireVideoEncoder(tools, codec);
}

let cached: Promise<MediaTools> | null = null;

/** Resolves the tools once per process. */
export function resolveMediaTools(config: RuntimeConfig): Promise<MediaTools> {
  cached ??= discover(config).catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

async function discover(config: RuntimeConfig): Promise<MediaTools> {
  const ffmpegs = candidates('ffmpeg', config);
  const ffprobe = candidates('ffprobe', config)[0];
  if (!ffmpegs.length || !ffprobe)
    throw new Error(`ffmpeg/ffprobe not found: set MOSAIC_FFMPEG and MOSAIC_FFPROBE, put them on PATH (${config.searchPath.join(delimiter)}) or run npm ci`);
  let chosen: { path: string; caps: Capabilities } | null = null;
  let vmafFfmpeg: string | null = null;
  const problems: string[] = [];
  for (const path of ffmpegs) {
    const caps = await probeCapabilities(path).catch(() => null);
    if (!caps) {
      problems.push(`${path}: does not run`);
      continue;
    }
    const missing = [...REQUIRED_ENCODERS.filter((e) => !caps.encoders.has(e)), ...REQUIRED_MUXERS.filter((m) => !caps.muxers.has(m))];
    if (!chosen && missing.length === 0) chosen = { path, caps };
    else if (missing.length) problems.push(`${path}: lacks ${missing.join(', ')}`);
    if (!vmafFfmpeg && caps.filters.has('libvmaf')) vmafFfmpeg = path;
  }
  if (!chosen) throw new Error(`no usable ffmpeg: ${problems.join('; ')}`);
  return {
    ffmpeg: chosen.path,
    ffprobe,
    caps: chosen.caps,
    vmafFfmpeg,
    vmafMissingReason: vmafFfmpeg ? null : `no ffmpeg with libvmaf among ${ffmpegs.join(', ')}`,
  };
}
