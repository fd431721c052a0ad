/**
 * The derived workflows, measure and repackage: valid ASL wired to real functions, and run end
 * to end on the local ASL runner with the engine's real media functions over a job the engine
 * encoded. Both read the job's renditions from its HLS media playlists (its assembled mp4s are
 * gone once it succeeded), so measure scores the same frames (the same PSNR) and repackage cuts
 * the same frames into segments of a new length.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobReportSchema, type JobRecord, type JobReport, type PublishResult } from '../../lambdas/contracts/index.js';
import { measureWorkflowInput, repackageWorkflowInput, type DerivedStartContext } from '../../lambdas/core/derived-workflows.js';
import { parseDashRepresentations, parseMasterPlaylist, parseMediaPlaylist } from '../../lambdas/core/manifests.js';
import { loadWorkflow, runWorkflow, type LoadedWorkflow } from '../../local/asl-runner.js';
import { LocalEngine } from '../../local/engine.js';
import { defaultPlatforms } from '../../local/function-registry.js';
import { sourceKeyOf } from '../../local/source-pin.js';
import { FFPROBE, makeClip, run, tempDir } from '../helpers/media.js';

const MEASURE = new URL('../../state-machines/measure.asl.json', import.meta.url).pathname;
const REPACKAGE = new URL('../../state-machines/repackage.asl.json', import.meta.url).pathname;
type State = Record<string, unknown> & { Type: string };

describe.each([
  ['measure', MEASURE, ['measure-quality', 'publish-derived']],
  ['repackage', REPACKAGE, ['package', 'publish-derived']],
])('state-machines/%s.asl.json', (_name, file, functions) => {
  const wf = loadWorkflow(file, defaultPlatforms());

  it('passes asl-validator once its placeholders are substituted, and has a Comment', () => {
    const result = aslValidator(wf.definition as never);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect(typeof wf.definition.Comment).toBe('string');
    expect(readFileSync(file, 'utf8')).not.toMatch(/JSONata/);
  });

  it('runs its functions on Lambda or, by the payload platform, on Fargate; no Catch: a failure fails the execution', () => {
    const tasks = [...wf.taskFunctions.values()];
    expect(new Set(tasks.map((t) => t.fn))).toEqual(new Set(functions));
    expect(tasks.filter((t) => t.kind === 'ecs').map((t) => t.fn)).toEqual([functions[0]]);
    expect(JSON.stringify(wf.definition)).not.toMatch(/"Catch"/);
    const publish = (wf.definition.States as Record<string, State>).Publish;
    expect(publish).toMatchObject({ Type: 'Task', End: true });
    expect(JSON.stringify(publish.Retry)).toMatch(/Mosaic\.Transient/);
  });
});

describe('measure.asl.json shape', () => {
  it('maps over the quality tasks like encode’s MeasureQuality, then publishes the derived report', () => {
    const { definition } = loadWorkflow(MEASURE, defaultPlatforms());
    const map = (definition.States as Record<string, State>).MeasureRungs;
    expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.qualityTasks', MaxConcurrencyPath: '$.maxConcurrency', ResultPath: '$.quality', Next: 'Publish' });
    const encode = JSON.parse(readFileSync(new URL('../../state-machines/encode.asl.json', import.meta.url), 'utf8')) as { States: Record<string, State> };
    expect(JSON.parse(readFileSync(MEASURE, 'utf8')).States.MeasureRungs.ItemProcessor).toEqual(encode.States.MeasureQuality.ItemProcessor);
  });
});

/** Sums of a media playlist: segment count and durations. */
function mediaPlaylistAt(root: string, key: string) {
  return parseMediaPlaylist(readFileSync(join(root, key), 'utf8'));
}

