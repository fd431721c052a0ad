/**
 * The Plan step: ladder, timing and chunks for one source, and the exact input of every
 * later task, so the workflow definition only moves payloads around.
 */
import {
  InputInvalidError,
  type AudioTrack,
  type MediaInfo,
  type PackageText,
  type PlanInput,
  type PlanResult,
  type SpeedTable,
} from '../contracts/index.js';
import { chunkKey, packageInputKey, videoTaskListKey } from '../contracts/plan-refs.js';
import { DEFAULT_SPEED_TABLE } from './allocator/speed-model.js';
import { planChunks, planTiming } from './chunks.js';
import { sourcePicture } from './conform.js';
import { bcp47, languageName } from './languages.js';
import { planLadder } from './ladder.js';
import { normaliseKey } from './object-keys.js';
import { chooseChunkSeconds, planSizing } from './plan-sizing.js';
import { requirePreset } from './presets.js';
import { estimateAnalysis, perTitleLadder, planTitleAnalysis } from './title-analysis.js';

export const workKeys = (workPrefix: string) => {
  const chunks = (rungId: string) => `${workPrefix}chunks/${rungId}/`;
  return {
    chunks,
    chunk: (rungId: string, index: number) => chunkKey(chunks(rungId), index),
    rendition: (rungId: string) => `${workPrefix}renditions/${rungId}.mp4`,
    audio: (id: string) => `${workPrefix}renditions/${id}.m4a`,
  };
};

/** The step id suffix of a rung's chunk encode (`encode-video:<itemId>`). */
export const videoItemId = (rungId: string, chunkIndex: number) => `${rungId}-c${chunkIndex}`;

/** Default first (the first flagged default, else the source's first), otherwise in source order. */
function defaultFirst<T extends { default: boolean }>(items: T[]): T[] {
  const d = items.findIndex((t) => t.default);
  return d <= 0 ? items : [items[d], ...items.slice(0, d), ...items.slice(d + 1)];
}

/** Every audio track, the default first; a MediaInfo without `audioTracks` has its one `audio`. */
export function sourceAudioTracks(media: MediaInfo): AudioTrack[] {
  if (media.audioTracks.length) return defaultFirst(media.audioTracks);
  return media.audio ? [{ ...media.audio, index: 0, language: 'und', default: true }] : [];
}

