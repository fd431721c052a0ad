import { describe, expect, it } from 'vitest';
import { levelIndexFor, parseMasterPlaylist, rungLabel } from '../../../ui/src/lib/rungs.ts';

describe('levelIndexFor', () => {
  const levels = [
    { height: 360, bitrate: 800_000 },
    { height: 720, bitrate: 2_600_000 },
    { height: 1080, bitrate: 4_700_000 },
    { height: 1080, bitrate: 7_900_000 },
  ];
  it('matches by height, then the nearest bitrate', () => {
    expect(levelIndexFor(levels, { height: 720, bitrateKbps: 2500 })).toBe(1);
    expect(levelIndexFor(levels, { height: 1080, bitrateKbps: 8000 })).toBe(3);
    expect(levelIndexFor(levels, { height: 1080, bitrateKbps: 4500 })).toBe(2);
  });
  it('falls back to the nearest height, or -1 without levels', () => {
    expect(levelIndexFor(levels, { height: 480, bitrateKbps: 1200 })).toBe(0);
    expect(levelIndexFor([], { height: 480, bitrateKbps: 1200 })).toBe(-1);
  });
  it('labels a rung', () => {
    expect(rungLabel({ id: 'r2', height: 1080, bitrateKbps: 4500 })).toBe('1080p · 4.5 Mb/s (r2)');
    expect(rungLabel({ id: 'r0', height: 360, bitrateKbps: 800 })).toBe('360p · 800 kb/s (r0)');
  });
});

describe('parseMasterPlaylist', () => {
  it('reads the variants and resolves their URIs', () => {
    const text = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=700000,AVERAGE-BANDWIDTH=650000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\nr0/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1700000,RESOLUTION=1280x720\n\nhttps://cdn.example/r1.m3u8\n#EXT-X-MEDIA:TYPE=AUDIO,URI="a.m3u8"\n';
    expect(parseMasterPlaylist(text, 'http://127.0.0.1:8787/files/outputs/j1/master.m3u8')).toEqual([
      { url: 'http://127.0.0.1:8787/files/outputs/j1/r0/index.m3u8', bitrate: 700_000, width: 640, height: 360 },
      { url: 'https://cdn.example/r1.m3u8', bitrate: 1_700_000, width: 1280, height: 720 },
    ]);
    expect(parseMasterPlaylist('not a playlist', 'http://x/')).toEqual([]);
  });
});
