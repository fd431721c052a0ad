import { describe, expect, it } from 'vitest';
import { planEncode } from '../../../lambdas/core/encode-plan.js';
import { chunkSetKeys } from '../../../lambdas/contracts/plan-refs.js';
import { DEFAULT_SPEED_TABLE } from '../../../lambdas/core/allocator/speed-model.js';
import { DEFAULT_SERVICE_QUOTAS } from '../../../lambdas/core/allocator/quotas.js';
import type { AudioTrack, MediaInfo, PlanInput, SubtitleTrack } from '../../../lambdas/contracts/index.js';

const media: MediaInfo = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  sizeBytes: 12_000_000,
  durationSec: 30,
  video: { codec: 'h264', width: 1280, height: 720, displayWidth: 1280, fps: 25, fpsRational: '25', frames: 750, durationSec: 30, startSec: 0 },
  audio: { codec: 'aac', channels: 6, sampleRate: 44100, durationSec: 30, startSec: 0 },
  audioTracks: [{ codec: 'aac', channels: 6, sampleRate: 44100, durationSec: 30, startSec: 0, index: 0, language: 'und', default: true }],
  subtitles: [],
  notes: [],
};

const input = (over: Partial<PlanInput> = {}, outputs: Partial<PlanInput['spec']['outputs']> = {}): PlanInput => ({
  jobId: 'job-1',
  source: { key: 'sources/job-1/in.mp4' },
  media,
  spec: { preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true, ...outputs } },
  workPrefix: 'work/job-1/',
  outputPrefix: 'outputs/job-1/',
  parallelism: 2,
  threadsPerTask: 1,
  vmafAvailable: false,
  platforms: {},
  allocator: { region: 'us-east-1', maxConcurrency: 20, chooseChunks: false },
  analysis: [],
  ...over,
});

