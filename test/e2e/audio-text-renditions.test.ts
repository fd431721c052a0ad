/**
 * Audio and text as they come: a Matroska source with three audio tracks (French, English as the
 * default, a German 5.1 track starting late), an SRT and an ASS subtitle, plus a sidecar WebVTT
 * caption, encoded by the embedded engine. Each audio track carries a 1 kHz tone burst at a known
 * source time, so alignment is measured, not assumed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobReport } from '../../lambdas/contracts/index.js';
import { parseDashAdaptationSets, parseMasterMedia, parseMasterPlaylist, parseMediaPlaylist } from '../../lambdas/core/manifests.js';
import { parseWebVtt } from '../../lambdas/core/webvtt.js';
import { LocalEngine } from '../../local/engine.js';
import { decode, FFMPEG, FFPROBE, run, tempDir } from '../helpers/media.js';

const FPS = 25;
const SECONDS = 4;
/** Source times (the file's own timeline) of each track's tone burst. */
const BURST = { fra: 1.5, eng: 1.0, ger: 2.0 };
/** The German track starts this late (its packets are offset), so its burst is at BURST.ger + LATE. */
const LATE = 0.5;
/** The video starts this late: the French and English audio start before it (early-starting audio). */
const VIDEO_LATE = 0.3;

/** A tone burst at `at` s of the track's own time: mono, stereo, or 5.1 with the burst on the front left only. */
function burst(at: number, seconds: number, layout: 'mono' | 'stereo' | '5.1'): string {
  const tone = `if(between(t\\,${at}\\,${at + 0.2})\\,0.8*sin(2*PI*1000*t)\\,0)`;
  const exprs = { mono: tone, stereo: `${tone}|${tone}`, '5.1': `${tone}|0|0|0|0|0` }[layout];
  return `aevalsrc=${exprs}:sample_rate=48000:d=${seconds}:channel_layout=${layout}`;
}

