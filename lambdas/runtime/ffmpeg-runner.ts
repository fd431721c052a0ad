/**
 * Runs ffmpeg/ffprobe: argv only (never a shell), `-progress` parsed into progress callbacks,
 * timeout and abort, and failures mapped to typed errors carrying the tail of stderr.
 */
import { spawn } from 'node:child_process';
import {
  CancelledError,
  InputInvalidError,
  ResourceExhaustedError,
  TransientError,
  type MosaicError,
} from '../contracts/index.js';
import { ProgressParser, type FfmpegProgress } from '../core/progress.js';

export interface RunOptions {
  onProgress?: (p: FfmpegProgress) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Keep the whole stderr (filters print their summaries there); otherwise only a tail. */
  captureStderr?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

const TAIL = 4000;

export function runTool(bin: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const withProgress = opts.onProgress ? ['-progress', 'pipe:1', ...args] : args;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new CancelledError('cancelled before ffmpeg started'));
    const child = spawn(bin, withProgress, { stdio: ['ignore', 'pipe', 'pipe'] });
    const parser = new ProgressParser();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (opts.onProgress) for (const p of parser.push(d)) opts.onProgress(p);
      else stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!opts.captureStderr && stderr.length > 4 * TAIL) stderr = stderr.slice(-TAIL);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : null;
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(
        err.code === 'ENOENT'
          ? new TransientError(`cannot run ${bin}: not found (set MOSAIC_FFMPEG/MOSAIC_FFPROBE or install ffmpeg)`)
          : new TransientError(`cannot run ${bin}: ${err.message}`),
      );
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const durationMs = Date.now() - started;
      if (code === 0) return resolve({ stdout, stderr, durationMs });
      reject(classifyFailure({ bin, code, signal, stderr, timedOut, aborted, timeoutMs: opts.timeoutMs }));
    });
  });
}

export function stderrTail(stderr: string, lines = 6): string {
  return stderr.trim().split('\n').slice(-lines).join('\n');
}

function classifyFailure(f: {
  bin: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  timeoutMs?: number;
}): MosaicError {
  const name = f.bin.split('/').pop();
  const tail = stderrTail(f.stderr);
  const details = { exitCode: f.code, signal: f.signal, stderrTail: tail };
  if (f.aborted) return new CancelledError(`${name} stopped: the job was cancelled`, details);
  if (f.timedOut) return new ResourceExhaustedError(`${name} ran longer than ${Math.round((f.timeoutMs ?? 0) / 1000)} s`, details);
  if (/No space left on device|Cannot allocate memory|Out of memory/i.test(f.stderr) || f.signal === 'SIGKILL')
    return new ResourceExhaustedError(`${name} ran out of memory or disk: ${tail}`, details);
  if (/Invalid data found when processing input|moov atom not found|Invalid argument|could not find codec parameters|End of file|Error while decoding|corrupt|truncat/i.test(f.stderr))
    return new InputInvalidError(`${name} cannot read the input: ${tail || `exit code ${f.code}`}`, details);
  return new TransientError(`${name} failed (exit ${f.code ?? f.signal}): ${tail}`, details);
}
