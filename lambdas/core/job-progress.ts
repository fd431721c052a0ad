/**
 * Job progress and ETA from the plan and step progress. Work is weighted in pixel-frames, so a
 * 1080p chunk counts for more than a 240p one and quality measurement counts at source size.
 */
import type { PlanResult } from '../contracts/index.js';

export interface ProgressSnapshot {
  fraction: number;
  etaSec: number | null;
}


export class JobProgress {
  private readonly weights = new Map<string, number>();
  private readonly done = new Map<string, number>();
  private firstWorkAt: number | null = null;

  constructor(private readonly startedAtMs: number) {}

  setPlan(plan: PlanResult): void {
    const px = (w: number, h: number, frames: number) => w * h * frames;
    let encode = 0;
    for (const t of plan.videoTasks) {
      const w = px(t.rung.width, t.rung.height, t.chunk.frames);
      this.weights.set(`encode-video:${t.itemId}`, w);
      encode += w;
    }
    for (const t of plan.audioTasks) this.weights.set(`encode-audio:${t.itemId}`, encode * 0.02);
    for (const t of plan.assembleTasks) this.weights.set(`assemble:${t.itemId}`, encode * 0.01);
    for (const t of plan.qualityTasks) this.weights.set(`measure-quality:${t.itemId}`, px(t.sourceWidth, t.sourceHeight, plan.assembleTasks[0]?.expectedFrames ?? 0) * 0.6);
    // Step ids are `<function>:<itemId>`, as the runtime records them.
    const fixed = ['inspect:source', 'plan', `package:${plan.package.itemId}`, 'publish'];
    if (plan.thumbnails) fixed.push(`thumbnails:${plan.thumbnails.itemId}`);
    for (const s of fixed) this.weights.set(s, encode * 0.02);
  }

  /** Records a step's fraction done (1 when it succeeded or came from the cache). */
  update(stepId: string, fraction: number, nowMs: number): void {
    if (this.firstWorkAt === null && fraction > 0 && stepId.startsWith('encode-')) this.firstWorkAt = nowMs;
    this.done.set(stepId, Math.max(this.done.get(stepId) ?? 0, Math.min(1, fraction)));
  }

  snapshot(nowMs: number): ProgressSnapshot {
    if (this.weights.size === 0) return { fraction: 0, etaSec: null };
    let total = 0;
    let got = 0;
    for (const [id, w] of this.weights) {
      total += w;
      got += w * (this.done.get(id) ?? 0);
    }
    const fraction = total > 0 ? got / total : 0;
    const since = this.firstWorkAt ?? this.startedAtMs;
    const elapsed = (nowMs - since) / 1000;
    const etaSec = fraction > 0.02 && fraction < 1 ? Math.max(0, (elapsed * (1 - fraction)) / fraction) : fraction >= 1 ? 0 : null;
    return { fraction, etaSec };
  }
}