describe('planEncode', () => {
  const plan = planEncode(input());

  it('plans the ladder, 4 s GOPs at 25 fps and GOP-aligned chunks', () => {
    expect(plan.preset).toEqual({ name: 'default', version: 1 });
    expect(plan.rungs.map((r) => r.height)).toEqual([720, 540, 360, 240]);
    expect(plan.timing.gopFrames).toBe(100);
    expect(plan.chunks.reduce((n, c) => n + c.frames, 0)).toBe(750);
    expect(plan.chunks.every((c) => c.startFrame % 100 === 0)).toBe(true);
    expect(plan.maxConcurrency).toBe(2);
  });

  it('makes one video task per rung × chunk, with unique ids and outputs under workPrefix', () => {
    expect(plan.videoTasks).toHaveLength(plan.rungs.length * plan.chunks.length);
    expect(new Set(plan.videoTasks.map((t) => t.itemId)).size).toBe(plan.videoTasks.length);
    const keys = plan.videoTasks.map((t) => t.output.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k.startsWith('work/job-1/')).toBe(true);
    for (const t of plan.videoTasks) expect(t).toMatchObject({ jobId: 'job-1', threads: 1, source: { key: 'sources/job-1/in.mp4' } });
  });

  it("gives each assemble task its rung's chunk outputs, in chunk order", () => {
    expect(plan.assembleTasks.map((a) => a.rung.id)).toEqual(plan.rungs.map((r) => r.id));
    for (const a of plan.assembleTasks) {
      const own = plan.videoTasks.filter((t) => t.rung.id === a.rung.id).sort((x, y) => x.chunk.index - y.chunk.index);
      expect(chunkSetKeys(a.chunks)).toEqual(own.map((t) => t.output.key));
      expect(a.expectedFrames).toBe(750);
      expect(a.output.key.startsWith('work/job-1/')).toBe(true);
    }
    expect(new Set(plan.assembleTasks.map((a) => a.output.key)).size).toBe(plan.rungs.length);
  });

  it('plans audio down-mixed to the preset channel limit, starting at the video origin', () => {
    expect(plan.audioTasks).toHaveLength(1);
    expect(plan.audioTasks[0]).toMatchObject({ itemId: 'a0', codec: 'aac', channels: 2, bitrateKbps: 128, sampleRate: 48000, durationSec: 30, track: 0, originSec: 0 });
    expect(plan.package.audio).toEqual([{ id: 'a0', rendition: plan.audioTasks[0].output, bitrateKbps: 128, channels: 2, language: 'und', name: 'Audio 1', default: true }]);
  });

  it('plans no audio when the source has none', () => {
    const p = planEncode(input({ media: { ...media, audio: null, audioTracks: [] } }));
    expect(p.audioTasks).toEqual([]);
    expect(p.package.audio).toEqual([]);
  });

  it('points quality and package at the assembled renditions', () => {
    const renditions = plan.assembleTasks.map((a) => a.output.key);
    expect(plan.qualityTasks.map((q) => q.rendition.key)).toEqual(renditions);
    expect(plan.package.rungs.map((r) => r.rendition.key)).toEqual(renditions);
    expect(plan.thumbnails).toMatchObject({ durationSec: 30, sourceWidth: 1280, sourceHeight: 720, intervalSec: 5 });
  });

  it('skips quality tasks and thumbnails when not asked for', () => {
    expect(planEncode(input({}, { quality: false })).qualityTasks).toEqual([]);
    expect(planEncode(input({}, { thumbnails: false })).thumbnails).toBeNull();
  });

  it('uses an explicit ladder from the spec', () => {
    const p = planEncode(input({ spec: { preset: 'default', ladder: [{ height: 480, bitrateKbps: 1200 }], outputs: input().spec.outputs } }));
    expect(p.rungs.map((r) => [r.width, r.height])).toEqual([[854, 480]]);
    expect(p.videoTasks).toHaveLength(p.chunks.length);
  });

  it('rejects an unknown preset as Mosaic.InputInvalid', () => {
    const bad = input({ spec: { preset: 'nope', outputs: input().spec.outputs } });
    expect(() => planEncode(bad)).toThrow(expect.objectContaining({ name: 'Mosaic.InputInvalid', message: expect.stringContaining('nope') }));
    // own properties of Object.prototype are not presets either
    expect(() => planEncode(input({ spec: { preset: 'toString', outputs: input().spec.outputs } }))).toThrow(/unknown preset/);
  });
});

