/**
 * Chunk and GOP planning. Every chunk starts on a GOP boundary and GOPs are exactly one
 * segment long, so chunks join exactly and packaging cuts one segment per GOP.
 */
import type { Chunk, Timing } from '../contracts/index.js';

export function planTiming(fps: number, fpsRational: string, segmentSeconds: number): Timing {
  // ceil: a GOP never shorter than the segment duration asked for.
  const gopFrames = Math.max(1, Math.ceil(segmentSeconds * fps - 1e-6));
  return { fps, fpsRational, gopFrames, segmentSeconds: gopFrames / fps };
}

export interface ChunkPlanInput {
  totalFrames: number;
  timing: Timing;
  chunkSeconds: number;
  rungCount: number;
  parallelism: number;
}

export function planChunks({ totalFrames, timing, chunkSeconds, rungCount, parallelism }: ChunkPlanInput): Chunk[] {
  const totalGops = Math.ceil(totalFrames / timing.gopFrames);
  let gopsPerChunk = Math.max(1, Math.round(chunkSeconds / timing.segmentSeconds));
  // Shrink chunks (never below one GOP) until there are enough tasks to keep every worker busy.
  while (gopsPerChunk > 1 && rungCount * Math.ceil(totalGops / gopsPerChunk) < parallelism * 2) gopsPerChunk--;
  const chunkFrames = gopsPerChunk * timing.gopFrames;
  const chunks: Chunk[] = [];
  for (let start = 0; start < totalFrames; start += chunkFrames) {
    chunks.push({ index: chunks.length, startFrame: start, frames: Math.min(chunkFrames, totalFrames - start) });
  }
  return chunks;
}

/** Parses "30000/1001" or "25" into a number. */
export function parseRational(r: string): number {
  const [n, d] = r.split('/').map(Number);
  const v = d === undefined ? n : n / d;
  return Number.isFinite(v) && v > 0 ? v : NaN;
}