/** Decoded frames of a rendition folder's init + segments, concatenated. */
function renditionFrames(root: string, playlistKey: string): number {
  const dir = join(root, playlistKey, '..');
  const p = mediaPlaylistAt(root, playlistKey);
  const all = join(tempDir(), 'all.mp4');
  writeFileSync(all, Buffer.concat([p.initUri!, ...p.segments.map((s) => s.uri)].map((f) => readFileSync(join(dir, f)))));
  const r = run(FFPROBE, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', all]);
  expect(r.stderr.trim()).toBe('');
  return Number(r.stdout.trim());
}

describe('measure and repackage end to end on the local runner', () => {
  let engine: LocalEngine;
  let job: JobRecord;
  let report: JobReport;
  let ctx: (jobId: string) => DerivedStartContext;
  const invoke = (fn: string, input: unknown) => engine.invokeFunction(fn, input);
  const runFile = async (file: string, input: unknown) => {
    const wf: LoadedWorkflow = loadWorkflow(file, defaultPlatforms());
    return (await runWorkflow(wf, input, invoke, { retryIntervalMs: 0 }).result) as PublishResult;
  };
  const readReport = async (key: string) => JobReportSchema.parse(JSON.parse((await engine.blobs.getBytes(key)).toString('utf8')));

  beforeAll(async () => {
    const dir = tempDir();
    const src = makeClip(join(dir, 'clip.mp4'), { width: 320, height: 180, seconds: 8, fps: 25 });
    engine = await LocalEngine.open({
      root: join(dir, 'out'),
      runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
      parallelism: 2,
    });
    const side = join(dir, 'side.vtt');
    writeFileSync(side, 'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nFirst\n\n00:00:05.000 --> 00:00:06.000\nSecond\n');
    await engine.blobs.upload(side, 'captions/side.vtt', 'text/vtt');
    const submitted = await engine.submitFile(src, {
      preset: 'draft',
      outputs: { hls: true, dash: true, thumbnails: false, quality: true },
      captions: [{ key: 'captions/side.vtt', language: 'es', label: 'Español' }],
    });
    job = await engine.run(submitted.job.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    report = await readReport(job.reportKey!);
    ctx = (jobId) => ({ jobId, original: job, report, source: { key: sourceKeyOf(job) }, platforms: {}, threadsPerTask: 1, parallelism: 2, vmafAvailable: false });
  }, 120_000);

  afterAll(() => engine?.close());

  it('the original job kept HLS renditions only (its assembled mp4s are gone)', async () => {
    expect(report.encoding).not.toBeNull();
    expect(report.rungs.every((r) => r.playlist && r.psnr !== null)).toBe(true);
    const keys = await engine.blobs.list(job.outputPrefix);
    expect(keys.filter((k) => k.endsWith('.mp4') && !k.endsWith('init.mp4'))).toEqual([]);
  });

  it('measure: the same PSNR per rung (same frames, read from the HLS renditions), in a report derived from the job', async () => {
    const input = measureWorkflowInput({ of: job.id }, ctx('m1'));
    expect(input.qualityTasks.map((t) => t.rendition.key)).toEqual(report.rungs.map((r) => `${job.outputPrefix}${r.playlist}`));
    const out = await runFile(MEASURE, input);
    expect(out).toEqual({ jobId: 'm1', status: 'SUCCEEDED', reportKey: 'm1/report.json' });
    const measured = await readReport(out.reportKey!);
    expect(measured.derivedFrom).toEqual({ jobId: job.id, workflow: 'measure' });
    expect(measured.jobId).toBe('m1');
    expect(measured.rungs.map((r) => r.id)).toEqual(report.rungs.map((r) => r.id));
    for (const [n, r] of measured.rungs.entries()) {
      expect(r.psnr, r.id).not.toBeNull();
      expect(Math.abs(r.psnr! - report.rungs[n].psnr!), r.id).toBeLessThan(0.01);
      expect(r.ssim, r.id).toBeCloseTo(report.rungs[n].ssim!, 4);
    }
    expect(measured.notes).toContain(`renditions are those of job ${job.id}`);
    expect(measured.outputs.hls).toBeNull();
    expect(measured.vmafUnavailableReason).not.toBeNull();
  });

  it('repackage at 2× the keyframe interval: segments twice as long and half as many, with master, MPD and every frame', async () => {
    const timing = report.encoding!.timing;
    const keyframeSec = timing.gopFrames / timing.fps;
    const segmentSeconds = 2 * keyframeSec;
    const input = repackageWorkflowInput({ of: job.id, segmentSeconds }, ctx('p1'));
    const out = await runFile(REPACKAGE, input);
    expect(out).toEqual({ jobId: 'p1', status: 'SUCCEEDED', reportKey: 'p1/report.json' });
    const repackaged = await readReport(out.reportKey!);
    expect(repackaged.derivedFrom).toEqual({ jobId: job.id, workflow: 'repackage' });
    expect(repackaged.encoding?.timing.segmentSeconds).toBeCloseTo(segmentSeconds, 6);
    expect(repackaged.outputs).toMatchObject({ hls: 'hls/master.m3u8', dash: 'dash/manifest.mpd', poster: null });
    const root = engine.blobs.root;

    for (const [n, r] of repackaged.rungs.entries()) {
      const before = mediaPlaylistAt(root, `${job.outputPrefix}${report.rungs[n].playlist}`);
      const after = mediaPlaylistAt(root, `p1/${r.playlist}`);
      expect(before.segments.length, r.id).toBeGreaterThanOrEqual(4);
      expect(Math.abs(after.segments.length - before.segments.length / 2), r.id).toBeLessThanOrEqual(1);
      // Every segment but the last is two keyframe intervals; each is about twice the original ones.
      for (const s of after.segments.slice(0, -1)) expect(s.durationSec, r.id).toBeCloseTo(segmentSeconds, 2);
      for (const s of before.segments.slice(0, -1)) expect(s.durationSec, r.id).toBeCloseTo(keyframeSec, 2);
      const total = (p: typeof after) => p.segments.reduce((t, s) => t + s.durationSec, 0);
      expect(total(after)).toBeCloseTo(total(before), 2);
      expect(after.targetDuration).toBeGreaterThanOrEqual(Math.round(segmentSeconds));
      expect(renditionFrames(root, `p1/${r.playlist}`), r.id).toBe(r.frames);
      expect(renditionFrames(root, `p1/${r.playlist}`), r.id).toBe(renditionFrames(root, `${job.outputPrefix}${report.rungs[n].playlist}`));
    }

    const master = readFileSync(join(root, 'p1/hls/master.m3u8'), 'utf8');
    const variants = parseMasterPlaylist(master);
    expect(variants.map((v) => v.uri)).toEqual(repackaged.rungs.map((r) => `${r.id}/index.m3u8`));
    for (const v of variants) expect(Number(v.attrs.BANDWIDTH)).toBeGreaterThan(0);
    const reps = parseDashRepresentations(readFileSync(join(root, 'p1/dash/manifest.mpd'), 'utf8'));
    for (const r of repackaged.rungs) {
      const rep = reps.find((x) => x.id === r.id);
      expect(rep, r.id).toBeDefined();
      expect(rep!.segments).toBe(mediaPlaylistAt(root, `p1/${r.playlist}`).segments.length);
      expect([rep!.width, rep!.height]).toEqual([r.width, r.height]);
    }
    // The caption: the original job's WebVTT, published again with its playlist.
    const caption = repackaged.subtitles[0];
    expect(caption).toMatchObject({ language: 'es', name: 'Español', playlist: `hls/${caption.id}/index.m3u8`, vtt: `hls/${caption.id}/subtitles.vtt` });
    expect(readFileSync(join(root, `p1/${caption.vtt}`), 'utf8')).toBe(readFileSync(join(root, `${job.outputPrefix}${report.subtitles[0].vtt}`), 'utf8'));
    // The audio rendition was cut again too.
    const audio = repackaged.audioTracks[0];
    expect(audio?.playlist).toBe('hls/a0/index.m3u8');
    expect(reps.some((x) => x.id === 'a0')).toBe(true);
    expect(repackaged.notes).toContain(`segments of ${Number(segmentSeconds.toFixed(3))} s repackaged from job ${job.id}; thumbnails stay with job ${job.id}`);
  });

  it('repackage refuses a segment length that is not a whole number of keyframe intervals', () => {
    const timing = report.encoding!.timing;
    expect(() => repackageWorkflowInput({ of: job.id, segmentSeconds: 1.5 * (timing.gopFrames / timing.fps) }, ctx('p2'))).toThrow(/whole multiple/);
  });

  it('a rendition playlist naming a file outside its folder fails measure with Mosaic.InputInvalid, naming the playlist', async () => {
    const input = measureWorkflowInput({ of: job.id }, ctx('m2'));
    const key = 'evil/hls/r0/index.m3u8';
    const text = readFileSync(join(engine.blobs.root, input.qualityTasks[0].rendition.key), 'utf8').replace(/seg_00000\.m4s/, '../../x/seg_00000.m4s');
    await engine.blobs.putBytes(key, text, 'application/vnd.apple.mpegurl');
    const bad = { ...input, qualityTasks: input.qualityTasks.map((t) => ({ ...t, rendition: { key } })) };
    const failure = await runFile(MEASURE, bad).then(() => null, (e: Error) => e);
    // aws-local-stepfunctions rejects with the failing state's error as `cause` (what the engine records).
    const err = (failure as { cause?: Error } | null)?.cause;
    expect(err?.name).toBe('Mosaic.InputInvalid');
    expect(err?.message).toContain(key);
  });
});
