import { describe, expect, it } from 'vitest';
import {
  avcCodecString,
  dashManifest,
  HLS_AUDIO_GROUP,
  HLS_SUBTITLE_GROUP,
  hlsMasterPlaylist,
  hlsSubtitlePlaylist,
  parseDashAdaptationSets,
  parseDashRepresentations,
  parseMasterMedia,
  parseMasterPlaylist,
  parseMediaPlaylist,
  segmentBandwidth,
  type DashRepresentation,
} from '../../../lambdas/core/manifests.js';

describe('HLS master playlist', () => {
  const text = hlsMasterPlaylist({
    audio: [
      { uri: 'a0/index.m3u8', name: 'English', language: 'en', default: true, channels: 2 },
      { uri: 'a1/index.m3u8', name: 'French', language: 'fr', default: false, channels: 1 },
    ],
    subtitles: [
      { uri: 's0/index.m3u8', name: 'English', language: 'en', default: false },
      { uri: 's1/index.m3u8', name: 'Director "cut"\nnotes', language: 'fr', default: false },
    ],
    variants: [
      { uri: 'r1/index.m3u8', bandwidth: 900_000, averageBandwidth: 800_000, width: 640, height: 360, codecs: 'avc1.64001e,mp4a.40.2' },
      { uri: 'r0/index.m3u8', bandwidth: 3_500_000, averageBandwidth: 3_000_000, width: 1280, height: 720, codecs: 'avc1.64001f,mp4a.40.2', frameRate: 25 },
    ],
  });

  it('round-trips through parseMasterPlaylist, highest bandwidth first, every variant naming both groups', () => {
    expect(text.startsWith('#EXTM3U\n')).toBe(true);
    const parsed = parseMasterPlaylist(text);
    expect(parsed.map((v) => v.uri)).toEqual(['r0/index.m3u8', 'r1/index.m3u8']);
    expect(parsed[0].attrs).toEqual({
      BANDWIDTH: '3500000',
      'AVERAGE-BANDWIDTH': '3000000',
      RESOLUTION: '1280x720',
      'FRAME-RATE': '25.000',
      CODECS: 'avc1.64001f,mp4a.40.2',
      AUDIO: HLS_AUDIO_GROUP,
      SUBTITLES: HLS_SUBTITLE_GROUP,
    });
    expect(parsed[1].attrs).toMatchObject({ BANDWIDTH: '900000', RESOLUTION: '640x360', CODECS: 'avc1.64001e,mp4a.40.2', AUDIO: 'audio', SUBTITLES: 'subs' });
  });

  it('lists every audio rendition in order with its language, one DEFAULT=YES, and its channels', () => {
    const audio = parseMasterMedia(text).filter((m) => m.TYPE === 'AUDIO');
    expect(audio).toEqual([
      { TYPE: 'AUDIO', 'GROUP-ID': 'audio', LANGUAGE: 'en', NAME: 'English', DEFAULT: 'YES', AUTOSELECT: 'YES', CHANNELS: '2', URI: 'a0/index.m3u8' },
      { TYPE: 'AUDIO', 'GROUP-ID': 'audio', LANGUAGE: 'fr', NAME: 'French', DEFAULT: 'NO', AUTOSELECT: 'YES', CHANNELS: '1', URI: 'a1/index.m3u8' },
    ]);
    expect(text.indexOf('#EXT-X-MEDIA')).toBeLessThan(text.indexOf('#EXT-X-STREAM-INF'));
  });

  it('lists subtitle renditions in the subs group; a quote or newline in a name cannot break the tag', () => {
    const subs = parseMasterMedia(text).filter((m) => m.TYPE === 'SUBTITLES');
    expect(subs.map((m) => [m['GROUP-ID'], m.LANGUAGE, m.NAME, m.DEFAULT, m.AUTOSELECT, m.URI])).toEqual([
      ['subs', 'en', 'English', 'NO', 'YES', 's0/index.m3u8'],
      ['subs', 'fr', 'Director  cut  notes', 'NO', 'YES', 's1/index.m3u8'],
    ]);
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-MEDIA:TYPE=SUBTITLES'))).toHaveLength(2);
  });

  it('marks at most one rendition per group DEFAULT=YES (the first flagged)', () => {
    const t = hlsMasterPlaylist({
      audio: [
        { uri: 'a0.m3u8', name: 'A', language: 'en', default: true, channels: 2 },
        { uri: 'a1.m3u8', name: 'B', language: 'en', default: true, channels: 2 },
      ],
      subtitles: [{ uri: 's0.m3u8', name: 'S', language: 'de', default: true }],
      variants: [{ uri: 'v.m3u8', bandwidth: 1, averageBandwidth: 1, codecs: 'avc1.42c01e' }],
    });
    expect(parseMasterMedia(t).map((m) => `${m.TYPE}:${m.DEFAULT}`)).toEqual(['AUDIO:YES', 'AUDIO:NO', 'SUBTITLES:YES']);
  });

  it('omits the groups when there is no audio and no text', () => {
    const t = hlsMasterPlaylist({ audio: [], variants: [{ uri: 'a.m3u8', bandwidth: 1, averageBandwidth: 1, codecs: 'avc1.42c01e' }] });
    expect(t).not.toContain('#EXT-X-MEDIA');
    expect(parseMasterPlaylist(t)[0].attrs).toEqual({ BANDWIDTH: '1', 'AVERAGE-BANDWIDTH': '1', CODECS: 'avc1.42c01e' });
  });
});

