/** report.json of measure and repackage jobs: the original report, with what the derived run changed. */
import { describe, expect, it } from 'vitest';
import { InputInvalidError, JobReportSchema, type MediaInfo, type PackagedRendition, type PublishDerivedInput, type QualityResult } from '../../../lambdas/contracts/index.js';
import { buildDerivedReport } from '../../../lambdas/core/derived-report.js';
import { planEncode } from '../../../lambdas/core/encode-plan.js';
import { buildReport } from '../../../lambdas/core/report.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../../helpers/plan-fixture.js';

const base = videoOnlyMedia({ width: 1280, height: 720, fps: 25, seconds: 8, sizeBytes: 4_000_000 });
const media: MediaInfo = {
  ...base,
  audio: { codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 8, startSec: 0 },
  audioTracks: [{ index: 0, codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 8, startSec: 0, language: 'eng', default: true }],
  notes: ['a note of Inspect'],
};
const plan = planEncode(encodeOnlyPlanInput('orig', media, { spec: { preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, captions: [{ key: 'c/side.srt', language: 'de', label: 'Deutsch' }] } }));
const rungIds = plan.rungs.map((r) => r.id);

const renditions = (prefix: string, bytes: number): PackagedRendition[] => [
  ...plan.rungs.map((r) => ({ id: r.id, kind: 'video' as const, width: r.width, height: r.height, codecs: `avc1.64001f-${bytes}`, bandwidth: 1000, averageBandwidth: 900, playlistKey: `${prefix}hls/${r.id}/index.m3u8`, segments: 2, bytes: bytes + r.index })),
  ...plan.package.audio.map((a) => ({ id: a.id, kind: 'audio' as const, codecs: 'mp4a.40.2', bandwidth: 1, averageBandwidth: 1, playlistKey: `${prefix}hls/${a.id}/index.m3u8`, segments: 2, bytes: 10 })),
  ...plan.package.subtitles.map((t) => ({ id: t.id, kind: 'text' as const, codecs: 'wvtt', bandwidth: 1, averageBandwidth: 1, playlistKey: `${prefix}hls/${t.id}/index.m3u8`, vttKey: `${prefix}hls/${t.id}/subtitles.vtt`, segments: 1, bytes: 5 })),
];
const score = (rungId: string, psnr: number, vmaf: number | null): QualityResult => ({ rungId, psnr, psnrMin: psnr - 3, ssim: 0.98, vmaf, frames: 200, ...(vmaf === null ? { vmafUnavailableReason: 'no ffmpeg with libvmaf' } : {}) });

const original = JobReportSchema.parse(
  buildReport(
    {
      jobId: 'orig',
      status: 'SUCCEEDED',
      outputPrefix: 'orig/',
      media,
      plan,
      assembled: plan.rungs.map((r) => ({ rungId: r.id, key: `w/${r.id}.mp4`, frames: 200, durationSec: 8, bytes: 5000, bitrateKbps: r.bitrateKbps })) as never,
      audio: plan.audioTasks.map((t) => ({ key: t.output.key, durationSec: 8, bytes: 1000, codecs: 'mp4a.40.2' })),
      quality: rungIds.map((id, n) => score(id, 40 - n, 95 - n)),
      package: { hlsMasterKey: 'orig/hls/master.m3u8', dashManifestKey: 'orig/dash/manifest.mpd', renditions: renditions('orig/', 5000), notes: [] },
      thumbnails: { posterKey: 'orig/thumbnails/poster.jpg', spriteKey: 'orig/thumbnails/sprite.jpg', vttKey: 'orig/thumbnails/thumbnails.vtt' } as never,
    },
    '2026-01-01T00:00:00.000Z',
  ),
);
const of = { jobId: 'orig', reportKey: 'orig/report.json', outputPrefix: 'orig/' };
const derived = (over: Partial<PublishDerivedInput>): PublishDerivedInput => ({ jobId: 'new', outputPrefix: 'new/', of, original, workflow: 'measure', startedAt: '2026-02-02T00:00:00.000Z', ...over });

describe('the original fixture', () => {
  it('is a full report of a ladder with audio, a caption and thumbnails', () => {
    expect(rungIds.length).toBeGreaterThan(1);
    expect(original.encoding?.rungs.map((r) => r.id)).toEqual(rungIds);
    expect(original.rungs[0].playlist).toBe(`hls/${rungIds[0]}/index.m3u8`);
    expect(original.outputs.poster).toBe('thumbnails/poster.jpg');
    expect(original.subtitles).toHaveLength(1);
  });
});

