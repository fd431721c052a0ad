import { describe, expect, it } from 'vitest';
import { conformInputArgs, conformTimeFilters, pictureFilters, plainPicture, sourcePicture } from '../../../lambdas/core/conform.js';
import { conformedFrames, frameTimeline, nominalRate, parsePacketCsv } from '../../../lambdas/core/frame-timing.js';
import { parseFieldDetection, sniffRefusal } from '../../../lambdas/core/source-sniff.js';
import { INPUT_GUARD, MEDIA_DEMUXERS } from '../../../lambdas/core/ffmpeg-args.js';
import { planTiming } from '../../../lambdas/core/chunks.js';

const timing = planTiming(30, '30', 2);

describe('frame timing from packets', () => {
  it('parses ffprobe packet CSV, keeping the discard flag', () => {
    const p = parsePacketCsv('-0.033333,0.033333,KD_\n0.000000,0.033333,K__\n0.066667,N/A,___\nN/A,0.0333,___\n');
    expect(p).toEqual([
      { pts: -0.033333, durationSec: 0.033333, discard: true },
      { pts: 0, durationSec: 0.033333, discard: false },
      { pts: 0.066667, durationSec: null, discard: false },
    ]);
  });

  it('sorts B-frame packets into presentation order and finds origin, end and rate', () => {
    const pts = [0, 0.1, 0.0333, 0.0667, 0.2, 0.1333, 0.1667];
    const t = frameTimeline(pts.map((x) => ({ pts: x, durationSec: 1 / 30, discard: false })))!;
    expect(t.originSec).toBe(0);
    expect(t.endSec).toBeCloseTo(0.2 + 1 / 30, 6);
    expect(t.frames).toBe(7);
    expect(t.variableFrameRate).toBe(false);
    expect(conformedFrames(t, 30)).toBe(7);
  });

  it('snaps a variable rate to the nearest standard rate', () => {
    expect(nominalRate(1 / 29.5)).toBe('30000/1001');
    expect(nominalRate(1 / 30)).toBe('30');
    expect(nominalRate(1 / 59.94)).toBe('60000/1001');
    expect(nominalRate(1 / 15)).toBe('15');
    expect(nominalRate(1 / 500)).toBe('120');
  });

  it('has no timeline without frames', () => {
    expect(frameTimeline([{ pts: 0, durationSec: 0.04, discard: true }])).toBeNull();
  });
});

describe('the conformed source', () => {
  const picture = { ...plainPicture(640, 360, 30), originSec: 1.4, maxFrameGapSec: 0.5 };

  it('reads on the file\'s own timestamps, seeking early by the longest frame gap', () => {
    expect(conformInputArgs(picture, timing, 0)).toEqual(['-copyts']);
    const args = conformInputArgs(picture, timing, 300);
    expect(args).toEqual(['-copyts', '-seek_timestamp', '1', '-ss', (1.4 + 10 - 0.5 - 1.5).toFixed(6), '-noaccurate_seek']);
  });

  it('retimes onto the origin, selects output frames from startFrame and pads the end', () => {
    const f = conformTimeFilters(picture, timing, 60);
    expect(f).toEqual(['setpts=PTS-(1.400000)/TB', 'fps=fps=30:start_time=2.000000:round=near', 'tpad=stop_mode=clone:stop=17', 'setpts=N/(30)/TB']);
    expect(conformTimeFilters({ ...picture, interlaced: 'bff' }, timing)[0]).toBe('bwdif=mode=send_frame:parity=bff:deint=all');
  });

  it('converts every picture to 8-bit 4:2:0 BT.709 limited range', () => {
    const sd = pictureFilters({ ...picture, width: 720, height: 480, matrix: 'unknown', range: 'pc' }, 640, 360).join(',');
    expect(sd).toContain('in_color_matrix=bt601:out_color_matrix=bt709:in_range=pc:out_range=tv');
    expect(sd).toContain('format=yuv420p');
    const hd = pictureFilters({ ...picture, width: 1920, height: 1080 }, 640, 360).join(',');
    expect(hd).toContain('in_color_matrix=bt709');
    const hdr = pictureFilters({ ...picture, hdr: 'pq', matrix: 'bt2020nc' }, 640, 360).join(',');
    expect(hdr).toMatch(/zscale=tin=smpte2084.*tonemap=tonemap=hable.*zscale=t=bt709:m=bt709:r=tv/);
  });

  it('takes its description from MediaInfo', () => {
    const p = sourcePicture({
      container: 'mov', sizeBytes: 1, durationSec: 1, audio: null, audioTracks: [], subtitles: [], notes: [],
      video: {
        codec: 'h264', width: 1080, height: 1920, displayWidth: 1080, fps: 30, fpsRational: '30', frames: 30, durationSec: 1, startSec: 0.2,
        color: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', range: 'tv', hdr: null },
        conform: { streamIndex: 1, originSec: 0.2, variableFrameRate: false, maxFrameGapSec: 0.04, sourceFrames: 30, interlaced: 'tff' },
      },
    });
    expect(p).toEqual({ streamIndex: 1, originSec: 0.2, maxFrameGapSec: 0.04, interlaced: 'tff', matrix: 'bt709', range: 'tv', hdr: null, width: 1080, height: 1920 });
  });
});

describe('what a source may be', () => {
  it('passes only media demuxers to every input', () => {
    expect(INPUT_GUARD).toEqual(['-protocol_whitelist', 'file,pipe', '-format_whitelist', MEDIA_DEMUXERS.join(',')]);
    for (const never of ['hls', 'concat', 'image2', 'dash', 'tee', 'lavfi', 'data']) expect(MEDIA_DEMUXERS as readonly string[]).not.toContain(never);
  });

  it('refuses playlists, concat lists, manifests and stills by their first bytes', () => {
    const r = (s: string | Buffer) => sniffRefusal(Buffer.isBuffer(s) ? s : Buffer.from(s));
    expect(r('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nself.m3u8\n')).toMatch(/HLS playlist/);
    expect(r('\uFEFF#EXTM3U\n')).toMatch(/HLS playlist/);
    expect(r('ffconcat version 1.0\nfile /etc/passwd\n')).toMatch(/concat list/);
    expect(r("file 'a.mp4'\n")).toMatch(/concat list/);
    expect(r('<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011">')).toMatch(/DASH manifest/);
    expect(r(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toMatch(/still image/);
    expect(r(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toMatch(/still image/);
    expect(r(Buffer.from([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70]))).toBeNull();
  });

  it('reads idet\'s multi-frame verdict', () => {
    expect(parseFieldDetection('[Parsed_idet_0 @ 0x1] Multi frame detection: TFF:    80 BFF:     0 Progressive:    10 Undetermined:    30')).toBe('tff');
    expect(parseFieldDetection('Multi frame detection: TFF: 0 BFF: 3 Progressive: 100 Undetermined: 17')).toBe('progressive');
    expect(parseFieldDetection('Multi frame detection: TFF: 1 BFF: 50 Progressive: 9 Undetermined: 0')).toBe('bff');
    expect(parseFieldDetection('Multi frame detection: TFF: 156 BFF: 121 Progressive: 140 Undetermined: 0')).toBe('progressive');
    expect(parseFieldDetection('nothing')).toBeUndefined();
  });
});
