import { describe, expect, it } from 'vitest';
import { parsePsnrStats, parseQualityLog } from '../../../lambdas/core/quality.js';

const stderr = [
  'frame=  750 fps=120 q=-0.0 Lsize=N/A time=00:00:30.00 bitrate=N/A speed=4.8x',
  '[Parsed_psnr_2 @ 0x55d1c2a3b4c0] PSNR y:40.1 u:44.2 v:45.0 average:41.23 min:35.10 max:48.00',
  '[Parsed_ssim_3 @ 0x55d1c2a3b5e0] SSIM Y:0.981 (17.2) U:0.99 (20.1) V:0.99 (20.3) All:0.985123 (18.3)',
  '[libvmaf @ 0x55d1c2a3b700] VMAF score: 93.456',
  '',
].join('\n');

describe('parseQualityLog', () => {
  it('reads PSNR average, SSIM All and the VMAF score', () => {
    expect(parseQualityLog(stderr)).toEqual({ psnr: 41.23, ssim: 0.985123, vmaf: 93.456 });
  });

  it('maps an infinite PSNR (identical pictures) to 100', () => {
    const s = '[Parsed_psnr_0 @ 0x1] PSNR y:inf u:inf v:inf average:inf min:inf max:inf\n';
    expect(parseQualityLog(s).psnr).toBe(100);
  });

  it('returns null for metrics that were not computed', () => {
    const noVmaf = stderr.split('\n').filter((l) => !l.includes('VMAF')).join('\n');
    expect(parseQualityLog(noVmaf)).toEqual({ psnr: 41.23, ssim: 0.985123, vmaf: null });
    expect(parseQualityLog('')).toEqual({ psnr: null, ssim: null, vmaf: null });
  });
});

describe('parsePsnrStats', () => {
  it('counts frames and finds the worst psnr_avg, treating inf as 100', () => {
    const stats = [
      'n:1 mse_avg:0.00 mse_y:0.00 mse_u:0.00 mse_v:0.00 psnr_avg:inf psnr_y:inf psnr_u:inf psnr_v:inf',
      'n:2 mse_avg:3.21 mse_y:4.01 mse_u:1.2 mse_v:1.1 psnr_avg:43.06 psnr_y:42.10 psnr_u:47.3 psnr_v:47.7',
      'n:3 mse_avg:9.80 mse_y:12.1 mse_u:3.0 mse_v:2.9 psnr_avg:38.22 psnr_y:37.30 psnr_u:43.3 psnr_v:43.5',
      '',
    ].join('\n');
    expect(parsePsnrStats(stats)).toEqual({ frames: 3, min: 38.22 });
    expect(parsePsnrStats(stats.split('\n')[0])).toEqual({ frames: 1, min: 100 });
  });

  it('returns zero frames and min 0 for empty stats', () => {
    expect(parsePsnrStats('')).toEqual({ frames: 0, min: 0 });
  });
});
