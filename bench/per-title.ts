/**
 * `npm run bench -- per-title`: what the per-title ladder buys, in BD-rate.
 *
 * For every clip of ../shared/media/ (skipped, with the reason, when the folder is absent) and one
 * generated clip, the embedded engine (LocalEngine, a fresh state folder) encodes three ladders:
 *  - preset `per-title` (the ladder the engine picks for the title),
 *  - preset `default` (the fixed ladder),
 *  - Apple's HLS authoring specification H.264 ladder (416x234 145 kb/s … 1920x1080 7800 kb/s),
 *    given as an explicit JobSpec `ladder` with preset `default`'s encoder settings.
 * The engine drops rungs above the source (printed).
 * Every rung is then scored against the source — VMAF v0.6.1 on every frame and PSNR-Y — with
 * core's quality filtergraph (the one measure-quality runs, with n_subsample=1) on the ffmpeg that
 * has libvmaf, and paired with the rung's actual bitrate from report.json. BD-rate (core/bd-rate.ts:
 * PCHIP, exact integral over the common quality range) of per-title against default and against
 * Apple follows per clip, with the mean and the worst over clips. A ladder whose extra bits bought
 * no quality (a rung scoring no higher than a cheaper one) is not a rate–quality curve: such
 * dominated rungs are left out of that curve, and counted.
 * Also: the CPU seconds of the per-title job's `analyze-title` steps over those of its
 * encode-video steps (their ffmpeg children, bench/child-cpu.ts; step-seconds where /proc is missing), and, when the engine has HEVC or AV1 presets, their BD-rate against
 * the H.264 per-title ladder. `--quick` encodes the first N seconds (default 10) of each clip.
 * No assertions: it prints figures.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobRecord, JobReport, JobSpecInput, RungSpec, StepRecord } from '../lambdas/contracts/index.js';
import { bdRate, rateSavingAtPoint, type RateQualityPoint } from '../lambdas/core/bd-rate.js';
import { sourcePicture } from '../lambdas/core/conform.js';
import { qualityArgs } from '../lambdas/core/ffmpeg-args.js';
import { findPreset, presetNames } from '../lambdas/core/presets.js';
import { parseQualityLog } from '../lambdas/core/quality.js';
import { stageHlsRendition } from '../lambdas/runtime/hls-staging.js';
import { logger } from '../lambdas/runtime/observability.js';
import { LocalEngine } from '../local/engine.js';
import { childCpuMeter } from './child-cpu.js';
import { REPO_ROOT, run, runOk, tail } from './util.js';

const MEDIA_DIR = resolve(REPO_ROOT, '../shared/media');
const DEFAULT_MODEL = resolve(REPO_ROOT, '../shared/vmaf/vmaf_v0.6.1.pkl');
const VIDEO_EXT = new Set(['.mp4', '.mov', '.mkv', '.webm', '.mpg', '.mpeg', '.ts', '.m2ts', '.avi', '.y4m', '.mxf']);
const ANALYSIS_FUNCTION = 'analyze-title';
const ENCODE_FUNCTION = 'encode-video';
const VMAF_MIN_SIDE = 32;

/**
 * Apple, "HLS authoring specification for Apple devices", H.264 video ladder (resolution, kb/s),
 * heights as the short side. Where two rungs share a size the engine keeps the first listed of
 * that height (planLadder drops a second rung of the same dimensions), so the higher one is first.
 */
const APPLE_HLS_H264: { size: string; height: number; bitrateKbps: number }[] = [
  { size: '1920x1080', height: 1080, bitrateKbps: 7800 },
  { size: '1920x1080', height: 1080, bitrateKbps: 6000 },
  { size: '1280x720', height: 720, bitrateKbps: 4500 },
  { size: '1280x720', height: 720, bitrateKbps: 3000 },
  { size: '960x540', height: 540, bitrateKbps: 2000 },
  { size: '768x432', height: 432, bitrateKbps: 1100 },
  { size: '768x432', height: 432, bitrateKbps: 730 },
  { size: '640x360', height: 360, bitrateKbps: 365 },
  { size: '416x234', height: 234, bitrateKbps: 145 },
];

interface Options {
  quickSeconds: number | null;
  only?: string;
  keep: boolean;
  /** Leave out the HEVC/AV1/VP9 per-title ladders (H.264 figures only, much faster). */
  h264Only: boolean;
}

