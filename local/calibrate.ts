/**
 * Calibration of the allocator's speed model on this machine (`mosaic calibrate`): short real
 * encodes (x264; with `codecs`, also x265, AV1 and VP9 — whichever encoder of each this ffmpeg
 * has) of a generated clip at each resolution class, preset and thread count, timed, and
 * folded into the speed table in the JobStore (each key: the mean of its samples). The same chunk
 * encode the encode-video function runs (`encodeVideoChunkArgs`), so what is measured is what runs.
 */
import { plainPicture } from '../lambdas/core/conform.js';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ResolutionClassSchema, speedKey, type Rung, type SpeedEntry, type SpeedTable, type VideoCodec, type VideoCodecForAllocation } from '../lambdas/contracts/index.js';

const RESOLUTION_CLASSES = ResolutionClassSchema.options;
import { decodeSeconds, DEFAULT_SPEED_TABLE, encodeSeconds, MACHINE_KEYS, refPixels, speedup } from '../lambdas/core/allocator/speed-model.js';
import { planTiming } from '../lambdas/core/chunks.js';
import { encodeVideoChunkArgs, rungCodec } from '../lambdas/core/ffmpeg-args.js';
import { allocationCodec } from '../lambdas/core/plan-sizing.js';
import { planLadder } from '../lambdas/core/ladder.js';
import { findPreset } from '../lambdas/core/presets.js';
import type { DocumentStore } from '../lambdas/ports.js';
import { loadSpeedTable, mergeSpeedEntries, requireVideoEncoder, runTool, type MediaTools } from '../lambdas/runtime/index.js';

export interface CalibrationSource {
  width: number;
  height: number;
  /** No grain, a low bitrate: with the grainy ones it separates the per-pixel and per-bit costs of decoding. */
  clean?: boolean;
}

export interface CalibrationCase {
  source: CalibrationSource;
  /** The rung encoded from it. */
  width: number;
  height: number;
  /** A Mosaic preset name (its codec, encoder preset and rung settings are used: `hevc` times x265). */
  preset: string;
  threads: number;
  frames: number;
  fps: number;
}

export interface CalibrationRow extends CalibrationCase {
  /** The speed table's codec of the encode (h264, h265, av1, vp9). */
  codec: VideoCodecForAllocation;
  encoderPreset: string;
  seconds: number;
  /** The source's average bitrate. */
  sourceKbps: number;
  /** What the model predicted before this calibration. */
  predictedBefore: number;
}

/**
 * Chunk encodes as a ladder runs them — a 1080p and a 720p source, grainy and clean, down to
 * several rungs, with both presets — on one thread, and a few on every core for thread scaling.
 */
export function defaultCases(cores: number, codecs: VideoCodec[] = ['h264']): CalibrationCase[] {
  const out: CalibrationCase[] = [];
  // Other codecs: their preset (hevc, av1, vp9) from the 720p source to two rungs, fewer frames
  // for AV1 (libaom encodes a few frames a second), and on every core for their thread scaling.
  for (const codec of codecs.filter((c) => c !== 'h264')) {
    const frames = codec === 'av1' ? 24 : 48;
    for (const [width, height] of [[1280, 720], [640, 360]] as const) out.push({ source: { width: 1280, height: 720 }, width, height, preset: codec, threads: 1, frames, fps: 24 });
    if (cores > 1) out.push({ source: { width: 1280, height: 720 }, width: 640, height: 360, preset: codec, threads: cores, frames, fps: 24 });
  }
  if (!codecs.includes('h264')) return out;
  const grainy1080 = { width: 1920, height: 1080 };
  const clean1080 = { width: 1920, height: 1080, clean: true };
  const grainy720 = { width: 1280, height: 720 };
  const ladders: [CalibrationSource, [number, number][]][] = [
    [grainy1080, [[1920, 1080], [1280, 720], [640, 360]]],
    [clean1080, [[1280, 720], [640, 360]]],
    [grainy720, [[1280, 720], [640, 360]]],
  ];
  for (const preset of ['default', 'draft'])
    for (const [source, rungs] of ladders)
      for (const [width, height] of rungs) out.push({ source, width, height, preset, threads: 1, frames: 72, fps: 24 });
  if (cores > 1)
    for (const preset of ['default', 'draft'])
      for (const [width, height] of [[1280, 720], [640, 360]] as const) out.push({ source: grainy1080, width, height, preset, threads: cores, frames: 72, fps: 24 });
  return out;
}

