/**
 * Calibration of the allocator's speed model on this machine (`mosaic calibrate`): short real
 * x264 encodes of a generated clip at each resolution class, preset and thread count, timed, and
 * folded into the speed table in the JobStore (each key: the mean of its samples). The same chunk
 * encode the encode-video function runs (`encodeVideoChunkArgs`), so what is measured is what runs.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Rung, SpeedSample, SpeedTable } from '../lambdas/contracts/index.js';
import { predict } from '../lambdas/core/allocator/speed-model.js';
import { planTiming } from '../lambdas/core/chunks.js';
import { encodeVideoChunkArgs } from '../lambdas/core/ffmpeg-args.js';
import { planLadder } from '../lambdas/core/ladder.js';
import { findPreset } from '../lambdas/core/presets.js';
import type { JobStore } from '../lambdas/ports.js';
import { loadSpeedTable, replaceSpeedSamples, runTool, type MediaTools } from '../lambdas/runtime/index.js';

export interface CalibrationCase {
  width: number;
  height: number;
  /** A Mosaic preset name (its x264 preset and rung settings are used). */
  preset: string;
  threads: number;
  frames: number;
  fps: number;
}

export interface CalibrationRow extends CalibrationCase {
  encoderPreset: string;
  seconds: number;
  /** What the model predicted before this calibration (compute time only). */
  predictedBefore: number;
}

/** 360p, 720p and 1080p; both presets; one thread and every core; 4 s at 24 fps. */
export function defaultCases(cores: number): CalibrationCase[] {
  const out: CalibrationCase[] = [];
  for (const [width, height] of [[640, 360], [1280, 720], [1920, 1080]] as const)
    for (const preset of ['default', 'draft'])
      for (const threads of [...new Set([1, Math.max(1, cores)])]) out.push({ width, height, preset, threads, frames: 96, fps: 24 });
  return out;
}

/**
 * A clip with the motion and grain that make x264 work like it does on camera footage
 * (a plain test pattern encodes several times faster than real video).
 */
export async function makeCalibrationSource(ffmpeg: string, path: string, c: { width: number; height: number; frames: number; fps: number }): Promise<void> {
  await runTool(ffmpeg, [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${c.width}x${c.height}:rate=${c.fps}`,
    '-vf', 'noise=alls=18:allf=t+u,hue=H=2*PI*t/3',
    '-frames:v', String(c.frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '16', '-pix_fmt', 'yuv420p', path,
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
  const timing = planTiming(c.fps, String(c.fps), 2);
  const started = performance.now();
  await runTool(tools.ffmpeg, encodeVideoChunkArgs({ source, output, rung, chunk: { index: 0, startFrame: c.startFrame ?? 0, frames: c.frames }, timing, threads: c.threads }));
  const seconds = (performance.now() - started) / 1000;
  await stat(output); // the encode must have produced its chunk
  return seconds;
}

/** Compute seconds the model predicts for a chunk encode at `threads` vCPUs. */
export function predictedEncodeSeconds(table: SpeedTable, c: { width: number; height: number; fps: number; frames: number; threads: number }, encoderPreset: string): number {
  const task = { function: 'encode-video', codec: 'h264' as const, encoderPreset, width: c.width, height: c.height, fps: c.fps, frames: c.frames, sourceBitrateKbps: 0, sourceBytes: 0 };
  return predict(task, { platform: 'lambda', vcpu: c.threads }, table).computeSeconds;
}

export async function calibrate(opts: {
  tools: MediaTools;
  jobs: JobStore;
  scratchDir: string;
  cases: CalibrationCase[];
  onResult?: (row: CalibrationRow) => void;
}): Promise<{ rows: CalibrationRow[]; table: SpeedTable }> {
  await mkdir(opts.scratchDir, { recursive: true });
  const before = await loadSpeedTable(opts.jobs);
  const rows: CalibrationRow[] = [];
  const sources = new Map<string, string>();
  try {
    for (const c of opts.cases) {
      const id = `${c.width}x${c.height}-${c.frames}-${c.fps}`;
      let source = sources.get(id);
      if (!source) {
        source = join(opts.scratchDir, `source-${id}.mp4`);
        await makeCalibrationSource(opts.tools.ffmpeg, source, c);
        sources.set(id, source);
      }
      const rung = calibrationRung(c);
      // One unmeasured run first: page cache and CPU frequency settle before the timed one.
      if (rows.length === 0) await timeChunkEncode(opts.tools, source, join(opts.scratchDir, 'warmup.mp4'), c, rung);
      const seconds = await timeChunkEncode(opts.tools, source, join(opts.scratchDir, `out-${rows.length}.mp4`), c, rung);
      const row = { ...c, encoderPreset: rung.encoderPreset, seconds, predictedBefore: predictedEncodeSeconds(before, c, rung.encoderPreset) };
      rows.push(row);
      opts.onResult?.(row);
    }
    const samples: SpeedSample[] = rows.map((r) => ({
      function: 'encode-video',
      codec: 'h264',
      encoderPreset: r.encoderPreset,
      width: r.width,
      height: r.height,
      frames: r.frames,
      seconds: r.seconds,
      vcpu: r.threads,
    }));
    await replaceSpeedSamples(opts.jobs, samples);
    return { rows, table: await loadSpeedTable(opts.jobs) };
  } finally {
    await rm(opts.scratchDir, { recursive: true, force: true });
  }
}
