/** The only place that reads the process environment: it becomes typed runtime config here. */
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { RuntimeConfig } from '../lambdas/runtime/index.js';
import { readSecretsFile } from '../local/secrets-file.js';

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
    // Unset: the engine caps each child at a share of this machine's RAM per worker slot; 0 = no cap.
    childMemoryMiB: env.MOSAIC_CHILD_MEMORY_MB ? wholeNumber(env.MOSAIC_CHILD_MEMORY_MB, 'MOSAIC_CHILD_MEMORY_MB') : undefined,
    probeTimeoutMs: env.MOSAIC_PROBE_TIMEOUT_SEC ? wholeNumber(env.MOSAIC_PROBE_TIMEOUT_SEC, 'MOSAIC_PROBE_TIMEOUT_SEC', 1) * 1000 : undefined,
    // Whose AWS prices the local cost figures use.
    region: env.MOSAIC_REGION || undefined,
    // Function secrets (NAME=value lines); unset: the engine reads <out>/.mosaic/secrets.env if present.
    secrets: env.MOSAIC_SECRETS_FILE ? readSecretsFile(env.MOSAIC_SECRETS_FILE, true) : undefined,
  };
}

function wholeNumber(raw: string, name: string, min = 0): number {
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number${min ? ` of at least ${min}` : ''}, got "${raw}"`);
  return n;
}

export function parallelismFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.MOSAIC_PARALLELISM);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** `--api-key` falls back to MOSAIC_API_KEY (for `mosaic ... --api URL`). */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MOSAIC_API_KEY?.trim() || undefined;
}
