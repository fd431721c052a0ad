/**
 * The encode workflow end to end through the CLI: generated media and the shared real clips,
 * checked as a player would see them (every rung decodes, exact frames, durations, A/V sync,
 * chunk joins, HLS and DASH listing the same rungs).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, makeClip, resultLine, sharedMedia, tempDir } from '../helpers/media.js';
import { verifyPackage } from '../helpers/verify-package.js';

async function encode(source: string, preset: string) {
  const out = tempDir();
  const r = await cli(['encode', source, '--out', out, '--preset', preset, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const { job } = resultLine(r.stdout);
  expect(job.status).toBe('SUCCEEDED');
  return { out, jobDir: join(out, job.id), jobId: job.id };
}

describe('encode end to end', () => {
  it('generated 640x360 clip with audio: exact frames, joins and A/V sync', async () => {
    const src = makeClip(join(tempDir(), 'gen.mp4'), { width: 640, height: 360, seconds: 7, fps: 25 });
    const { jobDir } = await encode(src, 'draft');
    const { report } = verifyPackage(jobDir, src, { minFramePsnr: 20 });
    expect(report.rungs.map((r) => `${r.width}x${r.height}`)).toEqual(['640x360']);
    for (const f of ['thumbnails/poster.jpg', 'thumbnails/sprite.jpg', 'thumbnails/thumbnails.vtt']) expect(existsSync(join(jobDir, f)), f).toBe(true);
    expect(report.rungs[0].psnr).toBeGreaterThan(25);
  });

  it('bbb-720p-5s.mp4 (H.264 + AAC, 25 fps) with the default ladder', async () => {
    const src = sharedMedia('bbb-720p-5s.mp4');
    if (!src) return;
    const { jobDir } = await encode(src, 'default');
    const { report } = verifyPackage(jobDir, src, { minFramePsnr: 22 });
    expect(report.rungs.map((r) => r.height)).toEqual([720, 540, 360, 240]);
    if (report.vmafUnavailableReason === null) expect(report.rungs[0].vmaf).toBeGreaterThan(80);
  });

  it('bbb-720p-30s.webm (VP8 + Vorbis, 24 fps) with the default ladder', async () => {
    const src = sharedMedia('bbb-720p-30s.webm');
    if (!src) return;
    const { jobDir } = await encode(src, 'default');
    const { report } = verifyPackage(jobDir, src, { minFramePsnr: 20 });
    expect(report.source?.video.frames).toBe(720);
    expect(report.rungs[0].ssim).toBeGreaterThan(0.9);
  });
});
