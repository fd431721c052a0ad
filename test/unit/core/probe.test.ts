import { describe, expect, it } from 'vitest';
import { checkSize, mediaInfoFromProbe, normaliseRational, type ProbeJson } from '../../../lambdas/core/probe.js';

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
    const info = mediaInfoFromProbe(probe([videoStream(), audioStream]), SIZE, limits);
    expect(info.container).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(info.sizeBytes).toBe(SIZE);
    expect(info.durationSec).toBeCloseTo(10.01, 6);
    expect(info.video).toMatchObject({
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
    expect(info.video.fps).toBeCloseTo(29.97, 2);
    expect(info.video.durationSec).toBeCloseTo(10.01, 6);
    expect(info.audio).toEqual({ codec: 'aac', channels: 6, sampleRate: 44100, durationSec: 10, startSec: 0.021333 });
  });

  it('returns audio null for a video-only source', () => {
    expect(mediaInfoFromProbe(probe([videoStream()]), SIZE, limits).audio).toBeNull();
  });

  it('applies the sample aspect ratio to the display width', () => {
    const info = mediaInfoFromProbe(probe([videoStream({ width: 720, height: 576, sample_aspect_ratio: '16:15' })]), SIZE, limits);
    expect(info.video).toMatchObject({ width: 720, height: 576, displayWidth: 768 });
  });

  it('rejects an audio-only source, naming what it found', () => {
    const msg = invalid(() => mediaInfoFromProbe(probe([audioStream]), SIZE, limits));
    expect(msg).toContain('no video stream');
    expect(msg).toContain('audio');
  });

  it('does not count cover art as a video stream', () => {
    const art = videoStream({ codec_name: 'mjpeg', disposition: { attached_pic: 1 } });
    expect(invalid(() => mediaInfoFromProbe(probe([audioStream, art]), SIZE, limits))).toContain('no video stream');
  });

  it('rejects a file with no streams', () => {
    expect(invalid(() => mediaInfoFromProbe({}, SIZE, limits))).toContain('no streams');
    expect(invalid(() => mediaInfoFromProbe(probe([]), SIZE, limits))).toContain('no streams');
  });

  it('rejects zero duration', () => {
    const msg = invalid(() => mediaInfoFromProbe(probe([videoStream({ duration: '0' })], '0'), SIZE, limits));
    expect(msg).toContain('zero duration');
  });

  it('rejects a truncated file whose index lists more frames than it holds', () => {
    const s = videoStream({ nb_frames: '132', nb_read_packets: '40' });
    const msg = invalid(() => mediaInfoFromProbe(probe([s]), SIZE, limits));
    expect(msg).toContain('truncated');
    expect(msg).toContain('132');
  });

  it('rejects sources longer than the limit', () => {
    const msg = invalid(() => mediaInfoFromProbe(probe([videoStream()]), SIZE, { ...limits, maxDurationSec: 5 }));
    expect(msg).toMatch(/over the 5 s limit/);
  });

  it('rejects sources larger than the size limit', () => {
    expect(invalid(() => mediaInfoFromProbe(probe([videoStream()]), 2048, { ...limits, maxBytes: 1024 }))).toContain('limit');
  });

  it('swaps width and height for a 90° rotation (side data or tag)', () => {
    for (const rot of [{ side_data_list: [{ rotation: -90 }] }, { tags: { rotate: '90' } }]) {
      const info = mediaInfoFromProbe(probe([videoStream(rot)]), SIZE, limits);
      expect(info.video).toMatchObject({ width: 1080, height: 1920, displayWidth: 1080 });
      expect(Math.abs(info.video.rotation ?? 0)).toBe(90);
    }
    const upsideDown = mediaInfoFromProbe(probe([videoStream({ tags: { rotate: '180' } })]), SIZE, limits);
    expect(upsideDown.video).toMatchObject({ width: 1920, height: 1080 });
  });

  it('falls back to r_frame_rate when avg_frame_rate is unusable, and rejects no frame rate', () => {
    const info = mediaInfoFromProbe(probe([videoStream({ avg_frame_rate: '0/0', r_frame_rate: '25/1' })]), SIZE, limits);
    expect(info.video.fpsRational).toBe('25');
    expect(info.video.fps).toBe(25);
    const msg = invalid(() => mediaInfoFromProbe(probe([videoStream({ avg_frame_rate: '0/0', r_frame_rate: '0/0' })]), SIZE, limits));
    expect(msg).toContain('frame rate');
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
