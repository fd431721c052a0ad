import { describe, expect, it } from 'vitest';
import { checkSize, mediaInfoFromProbe, normaliseRational, type ProbeJson } from '../../../lambdas/core/probe.js';
import type { VideoPacket } from '../../../lambdas/core/frame-timing.js';

const limits = { maxBytes: 10 * 1024 ** 3, maxDurationSec: 3600 };
const SIZE = 5_000_000;

const videoStream = (over: Record<string, unknown> = {}) => ({
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  sample_aspect_ratio: '1:1',
  r_frame_rate: '30000/1001',
  avg_frame_rate: '30000/1001',
  nb_frames: '300',
  nb_read_packets: '300',
  duration: '10.010000',
  start_time: '0.000000',
  bit_rate: '4000000',
  pix_fmt: 'yuv420p',
  ...over,
});
const audioStream = {
  codec_type: 'audio',
  codec_name: 'aac',
  channels: 6,
  sample_rate: '44100',
  duration: '10.000000',
  start_time: '0.021333',
};
const probe = (streams: unknown[], duration = '10.010000'): ProbeJson =>
  ({ streams, format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration, size: String(SIZE) } }) as ProbeJson;

/** Constant-rate packets: `n` frames at `fps` from `start`. */
const cfrPackets = (n: number, fps = 30000 / 1001, start = 0): VideoPacket[] =>
  Array.from({ length: n }, (_, i) => ({ pts: start + i / fps, durationSec: 1 / fps, discard: false }));

/** mediaInfoFromProbe with 300 CFR packets unless given others. */
const info = (p: ProbeJson, sizeBytes = SIZE, l = limits, packets = cfrPackets(300)) => mediaInfoFromProbe({ probe: p, packets, sizeBytes, limits: l });

/** Runs fn, expects a Mosaic.InputInvalid error and returns its message. */
function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe('Mosaic.InputInvalid');
    return (e as Error).message;
  }
  throw new Error('expected Mosaic.InputInvalid, nothing was thrown');
}

describe('mediaInfoFromProbe', () => {
  it('reads a normal video + audio source', () => {
    const got = info(probe([videoStream(), audioStream]));
    expect(got.container).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(got.sizeBytes).toBe(SIZE);
    expect(got.durationSec).toBeCloseTo(10.01, 6);
    expect(got.video).toMatchObject({
      codec: 'h264',
      width: 1920,
      height: 1080,
      displayWidth: 1920,
      fpsRational: '30000/1001',
      frames: 300,
      bitrate: 4000000,
      pixFmt: 'yuv420p',
      rotation: 0,
    });
    expect(got.video.fps).toBeCloseTo(29.97, 2);
    expect(got.video.durationSec).toBeCloseTo(10.01, 6);
    expect(got.audio).toEqual({ codec: 'aac', channels: 6, sampleRate: 44100, durationSec: 10, startSec: 0.021333 });
  });

  it('returns audio null for a video-only source', () => {
    expect(info(probe([videoStream()])).audio).toBeNull();
  });

  it('applies the sample aspect ratio to the display width', () => {
    const got = info(probe([videoStream({ width: 720, height: 576, sample_aspect_ratio: '16:15' })]));
    expect(got.video).toMatchObject({ width: 720, height: 576, displayWidth: 768 });
  });

  it('rejects an audio-only source, naming what it found', () => {
    const msg = invalid(() => info(probe([audioStream])));
    expect(msg).toContain('no video stream');
    expect(msg).toContain('audio');
  });

  it('does not count cover art as a video stream', () => {
    const art = videoStream({ codec_name: 'mjpeg', disposition: { attached_pic: 1 } });
    expect(invalid(() => info(probe([audioStream, art])))).toContain('no video stream');
  });

  it('rejects a file with no streams', () => {
    expect(invalid(() => info({}))).toContain('no streams');
    expect(invalid(() => info(probe([])))).toContain('no streams');
  });

  it('rejects zero duration', () => {
    const msg = invalid(() => info(probe([videoStream({ duration: '0' })], '0'), SIZE, limits, []));
    expect(msg).toContain('zero duration');
  });

  it('rejects a truncated file whose index lists more frames than it holds', () => {
    const s = videoStream({ nb_frames: '132', nb_read_packets: '40' });
    const msg = invalid(() => info(probe([s]), SIZE, limits, cfrPackets(40)));
    expect(msg).toContain('truncated');
    expect(msg).toContain('132');
  });

  it('rejects sources longer than the limit', () => {
    const msg = invalid(() => info(probe([videoStream()]), SIZE, { ...limits, maxDurationSec: 5 }));
    expect(msg).toMatch(/over the 5 s limit/);
  });

  it('rejects sources larger than the size limit', () => {
    expect(invalid(() => info(probe([videoStream()]), 2048, { ...limits, maxBytes: 1024 }))).toContain('limit');
  });

  it('swaps width and height for a 90° rotation (side data or tag)', () => {
    for (const rot of [{ side_data_list: [{ rotation: -90 }] }, { tags: { rotate: '90' } }]) {
      const got = info(probe([videoStream(rot)]));
      expect(got.video).toMatchObject({ width: 1080, height: 1920, displayWidth: 1080 });
      expect(Math.abs(got.video.rotation ?? 0)).toBe(90);
    }
    const upsideDown = info(probe([videoStream({ tags: { rotate: '180' } })]));
    expect(upsideDown.video).toMatchObject({ width: 1920, height: 1080 });
  });

  it('falls back to r_frame_rate when avg_frame_rate is unusable, and rejects no frame rate', () => {
    const got = info(probe([videoStream({ avg_frame_rate: '0/0', r_frame_rate: '25/1' })]));
    expect(got.video.fpsRational).toBe('25');
    expect(got.video.fps).toBe(25);
    const msg = invalid(() => info(probe([videoStream({ avg_frame_rate: '0/0', r_frame_rate: '0/0' })])));
    expect(msg).toContain('frame rate');
  });
});

