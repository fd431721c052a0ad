/** Test helpers: real ffmpeg to make and check media, the CLI as a child process. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { candidates } from '../../lambdas/runtime/binaries.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED = resolve(ROOT, '../shared');
export const SHARED_MEDIA = join(SHARED, 'media');
export const VMAF_MODEL = join(SHARED, 'vmaf', 'vmaf_v0.6.1.pkl');

const cfg = { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tmpdir(), ffmpegTimeoutMs: 600_000, ffmpegPath: process.env.MOSAIC_FFMPEG, ffprobePath: process.env.MOSAIC_FFPROBE };
export const FFMPEG = candidates('ffmpeg', cfg)[0];
export const FFPROBE = candidates('ffprobe', cfg)[0];

/** Skips (with a printed reason) when ../shared is absent. */
export function sharedMedia(name: string): string | null {
  const p = join(SHARED_MEDIA, name);
  if (!existsSync(p)) {
    console.warn(`skipping: ${p} is absent (../shared/media is not beside this checkout)`);
    return null;
  }
  return p;
}

export function tempDir(prefix = 'mosaic-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function run(bin: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A clip from ffmpeg's lavfi sources: moving test pattern, optional 440 Hz tone. */
export function makeClip(path: string, o: { width: number; height: number; seconds: number; fps?: number; audio?: boolean }): string {
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps ?? 25}`];
  if (o.audio !== false) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(o.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p');
  if (o.audio !== false) args.push('-c:a', 'aac');
  args.push(path);
  const r = run(FFMPEG, args);
  if (r.code !== 0) throw new Error(`cannot make ${path}: ${r.stderr}`);
  return path;
}

export function videoFrames(path: string): number {
  const r = run(FFPROBE, ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path]);
  return Number(r.stdout.trim().split('\n')[0]);
}

/** Decodes every frame; returns the count and whatever ffmpeg complained about. */
export function decode(path: string, stream: 'v' | 'a' = 'v'): { frames: number; errors: string; code: number; durationSec: number } {
  const r = run(FFMPEG, ['-hide_banner', '-nostats', '-v', 'error', '-allowed_extensions', 'ALL', '-i', path, '-map', `0:${stream}:0`, '-f', 'null', '-progress', 'pipe:1', '-']);
  const frames = [...r.stdout.matchAll(/^frame=(\d+)/gm)].map((m) => Number(m[1])).pop() ?? 0;
  const us = [...r.stdout.matchAll(/^out_time_(?:us|ms)=(\d+)/gm)].map((m) => Number(m[1])).pop() ?? 0;
  return { frames, errors: r.stderr.trim(), code: r.code, durationSec: us / 1e6 };
}

export function mediaDuration(path: string, stream: 'v' | 'a'): number {
  const r = run(FFPROBE, ['-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'stream=duration:format=duration', '-of', 'json', path]);
  const j = JSON.parse(r.stdout) as { streams?: { duration?: string }[]; format?: { duration?: string } };
  return Number(j.streams?.[0]?.duration ?? j.format?.duration);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI = join(ROOT, 'bin', 'mosaic.js');
export const cliEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  MOSAIC_OFFLINE: '1',
  ...(existsSync(VMAF_MODEL) ? { MOSAIC_VMAF_MODEL: VMAF_MODEL } : {}),
  ...extra,
});

/** Runs `mosaic ...` to its end. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(env), cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** The final `{"type":"result"}` line of `mosaic encode --json`. */
export function resultLine(stdout: string): { job: { id: string; status: string; error: { code: string; message: string } | null }; report: unknown; outDir: string } {
  const line = stdout.trim().split('\n').reverse().find((l) => l.includes('"type":"result"'));
  if (!line) throw new Error(`no result line in:\n${stdout.slice(-2000)}`);
  return JSON.parse(line);
}
