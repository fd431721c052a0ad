/**
 * HEVC, AV1 and VP9 ladders end to end on the local engine (tiny clips): every rung decodes to
 * every source frame, the chunk joins are frame-exact, and the HLS master playlist and the DASH
 * MPD list each rung with the codec string of its init segment. A two-codec preset puts an H.264
 * and an HEVC ladder in one master playlist and one MPD (a DASH AdaptationSet per codec). A job
 * whose codec's encoder this ffmpeg lacks fails with Mosaic.InputInvalid saying so.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobReport, VideoCodec } from '../../lambdas/contracts/index.js';
import { pickVideoEncoder } from '../../lambdas/core/ffmpeg-args.js';
import { parseDashAdaptationSets, parseMasterPlaylist, videoCodecString } from '../../lambdas/core/manifests.js';
import { probeCapabilities } from '../../lambdas/runtime/binaries.js';
import { cli, FFMPEG, makeClip, resultLine, tempDir } from '../helpers/media.js';
import { verifyPackage } from '../helpers/verify-package.js';

const caps = await probeCapabilities(FFMPEG);
const has = (c: VideoCodec) => pickVideoEncoder(c, caps.encoders) !== null;
const dir = tempDir('mosaic-codecs-');
// 640x360: a two-rung ladder (360p, 240p). AV1 gets a one-rung 160x90 clip: libaom-av1 (the
// npm ffmpeg's AV1 encoder) takes minutes for 360p on two cores.
const clip360 = makeClip(join(dir, 'clip360.mp4'), { width: 640, height: 360, seconds: 2, fps: 24 });
const clip90 = makeClip(join(dir, 'clip90.mp4'), { width: 160, height: 90, seconds: 2, fps: 24 });

async function encode(preset: string, src: string, env: Record<string, string> = {}) {
  const out = tempDir();
  const r = await cli(['encode', src, '--out', out, '--preset', preset, '--json'], env);
  const { job } = resultLine(r.stdout);
  return { r, job, jobDir: join(out, job.id) };
}

/** The CODECS of every variant of the master and the codecs of every video Representation of the MPD, by rung id. */
function listedCodecs(jobDir: string, report: JobReport) {
  const master = parseMasterPlaylist(readFileSync(join(jobDir, report.outputs.hls!), 'utf8'));
  const mpd = readFileSync(join(jobDir, report.outputs.dash!), 'utf8');
  const hls = Object.fromEntries(master.map((v) => [v.uri.split('/')[0], v.attrs.CODECS]));
  const dash = Object.fromEntries([...mpd.matchAll(/<Representation id="(r\d+)"[^>]*codecs="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return { hls, dash, sets: parseDashAdaptationSets(mpd).filter((s) => s.contentType === 'video') };
}

const CASES: [VideoCodec, RegExp, string, number][] = [
  ['hevc', /^hvc1\.1\.6\.L\d+\.[0-9A-F]+$/, clip360, 2],
  ['av1', /^av01\.0\.\d\dM\.08$/, clip90, 1],
  ['vp9', /^vp09\.00\.\d\d\.08$/, clip360, 2],
];

describe('codec ladders end to end', () => {
  for (const [codec, pattern, src, rungs] of CASES)
    it.skipIf(!has(codec))(`${codec}: every rung decodes, CODECS in master.m3u8 and the MPD`, { timeout: 300_000 }, async () => {
      const { r, job, jobDir } = await encode(codec, src);
      expect(job.status, `${JSON.stringify(job.error)} ${r.stderr.slice(-500)}`).toBe('SUCCEEDED');
      const { report } = verifyPackage(jobDir, src, { minFramePsnr: 20 });
      expect(report.rungs).toHaveLength(rungs);
      expect(report.encoding!.rungs.every((x) => x.codec === codec)).toBe(true);
      const listed = listedCodecs(jobDir, report);
      for (const rung of report.rungs) {
        const fromInit = videoCodecString(readFileSync(join(jobDir, 'hls', rung.id, 'init.mp4')));
        expect(fromInit, rung.id).toMatch(pattern);
        expect(rung.codecs).toBe(fromInit);
        expect(listed.hls[rung.id]).toBe(`${fromInit},mp4a.40.2`);
        expect(listed.dash[rung.id]).toBe(fromInit);
      }
    });

  it.skipIf(!has('hevc'))('h264-hevc: both ladders in one master playlist and one MPD, an AdaptationSet per codec', { timeout: 300_000 }, async () => {
    const { job, jobDir } = await encode('h264-hevc', clip360);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    const { report } = verifyPackage(jobDir, clip360, { minFramePsnr: 20 });
    expect(report.rungs).toHaveLength(4);
    const listed = listedCodecs(jobDir, report);
    const families = Object.values(listed.hls).map((c) => c.split('.')[0]);
    expect(new Set(families)).toEqual(new Set(['avc1', 'hvc1']));
    expect(listed.sets.map((s) => s.representations.map((x) => listed.dash[x.id].split('.')[0]))).toEqual([['avc1', 'avc1'], ['hvc1', 'hvc1']]);
  });

  it('a codec whose encoder this ffmpeg lacks: Mosaic.InputInvalid naming the encoder and the fix', { timeout: 120_000 }, async () => {
    // The same ffmpeg, with libx265 left out of what it says it can encode.
    const wrapper = join(tempDir('mosaic-no-x265-'), 'ffmpeg');
    writeFileSync(wrapper, `#!/bin/sh\nfor a in "$@"; do [ "$a" = "-encoders" ] && { "${FFMPEG}" "$@" | grep -v libx265; exit 0; }; done\nexec "${FFMPEG}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const { r, job } = await encode('hevc', clip90, { MOSAIC_FFMPEG: wrapper });
    expect(job.status).toBe('FAILED');
    expect(job.error?.code, r.stderr.slice(-500)).toBe('Mosaic.InputInvalid');
    expect(job.error?.message).toMatch(/this ffmpeg has no libx265 encoder \(.*\) for hevc; install .* or set MOSAIC_FFMPEG/);
  });
});
