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
  /** AWS region whose prices cost the steps (locally: what the run would cost there). Default us-east-1. */
  region?: string;
}