describe('planEncode audio and text renditions', () => {
  const track = (over: Partial<AudioTrack>): AudioTrack => ({ codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 30, startSec: 0, index: 0, language: 'und', default: false, ...over });
  const sub = (over: Partial<SubtitleTrack>): SubtitleTrack => ({ index: 0, codec: 'subrip', language: 'eng', default: false, text: true, ...over });
  const multi: MediaInfo = {
    ...media,
    video: { ...media.video, startSec: 0.128, conform: { streamIndex: 0, originSec: 0.2, variableFrameRate: false, maxFrameGapSec: 0.04, sourceFrames: 750, interlaced: null } },
    audioTracks: [
      track({ index: 1, language: 'eng', default: true, channels: 2 }),
      track({ index: 0, language: 'fra', channels: 1, sampleRate: 8000 }),
      track({ index: 2, language: 'eng', channels: 6, channelLayout: '5.1(side)', title: 'Commentary' }),
    ],
    subtitles: [
      sub({ index: 0, codec: 'subrip', language: 'eng' }),
      sub({ index: 1, codec: 'hdmv_pgs_subtitle', language: 'deu', text: false }),
      sub({ index: 2, codec: 'ass', language: 'fre', default: true }),
      sub({ index: 3, codec: 'dvd_subtitle', language: 'eng', text: false }),
    ],
  };
  const p = planEncode(input({ media: multi, spec: { ...input().spec, captions: [{ key: 'captions/side.vtt', language: 'es', label: 'Español (CC)' }] } }));

  it('makes one audio task per track, the default first, each mapping its own stream from the conformed origin', () => {
    expect(p.audioTasks.map((t) => [t.itemId, t.track, t.channels, t.originSec, t.durationSec])).toEqual([
      ['a0', 1, 2, 0.2, 30],
      ['a1', 0, 1, 0.2, 30],
      // 5.1 becomes stereo
      ['a2', 2, 2, 0.2, 30],
    ]);
    expect(new Set(p.audioTasks.map((t) => t.output.key)).size).toBe(3);
    for (const t of p.audioTasks) expect(t.output.key.startsWith('work/job-1/renditions/')).toBe(true);
  });

  it('lists the audio renditions for packaging with BCP 47 languages, unique names and one default', () => {
    expect(p.package.audio.map((a) => [a.id, a.language, a.name, a.default, a.channels])).toEqual([
      ['a0', 'en', 'English', true, 2],
      ['a1', 'fr', 'French', false, 1],
      ['a2', 'en', 'Commentary', false, 2],
    ]);
    expect(p.package.audio.map((a) => a.rendition.key)).toEqual(p.audioTasks.map((t) => t.output.key));
  });

  it('takes the first track as the default when none is flagged, and falls back to media.audio without audioTracks', () => {
    const none = planEncode(input({ media: { ...multi, audioTracks: multi.audioTracks.map((t) => ({ ...t, default: false })) } }));
    expect(none.audioTasks.map((t) => t.track)).toEqual([1, 0, 2]);
    expect(none.package.audio.map((a) => a.default)).toEqual([true, false, false]);
    const legacy = planEncode(input({ media: { ...media, audioTracks: [] } }));
    expect(legacy.audioTasks.map((t) => [t.track, t.channels])).toEqual([[0, 2]]);
  });

  it('without a conform description the origin is the video start', () => {
    const q = planEncode(input({ media: { ...multi, video: { ...multi.video, conform: undefined } } }));
    expect(new Set(q.audioTasks.map((t) => t.originSec))).toEqual(new Set([0.128]));
    expect(q.package.subtitles.filter((t) => t.from.kind === 'track').map((t) => t.offsetSec)).toEqual([0.128, 0.128]);
  });

  it('turns text subtitles (default first) and sidecars into WebVTT renditions, and skips image ones', () => {
    expect(p.package.subtitles).toEqual([
      { id: 's0', language: 'fr', name: 'French', default: true, from: { kind: 'track', index: 2, codec: 'ass' }, offsetSec: 0.2 },
      { id: 's1', language: 'en', name: 'English', default: false, from: { kind: 'track', index: 0, codec: 'subrip' }, offsetSec: 0.2 },
      // Sidecar cues are already relative to the first frame.
      { id: 's2', language: 'es', name: 'Español (CC)', default: false, from: { kind: 'sidecar', key: 'captions/side.vtt' }, offsetSec: 0 },
    ]);
    // The source is staged for packaging only when a text track is read from it.
    expect(p.package.source).toEqual({ key: 'sources/job-1/in.mp4' });
    const sidecarOnly = planEncode(input({ media: { ...multi, subtitles: [] }, spec: { ...input().spec, captions: [{ key: 'c.srt', language: 'en', label: 'CC' }] } }));
    expect(sidecarOnly.package.source).toBeUndefined();
    expect(planEncode(input()).package.subtitles).toEqual([]);
  });

  it('refuses a caption key outside the normal form as Mosaic.InputInvalid naming the field', () => {
    for (const key of ['../x.srt', 'a//b.vtt', '/etc/passwd', 'a\\b.srt']) {
      const bad = input({ spec: { ...input().spec, captions: [{ key, language: 'en', label: 'x' }] } });
      expect(() => planEncode(bad), key).toThrow(expect.objectContaining({ name: 'Mosaic.InputInvalid', message: expect.stringContaining('spec.captions.0.key') }));
    }
  });
});

