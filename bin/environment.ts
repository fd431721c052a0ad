/** The only place that reads the process environment: it becomes typed runtime config here. */
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { RuntimeConfig } from '../lambdas/runtime/index.js';

export function runtimeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<RuntimeConfig, 'scratchRoot'> & { scratchRoot?: string } {
  return {
    ffmpegPath: env.MOSAIC_FFMPEG || undefined,
    ffprobePath: env.MOSAIC_FFPROBE || undefined,
    searchPath: (env.PATH ?? '').split(delimiter).filter(Boolean),
    vmafModelPath: env.MOSAIC_VMAF_MODEL || undefined,
    cacheDir: env.MOSAIC_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir() || tmpdir(), '.cache'), 'mosaic'),
    allowModelDownload: env.MOSAIC_OFFLINE !== '1',
    scratchRoot: env.MOSAIC_SCRATCH || undefined,
    ffmpegTimeoutMs: Number(env.MOSAIC_FFMPEG_TIMEOUT_SEC || 3600) * 1000,
    // Whose AWS prices the local cost figures use.
    region: env.MOSAIC_REGION || undefined,
  };
}

export function parallelismFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.MOSAIC_PARALLELISM);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** `--api-key` falls back to MOSAIC_API_KEY (for `mosaic ... --api URL`). */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MOSAIC_API_KEY?.trim() || undefined;
}
