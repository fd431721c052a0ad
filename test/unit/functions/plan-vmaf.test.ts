/**
 * The Plan step plans VMAF only where it can run: the caller's `vmafAvailable` (on AWS the API and
 * the upload trigger cannot probe; they ask for it) is kept only when this runtime's ffmpeg has
 * libvmaf and a model was found.
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { MediaTools, RuntimeDeps } from '../../../lambdas/runtime/index.js';
import plan from '../../../lambdas/functions/plan/handler.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../../helpers/plan-fixture.js';
import { tempDir } from '../../helpers/media.js';

const none = async () => undefined;
const deps = (tools: Partial<MediaTools>, vmafModelPath: string | null): RuntimeDeps => ({
  blobs: { download: none, upload: none, putBytes: none, getBytes: none, head: async () => null, list: async () => [], deletePrefix: async () => 0 } as never,
  cache: { getCache: async () => null, putCache: none },
  events: { put: none, subscribe: () => () => undefined },
  speedTable: async () => ({}),
  config: { searchPath: [], cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tempDir(), ffmpegTimeoutMs: 60_000 },
  tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', vmafFfmpeg: null, vmafMissingReason: 'no ffmpeg with libvmaf', caps: { version: 'test', encoders: new Set(['libx264']) }, ...tools } as MediaTools,
  vmafModelPath,
});

const input = (vmafAvailable: boolean) =>
  encodeOnlyPlanInput('vmaf-plan', videoOnlyMedia({ width: 640, height: 360, fps: 25, seconds: 4, sizeBytes: 500_000 }), {
    vmafAvailable,
    spec: { preset: 'default', outputs: { hls: true, dash: false, thumbnails: false, quality: true } },
  });
const vmafOf = async (vmafAvailable: boolean, d: RuntimeDeps) => {
  const out = (await plan.invoke(input(vmafAvailable), d)) as { qualityTasks: { vmaf: boolean }[] };
  expect(out.qualityTasks.length).toBeGreaterThan(0);
  return [...new Set(out.qualityTasks.map((t) => t.vmaf))];
};

describe('plan: VMAF as probed', () => {
  it('keeps VMAF when the ffmpeg has libvmaf and a model was found', async () => {
    expect(await vmafOf(true, deps({ vmafFfmpeg: '/opt/bin/ffmpeg' }, '/tmp/vmaf_v0.6.1.pkl'))).toEqual([true]);
  });

  it('drops it without libvmaf or without a model, and never adds it when not asked for', async () => {
    expect(await vmafOf(true, deps({}, '/tmp/vmaf_v0.6.1.pkl'))).toEqual([false]);
    expect(await vmafOf(true, deps({ vmafFfmpeg: '/opt/bin/ffmpeg' }, null))).toEqual([false]);
    expect(await vmafOf(false, deps({ vmafFfmpeg: '/opt/bin/ffmpeg' }, '/tmp/vmaf_v0.6.1.pkl'))).toEqual([false]);
  });
});
