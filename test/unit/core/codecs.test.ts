/**
 * HEVC, AV1 and VP9 beside H.264: each encoder's arguments (closed fixed GOP of one segment, no
 * scene-cut keyframes, capped CRF or average bitrate under the VBV cap), the encoder picked from
 * what an ffmpeg has, the ladders of the codec presets, and the RFC 6381 codec strings read from
 * hand-made configuration boxes and from init segments ffmpeg writes (tiny clips, chunked and
 * joined as the encode workflow does, then cut into CMAF segments).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rung, Timing, VideoCodec } from '../../../lambdas/contracts/index.js';
import { plainPicture } from '../../../lambdas/core/conform.js';
import {
  aomAv1Args,
  concatArgs,
  concatListFile,
  encodeVideoChunkArgs,
  pickVideoEncoder,
  segmentArgs,
  svtAv1Args,
  videoEncoderArgs,
  vp9Args,
  x264Args,
  x265Args,
} from '../../../lambdas/core/ffmpeg-args.js';
import { planLadder } from '../../../lambdas/core/ladder.js';
import {
  av1CodecString,
  avcCodecString,
  codecFamily,
  dashManifest,
  hevcCodecString,
  parseDashAdaptationSets,
  parseMediaPlaylist,
  videoCodecString,
  vp9CodecString,
  withLastSegmentDuration,
} from '../../../lambdas/core/manifests.js';
import { findPreset, PRESETS, presetCodecs } from '../../../lambdas/core/presets.js';
import { allocationCodec } from '../../../lambdas/core/plan-sizing.js';
import { probeCapabilities, requireLadderEncoders, requireVideoEncoder } from '../../../lambdas/runtime/binaries.js';
import { FFMPEG, FFPROBE, run, tempDir } from '../../helpers/media.js';

const timing: Timing = { fps: 24, fpsRational: '24', gopFrames: 24, segmentSeconds: 1 };
const rung = (o: Partial<Rung> = {}): Rung => ({
  id: 'r0', index: 0, width: 160, height: 90, bitrateKbps: 200, maxrateKbps: 300, bufsizeKbps: 400, profile: 'main', encoderPreset: 'ultrafast', ...o,
});
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('encoder arguments per codec', () => {
  it('x265: hvc1, keyframes exactly every GOP (no scene cuts, closed GOP), VBV cap in x265-params', () => {
    const a = x265Args(rung({ codec: 'hevc' }), timing, 2);
    expect(after(a, '-c:v')).toBe('libx265');
    expect(after(a, '-tag:v')).toBe('hvc1');
    expect(after(a, '-preset')).toBe('ultrafast');
    expect(after(a, '-b:v')).toBe('200k');
    expect(a).not.toContain('-crf');
    const params = after(a, '-x265-params').split(':');
    expect(params).toEqual(expect.arrayContaining(['keyint=24', 'min-keyint=24', 'scenecut=0', 'open-gop=0', 'vbv-maxrate=300', 'vbv-bufsize=400', 'pools=2']));
    // Capped CRF: -crf instead of the average bitrate, the same VBV cap.
    const c = x265Args(rung({ codec: 'hevc', crf: 27 }), timing, 0);
    expect(after(c, '-crf')).toBe('27');
    expect(c).not.toContain('-b:v');
    expect(after(c, '-x265-params')).toContain('vbv-maxrate=300');
    expect(after(c, '-x265-params')).not.toContain('pools');
  });

  it('SVT-AV1: preset from the x264 name, intra period of one GOP with key frames only and no scene detection; CRF capped by mbr', () => {
    const a = svtAv1Args(rung({ codec: 'av1', encoderPreset: 'fast' }), timing, 2);
    expect(after(a, '-c:v')).toBe('libsvtav1');
    expect(after(a, '-preset')).toBe('8');
    expect(after(a, '-g')).toBe('24');
    expect(after(a, '-svtav1-params').split(':')).toEqual(expect.arrayContaining(['keyint=24', 'scd=0', 'irefresh-type=2', 'lp=2']));
    expect(after(a, '-b:v')).toBe('200k');
    const c = svtAv1Args(rung({ codec: 'av1', crf: 35 }), timing, 2);
    expect(after(c, '-crf')).toBe('35');
    expect(after(c, '-svtav1-params')).toContain('mbr=300');
    expect(after(svtAv1Args(rung({ encoderPreset: 'ultrafast' }), timing, 1), '-preset')).toBe('12');
  });

  it('libaom-av1: experimental flag, cpu-used from the x264 name, kf-min = kf-max = GOP, constrained quality under the cap', () => {
    const a = aomAv1Args(rung({ codec: 'av1', encoderPreset: 'faster' }), timing, 2);
    expect(after(a, '-c:v')).toBe('libaom-av1');
    expect(after(a, '-strict')).toBe('experimental');
    expect(after(a, '-cpu-used')).toBe('6');
    expect([after(a, '-g'), after(a, '-keyint_min')]).toEqual(['24', '24']);
    expect(after(a, '-row-mt')).toBe('1');
    expect(after(a, '-b:v')).toBe('200k');
    const c = aomAv1Args(rung({ codec: 'av1', crf: 32 }), timing, 2);
    expect(after(c, '-crf')).toBe('32');
    expect(after(c, '-b:v')).toBe('300k'); // CQ: the cap is the bitrate ceiling
  });

  it('libvpx-vp9: good deadline, cpu-used from the x264 name, kf-min = kf-max = GOP, row-mt and tiles by width', () => {
    const a = vp9Args(rung({ codec: 'vp9', encoderPreset: 'fast', width: 1920, height: 1080 }), timing, 4);
    expect(after(a, '-c:v')).toBe('libvpx-vp9');
    expect(after(a, '-deadline')).toBe('good');
    expect(after(a, '-cpu-used')).toBe('4');
    expect([after(a, '-g'), after(a, '-keyint_min')]).toEqual(['24', '24']);
    expect(after(a, '-row-mt')).toBe('1');
    expect(after(a, '-tile-columns')).toBe('2');
    expect(after(vp9Args(rung(), timing, 1), '-tile-columns')).toBe('0');
    const c = vp9Args(rung({ codec: 'vp9', crf: 33 }), timing, 2);
    // Constrained quality: the cap is -b:v alone (with -maxrate libvpx leaves CQ and ignores -crf: every CRF gave the same bits).
    expect([after(c, '-crf'), after(c, '-b:v')]).toEqual(['33', '300k']);
    expect(c).not.toContain('-maxrate');
  });

  it('dispatch by the rung codec (absent: x264), the encoder given or the preferred one', () => {
    expect(videoEncoderArgs(rung(), timing, 1)).toEqual(x264Args(rung(), timing, 1));
    expect(after(videoEncoderArgs(rung({ codec: 'hevc' }), timing, 1), '-c:v')).toBe('libx265');
    expect(after(videoEncoderArgs(rung({ codec: 'vp9' }), timing, 1), '-c:v')).toBe('libvpx-vp9');
    expect(after(videoEncoderArgs(rung({ codec: 'av1' }), timing, 1), '-c:v')).toBe('libsvtav1');
    expect(after(videoEncoderArgs(rung({ codec: 'av1' }), timing, 1, 'libaom-av1'), '-c:v')).toBe('libaom-av1');
    expect(() => videoEncoderArgs(rung({ codec: 'hevc' }), timing, 1, 'libaom-av1')).toThrow(/not an encoder of hevc/);
    const chunk = encodeVideoChunkArgs({ source: 's.mp4', output: 'o.mp4', rung: rung({ codec: 'hevc' }), chunk: { index: 0, startFrame: 0, frames: 24 }, timing, picture: plainPicture(160, 90, 24), threads: 1 });
    expect(after(chunk, '-c:v')).toBe('libx265');
    expect(chunk.at(-1)).toBe('o.mp4');
  });

  it('picks the encoder an ffmpeg has: libsvtav1 before libaom-av1, null without one', () => {
    expect(pickVideoEncoder('av1', ['libx264', 'libaom-av1', 'libsvtav1'])).toBe('libsvtav1');
    expect(pickVideoEncoder('av1', ['libx264', 'libaom-av1'])).toBe('libaom-av1');
    expect(pickVideoEncoder('hevc', ['libx264'])).toBeNull();
    expect(allocationCodec({})).toBe('h264');
    expect(allocationCodec({ codec: 'hevc' })).toBe('h265');
    expect(allocationCodec({ codec: 'av1' })).toBe('av1');
  });
});

describe('missing encoders', () => {
  const tools = (encoders: string[]) => ({ ffmpeg: '/opt/ffmpeg', caps: { version: 'ffmpeg version 4.1', encoders: new Set(encoders), filters: new Set<string>(), muxers: new Set<string>() } });

  it('Mosaic.InputInvalid naming the encoder, the ffmpeg and what to do', () => {
    const err = (() => {
      try {
        requireVideoEncoder(tools(['libx264', 'aac']), 'hevc');
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(err.name).toBe('Mosaic.InputInvalid');
    expect(err.message).toMatch(/^this ffmpeg has no libx265 encoder \(\/opt\/ffmpeg, ffmpeg version 4\.1\) for hevc; install .*libx265.* or set MOSAIC_FFMPEG$/);
    expect(() => requireVideoEncoder(tools(['libx264']), 'av1')).toThrow(/no libsvtav1 or libaom-av1 encoder/);
    expect(requireVideoEncoder(tools(['libaom-av1']), 'av1')).toBe('libaom-av1');
    expect(() => requireLadderEncoders(tools(['libx264', 'libx265']), [{}, { codec: 'hevc' }])).not.toThrow();
    expect(() => requireLadderEncoders(tools(['libx264', 'libx265']), [{}, { codec: 'vp9' }])).toThrow(/libvpx-vp9/);
  });

  it('the probe lists video encoders', async () => {
    const caps = await probeCapabilities(FFMPEG);
    expect(caps.encoders.has('libx264')).toBe(true);
    expect([...caps.encoders].some((e) => e === 'libx265' || e === 'libvpx-vp9' || e === 'libaom-av1' || e === 'libsvtav1')).toBe(true);
  });
});

describe('codec presets and ladders', () => {
  it('hevc, av1 and vp9 ladders: the default sizes at lower bitrates, every rung of their codec', () => {
    const def = planLadder({ width: 1920, height: 1080 }, PRESETS.default);
    expect(def.every((r) => r.codec === undefined)).toBe(true); // H.264 rungs as before
    for (const [name, factor] of [['hevc', 0.6], ['av1', 0.6], ['vp9', 0.7]] as const) {
      const preset = findPreset(name)!;
      const rungs = planLadder({ width: 1920, height: 1080 }, preset);
      expect(rungs.map((r) => `${r.width}x${r.height}`)).toEqual(def.map((r) => `${r.width}x${r.height}`));
      expect(rungs.every((r) => r.codec === name)).toBe(true);
      rungs.forEach((r, i) => expect(r.bitrateKbps / def[i].bitrateKbps).toBeCloseTo(factor, 2));
    }
  });

  it('a multi-codec preset: one ladder per codec, ids unique across them', () => {
    const preset = findPreset('h264-hevc')!;
    expect(presetCodecs(preset)).toEqual(['h264', 'hevc']);
    const rungs = planLadder({ width: 1280, height: 720 }, preset);
    const h264 = rungs.filter((r) => !r.codec);
    const hevc = rungs.filter((r) => r.codec === 'hevc');
    expect(h264.length).toBe(hevc.length);
    expect(new Set(rungs.map((r) => r.id)).size).toBe(rungs.length);
    expect(rungs.map((r) => r.index)).toEqual(rungs.map((_, i) => i));
    hevc.forEach((r, i) => expect(r.bitrateKbps / h264[i].bitrateKbps).toBeCloseTo(0.6, 2));
  });
});

// ---- codec strings -------------------------------------------------------------------------

/** A box: 32-bit size, fourcc, payload. */
const box = (type: string, payload: number[]) => {
  const size = 8 + payload.length;
  return [size >>> 24, (size >> 16) & 255, (size >> 8) & 255, size & 255, ...[...type].map((c) => c.charCodeAt(0)), ...payload];
};
const file = (...boxes: number[][]) => Uint8Array.from(boxes.flat());