/**
 * A clip with the motion and grain that make x264 work like it does on camera footage
 * (a plain test pattern encodes several times faster than real video).
 */
export async function makeCalibrationSource(ffmpeg: string, path: string, c: { width: number; height: number; frames: number; fps: number; clean?: boolean; kbps?: number }): Promise<void> {
  await runTool(ffmpeg, [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${c.width}x${c.height}:rate=${c.fps}`,
    // `clean`: no grain, a low bitrate — with the grainy one it separates decoding's per-pixel and per-bit costs.
    '-vf', c.clean ? 'hue=H=2*PI*t/3' : 'noise=alls=18:allf=t+u,hue=H=2*PI*t/3',
    // `kbps`: a mezzanine of that bitrate (decoding cost grows with it); else CRF 18.
    '-frames:v', String(c.frames), '-c:v', 'libx264', '-preset', 'ultrafast',
    ...(c.kbps ? ['-b:v', `${c.kbps}k`, '-maxrate', `${c.kbps}k`, '-bufsize', `${2 * c.kbps}k`] : ['-crf', '18']),
    '-g', String(2 * c.fps), '-pix_fmt', 'yuv420p', path,
  ]);
}

export function calibrationRung(c: Pick<CalibrationCase, 'width' | 'height' | 'preset'>): Rung {
  const preset = findPreset(c.preset);
  if (!preset) throw new Error(`unknown preset "${c.preset}"`);
  const top = [...preset.rungs].sort((a, b) => b.height - a.height)[0];
  // The preset's bitrate scaled to this frame size (the rung settings are otherwise the preset's).
  const bitrateKbps = Math.max(100, Math.round((top.bitrateKbps * c.width * c.height) / ((top.height * 16) / 9) / top.height));
  return planLadder({ width: c.width, height: c.height }, preset, [{ height: Math.min(c.width, c.height), bitrateKbps }])[0];
}

/** Times one chunk encode of `source` (wall seconds of the ffmpeg run). */
export async function timeChunkEncode(tools: MediaTools, source: string, output: string, c: CalibrationCase & { startFrame?: number }, rung = calibrationRung(c)): Promise<number> {
  return (await measureChunkEncode(tools, source, output, c, rung)).wallSeconds;
}

export interface ChunkEncodeMeasurement {
  wallSeconds: number;
  /** ffmpeg's own user + system CPU seconds over all its threads (`-benchmark`: getrusage of the process). */
  cpuSeconds: number;
  maxRssKiB: number;
}

/** One chunk encode of `source` as encode-video runs it, with its wall and CPU time (a shared machine inflates the first, hardly the second). */
export async function measureChunkEncode(tools: MediaTools, source: string, output: string, c: CalibrationCase & { startFrame?: number }, rung = calibrationRung(c)): Promise<ChunkEncodeMeasurement> {
  const timing = planTiming(c.fps, String(c.fps), 2);
  // The encoder the encode-video function would use here (none: Mosaic.InputInvalid, what a job would get).
  const encoder = requireVideoEncoder(tools, rungCodec(rung));
  const started = performance.now();
  const args = encodeVideoChunkArgs({ source, output, rung, chunk: { index: 0, startFrame: c.startFrame ?? 0, frames: c.frames }, timing, picture: plainPicture(c.width, c.height, c.fps), threads: c.threads, encoder });
  const { stderr } = await runTool(tools.ffmpeg, ['-benchmark', ...args]);
  const wallSeconds = (performance.now() - started) / 1000;
  await stat(output); // the encode must have produced its chunk
  const times = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  const rss = /bench: maxrss=(\d+)kB/.exec(stderr);
  return { wallSeconds, cpuSeconds: times ? Number(times[1]) + Number(times[2]) : NaN, maxRssKiB: rss ? Number(rss[1]) : NaN };
}

/** Compute seconds the model predicts for a chunk encode here: decoding, scaling and encoding on `threads`. */
export function predictedEncodeSeconds(
  table: SpeedTable,
  c: { width: number; height: number; fps: number; frames: number; threads: number; source?: { width: number; height: number; kbps: number } },
  encoderPreset: string,
  codec: VideoCodecForAllocation = 'h264',
): number {
  const task = { function: 'encode-video', codec, encoderPreset, width: c.width, height: c.height, fps: c.fps, frames: c.frames, sourceBitrateKbps: c.source?.kbps ?? 0 };
  const source = c.source ? { sourceWidth: c.source.width, sourceHeight: c.source.height } : {};
  return encodeSeconds(task, c.threads, table) + decodeSeconds({ ...task, ...source }, c.threads, table);
}

/** Least squares (normal equations, Gauss–Jordan) for A·x ≈ b; unknowns that come out ≤ 0 are dropped and it is solved again. */
export function nonNegativeLeastSquares(a: number[][], b: number[]): number[] {
  const n = a[0].length;
  const active = new Set(Array.from({ length: n }, (_, i) => i));
  for (;;) {
    const idx = [...active];
    const m = idx.map((i) => [...idx.map((j) => a.reduce((s, row) => s + row[i] * row[j], 0)), a.reduce((s, row, r) => s + row[i] * b[r], 0)]);
    for (let c = 0; c < idx.length; c++) {
      const pivot = m.slice(c).reduce((best, row, k) => (Math.abs(row[c]) > Math.abs(m[best][c]) ? k + c : best), c);
      [m[c], m[pivot]] = [m[pivot], m[c]];
      if (Math.abs(m[c][c]) < 1e-300) continue;
      for (let r = 0; r < idx.length; r++) {
        if (r === c) continue;
        const f = m[r][c] / m[c][c];
        for (let k = c; k <= idx.length; k++) m[r][k] -= f * m[c][k];
      }
    }
    const x = new Array<number>(n).fill(0);
    idx.forEach((i, c) => (x[i] = Math.abs(m[c][c]) < 1e-300 ? 0 : m[c][idx.length] / m[c][c]));
    const negative = idx.filter((i) => !(x[i] > 0));
    if (negative.length === 0 || active.size === 1) return x.map((v) => Math.max(v, 0));
    for (const i of negative) active.delete(i);
  }
}

/** Amdahl's parallel fraction from the same encode timed on 1 and on n threads. */
export function parallelFractionOf(oneThread: number, nThreads: number, n: number): number {
  const r = oneThread / nThreads;
  return Math.min(0.999, Math.max(0.01, (1 - 1 / r) / (1 - 1 / n)));
}

export async function calibrate(opts: {
  tools: MediaTools;
  /** Where the speed table is kept (its one document). */
  jobs: DocumentStore;
  scratchDir: string;
  cases: CalibrationCase[];
  onResult?: (row: CalibrationRow) => void;
}): Promise<{ rows: CalibrationRow[]; table: SpeedTable; parallelFraction: number | null; decodePixelsPerSec: number; decodeBitsPerSec: number }> {
  await mkdir(opts.scratchDir, { recursive: true });
  const before = await loadSpeedTable(opts.jobs);
  const rows: CalibrationRow[] = [];
  const sources = new Map<string, { path: string; kbps: number }>();
  try {
    for (const c of opts.cases) {
      const id = `${c.source.width}x${c.source.height}${c.source.clean ? '-clean' : ''}-${c.frames}-${c.fps}`;
      let source = sources.get(id);
      if (!source) {
        const path = join(opts.scratchDir, `source-${id}.mp4`);
        await makeCalibrationSource(opts.tools.ffmpeg, path, { ...c.source, frames: c.frames, fps: c.fps });
        source = { path, kbps: ((await stat(path)).size * 8) / (c.frames / c.fps) / 1000 };
        sources.set(id, source);
      }
      const rung = calibrationRung(c);
      // One unmeasured run first: page cache and CPU frequency settle before the timed ones.
      if (rows.length === 0) await timeChunkEncode(opts.tools, source.path, join(opts.scratchDir, 'warmup.mp4'), c, rung);
      const seconds = await timeChunkEncode(opts.tools, source.path, join(opts.scratchDir, `out-${rows.length}.mp4`), c, rung);
      const codec = allocationCodec(rung);
      const row: CalibrationRow = {
        ...c,
        codec,
        encoderPreset: rung.encoderPreset,
        seconds,
        sourceKbps: source.kbps,
        predictedBefore: predictedEncodeSeconds(before, { ...c, source: { ...c.source, kbps: source.kbps } }, rung.encoderPreset, codec),
      };
      rows.push(row);
      opts.onResult?.(row);
    }

    // Thread scaling: the same encode on one thread and on all of them.
    const fractions: number[] = [];
    for (const r of rows.filter((x) => x.threads > 1)) {
      const one = rows.find((x) => x.threads === 1 && x.source === r.source && x.width === r.width && x.height === r.height && x.codec === r.codec && x.encoderPreset === r.encoderPreset);
      if (one) fractions.push(parallelFractionOf(one.seconds, r.seconds, r.threads));
    }
    const p = fractions.length ? fractions.reduce((a, b) => a + b, 0) / fractions.length : null;
    const now = new Date().toISOString();
    const entry = (key: string, value: number, samples: number): SpeedEntry => ({ key, fpsPerVcpu: value, samples, updatedAt: now });
    const entries: SpeedTable = {};
    if (p !== null) entries[MACHINE_KEYS.parallelFraction] = entry(MACHINE_KEYS.parallelFraction, p, fractions.length);
    const withP = { ...DEFAULT_SPEED_TABLE, ...entries };

    // seconds per frame × speedup = rung pixels / E(codec, preset) + source pixels / P + source bits / B,
    // fitted on every run, each row weighted by 1/seconds (relative error is what matters).
    const encodeKind = (r: CalibrationRow) => `${r.codec}/${r.encoderPreset}`;
    const presets = [...new Set(rows.map(encodeKind))];
    const a: number[][] = [];
    const b: number[] = [];
    for (const r of rows) {
      const y = (r.seconds * speedup(r.threads, withP)) / r.frames;
      const bits = (r.sourceKbps * 1000) / r.fps;
      a.push([...presets.map((pr) => (pr === encodeKind(r) ? (r.width * r.height) / y : 0)), (r.source.width * r.source.height) / y, bits / y]);
      b.push(1);
    }
    const x = nonNegativeLeastSquares(a, b);
    const [perPixel, perBit] = [x[presets.length], x[presets.length + 1]];
    const decodePixelsPerSec = perPixel > 0 ? 1 / perPixel : 1e15;
    const decodeBitsPerSec = perBit > 0 ? 1 / perBit : 1e15;
    entries[MACHINE_KEYS.decode] = entry(MACHINE_KEYS.decode, decodePixelsPerSec, rows.length);
    entries[MACHINE_KEYS.decodeBits] = entry(MACHINE_KEYS.decodeBits, decodeBitsPerSec, rows.length);
    presets.forEach((pr, i) => {
      if (!(x[i] > 0)) return;
      const of = rows.filter((r) => encodeKind(r) === pr);
      const count = of.length;
      for (const rc of RESOLUTION_CLASSES) {
        // lookupSpeed scales an entry by pixels: seconds per frame = pixels × x[i] at any size.
        const key = speedKey('encode-video', of[0].codec, of[0].encoderPreset, rc);
        entries[key] = entry(key, 1 / (x[i] * refPixels(rc)), count);
      }
    });
    await mergeSpeedEntries(opts.jobs, entries);
    return { rows, table: await loadSpeedTable(opts.jobs), parallelFraction: p, decodePixelsPerSec, decodeBitsPerSec };
  } finally {
    await rm(opts.scratchDir, { recursive: true, force: true });
  }
}
