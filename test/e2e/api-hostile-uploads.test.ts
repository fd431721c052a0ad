/**
 * Hostile uploads of issue 10 against a real `mosaic serve` on loopback, through the flow a client
 * uses (POST /v1/uploads, PUT, then preflight, POST /v1/jobs or a function invocation): an HLS
 * playlist whose segment is a media file elsewhere on the machine, a self-referencing master
 * playlist and an ffconcat list are refused with one line of reason, quickly, nothing published,
 * and no byte of the file they name reaches any output; the server keeps serving.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { makeClip, tempDir } from '../helpers/media.js';

let server: TestServer;
let dir: string;
let out: string;
/** A real clip outside the server's root: what a hostile upload tries to read. */
let elsewhere: string;
/** Pieces of its bytes (from the media data), none of which may appear in any file the server writes. */
let needles: Buffer[];

const DRAFT_HLS = { preset: 'draft', outputs: { hls: true, dash: false, thumbnails: false, quality: false } };

beforeAll(async () => {
  dir = tempDir('mosaic-api-hostile-');
  out = join(dir, 'out');
  elsewhere = makeClip(join(dir, 'elsewhere.mp4'), { width: 208, height: 116, seconds: 2 });
  const bytes = readFileSync(elsewhere);
  needles = [0.3, 0.5, 0.8].map((at) => bytes.subarray(Math.floor(bytes.length * at), Math.floor(bytes.length * at) + 64));
  server = await startTestServer(out);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** One line, no stack trace, no path of the machine. */
function expectOneLineReason(message: string): void {
  expect(message).toBeTruthy();
  expect(message).not.toContain('\n');
  expect(message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  expect(message).not.toContain(dir);
}

/** Uploads `path`, then submits a job and preflights it; asserts both refuse it. Returns the reasons. */
async function expectRefused(path: string, reason: RegExp): Promise<{ preflight: string; job: string; elapsedMs: number }> {
  const started = Date.now();
  const key = await server.api.upload(path);
  const pre = await server.api.call('POST', '/v1/jobs/preflight', { source: { key }, ...DRAFT_HLS });
  expect(pre.status).toBe(200);
  expect(pre.body).toMatchObject({ accepted: false, plan: null });
  expect(pre.body.reasons[0]).toMatch(reason);
  expectOneLineReason(pre.body.reasons[0]);

  const submit = await server.api.call('POST', '/v1/jobs', { source: { key }, ...DRAFT_HLS });
  let message: string;
  if (submit.status >= 400 && submit.status < 500) message = submit.body.error.message;
  else {
    expect(submit.status).toBe(202);
    const job = await server.api.waitFor(submit.body.id, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 60_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('Mosaic.InputInvalid');
    message = job.error.message;
    // Nothing published: no renditions, no media under the job's prefix; only the failed job's report.
    expect(job.renditions ?? []).toEqual([]);
    const { report, ...media } = job.outputs;
    expect(Object.values(media).filter((l) => l !== null)).toEqual([]);
    const published = filesUnder(out).map((f) => f.slice(out.length + 1)).filter((k) => !k.startsWith('.mosaic/') && k.includes(submit.body.id));
    expect(published).toEqual(report ? [report.key] : []);
  }
  expect(message).toMatch(reason);
  expectOneLineReason(message);
  return { preflight: pre.body.reasons[0], job: message, elapsedMs: Date.now() - started };
}

/** No file the server keeps (uploads, outputs, work, its database) holds a byte of the clip elsewhere. */
function expectNothingReadFromElsewhere(): void {
  for (const f of filesUnder(out)) {
    const content = readFileSync(f);
    for (const n of needles) expect(content.includes(n), f).toBe(false);
  }
}

describe('hostile uploads', () => {
  it('refuses an HLS playlist whose segment is a media file elsewhere on the machine', async () => {
    const playlist = write('evil.m3u8', `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${elsewhere}\n#EXT-X-ENDLIST\n`);
    await expectRefused(playlist, /HLS playlist/);
    // Named as media, with a file:// segment: refused all the same.
    await expectRefused(write('innocent.mp4', `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://${elsewhere}\n#EXT-X-ENDLIST\n`), /HLS playlist/);
    expectNothingReadFromElsewhere();
  }, 120_000);

  it('refuses a self-referencing master playlist within seconds, and keeps serving', async () => {
    // Its variants are itself, under its uploaded name and under the name it is staged as.
    const self = write('self.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nself.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2000\nsource.m3u8\n');
    expect(statSync(self).size).toBeLessThan(130);
    const { elapsedMs } = await expectRefused(self, /HLS playlist/);
    expect(elapsedMs).toBeLessThan(15_000);
    expect((await server.api.call('GET', '/v1/health')).status).toBe(200);
    expect((await server.api.call('GET', '/v1/jobs')).status).toBe(200);
  }, 60_000);

  it('refuses an ffconcat list naming a media file elsewhere (named .mp4)', async () => {
    await expectRefused(write('holiday.mp4', `ffconcat version 1.0\nfile '${elsewhere}'\n`), /concat list/);
    expectNothingReadFromElsewhere();
  }, 120_000);

  it('refuses normalize-audio invoked on a playlist key at its first probe (the demuxer allow-list), writing nothing', async () => {
    for (const [name, text] of [
      ['loud.m3u8', `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${elsewhere}\n#EXT-X-ENDLIST\n`],
      ['loop.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nsource.m3u8\n'],
    ] as const) {
      const key = await server.api.upload(write(name, text));
      const started = Date.now();
      const r = await server.api.call('POST', '/v1/functions/normalize-audio/invocations', { input: { source: { key }, output: { key: `normalized/${name}.wav` } } });
      expect(Date.now() - started, name).toBeLessThan(15_000);
      expect(r.status, `${name} ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error.code).toBe('input_invalid');
      // ffprobe itself refuses the hls demuxer: without the allow-list it would read the segment.
      expect(r.body.error.message).toMatch(/^ffprobe cannot read the input: [^]*not on whitelist/);
      expect(await server.engine.blobs.head(`normalized/${name}.wav`)).toBeNull();
    }
    expect((await server.api.call('GET', '/v1/health')).status).toBe(200);
    expectNothingReadFromElsewhere();
  }, 60_000);
});