describe('codec strings from hand-made boxes', () => {
  it('hvcC: profile space, bit-reversed compatibility flags, tier and level, trailing zero constraint bytes left out', () => {
    // Main profile (1), compatibility 0x60000000, main tier, level 93 (3.1), constraints B0 00 00 00 00 00.
    const hvcC = box('hvcC', [1, 0x01, 0x60, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 93, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0x0f, 0]);
    expect(hevcCodecString(file(box('hvc1', [0, 0, 0, 0]), hvcC))).toBe('hvc1.1.6.L93.B0');
    // Main 10 (2), compatibility 0x20000000 → 4, high tier, level 120 (4.0), constraints 90 00 … → 90.
    const main10 = box('hvcC', [1, 0x22, 0x20, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 120, 0xf0, 0, 0xfc, 0xfd, 0xfa, 0xfa, 0, 0x0f, 0]);
    expect(hevcCodecString(file(box('hvc1', [0]), main10))).toBe('hvc1.2.4.H120.90');
    // Profile space 1 (A), all-zero constraints.
    const spaced = box('hvcC', [1, 0x41, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(hevcCodecString(file(box('hev1', [0]), spaced))).toBe('hev1.A1.6.L60');
    expect(hevcCodecString(file(box('avcC', [1, 0x64, 0, 0x1f])))).toBeNull();
  });

  it('av1C: profile, two-digit level with the tier, bit depth', () => {
    // marker|version 0x81; profile 0, level 4 (3.0); main tier, 8-bit, 4:2:0.
    expect(av1CodecString(file(box('av1C', [0x81, 0x04, 0x0c, 0])))).toBe('av01.0.04M.08');
    // profile 0, level 13 (5.1), high tier, 10-bit.
    expect(av1CodecString(file(box('av1C', [0x81, 0x0d, 0xcc, 0])))).toBe('av01.0.13H.10');
    // profile 2, level 8, main tier, 12-bit.
    expect(av1CodecString(file(box('av1C', [0x81, 0x48, 0x60, 0])))).toBe('av01.2.08M.12');
    expect(av1CodecString(file(box('av1C', [0x01, 0x04, 0x0c, 0])))).toBeNull(); // no marker bit
  });

  it('vpcC (version 1): profile, level and bit depth, two digits each', () => {
    expect(vp9CodecString(file(box('vpcC', [1, 0, 0, 0, 0, 31, 0x82, 1, 1, 1, 0, 0])))).toBe('vp09.00.31.08');
    expect(vp9CodecString(file(box('vpcC', [1, 0, 0, 0, 2, 41, 0xa2, 9, 16, 9, 0, 0])))).toBe('vp09.02.41.10');
    expect(vp9CodecString(file(box('vpcC', [0, 0, 0, 0, 0, 31, 0x82, 1])))).toBeNull(); // version 0: no bit depth field
  });

  it('videoCodecString takes whichever box is there; a chance fourcc with a bad size is skipped', () => {
    const garbage = [0xff, 0xff, 0xff, 0xff, ...[...'av1C'].map((c) => c.charCodeAt(0)), 1, 2, 3];
    expect(videoCodecString(file(garbage, box('vpcC', [1, 0, 0, 0, 0, 10, 0x82, 1, 1, 1, 0, 0])))).toBe('vp09.00.10.08');
    expect(videoCodecString(file(box('avcC', [1, 0x64, 0, 0x1f, 0xff, 0xe1])))).toBe('avc1.64001f');
    expect(videoCodecString(file(box('free', [0, 0, 0, 0])))).toBeNull();
    expect(codecFamily('hev1.1.6.L93.B0')).toBe('hvc1');
    expect(codecFamily('av01.0.04M.08')).toBe('av01');
  });
});

describe('manifests for several codecs', () => {
  it('one DASH video AdaptationSet per codec; the last EXTINF can be set', () => {
    const seg = [{ uri: 'seg_00000.m4s', durationSec: 2 }];
    const v = (id: string, codecs: string) => ({ id, kind: 'video' as const, bandwidth: 1000, codecs, width: 160, height: 90, frameRate: '24', baseUrl: `../hls/${id}/`, initUri: 'init.mp4', segments: seg });
    const mpd = dashManifest({ durationSec: 2, minBufferSec: 4, representations: [v('r0', 'avc1.64001f'), v('r1', 'avc1.64000d'), v('r2', 'hvc1.1.6.L93.B0')] });
    const sets = parseDashAdaptationSets(mpd).filter((s) => s.contentType === 'video');
    expect(sets.map((s) => s.representations.map((r) => r.id))).toEqual([['r0', 'r1'], ['r2']]);
    const playlist = '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1.000000,\nseg_00000.m4s\n#EXTINF:0.958333,\nseg_00001.m4s\n#EXT-X-ENDLIST\n';
    expect(parseMediaPlaylist(withLastSegmentDuration(playlist, 1)).segments.map((s) => s.durationSec)).toEqual([1, 1]);
  });
});

/** A 2 s 160x90 clip encoded as two one-second chunks of `codec`, joined and cut into CMAF segments. */
function encodeJoinSegment(dir: string, codec: VideoCodec, encoder: string): { init: Uint8Array; joined: string; playlist: string } {
  const src = join(dir, 'src.mp4');
  const ok = (r: { code: number; stderr: string }, what: string) => expect(r.code, `${what}: ${r.stderr.slice(-800)}`).toBe(0);
  ok(run(FFMPEG, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=24', '-frames:v', '48', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', src]), 'source');
  const r = rung({ codec, encoderPreset: 'ultrafast' });
  const chunks = [0, 1].map((i) => {
    const out = join(dir, `${codec}-c${i}.mp4`);
    ok(run(FFMPEG, encodeVideoChunkArgs({ source: src, output: out, rung: r, chunk: { index: i, startFrame: 24 * i, frames: 24 }, timing, picture: plainPicture(160, 90, 24), threads: 2, encoder })), `chunk ${i}`);
    return out;
  });
  const list = join(dir, `${codec}.txt`);
  writeFileSync(list, concatListFile(chunks));
  const joined = join(dir, `${codec}.mp4`);
  ok(run(FFMPEG, concatArgs(list, joined)), 'join');
  const seg = join(dir, `seg-${codec}`);
  mkdirSync(seg);
  ok(run(FFMPEG, segmentArgs({ input: joined, dir: seg, kind: 'video', segmentSeconds: 1, fps: 24, gopFrames: 24 })), 'segment');
  return { init: readFileSync(join(seg, 'init.mp4')), joined, playlist: join(seg, 'index.m3u8') };
}

const packets = (path: string) =>
  run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path]).stdout.trim().split('\n');