interface Clip {
  name: string;
  path: string;
  note?: string;
}

interface ScoredRung {
  id: string;
  size: string;
  kbps: number;
  vmaf: number | null;
  psnrY: number;
}

interface LadderRun {
  label: string;
  status: 'ok' | 'failed';
  error?: string;
  rungs: ScoredRung[];
  seconds: number;
  steps: StepRecord[];
  job?: JobRecord;
  /** The planned rungs: `WxH@kbps`, and whether any is CRF-driven (a per-title plan). */
  plan?: { rungs: string; crf: boolean };
  /** CPU seconds of the job's ffmpeg children per function (bench/child-cpu.ts); empty without /proc. */
  cpu?: Map<string, number>;
}

type Metric = 'vmaf' | 'psnrY';
const METRICS: Metric[] = ['vmaf', 'psnrY'];
const METRIC_LABEL: Record<Metric, string> = { vmaf: 'VMAF', psnrY: 'PSNR-Y' };

interface ClipResult {
  clip: Clip;
  source: string;
  ladders: Map<string, LadderRun>;
  /** `${test} vs ${ref}` → metric → BD-rate % or the reason there is none. */
  bd: Map<string, Record<Metric, number | string>>;
  /** `${test} vs ${ref} ${metric}` whose figure is the saving at one point (a ladder of one rung), not a BD-rate. */
  onePoint: Set<string>;
  analysisSec: number | null;
  encodeSec: number;
  /** The same in CPU seconds of their ffmpeg children, when measured. */
  analysisCpu: number | null;
  encodeCpu: number | null;
  perTitleActive: boolean | null;
}

