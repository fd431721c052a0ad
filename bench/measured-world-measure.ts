/**
 * `npm run bench -- allocator --measure`: times real chunk encodes on this machine and writes
 * bench/data/measured-chunk-encodes.json, the measured world the allocator benchmark draws from.
 *
 * What runs: the encode-video chunk encode (local/calibrate.ts measureChunkEncode: the same
 * ffmpeg arguments as a job) of the catalogue's cases — each catalogue source resolution at its
 * mezzanine bitrate (bench/catalogue.ts) down to each rung of the default ladder (x264 "fast"),
 * and a subset in x265 (the hevc preset's rungs), each at 1 and 2 threads, several repetitions.
 * Sources are generated (grainy moving test pattern, as calibration uses); the shared Big Buck
 * Bunny clip, when present, is measured too as a check of how real footage compares (it is not
 * drawn from). Repetitions are interleaved (every case once, then again) and the 1- and 2-thread
 * runs of a case run back to back, so slow spells of a shared machine spread over cases.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planLadder } from '../lambdas/core/ladder.js';
import { PRESETS } from '../lambdas/core/presets.js';
import { resolveMediaTools, runTool } from '../lambdas/runtime/index.js';
import { makeCalibrationSource, measureChunkEncode } from '../local/calibrate.js';
import { CATALOGUE_SOURCES } from './catalogue.js';
import { isCleanRun, MeasuredDataSchema, type MeasuredCase, type MeasuredData } from './measured-world.js';
import { REPO_ROOT } from './util.js';

export const MEASURED_DATA_PATH = join(REPO_ROOT, 'bench/data/measured-chunk-encodes.json');

const FPS = 24;
/** Frames per timed chunk: 2 s of x264, 1 s of x265 (several times slower) and from a 2160p source. ffmpeg's start is included. */
const framesOf = (codec: 'h264' | 'h265', sourceHeight: number) => (codec === 'h264' && sourceHeight < 2160 ? 48 : 24);
const SOURCE_FRAMES = FPS + 48;
/** x265 pairs (source height → rung height): top rungs, one far-down rung per source, so the resolution fit has both terms. */
const X265_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [2160, 2160],
  [1080, 1080],
  [1080, 360],
  [720, 720],
  [480, 240],
];
const BBB = join(REPO_ROOT, '../shared/media/bbb-720p-30s.webm');

interface PlannedCase {
  codec: 'h264' | 'h265';
  content: 'generated' | 'bbb';
  source: { width: number; height: number; kbps: number };
  height: number;
}

/** Every case to time (without repetitions and thread counts). */
export function plannedCases(withBbb: boolean): PlannedCase[] {
  const out: PlannedCase[] = [];
  for (const s of CATALOGUE_SOURCES) {
    const source = { width: s.width, height: s.height, kbps: s.kbps };
    for (const r of planLadder(source, PRESETS.default)) out.push({ codec: 'h264', content: 'generated', source, height: r.height });
  }
  for (const [sh, rh] of X265_PAIRS) {
    const s = CATALOGUE_SOURCES.find((x) => x.height === sh)!;
    out.push({ codec: 'h265', content: 'generated', source: { width: s.width, height: s.height, kbps: s.kbps }, height: rh });
  }
  if (withBbb) for (const height of [720, 360]) out.push({ codec: 'h264', content: 'bbb', source: { width: 1280, height: 720, kbps: 0 }, height });
  return out;
}

