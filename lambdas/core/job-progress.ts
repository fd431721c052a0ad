/**
 * How much each step of a job weighs in its progress, from the plan. Work is weighted in
 * pixel-frames, so a 1080p chunk counts for more than a 240p one and quality measurement counts
 * at source size. Progress and ETA themselves are a view of the steps (core/job-lifecycle.ts).
 */
import type { JobRecord, PlanResult, StepRecord } from '../contracts/index.js';
import { videoItemId } from './encode-plan.js';
import { progressOf, type StepWeights } from './job-lifecycle.js';

/** Step ids are `<function>:<itemId>`, as the runtime records them. */
export function progressWeights(plan: PlanResult): StepWeights {
  const px = (w: number, h: number, frames: number) => w * h * frames;
  const weights: StepWeights = {};
  let encode = 0;
  // From rungs × chunks, as Plan makes the video tasks: its result carries them by reference.
  for (const rung of plan.rungs)
    for (const chunk of plan.chunks) {
      const w = px(rung.width, rung.height, chunk.frames);
      weights[`encode-video:${videoItemId(rung.id, chunk.index)}`] = w;
      encode += w;
    }
  for (const t of plan.audioTasks) weights[`encode-audio:${t.itemId}`] = encode * 0.02;
  for (const t of plan.assembleTasks) weights[`assemble:${t.itemId}`] = encode * 0.01;
  for (const t of plan.qualityTasks) weights[`measure-quality:${t.itemId}`] = px(t.sourceWidth, t.sourceHeight, plan.assembleTasks[0]?.expectedFrames ?? 0) * 0.6;
  const fixed = ['inspect:source', 'plan', `package:${plan.package.itemId}`, 'publish'];
  if (plan.thumbnails) fixed.push(`thumbnails:${plan.thumbnails.itemId}`);
  for (const s of fixed) weights[s] = encode * 0.02;
  // Whole numbers keep the summary small and comparable across engines.
  for (const k of Object.keys(weights)) weights[k] = Math.max(1, Math.round(weights[k] / 1000));
  return weights;
}

/** The plan step's summary: the weights of the job's steps and the cost estimate. */
export interface PlanSummary {
  weights: StepWeights;
  cost: { region: string; pricesTakenOn: string; estimatedUsd: number | null };
  preset: { name: string; version: number };
  /** Seconds of video the job delivers (its frames at its rate): output minutes and realtime factor follow. */
  outputSec?: number;
}

/** The plan step's summary of `plan` (what the lifecycle keeps of it). */
export function planSummary(plan: PlanResult): PlanSummary {
  const frames = plan.chunks.reduce((n, c) => n + c.frames, 0);
  return {
    weights: progressWeights(plan),
    cost: { region: plan.sizing.region, pricesTakenOn: plan.sizing.pricesTakenOn, estimatedUsd: plan.sizing.estimatedUsd },
    preset: plan.preset,
    outputSec: frames / plan.timing.fps,
  };
}

export const planSummaryOf = (steps: StepRecord[]): PlanSummary | null =>
  (steps.filter((s) => s.stepId === 'plan' && (s.status === 'SUCCEEDED' || s.status === 'CACHED')).at(-1)?.summary as PlanSummary | undefined) ?? null;

/** Steps per function in the job's plan (its progress weights name every planned step), or null before it is planned. */
export function plannedSteps(steps: StepRecord[]): Record<string, number> | null {
  const plan = planSummaryOf(steps);
  if (!plan) return null;
  const out: Record<string, number> = {};
  for (const id of Object.keys(plan.weights)) {
    const fn = id.split(':')[0]!;
    out[fn] = (out[fn] ?? 0) + 1;
  }
  return out;
}

/** The job's live progress and ETA: a view of its steps (both engines show the same). */
export function liveProgress(job: JobRecord, steps: StepRecord[], nowMs: number): { fraction: number; etaSec: number | null } {
  if (job.status === 'SUCCEEDED') return { fraction: 1, etaSec: 0 };
  const plan = planSummaryOf(steps);
  if (!plan && job.status === 'RUNNING' && job.workflow && job.workflow.name !== 'encode' && steps.length) {
    // No plan to weigh by (measure, repackage, a generated workflow): every step seen counts the
    // same, and one more is still to come (the last one, e.g. the report). No ETA without a plan.
    const p = progressOf(unplannedWeights(steps), steps, nowMs);
    return { fraction: Math.min(0.99, p.fraction), etaSec: null };
  }
  if (!plan || job.status !== 'RUNNING') return { fraction: job.progress, etaSec: job.status === 'RUNNING' ? job.etaSec : null };
  const p = progressOf(plan.weights, steps, nowMs);
  // Never 1 before the workflow itself says it succeeded.
  return { fraction: Math.min(0.999, p.fraction), etaSec: p.etaSec };
}

/** Equal weights for the steps of a job without a plan, plus one for the step still to come. */
function unplannedWeights(steps: StepRecord[]): StepWeights {
  const weights: StepWeights = { '(next step)': 1 };
  for (const st of steps) weights[st.stepId] = 1;
  return weights;
}