/** The source: video 4 s, three audio tracks (English default), two subtitle tracks (the French ASS default). */
function makeSource(dir: string): string {
  const srt = join(dir, 'eng.srt');
  writeFileSync(srt, '1\n00:00:01,000 --> 00:00:02,000\nHello <i>there</i>\n\n2\n00:00:03,000 --> 00:00:03,500\nFish & chips\n');
  const ass = join(dir, 'fra.ass');
  writeFileSync(
    ass,
    [
      '[Script Info]', 'ScriptType: v4.00+', 'PlayResX: 384', 'PlayResY: 288', '',
      '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
      'Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0', '',
      '[Events]', 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
      'Dialogue: 0,0:00:02.50,0:00:03.50,Default,,0,0,0,,{\\b1}Bonjour{\\b0} le monde', '',
    ].join('\n'),
  );
  const parts = join(dir, 'parts.mkv');
  const mk = run(FFMPEG, [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${FPS}`,
    '-f', 'lavfi', '-i', burst(BURST.fra, SECONDS, 'mono'),
    '-f', 'lavfi', '-i', burst(BURST.eng, SECONDS, 'stereo'),
    '-f', 'lavfi', '-i', burst(BURST.ger, SECONDS - LATE, '5.1'),
    '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:a', '-t', String(SECONDS),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(FPS), '-pix_fmt', 'yuv420p', '-c:a', 'aac', parts,
  ]);
  if (mk.code !== 0) throw new Error(mk.stderr);
  const src = join(dir, 'source.mkv');
  const mux = run(FFMPEG, [
    '-hide_banner', '-v', 'error', '-y',
    '-itsoffset', String(VIDEO_LATE), '-i', parts, '-i', parts, '-itsoffset', String(LATE), '-i', parts, '-i', srt, '-i', ass,
    '-map', '0:v', '-map', '1:a:0', '-map', '1:a:1', '-map', '2:a:2', '-map', '3', '-map', '4', '-c', 'copy',
    '-metadata:s:a:0', 'language=fra', '-metadata:s:a:1', 'language=eng', '-metadata:s:a:2', 'language=ger',
    '-metadata:s:s:0', 'language=eng', '-metadata:s:s:1', 'language=fre',
    '-disposition:a:0', '0', '-disposition:a:1', 'default', '-disposition:a:2', '0',
    '-disposition:s:0', '0', '-disposition:s:1', 'default',
    src,
  ]);
  if (mux.code !== 0) throw new Error(mux.stderr);
  return src;
}

/** Seconds from the start of a decoded audio stream to its first loud sample, and its decoded length. */
function burstOnset(file: string, track = 0): { onsetSec: number | null; durationSec: number } {
  const hls = file.endsWith('.m3u8') ? ['-allowed_extensions', 'ALL'] : [];
  const r = spawnSync(FFMPEG, ['-v', 'error', ...hls, '-i', file, '-map', `0:a:${track}`, '-ac', '1', '-ar', '48000', '-f', 's16le', '-'], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`cannot decode ${file}: ${r.stderr}`);
  const samples = new Int16Array(r.stdout.buffer, r.stdout.byteOffset, Math.floor(r.stdout.length / 2));
  // Loud relative to the stream's peak: a down-mix (5.1 → mono here) scales the burst.
  const peak = samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const first = peak < 500 ? -1 : samples.findIndex((x) => Math.abs(x) > peak * 0.3);
  return { onsetSec: first < 0 ? null : first / 48000, durationSec: samples.length / 48000 };
}

let engine: LocalEngine;
let source: string;
let jobDir: string;
let report: JobReport;
let master: string;
let mpd: string;

beforeAll(async () => {
  const dir = tempDir();
  const src = (source = makeSource(dir));
  engine = await LocalEngine.open({
    root: join(dir, 'out'),
    runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
  });
  const side = join(dir, 'side.vtt');
  writeFileSync(side, 'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nSidecar first\n\n00:00:03.000 --> 00:00:05.000\nSidecar past the end\n');
  await engine.blobs.upload(side, 'captions/side.vtt', 'text/vtt');
  const { job } = await engine.submitFile(src, {
    preset: 'draft',
    outputs: { hls: true, dash: true, thumbnails: false, quality: false },
    captions: [{ key: 'captions/side.vtt', language: 'es', label: 'Español (CC)' }],
  });
  const done = await engine.run(job.id);
  expect(done.error).toBeNull();
  expect(done.status).toBe('SUCCEEDED');
  jobDir = join(dir, 'out', job.id);
  report = JSON.parse(readFileSync(join(jobDir, 'report.json'), 'utf8')) as JobReport;
  master = readFileSync(join(jobDir, 'hls', 'master.m3u8'), 'utf8');
  mpd = readFileSync(join(jobDir, 'dash', 'manifest.mpd'), 'utf8');
}, 120_000);

afterAll(() => engine?.close());

/** The conformed video's frame 0 in source time. */
const origin = () => report.source!.video.conform?.originSec ?? report.source!.video.startSec;
const videoSeconds = () => parseMediaPlaylist(readFileSync(join(jobDir, 'hls', report.rungs[0].id, 'index.m3u8'), 'utf8')).segments.reduce((t, s) => t + s.durationSec, 0);

describe('audio and text renditions end to end', () => {
  it('lists every audio track in master.m3u8 with its language, the default first, and every variant names the groups', () => {
    const audio = parseMasterMedia(master).filter((m) => m.TYPE === 'AUDIO');
    expect(audio.map((m) => [m.LANGUAGE, m.NAME, m.DEFAULT, m.CHANNELS, m.URI])).toEqual([
      ['en', 'English', 'YES', '2', 'a0/index.m3u8'],
      // Mono stays mono.
      ['fr', 'French', 'NO', '1', 'a1/index.m3u8'],
      ['de', 'German', 'NO', '2', 'a2/index.m3u8'],
    ]);
    for (const v of parseMasterPlaylist(master)) expect(v.attrs, v.uri).toMatchObject({ AUDIO: 'audio', SUBTITLES: 'subs', CODECS: expect.stringContaining('mp4a.40.2') });
    expect(report.audioTracks.map((t) => [t.id, t.language, t.sourceTrack, t.sourceChannels, t.channels])).toEqual([
      ['a0', 'en', 1, 2, 2],
      ['a1', 'fr', 0, 1, 1],
      ['a2', 'de', 2, 6, 2],
    ]);
  });

  it('lists every subtitle rendition in master.m3u8 (source tracks with the default first, then the sidecar)', () => {
    const subs = parseMasterMedia(master).filter((m) => m.TYPE === 'SUBTITLES');
    expect(subs.map((m) => [m['GROUP-ID'], m.LANGUAGE, m.NAME, m.DEFAULT, m.AUTOSELECT, m.URI])).toEqual([
      ['subs', 'fr', 'French', 'YES', 'YES', 's0/index.m3u8'],
      ['subs', 'en', 'English', 'NO', 'YES', 's1/index.m3u8'],
      ['subs', 'es', 'Español (CC)', 'NO', 'YES', 's2/index.m3u8'],
    ]);
    expect(report.subtitles.map((s) => [s.id, s.from, s.vtt])).toEqual([
      ['s0', 'track', 'hls/s0/subtitles.vtt'],
      ['s1', 'track', 'hls/s1/subtitles.vtt'],
      ['s2', 'sidecar', 'hls/s2/subtitles.vtt'],
    ]);
  });

  it('lists the same renditions in manifest.mpd: one AdaptationSet per audio track with lang and Role, text/vtt sets', () => {
    const sets = parseDashAdaptationSets(mpd);
    expect(sets.filter((s) => s.contentType === 'audio').map((s) => [s.lang, s.role, s.label, s.representations[0].id])).toEqual([
      ['en', 'main', 'English', 'a0'],
      ['fr', 'alternate', 'French', 'a1'],
      ['de', 'alternate', 'German', 'a2'],
    ]);
    expect(sets.filter((s) => s.contentType === 'text').map((s) => [s.mimeType, s.lang, s.label, s.representations[0].baseUrl])).toEqual([
      ['text/vtt', 'fr', 'French', '../hls/s0/subtitles.vtt'],
      ['text/vtt', 'en', 'English', '../hls/s1/subtitles.vtt'],
      ['text/vtt', 'es', 'Español (CC)', '../hls/s2/subtitles.vtt'],
    ]);
  });

  it('every audio rendition decodes, lasts as long as the video (within a frame) and its burst is where the source had it', () => {
    // The video starts after the audio: an origin that was not applied would show here.
    expect(origin()).toBeGreaterThan(VIDEO_LATE - 0.01);
    const video = videoSeconds();
    expect(Math.abs(video - SECONDS)).toBeLessThanOrEqual(1 / FPS + 1e-6);
    for (const t of report.audioTracks) {
      // The burst's source time: where it decodes in its own stream, plus where that stream starts.
      const src = report.source!.audioTracks.find((a) => a.index === t.sourceTrack)!;
      const burstAt = burstOnset(source, t.sourceTrack).onsetSec! + src.startSec;
      expect(burstAt, t.id).toBeCloseTo({ a0: BURST.eng, a1: BURST.fra, a2: BURST.ger + LATE }[t.id]!, 1);
      const playlist = join(jobDir, t.playlist!);
      const d = decode(playlist, 'a');
      expect(d.code, `${t.id}: ${d.errors}`).toBe(0);
      expect(d.errors, t.id).toBe('');
      const segs = parseMediaPlaylist(readFileSync(playlist, 'utf8')).segments.reduce((s, x) => s + x.durationSec, 0);
      expect(Math.abs(segs - video), `${t.id} playlist ${segs} s vs video ${video} s`).toBeLessThanOrEqual(1 / FPS);
      const { onsetSec, durationSec } = burstOnset(playlist);
      expect(Math.abs(durationSec - video), `${t.id} decoded ${durationSec} s vs video ${video} s`).toBeLessThanOrEqual(1 / FPS);
      expect(onsetSec, t.id).not.toBeNull();
      // Where the source had it, relative to the video's first frame (the segments' AAC priming is 21 ms).
      expect(Math.abs(onsetSec! - (burstAt - origin())), `${t.id} burst at ${onsetSec} s, source ${burstAt} s, origin ${origin()} s`).toBeLessThanOrEqual(1 / FPS);
    }
  });

  it('the 5.1 track came out stereo AAC', () => {
    const r = run(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,channels', '-of', 'json', join(jobDir, 'hls', 'a2', 'init.mp4')]);
    expect(JSON.parse(r.stdout).streams).toEqual([{ codec_name: 'aac', channels: 2 }]);
    expect(report.source!.audioTracks.find((t) => t.index === 2)?.channels).toBe(6);
  });

  it('every subtitle rendition decodes as WebVTT with its cues where the source had them, relative to the video', () => {
    const o = origin();
    const expected: Record<string, [number, number, string][]> = {
      s0: [[2.5 - o, 3.5 - o, '<b>Bonjour</b> le monde']],
      s1: [[1 - o, 2 - o, 'Hello <i>there</i>'], [3 - o, 3.5 - o, 'Fish &amp; chips']],
      // Sidecar cues are relative to the first frame already; the second is cut at the video's end.
      s2: [[0.5, 1.5, 'Sidecar first'], [3, videoSeconds(), 'Sidecar past the end']],
    };
    for (const s of report.subtitles) {
      const file = join(jobDir, s.vtt!);
      const d = run(FFMPEG, ['-hide_banner', '-v', 'error', '-i', file, '-f', 'webvtt', '-']);
      expect(d.code, `${s.id}: ${d.stderr}`).toBe(0);
      const cues = parseWebVtt(readFileSync(file, 'utf8')).cues;
      expect(cues.length, s.id).toBe(expected[s.id].length);
      cues.forEach((c, i) => {
        const [start, end, text] = expected[s.id][i];
        expect(Math.abs(c.startSec - start), `${s.id} cue ${i} start ${c.startSec}`).toBeLessThanOrEqual(0.002);
        expect(Math.abs(c.endSec - end), `${s.id} cue ${i} end ${c.endSec}`).toBeLessThanOrEqual(0.002);
        expect(c.text).toBe(text);
      });
      const playlist = parseMediaPlaylist(readFileSync(join(jobDir, s.playlist!), 'utf8'));
      expect(playlist.segments).toEqual([{ uri: 'subtitles.vtt', durationSec: expect.closeTo(videoSeconds(), 2) }]);
    }
  });
});

describe('short 8 kHz mono, long audio and mov_text in MP4', () => {
  it('pads the short track and cuts the long one to the video, and keeps the mov_text cue times', async () => {
    const dir = tempDir();
    const srt = join(dir, 'cc.srt');
    writeFileSync(srt, '1\n00:00:00,500 --> 00:00:01,250\nTimed text\n');
    const src = join(dir, 'source.mp4');
    const mk = run(FFMPEG, [
      '-hide_banner', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=${FPS}:duration=3`,
      '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=8000:duration=1.5',
      '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=44100:duration=10',
      '-i', srt,
      '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'mov_text',
      '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=spa', '-metadata:s:s:0', 'language=eng',
      src,
    ]);
    expect(mk.code, mk.stderr).toBe(0);
    const eng = await LocalEngine.open({
      root: join(dir, 'out'),
      runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
    });
    try {
      const { job } = await eng.submitFile(src, { preset: 'draft', outputs: { hls: true, dash: true, thumbnails: false, quality: false } });
      const done = await eng.run(job.id);
      expect(done.error).toBeNull();
      const out = join(dir, 'out', job.id);
      const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as JobReport;
      expect(r.source!.subtitles.map((s) => s.codec)).toEqual(['mov_text']);
      const video = parseMediaPlaylist(readFileSync(join(out, 'hls', r.rungs[0].id, 'index.m3u8'), 'utf8')).segments.reduce((t, s) => t + s.durationSec, 0);
      expect(r.audioTracks.map((t) => [t.language, t.sourceChannels, t.channels])).toEqual([
        ['en', 1, 1],
        ['es', 1, 1],
      ]);
      for (const t of r.audioTracks) {
        const { durationSec, onsetSec } = burstOnset(join(out, t.playlist!));
        expect(Math.abs(durationSec - video), `${t.id}: ${durationSec} s vs video ${video} s`).toBeLessThanOrEqual(1 / FPS);
        expect(onsetSec, `${t.id} has sound`).not.toBeNull();
      }
      const o = r.source!.video.conform?.originSec ?? r.source!.video.startSec;
      const cues = parseWebVtt(readFileSync(join(out, r.subtitles[0].vtt!), 'utf8')).cues;
      expect(cues.map((c) => [c.text, Math.round((c.startSec + o) * 1000), Math.round((c.endSec + o) * 1000)])).toEqual([['Timed text', 500, 1250]]);
      expect(parseMasterMedia(readFileSync(join(out, 'hls', 'master.m3u8'), 'utf8')).map((m) => `${m.TYPE}:${m.LANGUAGE}`)).toEqual(['AUDIO:en', 'AUDIO:es', 'SUBTITLES:en']);
    } finally {
      eng.close();
    }
  }, 60_000);
});

