/** core/derived-workflows: what measure and repackage are given, and what they refuse (pure; no media). */
import { describe, expect, it } from 'vitest';
import { JobReportSchema, type JobRecord } from '../../../lambdas/contracts/index.js';
import {
  derivedJobId,
  measureWorkflowInput,
  repackageWorkflowInput,
  segmentLengthRefusal,
  workflowRunJobId,
  type DerivedStartContext,
} from '../../../lambdas/core/derived-workflows.js';
import { videoOnlyMedia } from '../../helpers/plan-fixture.js';

const timing = { fps: 25, fpsRational: '25/1', gopFrames: 50, segmentSeconds: 2 };
const rung = (id: string, height: number) => ({ id, index: Number(id.slice(1)), width: (height * 16) / 9, height, bitrateKbps: 700, maxrateKbps: 1050, bufsizeKbps: 1400, profile: 'main' as const, encoderPreset: 'ultrafast' });
const media = videoOnlyMedia({ width: 320, height: 180, fps: 25, seconds: 6, sizeBytes: 1000 });
const report = (over: Record<string, unknown> = {}) =>
  JobReportSchema.parse({
    jobId: 'enc', status: 'SUCCEEDED', createdAt: '2026-12-01T00:00:00.000Z', source: media, preset: { name: 'draft', version: 1 },
    rungs: [{ id: 'r0', width: 320, height: 180, targetBitrateKbps: 700, bitrateKbps: 650, bytes: 1, frames: 150, durationSec: 6, codecs: 'avc1.4d400d', psnr: 34, ssim: 0.95, vmaf: null, playlist: 'hls/r0/index.m3u8' }],
    audio: null,
    audioTracks: [{ id: 'a0', language: 'en', name: 'English', default: true, sourceTrack: 1, sourceChannels: 2, channels: 2, codecs: 'mp4a.40.2', bitrateKbps: 96, durationSec: 6, playlist: 'hls/a0/index.m3u8' }],
    subtitles: [{ id: 's0', language: 'en', name: 'English', default: false, from: 'sidecar', playlist: 'hls/s0/index.m3u8', vtt: 'hls/s0/subtitles.vtt' }],
    outputs: { hls: 'hls/master.m3u8', dash: 'dash/manifest.mpd', poster: null, sprite: null, thumbnailsVtt: null },
    vmafUnavailableReason: null, error: null,
    encoding: { timing, rungs: [rung('r0', 180)] },
    ...over,
  });
const job = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'enc', status: 'SUCCEEDED', spec: { source: { key: 'inbox/c.mp4' }, preset: 'draft', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} },
  sourceHash: 'abc', createdAt: '', updatedAt: '', startedAt: null, endedAt: null, progress: 1, etaSec: 0, error: null, reportKey: 'enc/report.json',
  outputPrefix: 'enc/', cost: null, run: 0, workflow: { name: 'encode', input: {} }, version: 3, ...over,
});
const ctx = (over: Partial<DerivedStartContext> = {}): DerivedStartContext => ({
  jobId: 'new', original: job(), report: report(), source: { key: '.mosaic/sources/abc.mp4' }, platforms: { 'measure-quality': 'fargate' }, threadsPerTask: 2, parallelism: 4, vmafAvailable: true, ...over,
});

