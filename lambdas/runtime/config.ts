/** Runtime configuration. Built by the entry point (CLI, Lambda bootstrap); nothing here reads the environment. */
export interface RuntimeConfig {
  /** Explicit binaries (MOSAIC_FFMPEG / MOSAIC_FFPROBE). */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Directories of PATH, searched after the explicit paths. */
  searchPath: string[];
  /** Explicit VMAF model (MOSAIC_VMAF_MODEL); libvmaf 1.x wants the .pkl with its .pkl.model beside it. */
  vmafModelPath?: string;
  /** Where a downloaded VMAF model is kept. */
  cacheDir: string;
  /** Whether the VMAF model may be fetched from the network when no local copy exists. */
  allowModelDownload: boolean;
  /** Scratch space for staged inputs and outputs. */
  scratchRoot: string;
  /** Per-ffmpeg-run limit, ms. */
  ffmpegTimeoutMs: number;
  /**
   * Cap a task's ffmpeg runs at the allocator's budget for it (its `timeoutSec`), so a run past it
   * fails as a timeout and goes one size up. On AWS only: the budget is an AWS size's time, and on
   * the local engine a bigger size is the same machine, so a slow or busy one would time out at
   * every size and lose the job. Default off.
   */
  enforceTaskBudget?: boolean;
  /** Per-ffprobe-run limit, ms (MOSAIC_PROBE_TIMEOUT_SEC); default DEFAULT_PROBE_TIMEOUT_MS. */
  probeTimeoutMs?: number;
  /**
   * Address-space cap of every ffmpeg/ffprobe child, MiB (MOSAIC_CHILD_MEMORY_MB); 0 or unset = none.
   * Entry points set a default from the machine (local engine) or the Lambda/Fargate size.
   */
  childMemoryMiB?: number;
  /** AWS region whose prices cost the steps (locally: what the run would cost there). Default us-east-1. */
  region?: string;
  /**
   * Secret values by name, resolved by the entry point: on AWS at cold start from the function's
   * `secrets` references (MOSAIC_SECRET_REFS), locally from the secrets file. A function reads one
   * with `ctx.config.secret(NAME)`; values are never logged.
   */
  secrets?: Readonly<Record<string, string>>;
}

/** Where secrets come from when one is missing (the message of the failed invocation). */
export const SECRETS_HINT =
  'on AWS give it in function.json "secrets" ({ "ssm": "/path" } or { "secretsManager": "arn-or-name" }); locally put NAME=value in <out>/.mosaic/secrets.env or the file MOSAIC_SECRETS_FILE names';

/** ffprobe reads headers and a few packets: seconds are plenty, and a stuck demuxer must not hold a slot for an hour. */
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;

/**
 * Default address-space caps of ffmpeg/ffprobe children (RLIMIT_AS, `ulimit -v`). Measured with the
 * static ffmpeg 4.1 (VmPeak / peak RSS): 2160p decode + x264 fast 2 threads 1.8 / 1.3 GiB, 6 threads
 * 2.3 / 1.6 GiB, x264 16 threads 3.1 / 2.0 GiB, libvmaf 2160p 2.7 / 1.9 GiB; 1080p x264 6 threads
 * 0.76 / 0.42 GiB. Address space runs up to 1.8x resident (8 MiB per thread stack, padded frames
 * never touched), so caps sized on resident memory would fail legitimate encodes.
 */
export const CHILD_MEMORY = {
  /** Locally: never below this (2160p x264 and VMAF fit, see above)... */
  floorMiB: 4096,
  /** ...and the children of all slots together within this share of RAM, leaving the rest to the server and the OS. */
  machineShare: 0.6,
  /** On Lambda/Fargate the sandbox already stops resident growth at its size; the cap allows the address-space overhead above it. */
  addressPerResident: 2,
  /**
   * Probes never need the encodes' share: ffprobe -count_frames of 2160p with 16 decoder threads
   * peaks at 1.3 GiB, while a self-referencing playlist reaches 2 GiB in about 5 s and stops there.
   */
  probeMiB: 2048,
} as const;

/** A probe's cap: the children's cap, at most CHILD_MEMORY.probeMiB; 0 stays "none". */
export function probeMemoryMiB(childMemoryMiB: number): number {
  return childMemoryMiB > 0 ? Math.min(childMemoryMiB, CHILD_MEMORY.probeMiB) : 0;
}

/** Local default: an even share of 60 % of RAM per worker slot, at least 4 GiB, never more than 60 % of RAM for one child. */
export function machineChildMemoryMiB(totalMiB: number, slots: number): number {
  const share = CHILD_MEMORY.machineShare * totalMiB;
  return Math.floor(Math.min(share, Math.max(CHILD_MEMORY.floorMiB, share / Math.max(1, slots))));
}

/** On Lambda or Fargate: from the memory the function or task was given. */
export function platformChildMemoryMiB(memoryMiB: number): number {
  return Math.ceil(memoryMiB * CHILD_MEMORY.addressPerResident);
}