describe('real init segments (ffmpeg, tiny clips): chunks join frame-exactly, keyframes every GOP, codec strings', async () => {
  const caps = await probeCapabilities(FFMPEG);
  const cases: [VideoCodec, RegExp, string | null][] = [
    ['hevc', /^hvc1\.1\.6\.L\d+\.[0-9A-F]{2}/, pickVideoEncoder('hevc', caps.encoders)],
    ['av1', /^av01\.0\.\d\dM\.08$/, pickVideoEncoder('av1', caps.encoders)],
    ['vp9', /^vp09\.00\.\d\d\.08$/, pickVideoEncoder('vp9', caps.encoders)],
  ];
  for (const [codec, pattern, encoder] of cases)
    it.skipIf(!encoder)(`${codec} (${encoder ?? 'no encoder in this ffmpeg'})`, { timeout: 120_000 }, () => {
      const { init, joined } = encodeJoinSegment(tempDir(`mosaic-codec-${codec}-`), codec, encoder!);
      const p = packets(joined);
      expect(p).toHaveLength(48);
      // A keyframe at frame 0 and 24 only: the chunk boundary and the GOP, no scene-cut keyframes.
      expect(p.map((l, i) => (l.includes('K') ? i : -1)).filter((i) => i >= 0)).toEqual([0, 24]);
      const s = videoCodecString(init);
      expect(s).toMatch(pattern);
      expect(avcCodecString(init)).toBeNull();
      if (codec === 'hevc') expect(hevcCodecString(init)).toBe(s);
    });
});