describe('HLS subtitle playlist', () => {
  it('is one WebVTT segment covering the presentation', () => {
    const t = hlsSubtitlePlaylist({ uri: 'subtitles.vtt', durationSec: 7.04 });
    expect(parseMediaPlaylist(t)).toEqual({ initUri: null, targetDuration: 8, segments: [{ uri: 'subtitles.vtt', durationSec: 7.04 }] });
    expect(t).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(t.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
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
    { id: 'a0', kind: 'audio', bandwidth: 128_000, codecs: 'mp4a.40.2', audioChannels: 2, sampleRate: 48000, language: 'en', label: 'English', default: true, baseUrl: '../hls/a0/', initUri: 'init.mp4', segments: segs([4.0213, 3.9893, 4.0107, 4.0, 1.0]) },
    { id: 'a1', kind: 'audio', bandwidth: 96_000, codecs: 'mp4a.40.2', audioChannels: 1, sampleRate: 48000, language: 'fr', label: 'Français', default: false, baseUrl: '../hls/a1/', initUri: 'init.mp4', segments: segs([4.0213, 3.9893, 4.0107, 4.0, 1.0]) },
    { id: 's0', kind: 'text', bandwidth: 300, language: 'en', label: 'Commentary <& "notes">', baseUrl: '../hls/s0/subtitles.vtt', segments: [] },
  ];
  const mpd = dashManifest({ durationSec: 17.017, minBufferSec: 8, representations: reps });

  it('round-trips rung ids, sizes and segment counts', () => {
    expect(parseDashRepresentations(mpd)).toEqual([
      { id: 'r0', width: 1280, height: 720, bandwidth: 3_000_000, segments: 5 },
      { id: 'r1', width: 640, height: 360, bandwidth: 900_000, segments: 5 },
      { id: 'a0', width: undefined, height: undefined, bandwidth: 128_000, segments: 5 },
      { id: 'a1', width: undefined, height: undefined, bandwidth: 96_000, segments: 5 },
      { id: 's0', width: undefined, height: undefined, bandwidth: 300, segments: 0 },
    ]);
    expect(mpd).toContain('mediaPresentationDuration="PT17.017S"');
    expect(mpd).toContain('maxSegmentDuration="PT4.021S"');
  });

  it('writes SegmentTimelines whose durations sum to the total within 1 ms, with contiguous starts', () => {
    const blocks = [...mpd.matchAll(/<Representation id="([^"]+)"[\s\S]*?<\/Representation>/g)].filter((b) => b[0].includes('SegmentTimeline'));
    expect(blocks).toHaveLength(4);
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

describe('DASH adaptation sets', () => {
  const segs = [{ uri: 'seg_0.m4s', durationSec: 2 }];
  const mpd = dashManifest({
    durationSec: 2,
    minBufferSec: 4,
    representations: [
      { id: 'r0', kind: 'video', bandwidth: 1, codecs: 'avc1.42c01e', width: 320, height: 180, baseUrl: '../hls/r0/', initUri: 'init.mp4', segments: segs },
      { id: 'a0', kind: 'audio', bandwidth: 1, codecs: 'mp4a.40.2', audioChannels: 2, sampleRate: 48000, language: 'en', label: 'English', default: true, baseUrl: '../hls/a0/', initUri: 'init.mp4', segments: segs },
      { id: 'a1', kind: 'audio', bandwidth: 1, codecs: 'mp4a.40.2', audioChannels: 2, sampleRate: 48000, language: 'fr', label: 'French', default: false, baseUrl: '../hls/a1/', initUri: 'init.mp4', segments: segs },
      { id: 's0', kind: 'text', bandwidth: 300, language: 'en', label: 'Commentary <& "notes">', baseUrl: '../hls/s0/subtitles.vtt', segments: [] },
    ],
  });

  it('has one set per audio track (lang, Role main for the default, alternate otherwise) and a text/vtt set per text track', () => {
    expect(parseDashAdaptationSets(mpd).map(({ contentType, mimeType, lang, role, label, representations }) => ({ contentType, mimeType, lang, role, label, representations }))).toEqual([
      { contentType: 'video', mimeType: 'video/mp4', lang: null, role: null, label: null, representations: [{ id: 'r0', baseUrl: '../hls/r0/' }] },
      { contentType: 'audio', mimeType: 'audio/mp4', lang: 'en', role: 'main', label: 'English', representations: [{ id: 'a0', baseUrl: '../hls/a0/' }] },
      { contentType: 'audio', mimeType: 'audio/mp4', lang: 'fr', role: 'alternate', label: 'French', representations: [{ id: 'a1', baseUrl: '../hls/a1/' }] },
      { contentType: 'text', mimeType: 'text/vtt', lang: 'en', role: 'subtitle', label: 'Commentary <& "notes">', representations: [{ id: 's0', baseUrl: '../hls/s0/subtitles.vtt' }] },
    ]);
  });

  it('escapes labels as XML and gives the text set no SegmentList', () => {
    expect(mpd).toContain('<Label>Commentary &lt;&amp; &quot;notes&quot;&gt;</Label>');
    const text = /<AdaptationSet [^>]*contentType="text"[\s\S]*?<\/AdaptationSet>/.exec(mpd)![0];
    expect(text).not.toContain('SegmentList');
    expect(new Set([...mpd.matchAll(/<AdaptationSet id="(\d+)"/g)].map((m) => m[1])).size).toBe(4);
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