describe('planEncode platforms', () => {
  it('marks each task with its function default platform, Lambda when unspecified', () => {
    const plan = planEncode(input({ platforms: { 'encode-video': 'fargate' } }));
    expect(new Set(plan.videoTasks.map((t) => t.platform))).toEqual(new Set(['fargate']));
    expect(plan.assembleTasks.every((t) => t.platform === 'lambda')).toBe(true);
    expect(plan.package.platform).toBe('lambda');
  });
});

describe('planEncode sizing (the allocator in the Plan step)', () => {
  const long: MediaInfo = {
    ...media,
    sizeBytes: 3_000_000_000,
    durationSec: 3600,
    video: { ...media.video, width: 1920, height: 1080, displayWidth: 1920, frames: 90_000, durationSec: 3600 },
  };

  it('locally keeps chunks for the worker slots and prices every task on AWS', () => {
    const plan = planEncode(input());
    expect(plan.sizing.reason).toMatch(/local worker slots/);
    expect(plan.sizing.region).toBe('us-east-1');
    expect(plan.sizing.estimatedUsd).toBeGreaterThan(0);
    // No deadline: the standard turnaround (a 30 s clip gets its 120 s floor), less a Map child's start.
    expect(plan.sizing.turnaround).toEqual({ class: 'standard', targetSec: 120, source: 'policy' });
    expect(plan.sizing.taskDeadlineSec).toBe(119);
  });

  it('costs more for more work: a longer source, more rungs', () => {
    const short = planEncode(input());
    const hour = planEncode(input({ media: long }));
    expect(hour.sizing.estimatedUsd).toBeGreaterThan(short.sizing.estimatedUsd);
    const oneRung = planEncode(input({ spec: { preset: 'default', ladder: [{ height: 720, bitrateKbps: 3000 }], outputs: { hls: true, dash: true, thumbnails: true, quality: true } } }));
    expect(oneRung.sizing.estimatedUsd).toBeLessThan(short.sizing.estimatedUsd);
  });

  it('on AWS chooses the chunk length with the size, and a deadline shortens the chunks', () => {
    // Economy (priority 10) may take hours; an account whose quotas do not bind (not a new one's 6 vCPU).
    const quotas = { ...DEFAULT_SERVICE_QUOTAS, fargate: { ...DEFAULT_SERVICE_QUOTAS.fargate, onDemandVcpu: 1000, spotVcpu: 1000 } };
    const allocator = { region: 'us-east-1', maxConcurrency: 200, chooseChunks: true, quotas };
    const relaxed = planEncode(input({ media: long, allocator, spec: { preset: 'default', priority: 10, outputs: { hls: true, dash: true, thumbnails: true, quality: true } } }));
    const urgent = planEncode(input({ media: long, allocator, spec: { preset: 'default', deadlineSec: 900, outputs: { hls: true, dash: true, thumbnails: true, quality: true } } }));
    expect(relaxed.sizing.capacity).toBe('spot');
    expect(relaxed.sizing.reason).toMatch(/chunk/);
    expect(urgent.chunks.length).toBeGreaterThan(relaxed.chunks.length);
    expect(urgent.sizing.taskDeadlineSec).toBeGreaterThan(0);
    // Chunks still start on GOP boundaries and cover the source exactly.
    for (const p of [relaxed, urgent]) {
      expect(p.chunks.reduce((n, c) => n + c.frames, 0)).toBe(90_000);
      expect(p.chunks.every((c) => c.startFrame % p.timing.gopFrames === 0)).toBe(true);
    }
  });

  it('learns: a table that says this machine is slower raises the estimate', () => {
    const base = planEncode(input());
    const slow = Object.fromEntries(
      Object.entries(DEFAULT_SPEED_TABLE).map(([k, e]) => [k, { ...e, fpsPerVcpu: e.fpsPerVcpu / 3, samples: 5 }]),
    );
    expect(planEncode(input(), slow).sizing.estimatedUsd).toBeGreaterThan(base.sizing.estimatedUsd);
  });
});
