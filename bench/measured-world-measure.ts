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
 * drawn from). Repetitions are interleaved (every case once, then again), so slow spells of a
 * shared machine spread over cases. Every run records the CPU other processes used meanwhile
 * (/proc/stat); thread scaling needs runs with both vCPUs free, so a last phase waits for quiet
 * moments and times 1- and 2-thread pairs back to back, within a wall-time budget
 * (`--measure-pairs` adds such pairs to an existing file).
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

interface Session {
  version: string;
  /** Times one run of a case (its width is set from the ladder) and appends it to the case's runs. */
  time(c: MeasuredCase, label: string): Promise<MeasuredCase['runs'][number]>;
  close(): void;
}

async function openSession(withBbb: boolean, log: (line: string) => void): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-measured-world-'));
  const tools = await resolveMediaTools({ searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: dir, ffmpegTimeoutMs: 600_000, ffmpegPath: process.env.MOSAIC_FFMPEG });
  const version = (await runTool(tools.ffmpeg, ['-hide_banner', '-version'])).stdout.split('\n')[0];
  const sources = new Map<string, string>();
  const sourceOf = async (c: MeasuredCase): Promise<{ path: string; startFrame: number }> => {
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
  if (!withBbb) log(`(${BBB} is absent: the real-footage check is skipped; the world uses generated sources only)`);
  return {
    version,
    async time(c, label) {
      const preset = c.codec === 'h265' ? PRESETS.hevc : PRESETS.default;
      const rung = planLadder({ width: c.source.width, height: c.source.height }, preset).find((r) => r.height === c.height)!;
      c.width = rung.width;
      const src = await sourceOf(c);
      const busyBefore = busyCpuSeconds();
      const m = await measureChunkEncode(tools, src.path, join(dir, 'out.mp4'), { source: c.source, width: rung.width, height: rung.height, preset: preset.name, threads: c.threads, frames: c.frames, fps: c.fps, startFrame: src.startFrame }, rung);
      const otherCpuSeconds = Math.max(0, busyCpuSeconds() - busyBefore - m.cpuSeconds);
      const run = { wallSeconds: round(m.wallSeconds), cpuSeconds: round(m.cpuSeconds), maxRssKiB: m.maxRssKiB, otherVcpus: round(otherCpuSeconds / m.wallSeconds) };
      c.runs.push(run);
      const clean = isCleanRun(run, c.threads, cpus().length);
      log(`  ${label} ${c.codec} ${c.content} ${c.source.height}p → ${rung.width}x${rung.height} ${c.threads}t: wall ${m.wallSeconds.toFixed(2)} s, cpu ${m.cpuSeconds.toFixed(2)} s, others used ${run.otherVcpus.toFixed(2)} vCPU${clean ? '' : ' (contended)'}`);
      return run;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Times every case `repetitions` times, then (within `pairsBudgetSec`) clean thread pairs, and
 * writes the data file.
 */
export async function measure(opts: { repetitions: number; pairsBudgetSec: number; out?: string; log?: (line: string) => void }): Promise<MeasuredData> {
  const log = opts.log ?? console.log;
  const withBbb = existsSync(BBB);
  const session = await openSession(withBbb, log);
  const started = performance.now();
  const loadBefore = loadavg();
  try {
    const cases: MeasuredCase[] = plannedCases(withBbb).flatMap((c) =>
      [1, 2].map((threads) => ({ codec: c.codec, encoderPreset: 'fast', content: c.content, source: c.source, width: 0, height: c.height, threads, frames: framesOf(c.codec, c.source.height), fps: FPS, runs: [] })),
    );
    for (let rep = 0; rep < opts.repetitions; rep++) for (const c of cases) await session.time(c, `rep ${rep + 1}/${opts.repetitions}`);
    await measureCleanPairs(session, cases, opts.pairsBudgetSec, log);
    const data: MeasuredData = MeasuredDataSchema.parse({
      version: 1,
      measuredAt: new Date().toISOString(),
      machine: { cpuModel: cpus()[0]?.model ?? 'unknown', vcpus: cpus().length, os: `${process.platform} ${release()}`, node: process.version },
      ffmpeg: session.version,
      repetitions: opts.repetitions,
      contention: { loadAverageBefore: loadBefore.map(round), loadAverageAfter: loadavg().map(round), note: CONTENTION_NOTE },
      wallSeconds: round((performance.now() - started) / 1000),
      cpuSecondsOfRuns: cpuOfRuns(cases),
      cases,
    });
    save(data, opts.out ?? MEASURED_DATA_PATH, log);
    return data;
  } finally {
    session.close();
  }
}

/** More clean thread pairs for an existing data file (`--measure-pairs`): for a machine that was busy during `--measure`. */
export async function measurePairs(opts: { budgetSec: number; path?: string; log?: (line: string) => void }): Promise<MeasuredData> {
  const log = opts.log ?? console.log;
  const path = opts.path ?? MEASURED_DATA_PATH;
  const data = loadMeasuredData(path);
  const session = await openSession(data.cases.some((c) => c.content === 'bbb'), log);
  const started = performance.now();
  try {
    await measureCleanPairs(session, data.cases, opts.budgetSec, log);
    data.wallSeconds = round(data.wallSeconds + (performance.now() - started) / 1000);
    data.cpuSecondsOfRuns = cpuOfRuns(data.cases);
    data.contention.loadAverageAfter = loadavg().map(round);
    save(data, path, log);
    return data;
  } finally {
    session.close();
  }
}

/**
 * Thread scaling needs a 1- and a 2-thread run of a case with both vCPUs free: for each
 * generated case without such a pair (cheapest first), waits for a quiet second and times the
 * pair back to back, until `budgetSec` of wall time is spent.
 */
async function measureCleanPairs(session: Session, cases: MeasuredCase[], budgetSec: number, log: (line: string) => void): Promise<void> {
  const vcpus = cpus().length;
  const deadline = performance.now() + budgetSec * 1000;
  const pairs = cases
    .filter((c) => c.threads === 1 && c.content === 'generated')
    .map((one) => ({ one, two: cases.find((t) => t.threads === 2 && t.codec === one.codec && t.content === one.content && t.source.height === one.source.height && t.height === one.height)! }))
    .filter((p) => p.two && !p.two.runs.some((r) => isCleanRun(r, 2, vcpus)))
    .sort((a, b) => a.one.runs[0].cpuSeconds - b.one.runs[0].cpuSeconds);
  if (pairs.length && budgetSec > 0) log(`clean thread pairs: ${pairs.length} cases have none; up to ${budgetSec} s, waiting for quiet moments`);
  for (const { one, two } of pairs) {
    if (performance.now() > deadline) break;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && performance.now() < deadline; attempt++) {
      await waitForQuiet(30);
      const a = await session.time(one, 'pair');
      const b = await session.time(two, 'pair');
      if (isCleanRun(a, 1, vcpus) && isCleanRun(b, 2, vcpus)) break;
    }
  }
}

const CONTENTION_NOTE =
  "otherVcpus of a run = other processes' CPU seconds during it (/proc/stat busy time − ffmpeg's own) ÷ its wall time; a run is clean when the vCPUs its threads needed were free (bench/measured-world.ts isCleanRun); every run is kept";

const cpuOfRuns = (cases: MeasuredCase[]) => round(cases.reduce((s, c) => s + c.runs.reduce((a, r) => a + r.cpuSeconds, 0), 0));

function save(data: MeasuredData, out: string, log: (line: string) => void): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(MeasuredDataSchema.parse(data), null, 1) + '\n');
  const runs = data.cases.reduce((n, c) => n + c.runs.length, 0);
  log(`wrote ${out}: ${data.cases.length} cases, ${runs} runs, ${data.wallSeconds.toFixed(0)} s wall (${data.cpuSecondsOfRuns.toFixed(0)} CPU-s of encodes)`);
}

export function loadMeasuredData(path = MEASURED_DATA_PATH): MeasuredData {
  return MeasuredDataSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Attempts at a clean pair per case. */
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

/** Waits (at most `seconds`) until other processes use less than a tenth of the machine over a second. */
async function waitForQuiet(seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    const before = busyCpuSeconds();
    await new Promise((r) => setTimeout(r, 1000));
    if (!((busyCpuSeconds() - before) / cpus().length > 0.1)) return;
  }
}