describe('measure input', () => {
  it('one task per rung on its HLS playlist, against the source the engine pinned, with the preset\'s VMAF subsample', () => {
    const input = measureWorkflowInput({ of: 'enc' }, ctx());
    expect(input).toMatchObject({ jobId: 'new', outputPrefix: 'new/', workPrefix: '.mosaic/work/new/', of: { jobId: 'enc', reportKey: 'enc/report.json', outputPrefix: 'enc/' }, maxConcurrency: 4 });
    expect(input.qualityTasks).toHaveLength(1);
    expect(input.qualityTasks[0]).toMatchObject({ itemId: 'r0', platform: 'fargate', rendition: { key: 'enc/hls/r0/index.m3u8' }, source: { key: '.mosaic/sources/abc.mp4' }, frames: 150, timing, vmaf: true, threads: 8, sourceWidth: 320, sourceHeight: 180 });
    expect(input.qualityTasks[0]!.vmafSubsample).toBeGreaterThan(0);
    expect(measureWorkflowInput({ of: 'enc', vmaf: true, vmafSubsample: 7 }, ctx({ vmafAvailable: false })).qualityTasks[0]).toMatchObject({ vmaf: false, vmafSubsample: 7 });
  });

  it('refuses an unknown job (404), one not SUCCEEDED, one without a report or its encoding record, one without HLS (409), a bad request (400)', () => {
    const names = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    expect(names(() => measureWorkflowInput({ of: 'enc' }, ctx({ original: null })))).toMatch(/NotFound.*no job enc/);
    expect(names(() => measureWorkflowInput({ of: 'enc' }, ctx({ original: job({ status: 'FAILED' }) })))).toMatch(/Conflict.*enc is FAILED/);
    expect(names(() => measureWorkflowInput({ of: 'enc' }, ctx({ report: null })))).toMatch(/Conflict.*no report\.json/);
    expect(names(() => measureWorkflowInput({ of: 'enc' }, ctx({ report: report({ encoding: null }) })))).toMatch(/Conflict.*predates/);
    expect(names(() => measureWorkflowInput({ of: 'enc' }, ctx({ report: report({ rungs: [{ ...report().rungs[0], playlist: null }] }) })))).toMatch(/Conflict.*no HLS rendition of r0/);
    expect(names(() => measureWorkflowInput({ of: 'enc', extra: 1 }, ctx()))).toMatch(/^Mosaic.InputInvalid: measure: invalid input/);
    expect(names(() => measureWorkflowInput({ of: '../x' }, ctx()))).toMatch(/^Mosaic.InputInvalid/);
  });
});

describe('repackage input', () => {
  it('renditions, audio and WebVTT of job `of` into the new job, at the new segment length', () => {
    const input = repackageWorkflowInput({ of: 'enc', segmentSeconds: 4, dash: false }, ctx());
    expect(input.package).toMatchObject({
      jobId: 'new', outputPrefix: 'new/', hls: true, dash: false, timing: { ...timing, segmentSeconds: 4 },
      rungs: [{ rung: { id: 'r0' }, rendition: { key: 'enc/hls/r0/index.m3u8' } }],
      audio: [{ id: 'a0', rendition: { key: 'enc/hls/a0/index.m3u8' }, bitrateKbps: 96, channels: 2 }],
      subtitles: [{ id: 's0', from: { kind: 'sidecar', key: 'enc/hls/s0/subtitles.vtt' }, offsetSec: 0 }],
    });
    expect(repackageWorkflowInput({ of: 'enc' }, ctx()).package.timing.segmentSeconds).toBe(2);
    expect(() => repackageWorkflowInput({ of: 'enc', hls: false, dash: false }, ctx())).toThrow(/at least one of hls and dash/);
    expect(() => repackageWorkflowInput({ of: 'enc', segmentSeconds: 5 }, ctx())).toThrow(/segmentSeconds 5 is not a whole multiple .*\(2 s\).*use 2, 4, 6/);
  });

  it('segment lengths: whole multiples of the keyframe interval only', () => {
    expect(segmentLengthRefusal(2, 2)).toBeNull();
    expect(segmentLengthRefusal(6, 2)).toBeNull();
    expect(segmentLengthRefusal(4.004, 1001 / 500)).toBeNull();
    expect(segmentLengthRefusal(1, 2)).toMatch(/not a whole multiple/);
    expect(segmentLengthRefusal(3, 2)).toMatch(/not a whole multiple/);
  });
});

describe('job ids of rule starts', () => {
  it('the same request names the same job; another names another', () => {
    expect(derivedJobId('measure', { of: 'a' })).toBe(derivedJobId('measure', { of: 'a', vmaf: true }));
    expect(derivedJobId('measure', { of: 'a' })).not.toBe(derivedJobId('measure', { of: 'b' }));
    expect(derivedJobId('measure', { of: 'a' })).not.toBe(derivedJobId('repackage', { of: 'a' }));
    expect(workflowRunJobId('my-flow', { x: 1 })).toBe(workflowRunJobId('my-flow', { x: 1 }));
    expect(workflowRunJobId('my-flow', { x: 1 })).toMatch(/^my-flow-[0-9a-f]{32}$/);
  });
});