describe('mediaInfoFromProbe: timestamps, not assumptions', () => {
  it('counts what the decoder outputs: packets an edit list discards are left out', () => {
    const packets = cfrPackets(300, 30, -0.5).map((p) => ({ ...p, discard: p.pts < -1e-9 }));
    const got = info(probe([videoStream({ r_frame_rate: '30/1', avg_frame_rate: '30/1', nb_frames: '300' })]), SIZE, limits, packets);
    expect(got.video.frames).toBe(285);
    expect(got.video.conform).toMatchObject({ sourceFrames: 285, variableFrameRate: false });
    expect(got.video.conform!.originSec).toBeCloseTo(0, 6);
    expect(got.notes.join(' ')).toMatch(/edit list: 15 leading/);
  });

  it('conforms a variable-rate source to its most common interval, covering its whole duration', () => {
    // 30 fps with every third frame dropped, and one frame held for 0.5 s.
    const packets: VideoPacket[] = [];
    let t = 0;
    for (let i = 0; i < 200; i++) {
      const d = i === 100 ? 0.5 : i % 3 === 2 ? 2 / 30 : 1 / 30;
      packets.push({ pts: t, durationSec: d, discard: false });
      t += d;
    }
    const got = info(probe([videoStream({ avg_frame_rate: '2955/149', r_frame_rate: '30/1', nb_frames: '200' })]), SIZE, limits, packets);
    expect(got.video.fpsRational).toBe('30');
    expect(got.video.frames).toBe(Math.round(t * 30));
    expect(got.video.conform).toMatchObject({ variableFrameRate: true, sourceFrames: 200 });
    expect(got.video.conform!.maxFrameGapSec).toBeCloseTo(0.5, 6);
    expect(got.notes.join(' ')).toMatch(/variable frame rate/);
  });

  it('keeps a negative start as the origin', () => {
    const got = info(probe([videoStream({ r_frame_rate: '25/1', avg_frame_rate: '25/1', nb_frames: '50' })]), SIZE, limits, cfrPackets(50, 25, -0.4));
    expect(got.video.conform!.originSec).toBeCloseTo(-0.4, 6);
    expect(got.video.frames).toBe(50);
    expect(got.video.startSec).toBeCloseTo(-0.4, 6);
  });

  it('accepts one frame', () => {
    const got = info(probe([videoStream({ r_frame_rate: '25/1', avg_frame_rate: '0/0', nb_frames: '1' })]), SIZE, limits, [{ pts: 0, durationSec: 0.04, discard: false }]);
    expect(got.video.frames).toBe(1);
  });

  it('refuses pictures under 8 px a side and over 8192, and accepts 16x9', () => {
    for (const [w, h] of [[1, 1], [2, 2], [4, 4], [16, 4]]) expect(invalid(() => info(probe([videoStream({ width: w, height: h })])))).toMatch(/too small/);
    expect(invalid(() => info(probe([videoStream({ width: 8200, height: 64 })])))).toMatch(/over the 8192 px/);
    expect(info(probe([videoStream({ width: 16, height: 9 })])).video).toMatchObject({ width: 16, height: 9 });
  });

  it('reads field order from the stream, else from idet', () => {
    expect(info(probe([videoStream({ field_order: 'tt' })])).video.conform!.interlaced).toBe('tff');
    expect(info(probe([videoStream({ field_order: 'bt' })])).video.conform!.interlaced).toBe('bff');
    expect(info(probe([videoStream({ field_order: 'progressive' })])).video.conform!.interlaced).toBeNull();
    const detected = mediaInfoFromProbe({ probe: probe([videoStream()]), packets: cfrPackets(300), sizeBytes: SIZE, limits, detectedFieldOrder: 'bff' });
    expect(detected.video.conform!.interlaced).toBe('bff');
    expect(detected.notes.join(' ')).toMatch(/deinterlaced/);
  });

  it('reads colour, depth, chroma and HDR', () => {
    const hdr = info(probe([videoStream({ pix_fmt: 'yuv420p10le', color_transfer: 'smpte2084', color_primaries: 'bt2020', color_space: 'bt2020nc', color_range: 'tv' })])).video;
    expect(hdr).toMatchObject({ bitDepth: 10, chroma: '420', color: { hdr: 'pq', matrix: 'bt2020nc', range: 'tv' } });
    expect(info(probe([videoStream({ pix_fmt: 'yuvj420p' })])).video.color!.range).toBe('pc');
    expect(info(probe([videoStream({ pix_fmt: 'yuv444p' })])).video.chroma).toBe('444');
    expect(info(probe([videoStream({ pix_fmt: 'yuv422p10le', color_transfer: 'arib-std-b67' })])).video).toMatchObject({ chroma: '422', bitDepth: 10, color: { hdr: 'hlg' } });
  });

  it('lists every audio track with its language, the default first', () => {
    const a = (index: number, language: string, isDefault: number, channels = 2) => ({ ...audioStream, index, channels, tags: { language }, disposition: { default: isDefault } });
    const got = info(probe([{ ...videoStream(), index: 0 }, a(1, 'fra', 0), a(2, 'eng', 1, 6)]));
    expect(got.audioTracks.map((t) => [t.index, t.language, t.default, t.channels])).toEqual([[1, 'eng', true, 6], [0, 'fra', false, 2]]);
    expect(got.audio).toMatchObject({ channels: 6 });
  });

  it('lists subtitles, text ones to convert and image ones noted as skipped', () => {
    const sub = (codec: string, language: string) => ({ codec_type: 'subtitle', codec_name: codec, tags: { language } });
    const got = info(probe([videoStream(), sub('subrip', 'eng'), sub('hdmv_pgs_subtitle', 'deu'), sub('mov_text', 'fra')]));
    expect(got.subtitles.map((t) => [t.index, t.codec, t.text])).toEqual([[0, 'subrip', true], [1, 'hdmv_pgs_subtitle', false], [2, 'mov_text', true]]);
    expect(got.subtitles.some((t) => t.default)).toBe(false);
    const flagged = info(probe([videoStream(), sub('subrip', 'eng'), { ...sub('mov_text', 'fra'), disposition: { default: 1 } }]));
    expect(flagged.subtitles.map((t) => [t.language, t.default])).toEqual([['fra', true], ['eng', false]]);
    expect(got.notes.join(' ')).toMatch(/1 image subtitle track\(s\) \(hdmv_pgs_subtitle\) skipped/);
  });

  it('encodes the first video stream that is not cover art, by its index', () => {
    const art = { ...videoStream({ codec_name: 'mjpeg', disposition: { attached_pic: 1 } }), index: 0 };
    expect(info(probe([art, { ...videoStream(), index: 1 }])).video.conform!.streamIndex).toBe(1);
  });
});

describe('checkSize', () => {
  it('rejects an empty source', () => {
    expect(invalid(() => checkSize(0, limits))).toContain('empty');
  });
  it('rejects a source over the limit and accepts one within it', () => {
    expect(invalid(() => checkSize(limits.maxBytes + 1, limits))).toContain('limit');
    expect(() => checkSize(limits.maxBytes, limits)).not.toThrow();
  });
});

describe('normaliseRational', () => {
  it('reduces fractions', () => {
    expect(normaliseRational('2997/125')).toBe('2997/125');
    expect(normaliseRational('60000/2002')).toBe('30000/1001');
    expect(normaliseRational('50/2')).toBe('25');
    expect(normaliseRational('24')).toBe('24');
  });
});
