/** A source's MediaInfo and a Plan input for it, for tests that plan without probing a file. */
import type { MediaInfo, PlanInput } from '../../lambdas/contracts/index.js';

export function videoOnlyMedia(o: { width: number; height: number; fps: number; seconds: number; sizeBytes: number }): MediaInfo {
  const frames = Math.round(o.fps * o.seconds);
  return {
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: o.sizeBytes,
    durationSec: o.seconds,
    video: { codec: 'h264', width: o.width, height: o.height, displayWidth: o.width, fps: o.fps, fpsRational: String(o.fps), frames, durationSec: o.seconds, startSec: 0 },
    audio: null,
    audioTracks: [],
    subtitles: [],
    notes: [],
  };
}

/** The default preset, HLS only, no thumbnails or quality: just the encode tasks. */
export function encodeOnlyPlanInput(jobId: string, media: MediaInfo, over: Partial<PlanInput> = {}): PlanInput {
  return {
    jobId,
    source: { key: `inbox/${jobId}.mp4` },
    media,
    spec: { preset: 'default', outputs: { hls: true, dash: false, thumbnails: false, quality: false } },
    workPrefix: `.mosaic/work/${jobId}/`,
    outputPrefix: `${jobId}/`,
    parallelism: 2,
    threadsPerTask: 1,
    vmafAvailable: false,
    platforms: {},
    allocator: { region: 'us-east-1', maxConcurrency: 20, chooseChunks: false },
    analysis: [],
    ...over,
  };
}
