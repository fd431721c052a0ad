/**
 * Ladders for sources that are not plain 16:9 landscape: portrait, square, odd-sized and
 * silent clips, encoded end to end through the CLI with the default preset. The ladder in
 * report.json must fit the source, and the HLS master playlist and the DASH MPD must describe
 * exactly that ladder, and every variant must decode to all of the source's frames.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobReport, RungReport } from '../../lambdas/contracts/index.js';
import { parseDashRepresentations, parseMasterPlaylist } from '../../lambdas/core/manifests.js';
import { cli, decode, FFMPEG, makeClip, resultLine, run, tempDir, videoFrames } from '../helpers/media.js';

const work = tempDir('mosaic-ladders-');
const out = join(work, 'out');

// ---- helpers -------------------------------------------------------------------------------

interface Encoded {
  source: string;
  outDir: string;
  report: JobReport;
  master: string;
  mpd: string;
}

async function encode(source: string): Promise<Encoded> {
  const r = await cli(['encode', source, '--out', out, '--preset', 'default', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const { job, report, outDir } = resultLine(r.stdout);
  expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
  const rep = report as JobReport;
  return {
    source,
    outDir,
    report: rep,
    master: readFileSync(join(outDir, rep.outputs.hls!), 'utf8'),
    mpd: readFileSync(join(outDir, rep.outputs.dash!), 'utf8'),
  };
}

/** An odd-sized clip with square pixels: libx264 takes odd sizes in 4:4:4, not in 4:2:0. */
function makeOddClip(path: string, width: number, height: number, seconds: number): string {
  const video = `testsrc2=size=640x360:rate=25,scale=${width}:${height},setsar=1,format=yuv444p`;
  const r = run(FFMPEG, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', path]);
  if (r.code !== 0) throw new Error(`cannot make ${path}: ${r.stderr}`);
  return path;
}

const size = (r: { width?: number; height?: number }) => `${r.width}x${r.height}`;
const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
/** `hls/r0/index.m3u8` in the report is `r0/index.m3u8` from the master playlist's folder. */
const variantUri = (r: RungReport) => r.playlist!.replace(/^hls\//, '');

// ---- cases ---------------------------------------------------------------------------------

interface LadderCase {
  name: string;
  width: number;
  height: number;
  audio: boolean;
  make: (path: string) => string;
  /** Shape checks particular to this source. */
  shape: (rung: RungReport) => void;
}

const CASES: LadderCase[] = [
  {
    name: 'portrait 360x640',
    width: 360,
    height: 640,
    audio: true,
    make: (p) => makeClip(p, { width: 360, height: 640, seconds: 3 }),
    shape: (r) => {
      expect(r.height, size(r)).toBeGreaterThan(r.width);
      expect(r.width, size(r)).toBeLessThanOrEqual(360);
    },
  },
  {
    name: 'square 400x400',
    width: 400,
    height: 400,
    audio: true,
    make: (p) => makeClip(p, { width: 400, height: 400, seconds: 3 }),
    shape: (r) => {
      expect(r.width, size(r)).toBe(r.height);
      expect(r.width, size(r)).toBeLessThanOrEqual(400);
    },
  },
  {
    name: 'odd-sized 641x363',
    width: 641,
    height: 363,
    audio: true,
    make: (p) => makeOddClip(p, 641, 363, 3),
    shape: (r) => {
      expect(r.width % 2, `width of ${size(r)}`).toBe(0);
      expect(r.height % 2, `height of ${size(r)}`).toBe(0);
      expect(Math.abs(r.width / r.height / (641 / 363) - 1), `aspect of ${size(r)}`).toBeLessThanOrEqual(0.01);
    },
  },
  {
    name: 'audio-less 320x240',
    width: 320,
    height: 240,
    audio: false,
    make: (p) => makeClip(p, { width: 320, height: 240, seconds: 3, audio: false }),
    shape: () => {},
  },
  {
    name: 'short (2 s) 320x240',
    width: 320,
    height: 240,
    audio: true,
    make: (p) => makeClip(p, { width: 320, height: 240, seconds: 2 }),
    shape: () => {},
  },
];

// ---- checks, run on every case -------------------------------------------------------------

const CHECKS: { name: string; run: (c: LadderCase, e: Encoded) => void }[] = [
  {
    name: 'rungs are shaped like the source and never larger than it',
    run: (c, e) => {
      expect(e.report.source?.video.displayWidth).toBe(c.width);
      expect(e.report.source?.video.height).toBe(c.height);
      expect(e.report.rungs.length).toBeGreaterThan(0);
      for (const r of e.report.rungs) {
        expect(r.width, size(r)).toBeLessThanOrEqual(c.width);
        expect(r.height, size(r)).toBeLessThanOrEqual(c.height);
        c.shape(r);
      }
    },
  },
  {
    name: 'the HLS master playlist lists the report rungs at their sizes',
    run: (_c, e) => {
      const variants = parseMasterPlaylist(e.master);
      expect(variants.map((v) => `${v.uri} ${v.attrs.RESOLUTION}`).sort()).toEqual(e.report.rungs.map((r) => `${variantUri(r)} ${size(r)}`).sort());
    },
  },
  {
    name: 'the DASH MPD lists the same rung ids and sizes',
    run: (_c, e) => {
      const video = parseDashRepresentations(e.mpd).filter((r) => r.width !== undefined);
      expect(byId(video).map((r) => `${r.id} ${size(r)}`)).toEqual(byId(e.report.rungs).map((r) => `${r.id} ${size(r)}`));
    },
  },
  {
    name: 'there is an audio rendition exactly when the source has audio',
    run: (c, e) => {
      const variants = parseMasterPlaylist(e.master);
      const dashAudio = parseDashRepresentations(e.mpd).filter((r) => r.width === undefined);
      if (c.audio) {
        expect(e.report.audio).not.toBeNull();
        expect(e.master).toContain('#EXT-X-MEDIA:TYPE=AUDIO');
        for (const v of variants) expect(v.attrs.AUDIO, v.uri).toBeDefined();
        expect(dashAudio).toHaveLength(1);
      } else {
        expect(e.report.audio).toBeNull();
        expect(e.master).not.toContain('AUDIO=');
        expect(e.master).not.toContain('#EXT-X-MEDIA');
        expect(dashAudio).toEqual([]);
      }
    },
  },
  {
    name: 'every variant decodes cleanly with all of the source frames',
    run: (_c, e) => {
      const frames = videoFrames(e.source);
      expect(frames).toBeGreaterThan(0);
      for (const r of e.report.rungs) {
        const d = decode(join(e.outDir, r.playlist!));
        expect(d.errors, r.id).toBe('');
        expect(d.code, r.id).toBe(0);
        expect(d.frames, r.id).toBe(frames);
      }
    },
  },
];

// ---- tests ---------------------------------------------------------------------------------

const clipPath = (c: LadderCase) => join(work, `${c.name.replace(/\W+/g, '-')}.mp4`);

for (const c of CASES) {
  describe(`default ladder for a ${c.name} clip`, () => {
    let e: Encoded;
    beforeAll(async () => {
      e = await encode(c.make(clipPath(c)));
    });
    it.each(CHECKS)('$name', (check) => check.run(c, e));
  });
}
