/**
 * The source corpus of issue 10: sources as users have them (phones, cameras, screen recorders,
 * odd encoders) and hostile uploads, each with the outcome `mosaic encode` must give. One
 * definition for the e2e test (test/e2e/source-corpus.test.ts) and `npm run bench -- corpus`.
 *
 * Every generated source is made with ffmpeg's lavfi sources and cached under
 * os.tmpdir()/mosaic-corpus-cache by a hash of the generator's arguments, so reruns only encode.
 * Hostile files (playlists naming local files, symlinks, directories) are written fresh per run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cliEnv, FFMPEG, ROOT, SHARED_MEDIA } from './media.js';
import { verifyLadder, verifyRefused, type LadderChecks } from './verify-ladder.js';

export type Expected = 'ok' | 'refused';

export interface CorpusCase {
  name: string;
  expect: Expected;
  /** Makes the source; returns its path, or `{ skip }` with the reason it cannot be made here. */
  make: (m: Maker) => string | { skip: string };
  /** For `ok`: what to check beyond what verify-ladder derives from the source itself. */
  checks?: LadderChecks;
  /** For `refused`: what the one line of reason must say. */
  says?: RegExp;
  /** Wall-clock bound for the CLI run (default 20 s refused, 120 s ok). */
  timeoutSec?: number;
  /** Kill the CLI (and its ffmpeg children) when their resident memory passes this (default 2048). */
  memoryMb?: number;
  /** Measure VMAF (slow with libvmaf 1.x): on for a few cases only. */
  vmaf?: boolean;
}

// ---- generators ------------------------------------------------------------------------------

export const CACHE_DIR = join(tmpdir(), 'mosaic-corpus-cache');
/** Bump to regenerate every cached source. */
const CACHE_VERSION = 1;

export class Maker {
  constructor(
    /** Fresh per run: hostile files, renamed copies. */
    readonly dir: string,
  ) {
    mkdirSync(CACHE_DIR, { recursive: true });
  }

