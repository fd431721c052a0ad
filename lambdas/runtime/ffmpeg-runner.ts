/**
 * Runs ffmpeg/ffprobe: argv only (the `/bin/sh` that sets a memory cap gets them as positional
 * parameters, never as a command string), `-progress` parsed into progress callbacks,
 * timeout, address-space cap and abort, and failures mapped to typed errors carrying the tail of stderr.
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
  /** Address-space cap of the child, MiB (Linux only); 0 or unset = none. */
  memoryLimitMiB?: number;
  /** The setting behind `timeoutMs`, named in the error (e.g. MOSAIC_PROBE_TIMEOUT_SEC). */
  timeoutSetting?: string;
}

/** What a child that hit a cap carries in its ResourceExhaustedError's details. */
export type ChildLimitDetails =
  | { limit: 'memory'; limitMiB: number; tool: string }
  | { limit: 'time'; limitSec: number; tool: string };

/** The cap a failed run hit, if any: lets a caller (Inspect) say "the source could not be read within ...". */
export function childLimitOf(e: unknown): ChildLimitDetails | null {
  if (!(e instanceof ResourceExhaustedError)) return null;
  const d = e.details as { limit?: unknown; limitMiB?: number; limitSec?: number; tool?: string };
  if (d.limit === 'memory') return { limit: 'memory', limitMiB: d.limitMiB ?? 0, tool: d.tool ?? '' };
  if (d.limit === 'time') return { limit: 'time', limitSec: d.limitSec ?? 0, tool: d.tool ?? '' };
  return null;
}

/** The setting that caps children's address space, named in the memory error. */
export const CHILD_MEMORY_SETTING = 'MOSAIC_CHILD_MEMORY_MB';

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
    const memoryLimitMiB = process.platform === 'linux' ? opts.memoryLimitMiB ?? 0 : 0;
    const [file, argv] = memoryLimitMiB > 0 ? underAddressSpaceCap(bin, withProgress, memoryLimitMiB) : [bin, withProgress];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
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
          ? new TransientError(`cannot run ${file}: not found${file === bin ? ' (set MOSAIC_FFMPEG/MOSAIC_FFPROBE or install ffmpeg)' : ` (needed to cap ${bin}'s memory; set ${CHILD_MEMORY_SETTING}=0 to run without)`}`)
          : new TransientError(`cannot run ${bin}: ${err.message}`),
      );
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const durationMs = Date.now() - started;
      if (code === 0) return resolve({ stdout, stderr, durationMs });
      reject(classifyFailure({ bin, code, signal, stderr, timedOut, aborted, timeoutMs: opts.timeoutMs, timeoutSetting: opts.timeoutSetting, memoryLimitMiB }));
    });
  });
}

/**
 * `/bin/sh` sets RLIMIT_AS and execs the tool in its place (same pid, so kill() reaches it). The
 * tool and its args travel as positional parameters ("$@"), never parsed by the shell. Node has no
 * setrlimit for children; a static ffmpeg has no other hook.
 */
function underAddressSpaceCap(bin: string, args: string[], limitMiB: number): [string, string[]] {
  return ['/bin/sh', ['-c', 'ulimit -v "$1" && shift && exec "$@"', 'sh', String(Math.floor(limitMiB * 1024)), bin, ...args]];
}

/** How allocators report a failed allocation: libc/ffmpeg (ENOMEM), C++ (bad_alloc), x264 ("malloc of size N failed"). */
const OUT_OF_MEMORY = /Cannot allocate memory|Out of memory|std::bad_alloc|malloc of size \d+ failed|memory allocation failed/i;
/** A process that hits RLIMIT_AS mid-allocation without checking may die of these instead. */
const MEMORY_SIGNALS = new Set<string>(['SIGKILL', 'SIGSEGV', 'SIGABRT', 'SIGBUS']);

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
  timeoutSetting?: string;
  memoryLimitMiB: number;
}): MosaicError {
  const name = f.bin.split('/').pop() ?? f.bin;
  const tail = stderrTail(f.stderr);
  const details = { exitCode: f.code, signal: f.signal, stderrTail: tail };
  if (f.aborted) return new CancelledError(`${name} stopped: the job was cancelled`, details);
  // Under the cap the shell execs the tool: 127 is its "not found".
  if (f.memoryLimitMiB > 0 && f.code === 127)
    return new TransientError(`cannot run ${f.bin}: not found (set MOSAIC_FFMPEG/MOSAIC_FFPROBE or install ffmpeg)`, details);
  if (f.timedOut) {
    // "ran longer than N s" is what the allocator reads as a timeout (platform/allocator): keep it.
    const limitSec = Math.round((f.timeoutMs ?? 0) / 1000);
    const setting = f.timeoutSetting ? ` (limit ${f.timeoutSetting})` : '';
    return new ResourceExhaustedError(`${name} ran longer than ${limitSec} s${setting}`, { ...details, limit: 'time', limitSec, tool: name });
  }
  if (f.memoryLimitMiB > 0 && (OUT_OF_MEMORY.test(f.stderr) || (f.signal !== null && MEMORY_SIGNALS.has(f.signal))))
    return new ResourceExhaustedError(`${name} needed more than ${f.memoryLimitMiB} MiB of address space (limit ${CHILD_MEMORY_SETTING})`, {
      ...details,
      limit: 'memory',
      limitMiB: f.memoryLimitMiB,
      tool: name,
    });
  if (/No space left on device/i.test(f.stderr) || OUT_OF_MEMORY.test(f.stderr) || f.signal === 'SIGKILL')
    return new ResourceExhaustedError(`${name} ran out of memory or disk: ${tail}`, details);
  if (/Invalid data found when processing input|moov atom not found|Invalid argument|could not find codec parameters|End of file|Error while decoding|corrupt|truncat/i.test(f.stderr))
    return new InputInvalidError(`${name} cannot read the input: ${tail || `exit code ${f.code}`}`, details);
  return new TransientError(`${name} failed (exit ${f.code ?? f.signal}): ${tail}`, details);
}