describe('buildDerivedReport: measure', () => {
  const quality = rungIds.map((id, n) => (n === 0 ? score(id, 41.234, 96.04) : score(id, 40 - n + 0.001, 95 - n)));
  const report = JobReportSchema.parse(buildDerivedReport(derived({ quality }), '2026-02-02T00:00:00.000Z'));

  it('is the new job, SUCCEEDED at the run start, derived from job of', () => {
    expect(report).toMatchObject({ jobId: 'new', status: 'SUCCEEDED', createdAt: '2026-02-02T00:00:00.000Z', derivedFrom: { jobId: 'orig', workflow: 'measure' }, error: null });
    expect(report.source).toEqual(original.source);
    expect(report.preset).toEqual(original.preset);
    expect(report.encoding).toEqual(original.encoding);
  });

  it('carries the scores measured now, by rung', () => {
    expect(report.rungs.map((r) => [r.id, r.psnr, r.vmaf])).toEqual(quality.map((q) => [q.rungId, q.psnr, q.vmaf]));
    expect(report.rungs.map((r) => r.frames)).toEqual(original.rungs.map((r) => r.frames));
    expect(report.vmafUnavailableReason).toBeNull();
  });

  it('notes each rung whose VMAF or PSNR moved (at the precision shown), and whose renditions they are', () => {
    const r0 = rungIds[0];
    expect(report.notes).toEqual([
      'a note of Inspect',
      'renditions are those of job orig',
      `${r0}: VMAF 95.0 → 96.0 (job orig)`,
      `${r0}: PSNR 40.00 → 41.23 (job orig)`,
    ]);
  });

  it('points at no files: the renditions, thumbnails and manifests are job of’s', () => {
    expect(report.outputs).toEqual({ hls: null, dash: null, poster: null, sprite: null, thumbnailsVtt: null });
    expect(report.rungs.every((r) => r.playlist === null)).toBe(true);
    expect(report.audioTracks.every((a) => a.playlist === null)).toBe(true);
    expect(report.subtitles.every((t) => t.playlist === null && t.vtt === null)).toBe(true);
  });

  it('says why VMAF is missing when it is, and notes a score that appeared or went', () => {
    const r = buildDerivedReport(derived({ quality: rungIds.map((id, n) => score(id, 40 - n, null)) }), 't');
    expect(r.vmafUnavailableReason).toBe('no ffmpeg with libvmaf');
    expect(r.rungs.every((x) => x.vmaf === null)).toBe(true);
    expect(r.notes).toContain(`${rungIds[0]}: VMAF 95.0 → none (job orig)`);
  });

  it('refuses a run without quality results', () => {
    expect(() => buildDerivedReport(derived({}), 't')).toThrow(InputInvalidError);
  });
});

describe('buildDerivedReport: repackage', () => {
  const pkg = { hlsMasterKey: 'new/hls/master.m3u8', dashManifestKey: 'new/dash/manifest.mpd', renditions: renditions('new/', 7000), notes: ['a note of Package'] };
  const seg = original.encoding!.timing.segmentSeconds * 2;
  const report = JobReportSchema.parse(buildDerivedReport(derived({ workflow: 'repackage', package: pkg, segmentSeconds: seg }), '2026-02-02T00:00:00.000Z'));

  it('points at the new segments and manifests, relative to the new job', () => {
    expect(report.derivedFrom).toEqual({ jobId: 'orig', workflow: 'repackage' });
    expect(report.rungs.map((r) => [r.playlist, r.bytes, r.codecs])).toEqual(plan.rungs.map((r) => [`hls/${r.id}/index.m3u8`, 7000 + r.index, 'avc1.64001f-7000']));
    expect(report.audioTracks.map((a) => a.playlist)).toEqual(['hls/a0/index.m3u8']);
    expect(report.subtitles.map((t) => [t.playlist, t.vtt])).toEqual([[`hls/${plan.package.subtitles[0].id}/index.m3u8`, `hls/${plan.package.subtitles[0].id}/subtitles.vtt`]]);
    expect(report.outputs).toEqual({ hls: 'hls/master.m3u8', dash: 'dash/manifest.mpd', poster: null, sprite: null, thumbnailsVtt: null });
  });

  it('keeps the scores (same frames), records the new segment length and notes where thumbnails are', () => {
    expect(report.rungs.map((r) => r.psnr)).toEqual(original.rungs.map((r) => r.psnr));
    expect(report.encoding).toEqual({ ...original.encoding, timing: { ...original.encoding!.timing, segmentSeconds: seg } });
    expect(report.notes).toEqual(['a note of Inspect', `segments of ${seg} s repackaged from job orig; thumbnails stay with job orig`, 'a note of Package']);
  });

  it('leaves out a text rendition Package skipped, and a manifest not asked for', () => {
    const r = buildDerivedReport(derived({ workflow: 'repackage', segmentSeconds: seg, package: { ...pkg, dashManifestKey: null, renditions: pkg.renditions.filter((x) => x.kind !== 'text') } }), 't');
    expect(r.subtitles).toEqual([]);
    expect(r.outputs.dash).toBeNull();
  });

  it('refuses a run without a package result', () => {
    expect(() => buildDerivedReport(derived({ workflow: 'repackage' }), 't')).toThrow(InputInvalidError);
  });
});
