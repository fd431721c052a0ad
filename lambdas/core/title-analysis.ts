/**
 * The per-title analysis as tasks and as a ladder, without I/O: which samples of the source the
 * trial encodes cover and at which resolutions and CRFs (the plan-analysis function), and the
 * ladder the trials' hull gives (the Plan function). The search itself is core/per-title.ts.
 */
import { type AnalyzeTitleInput, type PerTitleSummary, type PlanAnalysisResult, type PlanInput, type Rung } from '../contracts/index.js';
import { planTiming } from './chunks.js';
import { sourcePicture } from './conform.js';
import { planLadder, rungDimensions } from './ladder.js';
import { aggregateTrials, candidateHeights, chooseRungs, convexHull, hullQualityAt, predictedSaving, sampleWindows, TRIAL_PIXEL_BUDGETS, trialBatches } from './per-title.js';
import { findPreset, requirePreset, type Preset } from './presets.js';
import { costOf } from './allocator/cost.js';
import { lambdaVcpu } from './allocator/limits.js';
import { priceTable } from './allocator/prices.js';
import { networkBytesPerSec, platformStartup } from './allocator/startup-costs.js';
import { DEFAULT_SPEED_TABLE, decodeSeconds, encodeSeconds } from './allocator/speed-model.js';
import { allocationCodec, ENCODE_FUNCTION } from './plan-sizing.js';
import type { AnalysisEstimate, SpeedTable } from '../contracts/index.js';

/** Below this short side a source is not searched: its ladder is the fixed one (a single small rung). */
const MIN_SEARCH_SHORT_SIDE = 96;

/** Whether a job with this preset searches its ladder (and so runs the analysis step). */
export const searchesLadder = (presetName: string): boolean => Boolean(findPreset(presetName)?.perTitle);

/** One analyze-title task per sample of the source, or none (a fixed-ladder preset, or a source too small to search). */
export function planTitleAnalysis(input: PlanInput): PlanAnalysisResult {
  const preset = requirePreset(input.spec.preset);
  const c = preset.perTitle;
  const v = input.media.video;
  const shortSide = Math.min(v.displayWidth, v.height);
  if (!c || shortSide < MIN_SEARCH_SHORT_SIDE) return { tasks: [], maxConcurrency: 1 };
  const timing = planTiming(v.fps, v.fpsRational, preset.segmentSeconds);
  const samples = sampleWindows(v.frames, { count: c.samples, sampleFrames: Math.round(c.sampleSeconds * v.fps), maxFrames: Math.round(c.maxSampleSeconds * v.fps), share: 0.1, minFrames: Math.min(v.frames, Math.round(v.fps / 2)) });
  const candidates = candidateHeights(shortSide, c.heights).map((h) => rungDimensions({ width: v.displayWidth, height: v.height }, h));
  const picture = sourcePicture(input.media);
  const tasks: AnalyzeTitleInput[] = samples.map((sample, i) => ({
    jobId: input.jobId,
    itemId: `s${i}`,
    source: input.source,
    picture,
    timing,
    sample,
    sourceWidth: v.displayWidth,
    sourceHeight: v.height,
    candidates,
    crfs: c.crfs,
    encoderPreset: c.analysisPreset,
    ...(preset.codec && preset.codec !== 'h264' ? { codec: preset.codec } : {}),
    threads: input.threadsPerTask,
  }));
  return { tasks, maxConcurrency: Math.max(1, Math.min(tasks.length, input.parallelism)) };
}

/**
 * The per-title ladder of a plan whose analysis ran: the rungs chosen along the hull (top first,
 * ids r0…, capped CRF with the preset's VBV factors) and what the report shows of the search.
 * Null when the preset is not per-title or no trial came back (the fixed ladder is used).
 */
