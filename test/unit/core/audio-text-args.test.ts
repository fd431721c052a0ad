import { describe, expect, it } from 'vitest';
import { audioFilter, encodeAudioArgs } from '../../../lambdas/core/audio-args.js';
import { bcp47, languageName } from '../../../lambdas/core/languages.js';
import { sidecarFormat, sidecarToWebVttArgs, trackToWebVttArgs } from '../../../lambdas/core/subtitle-args.js';

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('encodeAudioArgs', () => {
  const base = { source: 'in.mkv', output: 'out.m4a', bitrateKbps: 128, channels: 2, sampleRate: 48000, durationSec: 7.04 };

  it('reads the source on its own timeline and moves the video origin to 0', () => {
    const args = encodeAudioArgs({ ...base, track: 2, originSec: 0.128 });
    expect(args.indexOf('-copyts')).toBeGreaterThan(-1);
    expect(args.indexOf('-copyts')).toBeLessThan(args.indexOf('-i'));
    expect(after(args, '-map')).toBe('0:a:2');
    // The AAC encoder's 1024 priming samples come first in every rendition: as much source is left out.
    expect(after(args, '-af')).toBe('asetpts=PTS-(0.128000)/TB,aresample=async=1:first_pts=0,atrim=start=0.021333,asetpts=PTS-STARTPTS,apad');
    expect(after(args, '-t')).toBe((7.04 - 1024 / 48000).toFixed(6));
    expect(after(args, '-ac')).toBe('2');
    expect(after(args, '-protocol_whitelist')).toBe('file,pipe');
  });

  it('a negative origin is written so the filter adds it back', () => {
    expect(audioFilter(-0.5)).toBe('asetpts=PTS-(-0.500000)/TB,aresample=async=1:first_pts=0,apad');
  });

  it('without an origin (rule-based renditions of an audio file) starts where the file starts, first stream', () => {
    const args = encodeAudioArgs({ ...base, codec: 'opus' });
    expect(args).not.toContain('-copyts');
    expect(after(args, '-map')).toBe('0:a:0');
    expect(after(args, '-af')).toBe('aresample=async=1:first_pts=0,apad');
    expect(after(args, '-ar')).toBe('48000');
    expect(args.at(-2)).toBe('webm');
  });
});

describe('subtitle arguments', () => {
  it('converts one subtitle stream on the source timeline', () => {
    const args = trackToWebVttArgs({ source: 'in.mkv', index: 1, output: 'raw.vtt' });
    expect(args).toContain('-copyts');
    expect(after(args, '-map')).toBe('0:s:1');
    expect(after(args, '-c:s')).toBe('webvtt');
  });

  it('reads a sidecar only with the subtitle demuxer its content shows, local files only', () => {
    const args = sidecarToWebVttArgs({ input: 'c.srt', format: 'srt', output: 'raw.vtt' });
    expect(after(args, '-f')).toBe('srt');
    expect(args.indexOf('-f')).toBeLessThan(args.indexOf('-i'));
    expect(after(args, '-format_whitelist')).toBe('srt,webvtt');
    expect(after(args, '-protocol_whitelist')).toBe('file,pipe');
  });

  it('tells WebVTT from SRT by content, and refuses anything else with a typed error', () => {
    expect(sidecarFormat('\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nhi', 'c.vtt')).toBe('webvtt');
    expect(sidecarFormat('WEBVTT - title\n', 'c.vtt')).toBe('webvtt');
    expect(sidecarFormat('1\r\n00:00:01,000 --> 00:00:02,500\r\nhi\r\n', 'c.srt')).toBe('srt');
    expect(sidecarFormat('00:00:01,000 --> 00:00:02,500\nhi\n', 'c.srt')).toBe('srt');
    for (const bad of ['#EXTM3U\n#EXTINF:1,\n/etc/passwd\n', "ffconcat version 1.0\nfile '/etc/passwd'\n", '', 'WEBVTTX\n'])
      expect(() => sidecarFormat(bad, 'x.vtt')).toThrow(expect.objectContaining({ name: 'Mosaic.InputInvalid', message: expect.stringContaining('x.vtt') }));
  });
});

describe('languages', () => {
  it('turns ISO 639-2 codes into BCP 47 and names them', () => {
    expect(['eng', 'fre', 'fra', 'ger', 'jpn', 'und', '', 'pt-BR', 'tlh', 'x!'].map((t) => bcp47(t))).toEqual(['en', 'fr', 'fr', 'de', 'ja', 'und', 'und', 'pt-BR', 'tlh', 'und']);
    expect(languageName('fra')).toBe('French');
    expect(languageName('en-GB')).toBe('English');
    expect(languageName('und')).toBeNull();
  });
});
