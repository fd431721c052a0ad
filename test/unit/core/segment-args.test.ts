/**
 * How package cuts video: at keyframes only, every keyframe when a segment is one keyframe
 * interval (the encode case), every k-th when it is k intervals (repackage) — checked on the
 * builder and on real ffmpeg over enough segments that a margin adding up would show.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIDEO_SEGMENT_MARGIN_SEC, segmentArgs, videoHlsTime } from '../../../lambdas/core/ffmpeg-args.js';
import { parseMediaPlaylist } from '../../../lambdas/core/manifests.js';
import { FFMPEG, run, tempDir } from '../../helpers/media.js';

const hlsTime = (args: string[]) => Number(args[args.indexOf('-hls_time') + 1]);

describe('segmentArgs', () => {
  it('video: hls_time is the segment length snapped to whole keyframe intervals, just below it', () => {
    // Encode case: a keyframe every segment (gopFrames = ceil(segmentSeconds × fps)).
    expect(videoHlsTime({ segmentSeconds: 4, fps: 25, gopFrames: 100 })).toBeCloseTo(4 - VIDEO_SEGMENT_MARGIN_SEC, 9);
    // 29.97 fps: 120 frames are 4.004 s; a 4 s request means one keyframe interval.
    expect(videoHlsTime({ segmentSeconds: 4, fps: 30000 / 1001, gopFrames: 120 })).toBeCloseTo(4.004 - VIDEO_SEGMENT_MARGIN_SEC, 9);
    // Repackage: 2 × and 3 × the keyframe interval.
    expect(videoHlsTime({ segmentSeconds: 8, fps: 25, gopFrames: 100 })).toBeCloseTo(8 - VIDEO_SEGMENT_MARGIN_SEC, 9);
    expect(videoHlsTime({ segmentSeconds: 12.012, fps: 30000 / 1001, gopFrames: 120 })).toBeCloseTo(12.012 - VIDEO_SEGMENT_MARGIN_SEC, 9);
    // Without the GOP, the segment length as asked.
    expect(videoHlsTime({ segmentSeconds: 6, fps: 24 })).toBeCloseTo(6 - VIDEO_SEGMENT_MARGIN_SEC, 9);
    const args = segmentArgs({ input: 'in.mp4', dir: 'out', kind: 'video', segmentSeconds: 4, fps: 25, gopFrames: 50 });
    expect(hlsTime(args)).toBeCloseTo(3.99999, 6);
    expect(args).toEqual(expect.arrayContaining(['-c', 'copy', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', 'out/index.m3u8']));
  });

  it('audio: cut every segment length', () => {
    expect(hlsTime(segmentArgs({ input: 'a.mp4', dir: 'o', kind: 'audio', segmentSeconds: 4, fps: 25, gopFrames: 100 }))).toBe(4);
  });

  it('real ffmpeg: one segment per keyframe at k = 1, one per second keyframe at k = 2, over 60 segments', () => {
    const dir = tempDir();
    const clip = join(dir, 'gop5.mp4');
    // 12 s at 25 fps with a keyframe every 5 frames (0.2 s): 60 keyframe intervals.
    const made = run(FFMPEG, [
      '-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x36:rate=25', '-t', '12',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '5', '-keyint_min', '5', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', clip,
    ]);
    expect(made.code, made.stderr).toBe(0);
    for (const [k, count] of [[1, 60], [2, 30], [3, 20]] as const) {
      const out = join(dir, `k${k}`);
      mkdirSync(out);
      const r = run(FFMPEG, segmentArgs({ input: clip, dir: out, kind: 'video', segmentSeconds: 0.2 * k, fps: 25, gopFrames: 5 }));
      expect(r.code, r.stderr).toBe(0);
      const p = parseMediaPlaylist(readFileSync(join(out, 'index.m3u8'), 'utf8'));
      expect(p.segments.length, `k=${k}`).toBe(count);
      for (const s of p.segments) expect(s.durationSec, `k=${k}`).toBeCloseTo(0.2 * k, 3);
    }
  });
});
