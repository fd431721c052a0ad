import { describe, expect, it } from 'vitest';
import {
  avcCodecString,
  dashManifest,
  hlsMasterPlaylist,
  parseDashRepresentations,
  parseMasterPlaylist,
  parseMediaPlaylist,
  segmentBandwidth,
  type DashRepresentation,
} from '../../../lambdas/core/manifests.js';

describe('HLS master playlist', () => {
  const text = hlsMasterPlaylist({
    audio: { uri: 'audio/index.m3u8', name: 'Audio', channels: 2 },
    variants: [
      { uri: 'r1/index.m3u8', bandwidth: 900_000, averageBandwidth: 800_000, width: 640, height: 360, codecs: 'avc1.64001e,mp4a.40.2', audioGroup: 'audio' },
      { uri: 'r0/index.m3u8', bandwidth: 3_500_000, averageBandwidth: 3_000_000, width: 1280, height: 720, codecs: 'avc1.64001f,mp4a.40.2', frameRate: 25, audioGroup: 'audio' },
    ],
  });

  it('round-trips through parseMasterPlaylist, highest bandwidth first', () => {
    expect(text.startsWith('#EXTM3U\n')).toBe(true);
    const parsed = parseMasterPlaylist(text);
    expect(parsed.map((v) => v.uri)).toEqual(['r0/index.m3u8', 'r1/index.m3u8']);
    expect(parsed[0].attrs).toEqual({
      BANDWIDTH: '3500000',
      'AVERAGE-BANDWIDTH': '3000000',
      RESOLUTION: '1280x720',
      'FRAME-RATE': '25.000',
      CODECS: 'avc1.64001f,mp4a.40.2',
      AUDIO: 'audio',
    });
    expect(parsed[1].attrs).toMatchObject({ BANDWIDTH: '900000', RESOLUTION: '640x360', CODECS: 'avc1.64001e,mp4a.40.2' });
  });

  it('declares the audio rendition group', () => {
    expect(text).toMatch(/^#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",.*CHANNELS="2",URI="audio\/index.m3u8"$/m);
  });

  it('omits the audio group when there is no audio', () => {
    const t = hlsMasterPlaylist({ audio: null, variants: [{ uri: 'a.m3u8', bandwidth: 1, averageBandwidth: 1, codecs: 'avc1.42c01e' }] });
    expect(t).not.toContain('#EXT-X-MEDIA');
    expect(parseMasterPlaylist(t)[0].attrs).toEqual({ BANDWIDTH: '1', 'AVERAGE-BANDWIDTH': '1', CODECS: 'avc1.42c01e' });
  });
});

describe('parseMediaPlaylist', () => {
  it('reads an ffmpeg fMP4 playlist', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:4.004000,',
      'seg_000.m4s',
      '#EXTINF:4.004000,',
      'seg_001.m4s',
      '#EXTINF:1.968633,',
      'seg_002.m4s',
      '#EXT-X-ENDLIST',
      '',
    ].join('\r\n');
    expect(parseMediaPlaylist(text)).toEqual({
      initUri: 'init.mp4',
      targetDuration: 4,
      segments: [
        { uri: 'seg_000.m4s', durationSec: 4.004 },
        { uri: 'seg_001.m4s', durationSec: 4.004 },
        { uri: 'seg_002.m4s', durationSec: 1.968633 },
      ],
    });
  });

  it('rejects text that is not a playlist', () => {
    expect(() => parseMediaPlaylist('<MPD/>')).toThrow(/#EXTM3U/);
  });
});

describe('DASH manifest', () => {
  const segs = (durs: number[]) => durs.map((d, i) => ({ uri: `seg_${i}.m4s`, durationSec: d }));
  const videoDurs = [4.004, 4.004, 4.004, 4.004, 1.001];
  const reps: DashRepresentation[] = [
    { id: 'r0', kind: 'video', bandwidth: 3_000_000, codecs: 'avc1.64001f', width: 1280, height: 720, frameRate: '30000/1001', baseUrl: '../hls/r0/', initUri: 'init.mp4', segments: segs(videoDurs) },
    { id: 'r1', kind: 'video', bandwidth: 900_000, codecs: 'avc1.64001e', width: 640, height: 360, frameRate: '30000/1001', baseUrl: '../hls/r1/', initUri: 'init.mp4', segments: segs(videoDurs) },
    { id: 'audio', kind: 'audio', bandwidth: 128_000, codecs: 'mp4a.40.2', audioChannels: 2, sampleRate: 48000, baseUrl: '../hls/audio/', initUri: 'init.mp4', segments: segs([4.0213, 3.9893, 4.0107, 4.0, 1.0]) },
  ];
  const mpd = dashManifest({ durationSec: 17.017, minBufferSec: 8, representations: reps });

  it('round-trips rung ids, sizes and segment counts', () => {
    expect(parseDashRepresentations(mpd)).toEqual([
      { id: 'r0', width: 1280, height: 720, bandwidth: 3_000_000, segments: 5 },
      { id: 'r1', width: 640, height: 360, bandwidth: 900_000, segments: 5 },
      { id: 'audio', width: undefined, height: undefined, bandwidth: 128_000, segments: 5 },
    ]);
    expect(mpd).toContain('mediaPresentationDuration="PT17.017S"');
    expect(mpd).toContain('maxSegmentDuration="PT4.021S"');
  });

  it('writes SegmentTimelines whose durations sum to the total within 1 ms, with contiguous starts', () => {
    const blocks = [...mpd.matchAll(/<Representation id="([^"]+)"[\s\S]*?<\/Representation>/g)];
    expect(blocks).toHaveLength(3);
    for (const [block, id] of blocks) {
      const s = [...block.matchAll(/<S t="(\d+)" d="(\d+)"\/>/g)].map((m) => ({ t: Number(m[1]), d: Number(m[2]) }));
      const durs = reps.find((r) => r.id === id)!.segments.map((x) => x.durationSec);
      expect(s).toHaveLength(durs.length);
      const total = durs.reduce((a, b) => a + b, 0) * 1000;
      expect(Math.abs(s.reduce((a, x) => a + x.d, 0) - total)).toBeLessThanOrEqual(1);
      for (let i = 1; i < s.length; i++) expect(s[i].t).toBe(s[i - 1].t + s[i - 1].d);
    }
  });
});

describe('avcCodecString', () => {
  it('reads profile, compatibility and level from the avcC box', () => {
    const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const bytes = new Uint8Array([0, 0, 0, 0x30, ...ascii('avc1'), 0, 0, 0, 0x20, ...ascii('avcC'), 1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0, 0x19]);
    expect(avcCodecString(bytes)).toBe('avc1.64001f');
  });
  it('returns null without an avcC box', () => {
    expect(avcCodecString(new Uint8Array(64))).toBeNull();
  });
});

describe('segmentBandwidth', () => {
  it('gives peak and average bits per second, rounded up', () => {
    const r = segmentBandwidth([
      { durationSec: 4, bytes: 1_000_000 },
      { durationSec: 4, bytes: 2_000_000 },
      { durationSec: 2, bytes: 250_001 },
    ]);
    expect(r.peak).toBe(4_000_000);
    expect(r.average).toBe(Math.ceil((3_250_001 * 8) / 10));
  });
  it('ignores zero-length segments for the peak and handles no segments', () => {
    expect(segmentBandwidth([{ durationSec: 0, bytes: 100 }, { durationSec: 1, bytes: 10 }]).peak).toBe(80);
    expect(segmentBandwidth([])).toEqual({ peak: 0, average: 0 });
  });
});
