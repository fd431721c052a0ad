/**
 * Encode benchmark: wall time of `mosaic encode` against a plain shell script of ffmpeg commands.
 *
 * What is compared: for each input, (1) `bash baseline.sh`, a script that runs, one after the
 * other, the ffmpeg commands for the same renditions (whole-file encode per rung), AAC audio,
 * PSNR/SSIM/VMAF per rung, CMAF packaging and thumbnails; (2) `npx tsx bin/mosaic.ts encode`, timed
 * end to end as a child process (process start, planning, chunking, joins, reports included).
 *
 * Why it is fair: the script's commands come from the same pure argument builders and planners
 * Mosaic uses (lambdas/core), so both sides run the same encoder settings, ladder, GOPs, quality
 * filters and packaging, with the same ffmpeg binary and VMAF model (passed to Mosaic through
 * MOSAIC_FFMPEG / MOSAIC_FFPROBE / MOSAIC_VMAF_MODEL). The script gives x264 all cores
 * (`-threads 0`), as a person would. The one thing it skips is the master playlists, which are
 * a few lines of text. Target: Mosaic ≤ 1.15× the script.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { MediaInfo } from '../lambdas/contracts/index.js';
import { PACKETS_ARGS, PROBE_ARGS } from '../lambdas/core/ffmpeg-args.js';
import { parsePacketCsv } from '../lambdas/core/frame-timing.js';
import { mediaInfoFromProbe, pickVideoStream, type ProbeJson } from '../lambdas/core/probe.js';
import { findPreset, presetNames, type Preset } from '../lambdas/core/presets.js';
import { parseQualityLog } from '../lambdas/core/quality.js';
import { baselineScript } from './encode-baseline.js';
import { REPO_ROOT, resolveTools, run, runOk, tail, type Tools } from './util.js';

const TARGET_RATIO = 1.15;
const LIMITS = { maxBytes: 1e12, maxDurationSec: 1e6 };

interface InputDef {
  key: 'bbb' | 'gen';
  label: string;
  /** Returns the source path, or a reason to skip. */
  prepare: (tools: Tools, workDir: string) => Promise<{ path: string } | { skip: string }>;
}

interface Outcome {
  key: string;
  label: string;
  status: 'PASS' | 'FAIL' | 'SKIP' | 'ERROR';
  baselineSec?: number;
  mosaicSec?: number;
  ratio?: number;
  note?: string;
}

const INPUTS: InputDef[] = [
  {
    key: 'bbb',
    label: 'bbb-720p-30s.webm (VP8+Vorbis, 720p24, 30 s)',
    prepare: async () => {
      const path = resolve(REPO_ROOT, '../shared/media/bbb-720p-30s.webm');
      return existsSync(path) ? { path } : { skip: `${path} is absent` };
    },
  },
  {
    key: 'gen',
    label: 'generated testsrc2 (H.264+AAC, 1080p24, 60 s)',
    prepare: async (tools, workDir) => ({ path: await generateClip(tools, workDir) }),
  },
];

