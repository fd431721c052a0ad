/**
 * The codec ladders in a real browser: headless Chromium is given each rung's CMAF init segment
 * and media segments through Media Source Extensions under the CODECS string the master playlist
 * lists, and must decode every frame (VP9, AV1, H.264); HEVC, which this Chromium does not
 * decode, must be refused by `isTypeSupported` for its string, which is what lets a player of a
 * two-codec master pick the H.264 variants.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { JobReport, VideoCodec } from '../../lambdas/contracts/index.js';
import { pickVideoEncoder } from '../../lambdas/core/ffmpeg-args.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../lambdas/core/manifests.js';
import { probeCapabilities } from '../../lambdas/runtime/binaries.js';
import { chromiumMissing, launchChromium, watchedPage } from '../helpers/browser.js';
import { cli, FFMPEG, makeClip, resultLine, tempDir } from '../helpers/media.js';

// Browser globals of the page functions below (the project compiles without the DOM library).
declare const document: any;
declare const MediaSource: any;
declare const URL: any;

const missing = chromiumMissing();
const caps = await probeCapabilities(FFMPEG);
const has = (c: VideoCodec) => pickVideoEncoder(c, caps.encoders) !== null;
const ORIGIN = 'http://mosaic.test';

interface Played {
  supported: boolean;
  frames: number;
  error: string | null;
}

/** Appends init + segments of one rung to a SourceBuffer of `mime` and plays to the end. */
async function playInPage(browser: Browser, jobDir: string, rungId: string, mime: string): Promise<{ played: Played; problems: string[] }> {
  const context = await browser.newContext();
  try {
    await context.route(`${ORIGIN}/**`, (route) => {
      const path = decodeURIComponent(new URL(route.request().url()).pathname);
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><video muted playsinline></video>' });
      return route.fulfill({ contentType: 'application/octet-stream', body: readFileSync(join(jobDir, path)) });
    });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ORIGIN}/`);
    const playlist = parseMediaPlaylist(readFileSync(join(jobDir, 'hls', rungId, 'index.m3u8'), 'utf8'));
    const urls = [playlist.initUri!, ...playlist.segments.map((s) => s.uri)].map((u) => `/hls/${rungId}/${u}`);
    const played = await page.evaluate(
      async ({ mime, urls }): Promise<Played> => {
        if (!MediaSource.isTypeSupported(mime)) return { supported: false, frames: 0, error: null };
        const video = document.querySelector('video')!;
        const ms = new MediaSource();
        video.src = URL.createObjectURL(ms);
        await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
        const sb = ms.addSourceBuffer(mime);
        for (const u of urls) {
          const data = await (await fetch(u)).arrayBuffer();
          sb.appendBuffer(data);
          await new Promise((r) => sb.addEventListener('updateend', r, { once: true }));
        }
        ms.endOfStream();
        const ended = new Promise<void>((r) => video.addEventListener('ended', () => r(), { once: true }));
        const failed = new Promise<string>((r) => video.addEventListener('error', () => r(video.error?.message || `media error ${video.error?.code}`), { once: true }));
        await video.play();
        const error = await Promise.race([ended.then(() => null), failed, new Promise<string>((r) => setTimeout(() => r('did not reach the end in 20 s'), 20_000))]);
        return { supported: true, frames: video.getVideoPlaybackQuality().totalVideoFrames, error };
      },
      { mime, urls },
    );
    return { played, problems };
  } finally {
    await context.close();
  }
}

async function encode(preset: string, src: string): Promise<{ jobDir: string; report: JobReport; codecs: Record<string, string> }> {
  const out = tempDir();
  const r = await cli(['encode', src, '--out', out, '--preset', preset, '--json']);
  const { job } = resultLine(r.stdout);
  expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
  const jobDir = join(out, job.id);
  const report = JSON.parse(readFileSync(join(jobDir, 'report.json'), 'utf8')) as JobReport;
  const master = parseMasterPlaylist(readFileSync(join(jobDir, report.outputs.hls!), 'utf8'));
  // The video codec of each variant's CODECS (the audio one follows it).
  return { jobDir, report, codecs: Object.fromEntries(master.map((v) => [v.uri.split('/')[0], v.attrs.CODECS.split(',')[0]])) };
}

describe.skipIf(missing !== null)(`codec ladders in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: Browser;
  const dir = tempDir('mosaic-codecs-browser-');
  const clip360 = makeClip(join(dir, 'clip360.mp4'), { width: 640, height: 360, seconds: 2, fps: 24 });
  const clip90 = makeClip(join(dir, 'clip90.mp4'), { width: 160, height: 90, seconds: 2, fps: 24 });
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const CASES: [VideoCodec, string][] = [['vp9', clip360], ['av1', clip90]];
  for (const [codec, src] of CASES)
    it.skipIf(!has(codec))(`${codec}: every rung decodes to every frame under its CODECS string`, { timeout: 300_000 }, async () => {
      const { jobDir, report, codecs } = await encode(codec, src);
      for (const rung of report.rungs) {
        const { played, problems } = await playInPage(browser, jobDir, rung.id, `video/mp4; codecs="${codecs[rung.id]}"`);
        expect(played.supported, `${codecs[rung.id]} supported`).toBe(true);
        expect(played.error, rung.id).toBeNull();
        expect(played.frames, `${rung.id} frames decoded`).toBe(rung.frames);
        expect(problems).toEqual([]);
      }
    });

  it.skipIf(!has('hevc'))('h264-hevc: Chromium refuses the hvc1 variants and plays the avc1 ones', { timeout: 300_000 }, async () => {
    const { jobDir, report, codecs } = await encode('h264-hevc', clip360);
    for (const rung of report.rungs) {
      const { played } = await playInPage(browser, jobDir, rung.id, `video/mp4; codecs="${codecs[rung.id]}"`);
      if (codecs[rung.id].startsWith('hvc1')) expect(played.supported, codecs[rung.id]).toBe(false);
      else {
        expect(played.supported, codecs[rung.id]).toBe(true);
        expect(played.error).toBeNull();
        expect(played.frames).toBe(rung.frames);
      }
    }
  });
});