export function perTitleLadder(input: PlanInput, preset: Preset): { rungs: Rung[]; summary: PerTitleSummary } | null {
  const c = preset.perTitle;
  if (!c || !input.analysis.length) return null;
  const points = aggregateTrials(input.analysis.flatMap((a) => a.trials));
  const hull = convexHull(points);
  const chosen = chooseRungs(hull, c);
  if (!chosen.length) return null;
  const v = input.media.video;
  const rungs: Rung[] = chosen.map((r, i) => ({
    id: `r${i}`,
    index: i,
    width: r.width,
    height: r.height,
    bitrateKbps: Math.max(1, Math.round(r.kbps)),
    maxrateKbps: Math.max(1, Math.round(r.kbps * preset.maxrateFactor)),
    bufsizeKbps: Math.max(1, Math.round(r.kbps * preset.bufsizeFactor)),
    profile: Math.min(r.width, r.height) < 360 ? 'main' : 'high',
    encoderPreset: preset.encoderPreset,
    crf: Math.round(r.crf * 10) / 10,
    ...(preset.codec && preset.codec !== 'h264' ? { codec: preset.codec } : {}),
  }));
  // The fixed ladder at this source, its PSNR-Y read off the trials of the same resolution.
  const fixed = planLadder({ width: v.displayWidth, height: v.height }, preset).map((f) => {
    const own = convexHull(points.filter((p) => p.width === f.width && p.height === f.height));
    const inRange = own.length >= 2 && f.bitrateKbps >= own[0]!.kbps && f.bitrateKbps <= own[own.length - 1]!.kbps;
    return { width: f.width, height: f.height, kbps: f.bitrateKbps, psnr: inRange ? hullQualityAt(own, f.bitrateKbps) : null };
  });
  const saving = predictedSaving(points, hull, fixed);
  return {
    rungs,
    summary: {
      metric: 'psnr-y',
      samples: input.analysis.map((a) => a.sample),
      points,
      hull,
      rungs: rungs.map((r, i) => ({ id: r.id, width: r.width, height: r.height, crf: r.crf!, kbps: chosen[i]!.kbps, psnr: chosen[i]!.psnr })),
      predictedSavingPercent: saving ? Math.round(saving.percent * 10) / 10 : null,
      fixed,
    },
  };
}

/**
 * Modelled seconds of one analyze-title task on `vcpu` vCPUs, with the speed model the encode
 * tasks are priced with: every trial encoded at the analysis preset; the sample decoded twice per
 * batch of trials (one ffmpeg run encodes a batch, one scores it: trialBatches, as the function
 * runs them); and the scoring of every trial at the source's size (upscale and PSNR, counted as
 * decoding that many source frames). Its measured cost replaces this when the job ends.
 */
export function analysisTaskSeconds(task: AnalyzeTitleInput, vcpu: number, table: SpeedTable = DEFAULT_SPEED_TABLE): number {
  const f = task.sample.frames;
  const codec = allocationCodec({ codec: task.codec });
  const encode = task.candidates.reduce(
    (sum, c) => sum + encodeSeconds({ function: ENCODE_FUNCTION, codec, encoderPreset: task.encoderPreset, width: c.width, height: c.height, fps: task.timing.fps, frames: f * task.crfs.length, sourceBitrateKbps: 0 }, vcpu, table),
    0,
  );
  const batches = trialBatches(task.candidates, task.crfs, TRIAL_PIXEL_BUDGETS[task.codec ?? 'h264']).length;
  const decoded = 2 * batches * f + f * task.candidates.length * task.crfs.length;
  return encode + decodeSeconds({ frames: decoded, sourceWidth: task.sourceWidth, sourceHeight: task.sourceHeight }, vcpu, table);
}

/** analyze-title's Lambda memory (its function.json `memoryMiB`; a test keeps them equal): the size its samples are priced at. */
export const ANALYZE_TITLE_MEMORY_MIB = 3008;

/**
 * The analysis step's modelled time and cost: every sample on analyze-title's Lambda (`memoryMiB`,
 * function.json), each staging the whole source (`sourceBytes`) as the encode tasks do.
 */
export function estimateAnalysis(plan: PlanAnalysisResult, o: { region: string; memoryMiB?: number; sourceBytes: number; table?: SpeedTable }): AnalysisEstimate {
  const memoryMiB = o.memoryMiB ?? ANALYZE_TITLE_MEMORY_MIB;
  const vcpu = lambdaVcpu(memoryMiB);
  const startup = platformStartup('lambda');
  const prices = priceTable(o.region);
  const staging = o.sourceBytes / networkBytesPerSec({ platform: 'lambda', vcpu });
  const runs = plan.tasks.map((t) => staging + analysisTaskSeconds(t, vcpu, o.table));
  const usd = runs.reduce((sum, s) => sum + costOf({ platform: 'lambda', vcpu, memoryMiB }, startup.billedSeconds + s, prices), 0);
  const waves = Math.ceil(plan.tasks.length / Math.max(1, plan.maxConcurrency));
  const seconds = runs.length ? waves * (startup.seconds + Math.max(...runs)) : 0;
  return { tasks: plan.tasks.length, seconds, usd };
}