export async function measure(opts: { repetitions: number; out?: string; log?: (line: string) => void }): Promise<MeasuredData> {
  const log = opts.log ?? console.log;
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-measured-world-'));
  const tools = await resolveMediaTools({ searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: dir, ffmpegTimeoutMs: 600_000, ffmpegPath: process.env.MOSAIC_FFMPEG });
  const withBbb = existsSync(BBB);
  if (!withBbb) log(`(${BBB} is absent: the real-footage check is skipped; the world uses generated sources only)`);
  const started = performance.now();
  const cpuStart = process.resourceUsage();
  const loadBefore = loadavg();
  try {
    const version = (await runTool(tools.ffmpeg, ['-hide_banner', '-version'])).stdout.split('\n')[0];
    const planned = plannedCases(withBbb);
    const sources = new Map<string, string>();
    const sourceOf = async (c: PlannedCase): Promise<{ path: string; startFrame: number }> => {
      if (c.content === 'bbb') return { path: BBB, startFrame: 288 };
      const id = `${c.source.height}-${c.source.kbps}`;
      if (!sources.has(id)) {
        const path = join(dir, `source-${id}.mp4`);
        // One second of lead-in: real chunks start mid-file, after a seek.
        await makeCalibrationSource(tools.ffmpeg, path, { width: c.source.width, height: c.source.height, frames: SOURCE_FRAMES, fps: FPS, kbps: c.source.kbps });
        sources.set(id, path);
      }
      return { path: sources.get(id)!, startFrame: FPS };
    };
    const cases: MeasuredCase[] = [];
    for (const c of planned)
      for (const threads of [1, 2])
        cases.push({ codec: c.codec, encoderPreset: 'fast', content: c.content, source: c.source, width: 0, height: c.height, threads, frames: framesOf(c.codec, c.source.height), fps: FPS, runs: [] });
    for (let rep = 0; rep < opts.repetitions; rep++) {
      for (const [i, c] of cases.entries()) {
        const preset = c.codec === 'h265' ? PRESETS.hevc : PRESETS.default;
        const rung = planLadder({ width: c.source.width, height: c.source.height }, preset).find((r) => r.height === c.height)!;
        c.width = rung.width;
        const src = await sourceOf(planned[Math.floor(i / 2)]);
        // A 2-thread run during which other processes kept a vCPU busy is kept (marked) and run again, once: thread
        // scaling is fitted from clean runs. A 1-thread run is not: its CPU time, what the world uses, hardly depends on it.
        for (let attempt = 0; attempt < (c.threads > 1 ? MAX_ATTEMPTS : 1); attempt++) {
          if (attempt > 0) await waitForQuiet();
          const busyBefore = busyCpuSeconds();
          const m = await measureChunkEncode(tools, src.path, join(dir, `out-${i}.mp4`), { source: c.source, width: rung.width, height: rung.height, preset: preset.name, threads: c.threads, frames: c.frames, fps: c.fps, startFrame: src.startFrame }, rung);
          const otherCpuSeconds = Math.max(0, busyCpuSeconds() - busyBefore - m.cpuSeconds);
          const run = { wallSeconds: round(m.wallSeconds), cpuSeconds: round(m.cpuSeconds), maxRssKiB: m.maxRssKiB, otherVcpus: round(otherCpuSeconds / m.wallSeconds) };
          c.runs.push(run);
          const clean = isCleanRun(run, c.threads, cpus().length);
          log(`  rep ${rep + 1}/${opts.repetitions} ${c.codec} ${c.content} ${c.source.height}p → ${rung.width}x${rung.height} ${c.threads}t: wall ${m.wallSeconds.toFixed(2)} s, cpu ${m.cpuSeconds.toFixed(2)} s, others used ${run.otherVcpus.toFixed(2)} vCPU${clean ? '' : ' (contended)'}`);
          if (clean) break;
        }
      }
    }
    const cpu = process.resourceUsage();
    const data: MeasuredData = MeasuredDataSchema.parse({
      version: 1,
      measuredAt: new Date().toISOString(),
      machine: { cpuModel: cpus()[0]?.model ?? 'unknown', vcpus: cpus().length, os: `${process.platform} ${release()}`, node: process.version },
      ffmpeg: version,
      repetitions: opts.repetitions,
      contention: {
        loadAverageBefore: loadBefore.map(round),
        loadAverageAfter: loadavg().map(round),
        note: `otherVcpus of a run = other processes' CPU seconds during it (/proc/stat busy time − ffmpeg's own) ÷ its wall time; a run is clean when the vCPUs its threads need were free (bench/measured-world.ts isCleanRun); a contended run was run again (up to ${MAX_ATTEMPTS} times in all), every run is kept`,
      },
      wallSeconds: round((performance.now() - started) / 1000),
      // Our own CPU is small; the children's is the sum of the runs (the source generation is not counted).
      cpuSecondsOfRuns: round(cases.reduce((s, c) => s + c.runs.reduce((a, r) => a + r.cpuSeconds, 0), 0)),
      benchProcessCpuSeconds: round((cpu.userCPUTime - cpuStart.userCPUTime + cpu.systemCPUTime - cpuStart.systemCPUTime) / 1e6),
      cases,
    });
    const out = opts.out ?? MEASURED_DATA_PATH;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(data, null, 1) + '\n');
    log(`wrote ${out}: ${cases.length} cases × ${opts.repetitions} runs in ${data.wallSeconds.toFixed(0)} s (${data.cpuSecondsOfRuns.toFixed(0)} CPU-s of encodes)`);
    return data;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function loadMeasuredData(path = MEASURED_DATA_PATH): MeasuredData {
  return MeasuredDataSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Runs per case and repetition at most: the first, and again while other load spoilt it. */
const MAX_ATTEMPTS = 2;

/** CPU seconds the whole machine has been busy (all CPUs: user, nice, system, irq, softirq, steal), from /proc/stat. */
function busyCpuSeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN; // not Linux: contention unknown (NaN passes as clean nowhere; every run is kept)
  }
}

/** Waits (at most 5 s) until other processes use less than a quarter of the machine over a second. */
async function waitForQuiet(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const before = busyCpuSeconds();
    await new Promise((r) => setTimeout(r, 1000));
    if (!((busyCpuSeconds() - before) / cpus().length > 0.25)) return;
  }
}
