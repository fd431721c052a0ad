/** Small helpers shared by benchmarks: tool paths, child processes with wall-clock timing, shell quoting. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/ lives directly under it). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface Tools {
  ffmpeg: string;
  ffprobe: string;
  /** libvmaf 1.x model (.pkl with its .pkl.model beside it), or null: no VMAF on either side. */
  vmafModel: string | null;
}

export function resolveTools(): Tools {
  const require = createRequire(import.meta.url);
  const shipped = (pkg: string) => (require(pkg) as { path: string }).path;
  const defaultModel = resolve(REPO_ROOT, '../shared/vmaf/vmaf_v0.6.1.pkl');
  return {
    ffmpeg: process.env.MOSAIC_FFMPEG || shipped('@ffmpeg-installer/ffmpeg'),
    ffprobe: process.env.MOSAIC_FFPROBE || shipped('@ffprobe-installer/ffprobe'),
    vmafModel: process.env.MOSAIC_VMAF_MODEL || (existsSync(defaultModel) ? defaultModel : null),
  };
}

export interface RunResult {
  code: number | null;
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, timing it by the wall clock (process start included). */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolveRun) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const finish = (code: number | null, extra = '') =>
      resolveRun({
        code,
        seconds: (performance.now() - started) / 1000,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extra,
      });
    child.on('error', (e) => finish(null, `\n${e.message}`));
    child.on('close', (code) => finish(code));
  });
}

/** Runs a command that must succeed; throws with its stderr tail otherwise. */
export async function runOk(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} exited with ${r.code}:\n${tail(r.stderr)}`);
  return r;
}

export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** One argument for bash: left bare when it is plainly safe, else single-quoted with ' written as '\''. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./:=,+@%-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const shellLine = (argv: string[]) => argv.map(shellQuote).join(' ');

/** mulberry32: a small, fast seeded PRNG, so simulated catalogues and event sets are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
