/** Checks a published package the way a player and an auditor would. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { JobReport } from '../../lambdas/contracts/index.js';
import { parseDashRepresentations, parseMasterPlaylist, parseMediaPlaylist } from '../../lambdas/core/manifests.js';
import { decode, FFMPEG, mediaDuration, run, videoFrames } from './media.js';

export interface PackageFacts {
  report: JobReport;
  variants: ReturnType<typeof parseMasterPlaylist>;
}

/** Per-frame PSNR of a rendition against the source, both retimed by frame index. */
export function perFramePsnr(rendition: string, source: string, width: number, height: number, fps: string): number[] {
  const retime = `setpts=N/(${fps})/TB`;
  const graph = `[0:v]scale=${width}:${height}:flags=bicubic,format=yuv420p,${retime}[d];[1:v]format=yuv420p,${retime}[r];[d][r]psnr=stats_file=-`;
  const r = run(FFMPEG, ['-hide_banner', '-nostats', '-v', 'error', '-allowed_extensions', 'ALL', '-i', rendition, '-i', source, '-filter_complex', graph, '-f', 'null', '-']);
  return [...r.stdout.matchAll(/psnr_avg:(inf|[\d.]+)/g)].map((m) => (m[1] === 'inf' ? 100 : Number(m[1])));
}

export function verifyPackage(jobDir: string, source: string, opts: { minFramePsnr: number }): PackageFacts {
  const report = JSON.parse(readFileSync(join(jobDir, 'report.json'), 'utf8')) as JobReport;
  expect(report.status).toBe('SUCCEEDED');
  const srcFrames = videoFrames(source);
  const fps = report.source!.video.fps;
  const srcDuration = mediaDuration(source, 'v');

  const master = readFileSync(join(jobDir, report.outputs.hls!), 'utf8');
  const variants = parseMasterPlaylist(master);
  expect(variants.length).toBe(report.rungs.length);
  for (const v of variants) {
    for (const attr of ['BANDWIDTH', 'AVERAGE-BANDWIDTH', 'RESOLUTION', 'CODECS']) expect(v.attrs[attr], attr).toBeTruthy();
    const playlist = join(jobDir, 'hls', v.uri);
    const d = decode(playlist);
    expect(d.code, `${v.uri}: ${d.errors}`).toBe(0);
    expect(d.errors, v.uri).toBe('');
    expect(d.frames, `${v.uri} frame count`).toBe(srcFrames);
    const segs = parseMediaPlaylist(readFileSync(playlist, 'utf8')).segments;
    const videoDuration = segs.reduce((t, s) => t + s.durationSec, 0);
    expect(Math.abs(videoDuration - srcDuration), `${v.uri} duration ${videoDuration} vs ${srcDuration}`).toBeLessThanOrEqual(1 / fps + 1e-3);
    for (const track of report.audioTracks) {
      const audio = decode(join(jobDir, track.playlist!), 'a');
      expect(audio.code, track.id).toBe(0);
      expect(Math.abs(audio.durationSec - videoDuration), `${track.id}: A/V duration gap`).toBeLessThanOrEqual(0.1);
    }
  }
  // Chunk joins: a missing or doubled frame would shift every later frame off its source frame.
  const top = report.rungs[0];
  const psnr = perFramePsnr(join(jobDir, 'hls', top.id, 'index.m3u8'), source, report.source!.video.width, report.source!.video.height, report.source!.video.fpsRational);
  expect(psnr.length).toBe(srcFrames);
  expect(Math.min(...psnr)).toBeGreaterThan(opts.minFramePsnr);

  const reps = parseDashRepresentations(readFileSync(join(jobDir, report.outputs.dash!), 'utf8')).filter((r) => r.width);
  expect(reps.map((r) => `${r.id}:${r.width}x${r.height}`).sort()).toEqual(
    variants.map((v) => `${v.uri.split('/')[0]}:${v.attrs.RESOLUTION}`).sort(),
  );
  return { report, variants };
}
