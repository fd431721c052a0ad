/**
 * The Plan step: ladder, timing and chunks for one source, and the exact input of every
 * later task, so the workflow definition only moves payloads around.
 */
import { InputInvalidError, type PlanInput, type PlanResult, type SpeedTable } from '../contracts/index.js';
import { DEFAULT_SPEED_TABLE } from './allocator/speed-model.js';
import { planChunks, planTiming } from './chunks.js';
import { sourcePicture } from './conform.js';
import { planLadder } from './ladder.js';
import { chooseChunkSeconds, planSizing } from './plan-sizing.js';
import { findPreset, presetNames } from './presets.js';

export const workKeys = (workPrefix: string) => ({
  chunk: (rungId: string, index: number) => `${workPrefix}chunks/${rungId}/c${String(index).padStart(4, '0')}.mp4`,
  rendition: (rungId: string) => `${workPrefix}renditions/${rungId}.mp4`,
  audio: () => `${workPrefix}renditions/audio.m4a`,
});

/** `speeds`: the allocator's speed table (priors + what this installation measured). */
export function planEncode(input: PlanInput, speeds: SpeedTable = DEFAULT_SPEED_TABLE): PlanResult {
  const preset = findPreset(input.spec.preset);
  if (!preset) throw new InputInvalidError(`unknown preset "${input.spec.preset}"; known presets: ${presetNames().join(', ')}`);
  const { media, jobId, source } = input;
  const v = media.video;
  const rungs = planLadder({ width: v.displayWidth, height: v.height }, preset, input.spec.ladder);
  const timing = planTiming(v.fps, v.fpsRational, preset.segmentSeconds);
  const sizingInput = { media, rungs, allocator: input.allocator, deadlineSec: input.spec.deadlineSec, priority: input.spec.priority, table: speeds };
  // On AWS the allocator picks the chunk length with the size; locally chunks follow the worker slots.
  const chosen = chooseChunkSeconds(sizingInput);
  const chunks = planChunks({
    totalFrames: v.frames,
    timing,
    chunkSeconds: chosen?.chunkSeconds ?? preset.chunkSeconds,
    rungCount: rungs.length,
    parallelism: chosen ? 1 : input.parallelism,
  });
  const keys = workKeys(input.workPrefix);
  const threads = input.threadsPerTask;
  const on = (fn: string) => input.platforms[fn] ?? 'lambda';
  const durationSec = v.frames / v.fps;
  const picture = sourcePicture(media);

  const videoTasks = rungs.flatMap((rung) =>
    chunks.map((chunk) => ({
      jobId,
      itemId: `${rung.id}-c${chunk.index}`,
      platform: on('encode-video'),
      source,
      rung,
      chunk,
      timing,
      picture,
      threads,
      output: { key: keys.chunk(rung.id, chunk.index) },
    })),
  );
  const audio = media.audio
    ? {
        jobId,
        itemId: 'audio',
        platform: on('encode-audio'),
        source,
        codec: 'aac' as const,
        bitrateKbps: preset.audio.bitrateKbps,
        channels: Math.min(media.audio.channels, preset.audio.maxChannels),
        sampleRate: preset.audio.sampleRate,
        durationSec,
        output: { key: keys.audio() },
      }
    : null;
  const assembleTasks = rungs.map((rung) => ({
    jobId,
    itemId: rung.id,
    platform: on('assemble'),
    rung,
    chunks: chunks.map((c) => ({ key: keys.chunk(rung.id, c.index) })),
    expectedFrames: v.frames,
    timing,
    output: { key: keys.rendition(rung.id) },
  }));
  const qualityTasks = input.spec.outputs.quality
    ? rungs.map((rung) => ({
        jobId,
        itemId: rung.id,
        platform: on('measure-quality'),
        rung,
        rendition: { key: keys.rendition(rung.id) },
        source,
        picture,
        sourceWidth: v.width,
        sourceHeight: v.height,
        frames: v.frames,
        timing,
        vmaf: input.vmafAvailable,
        vmafSubsample: preset.vmafSubsample,
        // Measurement is the tail of a job: the last rungs measured would leave cores idle with one
        // thread each, so each may use them all (the OS shares them while several run).
        threads: threads * input.parallelism,
      }))
    : [];
  const sizing = planSizing({
    ...sizingInput,
    videoTasks,
    chunkSeconds: (chunks[0]?.frames ?? v.frames) / v.fps,
    chunkReason: chosen?.reason ?? null,
    measuredRungs: qualityTasks.length,
    vmaf: input.vmafAvailable,
    hasAudio: audio !== null,
    // inspect, plan, assemble × rungs, package, thumbnails, publish
    otherSteps: 4 + rungs.length + (input.spec.outputs.thumbnails ? 1 : 0),
  });
  return {
    preset: { name: preset.name, version: preset.version },
    sizing,
    timing,
    rungs,
    chunks,
    maxConcurrency: input.parallelism,
    videoTasks,
    audio,
    assembleTasks,
    qualityTasks,
    package: {
      jobId,
      itemId: 'package',
      platform: on('package'),
      rungs: rungs.map((rung) => ({ rung, rendition: { key: keys.rendition(rung.id) } })),
      audio: audio ? { rendition: audio.output, bitrateKbps: audio.bitrateKbps, channels: audio.channels } : null,
      timing,
      outputPrefix: input.outputPrefix,
      hls: input.spec.outputs.hls,
      dash: input.spec.outputs.dash,
    },
    thumbnails: input.spec.outputs.thumbnails
      ? {
          jobId,
          itemId: 'thumbnails',
          platform: on('thumbnails'),
          // From the top rung: already upright, deinterlaced, tone-mapped and on the output's timeline.
          source: { key: keys.rendition(rungs[0].id) },
          durationSec,
          sourceWidth: rungs[0].width,
          sourceHeight: rungs[0].height,
          intervalSec: preset.thumbnails.intervalSec,
          tileWidth: preset.thumbnails.tileWidth,
          outputPrefix: input.outputPrefix,
        }
      : null,
  };
}