describe('speed and memory priors of the codecs', async () => {
  const { DEFAULT_SPEED_TABLE } = await import('../../../lambdas/core/allocator/speed-model.js');
  const { requiredMemoryMiB } = await import('../../../lambdas/core/allocator/memory-model.js');
  const { chooseChunkSeconds } = await import('../../../lambdas/core/plan-sizing.js');
  it('x264 > libvpx-vp9 > x265 > AV1 at the same preset name, every preset and class keyed', () => {
    for (const preset of ['ultrafast', 'fast', 'slow'])
      for (const rc of ['sd', 'hd', 'fhd', 'uhd']) {
        const fps = (c: string) => DEFAULT_SPEED_TABLE[`encode-video/${c}/${preset}/${rc}`].fpsPerVcpu;
        expect(fps('h264')).toBeGreaterThan(fps('vp9'));
        expect(fps('vp9')).toBeGreaterThan(fps('h265'));
        expect(fps('h265')).toBeGreaterThan(fps('av1'));
        expect(fps('h264') / fps('h265')).toBeCloseTo(6, 5);
        expect(fps('h264') / fps('vp9')).toBeCloseTo(3, 5);
      }
    const t = { function: 'encode-video', encoderPreset: 'fast', width: 1920, height: 1080, fps: 24, frames: 240, sourceBitrateKbps: 8000 };
    expect(requiredMemoryMiB({ ...t, codec: 'av1' }, 4)).toBeGreaterThan(requiredMemoryMiB({ ...t, codec: 'h265' }, 4));
    expect(requiredMemoryMiB({ ...t, codec: 'vp9' }, 4)).toBeGreaterThan(requiredMemoryMiB({ ...t, codec: 'h264' }, 4));
  });

  it('on AWS the chunks are sized for the slowest rung (an HEVC top rung beside H.264 ones)', async () => {
    const media = { sizeBytes: 100e6, durationSec: 600, video: { width: 1920, height: 1080, fps: 24, frames: 14_400, bitrate: 8e6 } };
    const rungs = planLadder({ width: 1920, height: 1080 }, findPreset('h264-hevc')!);
    const allocator = { chooseChunks: true, region: 'us-east-1', maxConcurrency: 100 };
    const table = DEFAULT_SPEED_TABLE;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const both = chooseChunkSeconds({ media: media as any, rungs, allocator: allocator as any, table, deadlineSec: 900 })!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const h264Only = chooseChunkSeconds({ media: media as any, rungs: rungs.filter((r) => !r.codec), allocator: allocator as any, table, deadlineSec: 900 })!;
    // Sized for the HEVC top rung: costlier chunks (a larger size or shorter chunks) than for the H.264 one.
    const usd = (reason: string) => Number(/\$([\d.]+)/.exec(reason)?.[1]);
    expect(usd(both.reason), both.reason).toBeGreaterThan(usd(h264Only.reason) * 3);
  });
});
