import { describe, expect, it } from 'vitest';
import { hullOf, ladderOf, type RenditionLike } from '../../../ui/src/lib/ladder.ts';

const r = (id: string, w: number, h: number, kbps: number, psnr: number | null, vmaf: number | null): RenditionLike => ({ id, width: w, height: h, bitrateKbps: kbps, bytes: kbps * 100, psnr, ssim: psnr === null ? null : 0.95, vmaf });

describe('ladderOf', () => {
  it('plots VMAF against bitrate, sorted by bitrate', () => {
    const l = ladderOf([r('r2', 1920, 1080, 4500, 42, 95), r('r0', 640, 360, 800, 35, 70), r('r1', 1280, 720, 2500, 39, 88)]);
    expect(l.metric).toBe('VMAF');
    expect(l.unit).toBe('VMAF');
    expect(l.points.map((p) => [p.id, p.size, p.bitrateKbps, p.quality])).toEqual([
      ['r0', '640x360', 800, 70],
      ['r1', '1280x720', 2500, 88],
      ['r2', '1920x1080', 4500, 95],
    ]);
    expect(l.hull).toBeNull();
  });
  it('falls back to PSNR when VMAF is absent', () => {
    const l = ladderOf([r('r0', 640, 360, 800, 35.5, null), r('r1', 1280, 720, 2500, 39.1, null)]);
    expect(l.metric).toBe('PSNR');
    expect(l.unit).toBe('dB');
    expect(l.points.map((p) => p.quality)).toEqual([35.5, 39.1]);
  });
  it('has no metric without scores, and no points without renditions', () => {
    expect(ladderOf([r('r0', 640, 360, 800, null, null)])).toMatchObject({ metric: null, points: [{ quality: null }] });
    expect(ladderOf([])).toEqual({ metric: null, unit: '', points: [], hull: null });
  });
  it('reads a per-title hull when the report has one', () => {
    const report = { hull: [{ bitrateKbps: 3000, vmaf: 90, width: 1280, height: 720 }, { bitrateKbps: 1000, vmaf: 75 }, { bitrateKbps: 'x' }] };
    const l = ladderOf([r('r0', 640, 360, 800, 35, 70)], report);
    expect(l.hull).toEqual([
      { bitrateKbps: 1000, quality: 75, label: null },
      { bitrateKbps: 3000, quality: 90, label: '1280x720' },
    ]);
    expect(hullOf({ perTitle: { hull: [{ bitrateKbps: 1, psnr: 30 }] } }, 'PSNR')).toEqual([{ bitrateKbps: 1, quality: 30, label: null }]);
    // The job view's ladderSearch (core/per-title points: `kbps`, PSNR-Y), sorted by bitrate and labelled by size.
    expect(hullOf({ perTitle: { hull: [{ width: 640, height: 360, crf: 27, kbps: 900, psnr: 36 }, { width: 426, height: 240, crf: 30, kbps: 300, psnr: 31 }] } }, 'PSNR')).toEqual([
      { bitrateKbps: 300, quality: 31, label: '426x240' },
      { bitrateKbps: 900, quality: 36, label: '640x360' },
    ]);
    expect(hullOf({ perTitle: { hull: [{ width: 640, height: 360, crf: 27, kbps: 900, psnr: 36, vmaf: null }] } }, 'VMAF')).toBeNull();
    expect(hullOf({ rungs: [] }, 'VMAF')).toBeNull();
    expect(hullOf(null, 'VMAF')).toBeNull();
  });
});
