/**
 * `npm run bench -- speed-model`: the allocator's speed model against reality on this machine.
 *
 * 1. Calibrate (as `mosaic calibrate` does) on generated clips in a fresh state folder.
 * 2. Encode real chunks it never saw — the default and draft ladders of the shared Big Buck Bunny
 *    clip (and a generated 1080p clip of other content), at 1 thread and at every core — timing
 *    each ffmpeg run, and compare with the model's prediction (compute time only: no platform
 *    startup or staging locally).
 * Target: median absolute error ≤ 25 %. Run it on an idle machine: other load slows the
 * measurements, not the predictions.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planLadder } from '../lambdas/core/ladder.js';
import { findPreset } from '../lambdas/core/presets.js';
import { resolveMediaTools, runTool } from '../lambdas/runtime/index.js';
import { calibrate, defaultCases, predictedEncodeSeconds, timeChunkEncode } from '../local/calibrate.js';
import { SqliteJobStore } from '../local/sqlite-job-store.js';
import { REPO_ROOT } from './util.js';

const TARGET = 0.25;

interface TestClip {
  name: string;
  path: string;
  width: number;
  height: number;
  fps: number;
  /** Where the measured chunk starts (a real job's chunks start mid-file). */
  startFrame: number;
  frames: number;
  /** Average bitrate of the file (decoding cost grows with it). */
  kbps: number;
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { keep: { type: 'boolean', default: false } } });
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-bench-speed-'));
  const cores = cpus().length;
  const tools = await resolveMediaTools({ searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: dir, ffmpegTimeoutMs: 600_000, ffmpegPath: process.env.MOSAIC_FFMPEG });
  const jobs = new SqliteJobStore(join(dir, 'mosaic.db'));
  try {
    console.log(`speed model vs reality on ${cores} cores (ffmpeg ${tools.ffmpeg})\n`);
    console.log('1. calibration on generated clips:');
    const t0 = performance.now();
    const { table, parallelFraction, decodePixelsPerSec, decodeBitsPerSec } = await calibrate({
      tools,
      jobs,
      scratchDir: join(dir, 'calibration'),
      cases: defaultCases(cores),
      onResult: (r) => console.log(`   ${r.source.width}x${r.source.height}${r.source.clean ? ' clean' : ''} → ${r.width}x${r.height} ${r.encoderPreset} ${r.threads}t: ${r.seconds.toFixed(2)} s`),
    });
    console.log(`   (${((performance.now() - t0) / 1000).toFixed(0)} s; parallel fraction ${parallelFraction?.toFixed(3) ?? 'n/a'}, decode ${(decodePixelsPerSec / 1e6).toFixed(0)} Mpixel/s + ${(decodeBitsPerSec / 1e6).toFixed(1)} Mbit/s per vCPU)\n`);

    const clips: TestClip[] = [];
    const bbb = join(REPO_ROOT, '../shared/media/bbb-720p-30s.webm');
    const kbps = (path: string, seconds: number) => (statSync(path).size * 8) / seconds / 1000;
    if (existsSync(bbb)) clips.push({ name: 'bbb-720p-30s', path: bbb, width: 1280, height: 720, fps: 24, startFrame: 288, frames: 144, kbps: kbps(bbb, 30) });
    else console.log('   (../shared/media/bbb-720p-30s.webm is absent: only the generated clip is measured)');
    const gen = join(dir, 'gen-1080p.mp4');
    // Other content than the calibration clips: mandelbrot zoom with film grain.
    await runTool(tools.ffmpeg, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'mandelbrot=size=1920x1080:rate=25', '-vf', 'noise=alls=10:allf=t', '-frames:v', '250', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-g', '50', '-pix_fmt', 'yuv420p', gen]);
    clips.push({ name: 'generated-1080p', path: gen, width: 1920, height: 1080, fps: 25, startFrame: 100, frames: 100, kbps: kbps(gen, 10) });

    console.log('2. real chunks, predicted vs measured (compute seconds):');
    const rows: { clip: string; rung: string; preset: string; threads: number; predicted: number; measured: number; error: number }[] = [];
    for (const clip of clips) {
      for (const presetName of ['default', 'draft']) {
        const preset = findPreset(presetName)!;
        const rungs = planLadder({ width: clip.width, height: clip.height }, preset);
        for (const rung of rungs) {
          for (const threads of [...new Set([1, cores])]) {
            const c = { source: { width: clip.width, height: clip.height }, width: rung.width, height: rung.height, preset: presetName, threads, frames: clip.frames, fps: clip.fps, startFrame: clip.startFrame };
            const measured = await timeChunkEncode(tools, clip.path, join(dir, `out-${rows.length}.mp4`), c, rung);
            const predicted = predictedEncodeSeconds(table, { ...c, source: { width: clip.width, height: clip.height, kbps: clip.kbps } }, rung.encoderPreset);
            const error = (predicted - measured) / measured;
            rows.push({ clip: clip.name, rung: `${rung.width}x${rung.height}`, preset: rung.encoderPreset, threads, predicted, measured, error });
          }
        }
      }
    }
    const header = ['clip', 'rung', 'x264', 'threads', 'predicted s', 'measured s', 'error'];
    const cells = rows.map((r) => [r.clip, r.rung, r.preset, String(r.threads), r.predicted.toFixed(2), r.measured.toFixed(2), `${(r.error * 100).toFixed(0)}%`]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) => c.map((x, i) => (i < 3 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const c of cells) console.log(line(c));

    const abs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b);
    const median = abs.length % 2 ? abs[(abs.length - 1) / 2] : (abs[abs.length / 2 - 1] + abs[abs.length / 2]) / 2;
    const verdict = median <= TARGET;
    console.log(`\nmedian absolute error ${(median * 100).toFixed(1)}% over ${rows.length} chunks (target ≤ ${TARGET * 100}%): ${verdict ? 'PASS' : 'FAIL'}`);
    return verdict ? 0 : 1;
  } finally {
    jobs.close();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}
