/** The ffmpeg runner with the real binary: progress, timeout, abort, typed errors with stderr tails. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../../lambdas/runtime/ffmpeg-runner.js';
import { FFMPEG, makeClip, tempDir } from '../../helpers/media.js';

const lavfi = (seconds: number) => ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${seconds}`];

describe('runTool (ffmpeg)', () => {
  it('parses -progress into frame counts that reach the end', async () => {
    const seen: number[] = [];
    let done = false;
    await runTool(FFMPEG, [...lavfi(2), '-f', 'null', '-'], { onProgress: (p) => (p.frame !== null && seen.push(p.frame), (done ||= p.done)) });
    expect(done).toBe(true);
    expect(seen.at(-1)).toBe(50);
  });

  it('kills a run over its timeout and reports Mosaic.ResourceExhausted', async () => {
    const started = Date.now();
    const err = await runTool(FFMPEG, [...lavfi(600), '-c:v', 'libx264', '-f', 'null', '-'], { timeoutMs: 500 }).catch((e) => e);
    expect(err.name).toBe('Mosaic.ResourceExhausted');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops on abort with Mosaic.Cancelled', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const err = await runTool(FFMPEG, [...lavfi(600), '-f', 'null', '-'], { signal: ac.signal }).catch((e) => e);
    expect(err.name).toBe('Mosaic.Cancelled');
  });

  it('maps unreadable input to Mosaic.InputInvalid with the tail of stderr', async () => {
    const dir = tempDir();
    const bogus = join(dir, 'bogus.mp4');
    (await import('node:fs')).writeFileSync(bogus, 'this is not a video');
    const err = await runTool(FFMPEG, ['-hide_banner', '-i', bogus, '-f', 'null', '-']).catch((e) => e);
    expect(err.name).toBe('Mosaic.InputInvalid');
    expect(err.details.stderrTail).toMatch(/Invalid data/);
  });

  it('reports a missing binary clearly', async () => {
    const err = await runTool('/nonexistent/ffmpeg', ['-version']).catch((e) => e);
    expect(err.message).toMatch(/not found/);
  });

  it('refuses network protocols on inputs (protocol whitelist)', async () => {
    const src = makeClip(join(tempDir(), 'a.mp4'), { width: 160, height: 120, seconds: 1 });
    const ok = await runTool(FFMPEG, ['-hide_banner', '-protocol_whitelist', 'file,pipe', '-i', src, '-f', 'null', '-']);
    expect(ok.durationMs).toBeGreaterThan(0);
    const err = await runTool(FFMPEG, ['-hide_banner', '-protocol_whitelist', 'file,pipe', '-i', 'http://127.0.0.1:9/x.mp4', '-f', 'null', '-']).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
  });
});