  private cached(ext: string, key: unknown, make: (tmp: string) => void): string {
    const hash = createHash('sha256').update(JSON.stringify({ v: CACHE_VERSION, ffmpeg: FFMPEG, key })).digest('hex').slice(0, 20);
    const path = join(CACHE_DIR, `${hash}.${ext}`);
    if (existsSync(path)) return path;
    const tmp = join(CACHE_DIR, `.${hash}.${process.pid}.tmp.${ext}`);
    try {
      make(tmp);
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    return path;
  }

  /** ffmpeg `args` writing to a cached output of type `ext` (the output path is appended). */
  ff(ext: string, args: string[]): string {
    return this.cached(ext, args, (tmp) => {
      const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, tmp], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`cannot generate ${ext} with ffmpeg ${args.join(' ')}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    });
  }

  /** A cached file derived by `fn` from `inputs` (cached paths are content-named, so keys chain). */
  derive(ext: string, label: string, inputs: string[], fn: (out: string) => void): string {
    return this.cached(ext, { label, inputs }, fn);
  }

  /** A per-run file (names matter here, or content names other local files). */
  file(name: string, content: string | Buffer): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  copy(src: string, name: string): string {
    const p = join(this.dir, name);
    copyFileSync(src, p);
    return p;
  }
}

// lavfi building blocks
const video = (size: string, rate: number | string = 25, src = 'testsrc2') => ['-f', 'lavfi', '-i', `${src}${src.includes('=') ? ':' : '='}size=${size}:rate=${rate}`];
/** A 0.1 s beep at the start of every second: its onsets let verify-ladder measure A/V sync. */
const tone = (rate = 48000, freq = 1000) => ['-f', 'lavfi', '-i', `aevalsrc='if(lt(mod(t\\,1)\\,0.1)\\,0.5*sin(2*PI*${freq}*t)\\,0)':s=${rate}`];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const aac = ['-c:a', 'aac', '-b:a', '64k'];
const quiet265 = ['-x265-params', 'log-level=error'];

/** The plain case every other one varies: 320x180, 25 fps, 2 s, H.264 + AAC in MP4. */
function baseline(m: Maker): string {
  return m.ff('mp4', [...video('320x180'), ...tone(), '-t', '2', ...x264, '-g', '25', ...aac]);
}

/** A clip with B-frames (x264 "veryfast" keeps 3), GOP 1 s: the input of the edit-list cases. */
function withBFrames(m: Maker): string {
  return m.ff('mp4', [...video('320x180'), ...tone(), '-t', '4', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-g', '25', '-pix_fmt', 'yuv420p', ...aac]);
}

function rotated(m: Maker, degrees: number): string {
  const src = baseline(m);
  return m.derive('mp4', `rotate-${degrees}`, [src], (out) => ffOrThrow(['-i', src, '-c', 'copy', '-metadata:s:v:0', `rotate=${degrees}`, out]));
}

function png(m: Maker, size = '64x64'): string {
  return m.ff('png', ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=1`, '-frames:v', '1']);
}

export const SUBTITLE_TEXT = 'Hello corpus';
const SRT = `1\n00:00:00,200 --> 00:00:01,000\n${SUBTITLE_TEXT}\n\n2\n00:00:01,200 --> 00:00:01,800\nSecond cue\n`;
function srt(m: Maker): string {
  return m.derive('srt', 'srt', [SRT], (out) => writeFileSync(out, SRT));
}

/** Overwrites `length` bytes at `at` (a fraction of the size) with a fixed pattern. */
function corrupt(src: string, out: string, at: number, length: number): void {
  const b = Buffer.from(readFileSync(src));
  const start = Math.floor(b.length * at);
  for (let i = start; i < Math.min(b.length, start + length); i++) b[i] = (i * 37 + 11) & 0xff;
  writeFileSync(out, b);
}

function shared(name: string): (m: Maker) => string | { skip: string } {
  return () => {
    const p = join(SHARED_MEDIA, name);
    return existsSync(p) ? p : { skip: `${p} is absent (../shared/media is not beside this checkout)` };
  };
}

const REAL: LadderChecks = { sync: false };
const SIZE_REASON = /small|tiny|8 ?px|pixel|size|dimension|at least/i;

// ---- the cases -------------------------------------------------------------------------------

export const CASES: CorpusCase[] = [
  { name: 'baseline h264+aac 320x180', expect: 'ok', make: baseline },

  // Frame timing
  {
    name: 'vfr phone (jitter + dropped frames, mp4)',
    expect: 'ok',
    // 30 fps with every 10th frame 10 ms late, then every 13th dropped, timestamps kept (-vsync vfr).
    make: (m) =>
      m.ff('mp4', [...video('320x180', 30), ...tone(), '-t', '4', '-vf', "settb=1/90000,setpts='(N*3000+if(eq(mod(N\\,10)\\,5)\\,900\\,0))/90000/TB',select='not(eq(mod(n\\,13)\\,7))'", '-vsync', 'vfr', '-enc_time_base', '1/90000', '-video_track_timescale', '90000', ...x264, ...aac]),
  },
  {
    name: 'vfr screen recorder (1 s hold)',
    expect: 'ok',
    make: (m) => m.ff('mp4', [...video('320x180', 30), '-t', '4', '-vf', "select='lt(t\\,1)+gt(t\\,2)'", '-vsync', 'vfr', '-video_track_timescale', '90000', ...x264]),
  },
  {
    name: 'vfr rate change 30 -> 15 fps (mkv)',
    expect: 'ok',
    make: (m) => m.ff('mkv', [...video('320x180', 30), ...tone(), '-t', '4', '-vf', "select='lt(t\\,2.5)+eq(mod(n\\,2)\\,0)'", '-vsync', 'vfr', ...x264, ...aac]),
  },
  {
    name: 'edit list: stream-copy cut from a non-keyframe',
    expect: 'ok',
    // 100 packets in the file, the edit list starts playback at 1.3 s: a decoder outputs 67.
    make: (m) => m.derive('mp4', 'ss-copy-cut', [withBFrames(m)], (out) => ffOrThrow(['-ss', '1.3', '-i', withBFrames(m), '-c', 'copy', out])),
  },
  { name: 'edit list: B-frame priming (x264 bframes=3)', expect: 'ok', make: withBFrames },
  {
    name: 'negative start time (MPEG-PS at the 33-bit wrap)',
    expect: 'ok',
    // Timestamps start 0.5 s before the wrap: demuxers report start_time -0.5 s.
    make: (m) => m.ff('mpg', [...video('320x180'), ...tone(), '-t', '2', '-c:v', 'mpeg2video', '-b:v', '1M', '-c:a', 'mp2', '-muxdelay', '0', '-muxpreload', '0', '-output_ts_offset', '95443.217688', '-f', 'mpeg']),
  },
  { name: 'one frame', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180'), '-frames:v', '1', ...x264]) },
  { name: '0.1 s with audio', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180'), ...tone(), '-t', '0.1', ...x264, ...aac]) },
  { name: 'long GOP (keyint 600)', expect: 'ok', make: (m) => m.ff('mp4', [...video('160x90', 30), '-t', '20', ...x264, '-g', '600', '-keyint_min', '600', '-sc_threshold', '0']) },
  { name: '60 fps', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180', 60), ...tone(), '-t', '3', ...x264, ...aac]) },
  {
    name: '10 min of 64x36 at 5 fps',
    expect: 'ok',
    timeoutSec: 240,
    make: (m) => m.ff('mp4', [...video('64x36', 5), ...tone(8000), '-t', '600', ...x264, '-g', '10', '-c:a', 'aac', '-b:a', '16k', '-ac', '1']),
  },

  // Picture sizes and shapes
  { name: 'tiny 16x9', expect: 'ok', make: (m) => m.ff('mp4', [...video('16x9'), '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p']) },
  { name: '1x1', expect: 'refused', says: SIZE_REASON, make: (m) => m.ff('mp4', [...video('16x16'), '-vf', 'scale=1:1', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p']) },
  { name: '2x2', expect: 'refused', says: SIZE_REASON, make: (m) => m.ff('mp4', [...video('2x2'), '-t', '1', ...x264]) },
  { name: '4x4', expect: 'refused', says: SIZE_REASON, make: (m) => m.ff('mp4', [...video('4x4'), '-t', '1', ...x264]) },
  { name: 'huge 8200x2048', expect: 'refused', says: SIZE_REASON, make: (m) => m.ff('mp4', [...video('8200x2048', 1, 'color=c=gray'), '-frames:v', '1', ...x264]) },
  { name: '3840x2160 1 s', expect: 'ok', timeoutSec: 180, make: (m) => m.ff('mp4', [...video('3840x2160', 10), '-t', '1', ...x264]) },
  { name: 'portrait 360x640', expect: 'ok', make: (m) => m.ff('mp4', [...video('360x640'), ...tone(), '-t', '2', ...x264, ...aac]) },
  { name: 'square 240x240', expect: 'ok', make: (m) => m.ff('mp4', [...video('240x240'), '-t', '2', ...x264]) },
  { name: 'odd size 321x241 (MPEG-4 part 2 in AVI)', expect: 'ok', make: (m) => m.ff('avi', [...video('321x241'), ...tone(), '-t', '2', '-c:v', 'mpeg4', '-q:v', '4', '-c:a', 'mp3']) },
  {
    name: 'anamorphic 720x576 SAR 64:45',
    expect: 'ok',
    make: (m) => m.ff('mp4', [...video('720x576'), '-t', '1', '-vf', 'setsar=64/45', ...x264]),
  },
  // ffmpeg 4.1 drops the rotate tag when encoding, so it is set on a stream copy.
  { name: 'rotation 90 (display matrix)', expect: 'ok', make: (m) => rotated(m, 90) },
  { name: 'rotation -90 (display matrix)', expect: 'ok', make: (m) => rotated(m, 270) },

  // Interlaced: 50 fields/s woven into 25 frames (real combing), coded as interlaced. The picture is
  // testsrc, not testsrc2: idet calls progressive testsrc2 "TFF" (its fine moving stripes).
  {
    name: 'interlaced tff H.264 352x288',
    expect: 'ok',
    make: (m) => m.ff('mp4', [...video('352x288', 50, 'testsrc'), ...tone(), '-vf', 'interlace=scan=tff', '-t', '2', ...x264, '-flags', '+ildct+ilme', '-x264opts', 'tff=1', ...aac]),
  },
  {
    name: 'interlaced tff MPEG-2 576i 16:9 (PS)',
    expect: 'ok',
    make: (m) =>
      m.ff('mpg', [...video('720x576', 50, 'testsrc'), ...tone(), '-vf', 'interlace=scan=tff', '-t', '2', '-c:v', 'mpeg2video', '-flags', '+ildct+ilme', '-top', '1', '-b:v', '5M', '-aspect', '16:9', '-c:a', 'mp2', '-f', 'dvd']),
  },
  {
    // 360 lines: the draft rung keeps every line, so idet on it sees any combing left.
    name: 'interlaced bff MPEG-2 640x360 (PS)',
    expect: 'ok',
    make: (m) => m.ff('mpg', [...video('640x360', 50, 'testsrc'), '-vf', 'interlace=scan=bff', '-t', '2', '-c:v', 'mpeg2video', '-flags', '+ildct+ilme', '-top', '0', '-b:v', '4M', '-f', 'mpeg']),
  },

  // Bit depth, chroma, range, colour
  { name: 'H.264 10-bit (High 10)', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180'), '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le']) },
  { name: 'HEVC 10-bit (Main 10)', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180'), '-t', '1', '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', ...quiet265, '-tag:v', 'hvc1']) },
  { name: 'H.264 4:4:4', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180'), '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p']) },
  {
    name: 'full range (yuvj420p, color_range pc)',
    expect: 'ok',
    make: (m) => m.ff('mp4', [...video('320x180'), '-t', '1', '-vf', 'scale=out_range=full,format=yuvj420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-color_range', 'pc']),
  },
  {
    name: 'HDR PQ HEVC (BT.2020, smpte2084)',
    expect: 'ok',
    checks: { notes: /tone.?map/i },
    make: (m) =>
      m.ff('mp4', [
        ...video('320x180'), '-t', '1', '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1',
        '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc',
        '-x265-params', 'log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:hdr-opt=1:repeat-headers=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400',
      ]),
  },
  {
    name: 'HDR HLG HEVC (BT.2020, arib-std-b67)',
    expect: 'ok',
    checks: { notes: /tone.?map/i },
    make: (m) =>
      m.ff('mp4', [
        ...video('320x180'), '-t', '1', '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1',
        '-color_primaries', 'bt2020', '-color_trc', 'arib-std-b67', '-colorspace', 'bt2020nc',
        '-x265-params', 'log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc',
      ]),
  },

  // Codecs and containers
  { name: 'ProRes 422 (mov)', expect: 'ok', make: (m) => m.ff('mov', [...video('320x180'), ...tone(), '-t', '1', '-c:v', 'prores_ks', '-profile:v', '2', '-c:a', 'pcm_s16le']) },
  { name: 'MJPEG (avi, yuvj422p)', expect: 'ok', make: (m) => m.ff('avi', [...video('320x180'), ...tone(), '-t', '1', '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj422p', '-c:a', 'pcm_s16le']) },
  { name: 'VP9 + Opus (webm)', expect: 'ok', make: (m) => m.ff('webm', [...video('320x180'), ...tone(), '-t', '2', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus']) },
  { name: 'AV1 (libaom, mkv)', expect: 'ok', make: (m) => m.ff('mkv', [...video('160x90', 10), '-t', '1', '-c:v', 'libaom-av1', '-strict', 'experimental', '-cpu-used', '8', '-b:v', '100k']) },
  { name: 'GIF', expect: 'ok', make: (m) => m.ff('gif', [...video('160x90', 10), '-t', '2']) },
  {
    name: 'MPEG-2 TS with a 3 s timestamp jump',
    expect: 'ok',
    // Two TS recordings back to back, the second 3 s later (under ffmpeg's 10 s discontinuity fix-up).
    make: (m) => {
      const part = (offset: string) => m.ff('ts', [...video('320x180'), ...tone(), '-t', '2', '-c:v', 'mpeg2video', '-b:v', '1M', '-g', '12', '-c:a', 'mp2', '-output_ts_offset', offset, '-f', 'mpegts']);
      const a = part('0');
      const b = part('5');
      return m.derive('ts', 'cat', [a, b], (out) => writeFileSync(out, Buffer.concat([readFileSync(a), readFileSync(b)])));
    },
  },

  // Audio
  {
    name: 'three audio tracks eng/fra(default)/deu (mkv)',
    expect: 'ok',
    make: (m) =>
      m.ff('mkv', [
        ...video('320x180'), ...tone(48000, 1000), ...tone(48000, 1500), ...tone(44100, 700), '-t', '2',
        '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:a', ...x264, ...aac,
        '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-metadata:s:a:2', 'language=deu',
        '-disposition:a:0', '0', '-disposition:a:1', 'default', '-disposition:a:2', '0',
      ]),
  },
  {
    name: '5.1 audio (AAC 6 ch)',
    expect: 'ok',
    checks: { audioChannels: 2 },
    make: (m) => m.ff('mp4', [...video('320x180'), '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000', '-t', '2', '-filter_complex', '[1:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]', '-map', '0:v', '-map', '[a]', ...x264, '-c:a', 'aac', '-b:a', '192k']),
  },
  { name: '8 kHz mono audio', expect: 'ok', make: (m) => m.ff('mp4', [...video('320x180'), ...tone(8000), '-t', '2', ...x264, '-c:a', 'aac', '-b:a', '24k', '-ac', '1']) },
  {
    name: 'audio starts 0.5 s before video',
    expect: 'ok',
    // Video 0.5-2.5 s, audio 0-2.5 s (joined by stream copy: encoding would shift both to 0).
    make: (m) => {
      const v = m.ff('mp4', [...video('320x180'), '-t', '2', ...x264]);
      const a = m.ff('m4a', [...tone(), '-t', '2.5', ...aac]);
      return m.derive('mp4', 'audio-early', [v, a], (out) => ffOrThrow(['-itsoffset', '0.5', '-i', v, '-i', a, '-map', '0', '-map', '1', '-c', 'copy', out]));
    },
  },
  {
    name: 'audio starts 0.7 s after video',
    expect: 'ok',
    make: (m) => m.ff('mp4', [...video('320x180'), '-itsoffset', '0.7', ...tone(), '-t', '2', ...x264, ...aac]),
  },

  // Subtitles and attachments
  {
    name: 'SRT subtitles in mkv',
    expect: 'ok',
    checks: { subtitleText: SUBTITLE_TEXT },
    make: (m) => m.ff('mkv', [...video('320x180'), ...tone(), '-i', srt(m), '-t', '2', '-map', '0:v', '-map', '1:a', '-map', '2:s', ...x264, ...aac, '-c:s', 'srt', '-metadata:s:s:0', 'language=eng']),
  },
  {
    name: 'mov_text subtitles in mp4',
    expect: 'ok',
    checks: { subtitleText: SUBTITLE_TEXT },
    make: (m) => m.ff('mp4', [...video('320x180'), ...tone(), '-i', srt(m), '-t', '2', '-map', '0:v', '-map', '1:a', '-map', '2:s', ...x264, ...aac, '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng']),
  },
  {
    name: 'cover art (mp4 with attached picture)',
    expect: 'ok',
    make: (m) =>
      m.derive('mp4', 'cover', [baseline(m), png(m)], (out) =>
        ffOrThrow(['-i', baseline(m), '-i', png(m), '-map', '0:v', '-map', '0:a', '-map', '1:v', '-c', 'copy', '-c:v:1', 'png', '-disposition:v:1', 'attached_pic', out]),
      ),
  },
  {
    name: 'audio-only with cover art (m4a)',
    expect: 'refused',
    says: /video|audio only|audio-only/i,
    make: (m) => m.derive('m4a', 'audio-cover', [png(m)], (out) => ffOrThrow([...tone(), '-i', png(m), '-t', '2', '-map', '0:a', '-map', '1:v', '-c:a', 'aac', '-c:v', 'png', '-disposition:v:0', 'attached_pic', out])),
  },

  // Damage and names
  {
    // Decided after seeing both: a complete ladder of concealed garbage is worse for a user than being
    // told the upload is damaged, and Inspect now decodes the source and says where it breaks.
    name: 'corrupted mid-stream (8 KB overwritten at 40%)',
    expect: 'refused',
    says: /corrupt|damaged|cannot be decoded/i,
    make: (m) => m.derive('mp4', 'corrupt-40-8k', [withBFrames(m)], (out) => corrupt(withBFrames(m), out, 0.4, 8192)),
  },
  {
    name: 'wrong extension (.mp4 that is Matroska)',
    expect: 'ok',
    make: (m) => m.copy(m.ff('mkv', [...video('320x180'), ...tone(), '-t', '2', ...x264, ...aac]), 'actually-matroska.mp4'),
  },
  {
    name: 'name with spaces, quotes, ;, $(x) and non-ASCII',
    expect: 'ok',
    checks: { absentAfter: ['pwned'] },
    make: (m) => m.copy(baseline(m), `my clip 'single' "double" ; $(touch pwned) \`touch pwned\` ünïcödé 日本語.mp4`),
  },

  // Hostile inputs: nothing outside the job may be read, nothing may run away.
  {
    name: 'HLS playlist whose segment is another local file',
    expect: 'refused',
    make: (m) => m.file('evil.m3u8', `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${baseline(m)}\n#EXT-X-ENDLIST\n`),
  },
  {
    name: 'HLS playlist with a file:// segment, named .mp4',
    expect: 'refused',
    make: (m) => m.file('innocent.mp4', `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://${baseline(m)}\n#EXT-X-ENDLIST\n`),
  },
  {
    name: 'self-referencing HLS master playlist',
    expect: 'refused',
    timeoutSec: 20,
    memoryMb: 1024,
    make: (m) => m.file('self.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nself.m3u8\n'),
  },
  {
    name: 'ffconcat list naming a local file (named .mp4)',
    expect: 'refused',
    make: (m) => m.file('holiday.mp4', `ffconcat version 1.0\nfile '${baseline(m)}'\n`),
  },
  { name: 'single PNG', expect: 'refused', make: (m) => m.copy(png(m, '320x180'), 'photo.png') },
  {
    name: 'image sequence pattern img%03d.png',
    expect: 'refused',
    make: (m) => {
      const dir = join(m.dir, 'frames');
      mkdirSync(dir, { recursive: true });
      for (let i = 1; i <= 5; i++) copyFileSync(png(m, '320x180'), join(dir, `img${String(i).padStart(3, '0')}.png`));
      // A file of that very name exists too, so only the image2 demuxer's pattern expansion differs.
      copyFileSync(png(m, '320x180'), join(dir, 'img%03d.png'));
      return join(dir, 'img%03d.png');
    },
  },
  {
    name: 'symlink to /etc/passwd named .mp4',
    expect: 'refused',
    make: (m) => {
      const p = join(m.dir, 'passwd.mp4');
      rmSync(p, { force: true });
      symlinkSync('/etc/passwd', p);
      return p;
    },
  },
  {
    name: 'a directory',
    expect: 'refused',
    make: (m) => {
      const p = join(m.dir, 'folder.mp4');
      mkdirSync(p, { recursive: true });
      copyFileSync(baseline(m), join(p, 'inside.mp4'));
      return p;
    },
  },
  { name: 'empty file', expect: 'refused', says: /empty/i, make: (m) => m.file('empty.mp4', '') },
  { name: 'text file named .mp4', expect: 'refused', says: /not a media file|not media|not a video/i, make: (m) => m.file('notes.mp4', 'shopping list:\n- eggs\n- milk\n') },
  { name: 'audio only (m4a)', expect: 'refused', says: /no video|audio only|audio-only/i, make: (m) => m.ff('m4a', [...tone(), '-t', '2', '-c:a', 'aac']) },

  // Real clips (../shared/media): music, not beeps, so no onset-based sync check (see verify-ladder).
  { name: 'bbb-720p-5s.mp4 (with VMAF)', expect: 'ok', checks: REAL, vmaf: true, timeoutSec: 240, make: shared('bbb-720p-5s.mp4') },
  { name: 'bbb-720p-30s.webm (VP8 + Vorbis)', expect: 'ok', checks: REAL, timeoutSec: 240, make: shared('bbb-720p-30s.webm') },
  { name: 'carphone-qcif-reference.mp4', expect: 'ok', checks: REAL, make: shared('carphone-qcif-reference.mp4') },
  { name: 'carphone-qcif-distorted.mp4', expect: 'ok', checks: REAL, make: shared('carphone-qcif-distorted.mp4') },
  { name: 'city-720x405-cc0.mpg (camera, MPEG-2 PS)', expect: 'ok', checks: REAL, timeoutSec: 180, make: shared('city-720x405-cc0.mpg') },
];

function ffOrThrow(args: string[]): void {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
}

// ---- running a case --------------------------------------------------------------------------

export type Outcome = 'ok' | 'refused' | 'timeout' | 'memory' | 'skipped' | 'no-source';

export interface CaseResult {
  name: string;
  expected: Expected;
  outcome: Outcome;
  passed: boolean;
  /** Wall time of the CLI run. */
  seconds: number;
  /** The CLI's one line for a refusal, else the first failed check, else a short summary. */
  reason: string;
  /** Every failed check (empty when passed). */
  problems: string[];
}

export interface CorpusRun {
  maker: Maker;
  dir: string;
}

export function startCorpusRun(prefix = 'mosaic-corpus-'): CorpusRun {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'inputs'));
  return { dir, maker: new Maker(join(dir, 'inputs')) };
}

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  killed: null | 'timeout' | 'memory';
  peakMb: number;
}

/** Resident memory of every process in session `sid` (the CLI and its ffmpeg children). */
function sessionRssMb(sid: number): number {
  let pages = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) !== sid) continue; // field 6 of stat: session id
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // the process ended while we looked
    }
  }
  return (pages * 4096) / (1 << 20);
}

/** `mosaic encode` as a user runs it, in its own session so a bound can stop it and its children. */
function runCli(args: string[], env: Record<string, string>, timeoutSec: number, memoryMb: number): Promise<Spawned> {
  return new Promise((res) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(env), cwd: ROOT, detached: true });
    let stdout = '';
    let stderr = '';
    let killed: Spawned['killed'] = null;
    let peakMb = 0;
    const stop = (why: 'timeout' | 'memory') => {
      killed ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop('timeout'), timeoutSec * 1000);
    const watch = existsSync('/proc/self/stat')
      ? setInterval(() => {
          const mb = sessionRssMb(child.pid!);
          peakMb = Math.max(peakMb, mb);
          if (mb > memoryMb) stop('memory');
        }, 200)
      : null;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (watch) clearInterval(watch);
      // Children left behind by a killed CLI belong to its session: end them too.
      if (killed) stop(killed);
      res({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000, killed, peakMb });
    });
  });
}

const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';

/** Makes the case's source, encodes it with the CLI (draft preset) and checks the outcome. */
export async function runCase(c: CorpusCase, run: CorpusRun): Promise<CaseResult> {
  const base = { name: c.name, expected: c.expect, seconds: 0 };
  let input: string;
  try {
    const made = c.make(run.maker);
    if (typeof made !== 'string') return { ...base, outcome: 'skipped', passed: true, reason: made.skip, problems: [] };
    input = made;
  } catch (e) {
    const reason = `cannot make the source: ${firstLine((e as Error).message)}`;
    return { ...base, outcome: 'no-source', passed: false, reason, problems: [reason] };
  }

  const out = mkdtempSync(join(run.dir, 'out-'));
  // VMAF off unless asked (libvmaf 1.x is slow): no model path, and an empty cache to find none in.
  const env: Record<string, string> = c.vmaf ? {} : { MOSAIC_VMAF_MODEL: '', MOSAIC_CACHE_DIR: join(out, '.cache') };
  const timeoutSec = c.timeoutSec ?? (c.expect === 'refused' ? 20 : 120);
  const r = await runCli(['encode', input, '--out', out, '--preset', 'draft', '--json'], env, timeoutSec, c.memoryMb ?? 2048);
  const seconds = Math.round(r.seconds * 10) / 10;
  const done = (outcome: Outcome, problems: string[], summary: string): CaseResult => ({
    ...base,
    seconds,
    outcome,
    passed: outcome === c.expect && problems.length === 0,
    reason: problems[0] ?? summary,
    problems,
  });

  if (r.killed === 'timeout') return done('timeout', [`no answer within ${timeoutSec} s (killed; peak ${Math.round(r.peakMb)} MB)`], '');
  if (r.killed === 'memory') return done('memory', [`memory passed ${c.memoryMb ?? 2048} MB after ${seconds} s (killed)`], '');

  const outcome: Outcome = r.code === 0 ? 'ok' : 'refused';
  if (outcome !== c.expect) {
    const why = outcome === 'refused' ? firstLine(r.stderr) || `exit ${r.code} with nothing on stderr` : 'succeeded but must be refused';
    return done(outcome, [why], '');
  }
  if (outcome === 'refused') {
    const problems = verifyRefused({ code: r.code, stderr: r.stderr, out, says: c.says });
    return done(outcome, problems, firstLine(r.stderr));
  }
  const v = verifyLadder({ stdout: r.stdout, out, source: input, checks: c.checks ?? {} });
  return done(outcome, v.problems, v.summary);
}