export async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (typeof opts === 'string') {
    console.error(opts);
    return 2;
  }
  const tools = resolveTools();
  const root = await mkdtemp(join(tmpdir(), 'mosaic-bench-encode-'));
  printHeader(tools, opts.preset, root);

  const outcomes: Outcome[] = [];
  try {
    for (const input of INPUTS.filter((i) => !opts.only || i.key === opts.only)) {
      outcomes.push(await benchInput(input, tools, opts.preset, join(root, input.key)));
    }
  } finally {
    if (opts.keep) console.log(`\nkept temp files in ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  printSummary(outcomes);
  return outcomes.every((o) => o.status === 'PASS' || o.status === 'SKIP') ? 0 : 1;
}

// ---- options

interface Options {
  only?: 'bbb' | 'gen';
  preset: Preset;
  keep: boolean;
}

function parseOptions(argv: string[]): Options | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { only: { type: 'string' }, preset: { type: 'string', default: 'default' }, keep: { type: 'boolean', default: false } },
    }));
  } catch (e) {
    return `${(e as Error).message}\nusage: npm run bench -- encode [--only bbb|gen] [--preset NAME] [--keep]`;
  }
  if (values.only !== undefined && values.only !== 'bbb' && values.only !== 'gen') return `--only must be bbb or gen, not "${values.only}"`;
  const preset = findPreset(values.preset);
  if (!preset) return `unknown preset "${values.preset}"; known presets: ${presetNames().join(', ')}`;
  return { only: values.only, preset, keep: values.keep };
}

// ---- one input

async function benchInput(input: InputDef, tools: Tools, preset: Preset, workDir: string): Promise<Outcome> {
  console.log(`\n=== ${input.key}: ${input.label}`);
  const base = { key: input.key, label: input.label };
  await mkdir(workDir, { recursive: true });
  let source: string;
  try {
    const prepared = await input.prepare(tools, workDir);
    if ('skip' in prepared) {
      console.log(`skipped: ${prepared.skip}`);
      return { ...base, status: 'SKIP', note: prepared.skip };
    }
    source = prepared.path;
  } catch (e) {
    console.log(`could not prepare the input: ${(e as Error).message}`);
    return { ...base, status: 'ERROR', note: 'input preparation failed' };
  }

  let media: MediaInfo;
  try {
    media = await probe(tools, source);
  } catch (e) {
    console.log(`could not probe ${source}: ${(e as Error).message}`);
    return { ...base, status: 'ERROR', note: 'probe failed' };
  }
  console.log(describeMedia(media));

  const baseline = await runBaseline(tools, preset, source, media, join(workDir, 'baseline'));
  if ('error' in baseline) return { ...base, status: 'ERROR', note: baseline.error };

  const mosaic = await runMosaic(tools, preset, source, join(workDir, 'mosaic'));
  if ('error' in mosaic) return { ...base, status: 'ERROR', baselineSec: baseline.seconds, note: mosaic.error };

  const ratio = mosaic.seconds / baseline.seconds;
  const status = ratio <= TARGET_RATIO ? 'PASS' : 'FAIL';
  console.log(`plain script ${fmt(baseline.seconds)} s | mosaic ${fmt(mosaic.seconds)} s | ratio ${ratio.toFixed(3)} | ${status} (target ≤ ${TARGET_RATIO})`);
  return { ...base, status, baselineSec: baseline.seconds, mosaicSec: mosaic.seconds, ratio };
}

async function probe(tools: Tools, source: string): Promise<MediaInfo> {
  const { stdout } = await runOk(tools.ffprobe, PROBE_ARGS(source));
  const json = JSON.parse(stdout) as ProbeJson;
  const packets = parsePacketCsv((await runOk(tools.ffprobe, PACKETS_ARGS(source, pickVideoStream(json).index))).stdout);
  return mediaInfoFromProbe({ probe: json, packets, sizeBytes: statSync(source).size, limits: LIMITS });
}

function describeMedia(m: MediaInfo): string {
  const v = m.video;
  const audio = m.audio ? `${m.audio.codec} ${m.audio.channels} ch` : 'no audio';
  return `source: ${v.codec} ${v.displayWidth}x${v.height} @ ${v.fpsRational} fps, ${v.frames} frames, ${audio}`;
}

// ---- the two sides

async function runBaseline(
  tools: Tools,
  preset: Preset,
  source: string,
  media: MediaInfo,
  outDir: string,
): Promise<{ seconds: number } | { error: string }> {
  await mkdir(outDir, { recursive: true });
  const scriptPath = join(outDir, 'baseline.sh');
  await writeFile(scriptPath, baselineScript({ ffmpeg: tools.ffmpeg, source, media, preset, outDir, vmafModelPath: tools.vmafModel }), { mode: 0o755 });
  console.log(`plain script: ${scriptPath} (no master playlists: trivial text)`);
  const r = await run('bash', [scriptPath], { cwd: outDir });
  if (r.code !== 0) {
    console.log(`plain script FAILED (exit ${r.code}) after ${fmt(r.seconds)} s:\n${tail(r.stderr)}`);
    return { error: `baseline.sh exited ${r.code}` };
  }
  console.log(`plain script: ${fmt(r.seconds)} s`);
  await printQuality(join(outDir, 'quality'));
  return { seconds: r.seconds };
}

/** Shows the scores the script measured: proof the quality step really ran. */
async function printQuality(dir: string): Promise<void> {
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()) {
    const q = parseQualityLog(await readFile(join(dir, file), 'utf8'));
    const show = (n: number | null, digits: number) => (n === null ? '-' : n.toFixed(digits));
    console.log(`  ${file.replace(/\.log$/, '')}: PSNR ${show(q.psnr, 2)}  SSIM ${show(q.ssim, 4)}  VMAF ${show(q.vmaf, 2)}`);
  }
}

async function runMosaic(tools: Tools, preset: Preset, source: string, outDir: string): Promise<{ seconds: number } | { error: string }> {
  const args = ['tsx', 'bin/mosaic.ts', 'encode', source, '--out', outDir, '--preset', preset.name, '--json'];
  const env: NodeJS.ProcessEnv = { ...process.env, MOSAIC_FFMPEG: tools.ffmpeg, MOSAIC_FFPROBE: tools.ffprobe };
  if (tools.vmafModel) env.MOSAIC_VMAF_MODEL = tools.vmafModel;
  else delete env.MOSAIC_VMAF_MODEL;
  console.log(`mosaic: npx ${args.join(' ')}`);
  const r = await run('npx', args, { cwd: REPO_ROOT, env });
  if (r.code !== 0) {
    console.log(`mosaic FAILED (exit ${r.code}) after ${fmt(r.seconds)} s; stderr tail:\n${tail(r.stderr)}`);
    return { error: `mosaic encode exited ${r.code}` };
  }
  await writeFile(join(outDir, '..', 'mosaic-stdout.jsonl'), r.stdout);
  console.log(`mosaic: ${fmt(r.seconds)} s`);
  return { seconds: r.seconds };
}

// ---- generated input

/** A 60 s 1080p24 H.264 + AAC test clip, made once per run (not timed). */
async function generateClip(tools: Tools, workDir: string): Promise<string> {
  const path = join(workDir, 'testsrc2-1080p24-60s.mp4');
  console.log(`generating ${path} …`);
  const r = await runOk(tools.ffmpeg, [
    '-hide_banner', '-nostdin', '-y', '-nostats', '-v', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=24',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '60',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', '48', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k',
    '-movflags', '+faststart',
    path,
  ]);
  console.log(`generated in ${fmt(r.seconds)} s`);
  return path;
}

// ---- output

const fmt = (s: number) => s.toFixed(1);

function printHeader(tools: Tools, preset: Preset, root: string): void {
  console.log(`encode benchmark: mosaic encode vs plain ffmpeg script, preset "${preset.name}", target ≤ ${TARGET_RATIO}×`);
  console.log(`ffmpeg:  ${tools.ffmpeg}\nffprobe: ${tools.ffprobe}`);
  console.log(`VMAF:    ${tools.vmafModel ?? 'no model found (set MOSAIC_VMAF_MODEL): PSNR/SSIM only on both sides'}`);
  console.log(`temp:    ${root}`);
}

function printSummary(outcomes: Outcome[]): void {
  const rows = [
    ['input', 'plain script s', 'mosaic s', 'ratio', 'result'],
    ...outcomes.map((o) => [
      o.key,
      o.baselineSec === undefined ? '-' : fmt(o.baselineSec),
      o.mosaicSec === undefined ? '-' : fmt(o.mosaicSec),
      o.ratio === undefined ? '-' : o.ratio.toFixed(3),
      o.note ? `${o.status} (${o.note})` : o.status,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`\nsummary (target: mosaic ≤ ${TARGET_RATIO}× plain script)`);
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r).trimEnd());
}
