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
import { allocate } from './allocator/policy.js';
import { DEFAULT_SPEED_TABLE } from './allocator/speed-model.js';
import { allocationCodec, allocationContext, jobTurnaround, planQuotas, pricingRegion, sourceSizing } from './plan-sizing.js';
import type { AllocationSizing, AllocationTask, AnalysisEstimate, Platform, SpeedTable } from '../contracts/index.js';

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
  if (!c || shortSide < MIN_SEARCH_SHORT_SIDE) return { tasks: [], maxConcurrency: 1, sizing: analysisSizing(input, 1) };
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
  // The samples run on Lambda: at most as many at once as the account's Lambda concurrency.
  const maxConcurrency = Math.max(1, Math.min(tasks.length, input.parallelism, planQuotas(input.allocator).lambda.concurrentExecutions));
  return { tasks, maxConcurrency, sizing: analysisSizing(input, Math.ceil(tasks.length / maxConcurrency)) };
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

/** analyze-title's platforms (its function.json `platforms`; a test keeps them equal): where the estimate sizes its samples. */
export const ANALYSIS_PLATFORMS: readonly Platform[] = ['lambda'];
export const ANALYZE_FUNCTION = 'analyze-title';

/**
 * The analysis's share of the job's turnaround target. It runs before the first chunk does, so
 * every second it takes is a second of the job's; a fifth keeps the encode phase most of the target.
 */
export const ANALYSIS_SHARE_OF_TURNAROUND = 0.2;

/**
 * What the allocator sizes the samples with: the job's prices, priority and source, and a time
 * budget per sample of the analysis's share of the turnaround over its waves of samples (none when
 * the job's class has no time target).
 */
export function analysisSizing(input: PlanInput, waves: number): AllocationSizing {
  const turnaround = jobTurnaround({ media: input.media, allocator: input.allocator, deadlineSec: input.spec.deadlineSec, priority: input.spec.priority });
  return {
    region: pricingRegion(input.allocator.region),
    priority: input.spec.priority ?? 50,
    taskDeadlineSec: turnaround.targetSec === null ? null : Math.max(1, (turnaround.targetSec * ANALYSIS_SHARE_OF_TURNAROUND) / Math.max(1, waves)),
    ...sourceSizing(input.media),
    capacity: turnaround.capacity,
  };
}

/**
 * One analyze-title task as the allocator sizes it: every trial encoded at the analysis preset
 * (each candidate size at every CRF); the sample decoded twice per batch of trials (one ffmpeg run
 * encodes a batch, one scores it: trialBatches, as the function runs them) plus the scoring of every
 * trial at the source's size (upscale and PSNR, counted as decoding that many source frames); the
 * largest batch's encoders in memory at once; the whole source staged, as the encode tasks do.
 */
export function analysisTaskForAllocation(task: AnalyzeTitleInput, sizing: Pick<AllocationSizing, 'sourceBytes' | 'sourceKbps'>): AllocationTask {
  const f = task.sample.frames;
  const batches = trialBatches(task.candidates, task.crfs, TRIAL_PIXEL_BUDGETS[task.codec ?? 'h264']);
  const largest = task.candidates.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  return {
    function: ANALYZE_FUNCTION,
    codec: allocationCodec({ codec: task.codec }),
    encoderPreset: task.encoderPreset,
    width: largest.width,
    height: largest.height,
    fps: task.timing.fps,
    frames: f,
    sourceBitrateKbps: sizing.sourceKbps,
    sourceBytes: sizing.sourceBytes,
    sourceWidth: task.sourceWidth,
    sourceHeight: task.sourceHeight,
    work: {
      encodes: task.candidates.map((c) => ({ width: c.width, height: c.height, frames: f * task.crfs.length })),
      decodedFrames: 2 * batches.length * f + f * task.candidates.length * task.crfs.length,
      concurrentPixels: Math.max(...batches.map((b) => b.reduce((sum, t) => sum + t.width * t.height, 0))),
    },
  };
}

/**
 * The analysis step's modelled time and cost: every sample as the allocator will size it (the
 * Allocate state of the AnalyzeSamples Map runs the same policy with the same sizing), in waves of
 * the Map's concurrency. Its measured cost replaces this when the job ends.
 */
export function estimateAnalysis(plan: PlanAnalysisResult, table: SpeedTable = DEFAULT_SPEED_TABLE): AnalysisEstimate {
  const ctx = allocationContext(plan.sizing, ANALYSIS_PLATFORMS);
  const runs = plan.tasks.map((t) => allocate(analysisTaskForAllocation(t, plan.sizing), ctx, table));
  const usd = runs.reduce((sum, a) => sum + a.estimatedCostUsd, 0);
  const waves = Math.ceil(plan.tasks.length / Math.max(1, plan.maxConcurrency));
  const seconds = runs.length ? waves * Math.max(...runs.map((a) => a.estimatedSeconds)) : 0;
  return { tasks: plan.tasks.length, seconds, usd };
}