/** Analysis over encode: CPU seconds where measured, else step-seconds; null without analysis. */
function analysisRatio(r: ClipResult): number | null {
  if (r.analysisSec === null) return null;
  if (r.analysisCpu !== null && r.encodeCpu) return r.analysisCpu / r.encodeCpu;
  return r.analysisSec / Math.max(1e-9, r.encodeSec);
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (typeof opts === 'string') {
    console.error(opts);
    return 2;
  }
  const started = performance.now();
  // The engine's step logs would drown the figures; warnings and errors still show.
  logger.setLogLevel('WARN');
  const root = await mkdtemp(join(tmpdir(), 'mosaic-bench-per-title-'));
  const model = process.env.MOSAIC_VMAF_MODEL || (existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : undefined);
  const engine = await LocalEngine.open({
    root: join(root, 'engine'),
    runtime: {
      searchPath: (process.env.PATH ?? '').split(':'),
      cacheDir: tmpdir(),
      allowModelDownload: false,
      ffmpegTimeoutMs: 3_600_000,
      ffmpegPath: process.env.MOSAIC_FFMPEG,
      ffprobePath: process.env.MOSAIC_FFPROBE,
      vmafModelPath: model,
    },
    parallelism: cpus().length,
  });
  const results: ClipResult[] = [];
  try {
    const perTitle = findPreset('per-title');
    // Other codecs' per-title ladders: single-codec presets with a per-title search, not H.264.
    const codecOf = (n: string) => (findPreset(n) as { codec?: string; codecs?: string[] } | undefined);
    const otherCodecPresets = presetNames().filter((n) => {
      const p = codecOf(n);
      return Boolean(p && !p.codecs?.length && p.codec && p.codec !== 'h264');
    });
    const otherCodecs = opts.h264Only ? [] : otherCodecPresets.filter((n) => findPreset(n)?.perTitle);
    const fixedOnly = opts.h264Only ? [] : otherCodecPresets.filter((n) => !otherCodecs.includes(n));
    console.log(`per-title benchmark: per-title vs default vs Apple HLS H.264 ladders, BD-rate on VMAF v0.6.1 (every frame) and PSNR-Y`);
    console.log(`mode:      ${opts.quickSeconds ? `--quick: first ${opts.quickSeconds} s of each clip` : 'whole clips'}; ${cpus().length} cores`);
    console.log(`ffmpeg:    ${engine.tools.ffmpeg}`);
    console.log(`VMAF:      ${engine.vmaf.path && engine.tools.vmafFfmpeg ? `${engine.tools.vmafFfmpeg} with ${engine.vmaf.path}` : `unavailable (${engine.vmaf.reason ?? engine.tools.vmafMissingReason}): PSNR-Y only`}`);
    console.log(`per-title: ${perTitle ? `preset v${perTitle.version}${perTitle.perTitle ? ' with a per-title search config' : ' WITHOUT a per-title config (plans its fixed rungs)'}` : 'NO per-title preset in this engine'}`);
    console.log(
      `codecs:    ${opts.h264Only ? 'H.264 only (--h264-only)' : otherCodecs.length ? `also ${otherCodecs.join(', ')} (per-title) vs H.264 per-title` : 'no per-title ladder in another codec: that comparison is skipped'}${fixedOnly.length ? ` (${fixedOnly.join(', ')}: fixed ladders only, no per-title search: skipped)` : ''}`,
    );
    console.log(`temp:      ${root}`);

    const clips = await listClips(engine, opts, join(root, 'clips'));
    for (const clip of clips) {
      if (opts.only && !clip.name.includes(opts.only)) continue;
      results.push(await benchClip(engine, clip, perTitle ? 'per-title' : null, otherCodecs, join(root, 'score')));
    }
  } finally {
    engine.close();
    if (opts.keep) console.log(`\nkept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  printSummary(results);
  console.log(`\ntotal: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

// ---- options

function parseOptions(argv: string[]): Options | string {
  const usage = 'usage: npm run bench -- per-title [--quick] [--seconds N (with --quick, default 10)] [--only TEXT] [--h264-only] [--keep]';
  try {
    const { values } = parseArgs({
      args: argv,
      options: { quick: { type: 'boolean', default: false }, seconds: { type: 'string' }, only: { type: 'string' }, keep: { type: 'boolean', default: false }, 'h264-only': { type: 'boolean', default: false } },
    });
    const seconds = values.seconds === undefined ? 10 : Number(values.seconds);
    if (!(seconds > 0)) return `--seconds must be a positive number\n${usage}`;
    return { quickSeconds: values.quick ? seconds : null, only: values.only, keep: values.keep, h264Only: values['h264-only'] };
  } catch (e) {
    return `${(e as Error).message}\n${usage}`;
  }
}

// ---- clips

async function listClips(engine: LocalEngine, opts: Options, dir: string): Promise<Clip[]> {
  await mkdir(dir, { recursive: true });
  const clips: Clip[] = [];
  if (!existsSync(MEDIA_DIR)) console.log(`\nskipping the shared clips: ${MEDIA_DIR} is absent (only the generated clip is encoded)`);
  else {
    for (const f of readdirSync(MEDIA_DIR).sort()) {
      if (!VIDEO_EXT.has(extname(f).toLowerCase())) continue;
      clips.push(await trimmed(engine, { name: f, path: join(MEDIA_DIR, f) }, opts.quickSeconds, dir));
    }
  }
  clips.push(await generatedClip(engine, opts.quickSeconds, dir));
  return clips;
}

async function durationSec(engine: LocalEngine, path: string): Promise<number> {
  const r = await runOk(engine.tools.ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]);
  return Number(r.stdout.trim());
}

/** With --quick, the first N seconds, re-encoded near-losslessly (a cut on keyframes would not be N seconds). */
async function trimmed(engine: LocalEngine, clip: Clip, seconds: number | null, dir: string): Promise<Clip> {
  if (!seconds) return clip;
  const full = await durationSec(engine, clip.path);
  if (!(full > seconds + 0.5)) return clip;
  const dims = (await runOk(engine.tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', clip.path])).stdout.trim().split(',').map(Number);
  // x264 4:2:0 needs even sizes; an odd-sized clip is cut losslessly with FFV1 instead.
  const odd = dims.some((d) => d % 2 !== 0);
  const out = join(dir, `${basename(clip.path, extname(clip.path))}-first${seconds}s.${odd ? 'mkv' : 'mp4'}`);
  const video = odd ? ['-c:v', 'ffv1'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '6', '-pix_fmt', 'yuv420p'];
  await runOk(engine.tools.ffmpeg, [
    '-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', clip.path, '-t', String(seconds),
    '-map', '0:v:0', '-map', '0:a:0?', ...video, '-c:a', 'aac', '-b:a', '192k', out,
  ]);
  return { ...clip, path: out, note: `first ${seconds} s of ${full.toFixed(1)} s` };
}

/** testsrc2 with grain: synthetic detail plus noise, something a fixed ladder does not fit. */
async function generatedClip(engine: LocalEngine, seconds: number | null, dir: string): Promise<Clip> {
  const [w, h, len] = seconds ? [1280, 720, seconds] : [1920, 1080, 20];
  const path = join(dir, `generated-testsrc2-${w}x${h}-${len}s.mp4`);
  await runOk(engine.tools.ffmpeg, [
    '-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=25`,
    '-vf', 'noise=alls=6:allf=t', '-t', String(len), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '10', '-g', '50', '-pix_fmt', 'yuv420p', path,
  ]);
  return { name: `generated testsrc2+grain ${w}x${h}`, path, note: `${len} s, 25 fps, no audio` };
}

// ---- one clip

async function benchClip(engine: LocalEngine, clip: Clip, perTitle: string | null, otherCodecs: string[], scoreDir: string): Promise<ClipResult> {
  console.log(`\n=== ${clip.name}${clip.note ? ` (${clip.note})` : ''}`);
  const apple: RungSpec[] = APPLE_HLS_H264.map(({ height, bitrateKbps }) => ({ height, bitrateKbps }));
  const specs: [string, Omit<JobSpecInput, 'source'>][] = [
    ...(perTitle ? ([['per-title', { preset: perTitle }]] as [string, Omit<JobSpecInput, 'source'>][]) : []),
    ['default', { preset: 'default' }],
    ['apple', { preset: 'default', ladder: apple }],
    ...otherCodecs.map((p): [string, Omit<JobSpecInput, 'source'>] => [p, { preset: p }]),
  ];
  const ladders = new Map<string, LadderRun>();
  let source = '';
  for (const [label, spec] of specs) {
    const r = await encodeAndScore(engine, clip, label, spec, join(scoreDir, `${results_id(clip)}-${label}`));
    ladders.set(label, r.run);
    if (r.source) source = r.source;
  }

  const bd = new Map<string, Record<Metric, number | string>>();
  const onePoint = new Set<string>();
  const pairs: [string, string][] = [
    ['per-title', 'default'],
    ['per-title', 'apple'],
    ...otherCodecs.map((p): [string, string] => [p, 'per-title']),
  ];
  for (const [test, ref] of pairs) {
    const t = ladders.get(test);
    const r = ladders.get(ref);
    if (!t || !r) continue;
    const row = {} as Record<Metric, number | string>;
    for (const m of METRICS) {
      const v = bdOf(r, t, m);
      row[m] = v.value;
      if (v.onePoint) onePoint.add(`${test} vs ${ref} ${m}`);
    }
    bd.set(`${test} vs ${ref}`, row);
    console.log(`BD-rate ${test} vs ${ref}: ${METRICS.map((m) => `${METRIC_LABEL[m]} ${fmtBd(row[m])}`).join(' | ')}`);
  }

  const pt = perTitle ? ladders.get('per-title') : undefined;
  const stepSec = (fn: string) => (pt?.steps ?? []).filter((s) => s.function === fn && s.durationMs !== null).reduce((sum, s) => sum + s.durationMs! / 1000, 0);
  const analysisSteps = (pt?.steps ?? []).filter((s) => s.function === ANALYSIS_FUNCTION);
  const analysisSec = analysisSteps.length ? stepSec(ANALYSIS_FUNCTION) : null;
  const encodeSec = stepSec(ENCODE_FUNCTION);
  const cpuOf = (fn: string) => (pt?.cpu?.size ? (pt.cpu.get(fn) ?? 0) : null);
  const analysisCpu = analysisSec === null ? null : cpuOf(ANALYSIS_FUNCTION);
  const encodeCpu = cpuOf(ENCODE_FUNCTION);
  const def = ladders.get('default');
  // Active: it analysed the title, or planned CRF rungs, or a ladder other than the fixed one.
  const perTitleActive = pt?.plan && def?.plan ? analysisSec !== null || pt.plan.crf || pt.plan.rungs !== def.plan.rungs : null;
  if (pt) {
    console.log(
      `per-title analysis: ${analysisSec === null ? `n/a (no ${ANALYSIS_FUNCTION} steps)` : `${analysisSec.toFixed(1)} step-s${analysisCpu === null ? '' : `, ${analysisCpu.toFixed(1)} CPU-s`}`} | encode-video ${encodeSec.toFixed(1)} step-s${encodeCpu === null ? '' : `, ${encodeCpu.toFixed(1)} CPU-s`}${analysisSec !== null && encodeSec > 0 ? ` | ratio ${(analysisCpu !== null && encodeCpu ? analysisCpu / encodeCpu : analysisSec / encodeSec).toFixed(2)}` : ''}${perTitleActive === false ? ' | per-title planned the fixed ladder (not active yet?)' : ''}`,
    );
  }
  return { clip, source, ladders, bd, onePoint, analysisSec, encodeSec, analysisCpu, encodeCpu, perTitleActive };
}

const results_id = (clip: Clip) => clip.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

async function encodeAndScore(
  engine: LocalEngine,
  clip: Clip,
  label: string,
  spec: Omit<JobSpecInput, 'source'>,
  scratch: string,
): Promise<{ run: LadderRun; source?: string }> {
  const t0 = performance.now();
  const fail = (error: string, steps: StepRecord[] = [], job?: JobRecord): { run: LadderRun } => {
    console.log(`${label}: FAILED: ${error}`);
    return { run: { label, status: 'failed', error, rungs: [], seconds: (performance.now() - t0) / 1000, steps, job } };
  };
  let job: JobRecord;
  const meter = childCpuMeter();
  const unsubscribe = engine.events.subscribe(async (e) => meter.onEvent(e));
  try {
    const submitted = await engine.submitFile(clip.path, { ...spec, outputs: { hls: true, dash: false, thumbnails: false, quality: false } });
    job = await engine.run(submitted.job.id);
    await engine.lifecycle.settled(job.id);
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    unsubscribe();
  }
  const steps = await engine.jobs.listSteps(job.id);
  if (job.status !== 'SUCCEEDED' || !job.reportKey) return fail(`job ${job.id} ${job.status}${job.error ? `: ${job.error.message ?? JSON.stringify(job.error)}` : ''}`, steps, job);
  const report = JSON.parse((await engine.blobs.getBytes(job.reportKey)).toString('utf8')) as JobReport;
  if (!report.source || !report.encoding) return fail('report.json has no source or encoding record', steps, job);
  const encodeSec = (performance.now() - t0) / 1000;

  await mkdir(scratch, { recursive: true });
  const v = report.source.video;
  const useVmaf = Boolean(engine.vmaf.path && engine.tools.vmafFfmpeg) && Math.min(v.width, v.height) >= VMAF_MIN_SIDE;
  const rungs: ScoredRung[] = [];
  const s0 = performance.now();
  for (const r of report.rungs) {
    if (!r.playlist) return fail(`rung ${r.id} has no HLS playlist`, steps, job);
    const rendition = join(scratch, `${r.id}.mp4`);
    await stageHlsRendition(engine.blobs, `${job.outputPrefix}${r.playlist}`, rendition, 'bench');
    const psnrStatsPath = join(scratch, `${r.id}-psnr.log`);
    const args = qualityArgs({
      rendition,
      source: clip.path,
      sourceWidth: v.width,
      sourceHeight: v.height,
      timing: report.encoding.timing,
      picture: sourcePicture(report.source),
      frames: v.frames,
      vmafModelPath: useVmaf ? engine.vmaf.path : null,
      threads: cpus().length,
      vmafSubsample: 1,
      psnrStatsPath,
    });
    const res = await run(useVmaf ? engine.tools.vmafFfmpeg! : engine.tools.ffmpeg, args);
    const psnrY = /PSNR y:(inf|[\d.]+)/.exec(res.stderr);
    const vmaf = parseQualityLog(res.stderr).vmaf;
    if (res.code !== 0 || !psnrY || (useVmaf && vmaf === null)) return fail(`scoring ${r.id} failed (exit ${res.code}):\n${tail(res.stderr, 8)}`, steps, job);
    rungs.push({ id: r.id, size: `${r.width}x${r.height}`, kbps: r.bitrateKbps, vmaf: useVmaf ? vmaf : null, psnrY: psnrY[1] === 'inf' ? 100 : Number(psnrY[1]) });
    await rm(rendition, { force: true });
  }
  const scoreSec = (performance.now() - s0) / 1000;
  const crfs = (report.encoding.rungs as { id: string; crf?: number }[]).map((r) => (typeof r.crf === 'number' ? `crf ${r.crf}` : null));
  console.log(`${label}: ${rungs.length} rungs, encoded in ${encodeSec.toFixed(0)} s, scored in ${scoreSec.toFixed(0)} s`);
  for (const [i, r] of rungs.entries()) {
    const target = report.rungs[i].targetBitrateKbps;
    console.log(`  ${r.id} ${r.size.padEnd(9)} ${String(Math.round(r.kbps)).padStart(6)} kb/s (target ${target}${crfs[i] ? `, ${crfs[i]}` : ''})  VMAF ${r.vmaf === null ? '-' : r.vmaf.toFixed(2)}  PSNR-Y ${r.psnrY.toFixed(2)}`);
  }
  if (spec.ladder) {
    // Apple's bitrates are all different: a missing bitrate is a rung the engine did not encode.
    const dropped = APPLE_HLS_H264.filter((a) => !report.encoding!.rungs.some((r) => r.bitrateKbps === a.bitrateKbps));
    if (dropped.length) console.log(`  (not encoded: ${dropped.map((d) => `${d.size} ${d.bitrateKbps}`).join(', ')} — above the source)`);
  }
  const plan = {
    rungs: report.encoding.rungs.map((r) => `${r.width}x${r.height}@${r.bitrateKbps}`).join(','),
    crf: crfs.some((c) => c !== null),
  };
  return { run: { label, status: 'ok', rungs, seconds: encodeSec + scoreSec, steps, job, plan, cpu: meter.byFunction() }, source: clip.path };
}

// ---- BD-rate over the measured rungs

/** The rungs as a rate–quality curve: sorted by bitrate, dominated rungs (no better than a cheaper one) left out. */
function curveOf(run: LadderRun, m: Metric): { points: RateQualityPoint[]; dropped: number } {
  const pts = run.rungs
    .filter((r) => r[m] !== null)
    .map((r) => ({ kbps: r.kbps, quality: r[m] as number }))
    .sort((a, b) => a.kbps - b.kbps);
  const kept: RateQualityPoint[] = [];
  for (const p of pts) if (!kept.length || (p.quality > kept[kept.length - 1].quality && p.kbps > kept[kept.length - 1].kbps)) kept.push(p);
  return { points: kept, dropped: pts.length - kept.length };
}

/**
 * BD-rate of `test` against `ref`; where exactly one of them is a single point (a fixed ladder on a
 * source below all but one of its rungs), the saving at that point instead (core rateSavingAtPoint).
 */
function bdOf(ref: LadderRun, test: LadderRun, m: Metric): { value: number | string; onePoint?: true } {
  if (ref.status !== 'ok' || test.status !== 'ok') return { value: 'n/a (a job failed)' };
  const r = curveOf(ref, m);
  const t = curveOf(test, m);
  if (!r.points.length || !t.points.length) return { value: `n/a (no ${METRIC_LABEL[m]} scores)` };
  if ((r.points.length === 1) !== (t.points.length === 1)) {
    const single = r.points.length === 1 ? ref.label : test.label;
    const saving = rateSavingAtPoint(r.points, t.points);
    if (!saving) return { value: `n/a (${single} has one rung, at a quality outside the other ladder's range)` };
    console.log(`  ${test.label} vs ${ref.label} ${METRIC_LABEL[m]}: saving at the one rung of ${single} (${METRIC_LABEL[m]} ${saving.quality.toFixed(2)}), not a BD-rate`);
    return { value: saving.percent, onePoint: true };
  }
  try {
    const res = bdRate(r.points, t.points);
    const notes = [
      r.dropped + t.dropped ? `${r.dropped + t.dropped} dominated rung(s) left out` : '',
      res.overlapFraction < 0.75 ? `overlap ${(res.overlapFraction * 100).toFixed(0)}% of the quality range` : '',
    ].filter(Boolean);
    if (notes.length) console.log(`  ${test.label} vs ${ref.label} ${METRIC_LABEL[m]}: ${notes.join('; ')}`);
    return { value: res.bdRatePercent };
  } catch (e) {
    return { value: `n/a (${(e as Error).message.replace(/^BD: /, '')})` };
  }
}

// ---- output

const fmtBd = (v: number | string) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}%` : v);
const short = (v: number | string) => (typeof v === 'number' ? fmtBd(v) : 'n/a');

function table(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r).trimEnd());
}

function printSummary(results: ClipResult[]): void {
  if (!results.length) {
    console.log('\nno clips were encoded');
    return;
  }
  const pairs = [...new Set(results.flatMap((r) => [...r.bd.keys()]))];
  console.log('\nBD-rate of the test ladder against the reference (negative: fewer bits for the same quality)');
  const header = ['clip', 'rungs pt/def/apple', ...pairs.flatMap((p) => METRICS.map((m) => `${p} ${METRIC_LABEL[m]}`)), 'analysis/encode'];
  const rows = [header];
  for (const r of results) {
    const n = (l: string) => {
      const x = r.ladders.get(l);
      return x ? (x.status === 'ok' ? String(x.rungs.length) : 'fail') : '-';
    };
    rows.push([
      r.clip.name,
      `${n('per-title')}/${n('default')}/${n('apple')}`,
      ...pairs.flatMap((p) => METRICS.map((m) => (r.bd.get(p) ? `${short(r.bd.get(p)![m])}${r.onePoint.has(`${p} ${m}`) ? '¹' : ''}` : '-'))),
      analysisRatio(r)?.toFixed(2) ?? 'n/a',
    ]);
  }
  for (const agg of ['mean', 'worst'] as const) {
    rows.push([
      agg === 'mean' ? 'mean (clips with a value)' : 'worst (highest)',
      '',
      ...pairs.flatMap((p) =>
        METRICS.map((m) => {
          const vals = results.map((r) => r.bd.get(p)?.[m]).filter((v): v is number => typeof v === 'number');
          if (!vals.length) return 'n/a';
          const v = agg === 'mean' ? vals.reduce((a, b) => a + b, 0) / vals.length : Math.max(...vals);
          return `${fmtBd(v)} (${vals.length})`;
        }),
      ),
      (() => {
        const ratios = results.map(analysisRatio).filter((x): x is number => x !== null);
        if (!ratios.length) return 'n/a';
        return agg === 'mean' ? (ratios.reduce((x, y) => x + y, 0) / ratios.length).toFixed(2) : Math.max(...ratios).toFixed(2);
      })(),
    ]);
  }
  table(rows);
  if (results.some((r) => r.onePoint.size)) console.log('¹ saving at the one rung of a single-rung ladder (the test ladder\'s bitrate at that quality), not a BD-rate');
  const why = results.flatMap((r) => [...r.bd.entries()].flatMap(([p, row]) => METRICS.filter((m) => typeof row[m] === 'string').map((m) => `  ${r.clip.name}, ${p} ${METRIC_LABEL[m]}: ${row[m]}`)));
  if (why.length) console.log(`\nno value:\n${why.join('\n')}`);
  const active = results.map((r) => r.perTitleActive).filter((a) => a !== null);
  if (active.length && active.every((a) => a === false))
    console.log('\nnote: the per-title preset planned the same fixed ladder as default on every clip (no analysis steps, no CRF rungs): per-title planning is not active in this engine yet, so "per-title vs default" measures nothing but run-to-run noise.');
  const analysis = results.filter((r) => r.analysisSec !== null);
  const cpu = analysis.every((r) => r.analysisCpu !== null && r.encodeCpu);
  const totalA = analysis.reduce((s, r) => s + (cpu ? r.analysisCpu! : r.analysisSec!), 0);
  const totalE = analysis.reduce((s, r) => s + (cpu ? r.encodeCpu! : r.encodeSec), 0);
  const unit = cpu ? 'CPU-s' : 'step-s';
  console.log(
    `analysis cost: ${analysis.length ? `${totalA.toFixed(1)} ${unit} of ${ANALYSIS_FUNCTION} over ${totalE.toFixed(1)} ${unit} of ${ENCODE_FUNCTION} (${((totalA / Math.max(1e-9, totalE)) * 100).toFixed(0)}%)` : `n/a (no ${ANALYSIS_FUNCTION} steps in any per-title job)`}`,
  );
  const seconds = results.flatMap((r) => [...r.ladders.values()].map((l) => l.seconds)).reduce((a, b) => a + b, 0);
  console.log(`encode + score time over all ladders: ${seconds.toFixed(0)} s`);
}
