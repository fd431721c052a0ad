/** Parses the summaries ffmpeg's psnr, ssim and libvmaf filters print. */
export interface QualitySummary {
  psnr: number | null;
  ssim: number | null;
  vmaf: number | null;
}

export function parseQualityLog(stderr: string): QualitySummary {
  const psnr = /PSNR .*average:(inf|[\d.]+)/.exec(stderr);
  const ssim = /SSIM .*All:([\d.]+)/.exec(stderr);
  const vmaf = /VMAF score[:=]\s*([\d.]+)/.exec(stderr);
  return {
    psnr: psnr ? (psnr[1] === 'inf' ? 100 : Number(psnr[1])) : null,
    ssim: ssim ? Number(ssim[1]) : null,
    vmaf: vmaf ? Number(vmaf[1]) : null,
  };
}

/** Per-frame PSNR from the psnr filter's stats file: `n:1 mse_avg:.. psnr_avg:34.1 ...`. */
export function parsePsnrStats(stats: string): { frames: number; min: number } {
  let frames = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const line of stats.split('\n')) {
    const m = /psnr_avg:(inf|[\d.]+)/.exec(line);
    if (!m) continue;
    frames++;
    const v = m[1] === 'inf' ? 100 : Number(m[1]);
    if (v < min) min = v;
  }
  return { frames, min: frames ? min : 0 };
}

/** Mean luma MSE and the frame count of a psnr filter's stats file (per-frame `mse_y:`). */
export function parseMseY(stats: string): { frames: number; mseY: number } {
  let frames = 0;
  let sum = 0;
  for (const line of stats.split('\n')) {
    const m = /mse_y:([\d.]+)/.exec(line);
    if (!m) continue;
    frames++;
    sum += Number(m[1]);
  }
  return { frames, mseY: frames ? sum / frames : 0 };
}