/** Menu names: the track's title, else its language, else `<kind> <n>`; made unique with " (2)", " (3)". */
function menuNames(items: { title?: string; language: string }[], kind: string): string[] {
  const seen = new Map<string, number>();
  return items.map((t, i) => {
    const base = t.title?.trim() || languageName(t.language) || `${kind} ${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/**
 * The WebVTT renditions: the source's text subtitles (default first, cues moved by the video's
 * origin), then the sidecar captions (cues already relative to the first frame). Image
 * subtitles are skipped (Inspect says so in the media notes).
 */
export function planText(media: MediaInfo, captions: PlanInput['spec']['captions'], originSec: number): PackageText[] {
  const tracks = defaultFirst(media.subtitles).filter((s) => s.text);
  const sidecars = (captions ?? []).map((c, i) => ({ ...c, key: normaliseKey(c.key, { field: `spec.captions.${i}.key` }) }));
  const all = [
    ...tracks.map((s) => ({ title: s.title, language: s.language, default: s.default, offsetSec: originSec, from: { kind: 'track' as const, index: s.index, codec: s.codec } })),
    ...sidecars.map((c) => ({ title: c.label, language: c.language, default: false, offsetSec: 0, from: { kind: 'sidecar' as const, key: c.key } })),
  ];
  const names = menuNames(all, 'Subtitles');
  const firstDefault = all.findIndex((t) => t.default);
  return all.map((t, i) => ({ id: `s${i}`, language: bcp47(t.language), name: names[i], default: i === firstDefault, from: t.from, offsetSec: t.offsetSec }));
}

/** `speeds`: the allocator's speed table (priors + what this installation measured). */
export function planEncode(input: PlanInput, speeds: SpeedTable = DEFAULT_SPEED_TABLE): PlanResult {
  const preset = requirePreset(input.spec.preset);
  const { media, jobId, source } = input;
  const v = media.video;
  // A per-title preset's ladder comes from its analysis (an explicit ladder still wins).
  const searched = input.spec.ladder ? null : perTitleLadder(input, preset);
  const rungs = searched?.rungs ?? planLadder({ width: v.displayWidth, height: v.height }, preset, input.spec.ladder);
  const timing = planTiming(v.fps, v.fpsRational, preset.segmentSeconds);
  const sizingInput = { media, rungs, allocator: input.allocator, deadlineSec: input.spec.deadlineSec, priority: input.spec.priority, table: speeds, gopFrames: timing.gopFrames };
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
      itemId: videoItemId(rung.id, chunk.index),
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
  // Frame 0 of the conformed video is the source frame at this time: audio and text start there too.
  const originSec = v.conform?.originSec ?? v.startSec;
  const audioTracks = sourceAudioTracks(media);
  const audioNames = menuNames(audioTracks, 'Audio');
  const audioTasks = audioTracks.map((t, n) => ({
    jobId,
    itemId: `a${n}`,
    platform: on('encode-audio'),
    source,
    codec: 'aac' as const,
    bitrateKbps: preset.audio.bitrateKbps,
    // More channels than the preset's (5.1) are down-mixed; mono stays mono.
    channels: Math.min(t.channels, preset.audio.maxChannels),
    sampleRate: preset.audio.sampleRate,
    durationSec,
    track: t.index,
    originSec,
    output: { key: keys.audio(`a${n}`) },
  }));
  const text = planText(media, input.spec.captions, originSec);
  const assembleTasks = rungs.map((rung) => ({
    jobId,
    itemId: rung.id,
    platform: on('assemble'),
    rung,
    chunks: { prefix: keys.chunks(rung.id), count: chunks.length },
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
    audioTracks: audioTasks.length,
    // inspect, plan, assemble × rungs, package, thumbnails, publish
    otherSteps: 4 + rungs.length + (input.spec.outputs.thumbnails ? 1 : 0),
  });
  // A per-title job also pays for its analysis (before it runs, or recomputed as the Plan after it).
  const analysisPlan = preset.perTitle && !input.spec.ladder ? planTitleAnalysis(input) : null;
  if (analysisPlan?.tasks.length) {
    const analysis = estimateAnalysis(analysisPlan, speeds);
    sizing.analysis = analysis;
    sizing.estimatedUsd += analysis.usd;
  }
  return {
    preset: { name: preset.name, version: preset.version },
    sizing,
    timing,
    rungs,
    perTitle: searched?.summary ?? null,
    chunks,
    maxConcurrency: input.parallelism,
    videoTasks,
    audioTasks,
    assembleTasks,
    qualityTasks,
    package: {
      jobId,
      itemId: 'package',
      platform: on('package'),
      rungs: rungs.map((rung) => ({ rung, rendition: { key: keys.rendition(rung.id) } })),
      audio: audioTasks.map((a, n) => ({
        id: a.itemId,
        rendition: a.output,
        bitrateKbps: a.bitrateKbps,
        channels: a.channels,
        language: bcp47(audioTracks[n].language),
        name: audioNames[n],
        default: n === 0,
      })),
      subtitles: text,
      ...(text.some((t) => t.from.kind === 'track') ? { source } : {}),
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

/**
 * The plan as the workflow carries it, and the objects that go by reference: the rung × chunk
 * tasks grow with the title (thousands for a long 4K one) and are read by the encode Map's
 * ItemReader; the package task grows with the source's tracks and is read by the Fargate package
 * task (an ECS override holds 8 KiB). Plan writes `objects` under the job's work prefix.
 */
export function planByReference(plan: PlanResult, workPrefix: string): { plan: PlanResult; objects: { key: string; value: unknown }[] } {
  const tasksKey = videoTaskListKey(workPrefix);
  const packageKey = packageInputKey(workPrefix);
  return {
    plan: { ...plan, videoTasks: [], videoTaskList: { key: tasksKey, count: plan.videoTasks.length }, packageInputKey: packageKey },
    objects: [
      { key: tasksKey, value: plan.videoTasks },
      { key: packageKey, value: plan.package },
    ],
  };
}