describe('a sidecar that is not SRT or WebVTT', () => {
  it('fails the job with Mosaic.InputInvalid naming the caption, and publishes nothing', async () => {
    const dir = tempDir();
    const src = join(dir, 'clip.mp4');
    const mk = run(FFMPEG, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=${FPS}:duration=1`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', src]);
    expect(mk.code, mk.stderr).toBe(0);
    const eng = await LocalEngine.open({
      root: join(dir, 'out'),
      runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
    });
    try {
      // A playlist dressed as captions: it must never be opened by a demuxer that follows its entries.
      const bad = join(dir, 'evil.vtt');
      writeFileSync(bad, `#EXTM3U\n#EXTINF:1,\n${src}\n#EXT-X-ENDLIST\n`);
      await eng.blobs.upload(bad, 'captions/evil.vtt', 'text/vtt');
      const { job } = await eng.submitFile(src, { preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false }, captions: [{ key: 'captions/evil.vtt', language: 'en', label: 'CC' }] });
      const done = await eng.run(job.id);
      expect(done.status).toBe('FAILED');
      expect(done.error).toMatchObject({ code: 'Mosaic.InputInvalid', message: expect.stringContaining('caption captions/evil.vtt is neither WebVTT') });
      expect(done.error!.message).not.toMatch(/\n/);
      expect(existsSync(join(dir, 'out', job.id, 'hls')), 'partial outputs removed').toBe(false);
    } finally {
      eng.close();
    }
  }, 60_000);
});
