/** report.json lists every audio and text rendition with what it came from, and the notes of Inspect and Package. */
import { describe, expect, it } from 'vitest';
import type { MediaInfo, PublishInput } from '../../../lambdas/contracts/index.js';
import { planEncode } from '../../../lambdas/core/encode-plan.js';
import { buildReport } from '../../../lambdas/core/report.js';
import { encodeOnlyPlanInput, videoOnlyMedia } from '../../helpers/plan-fixture.js';

const base = videoOnlyMedia({ width: 640, height: 360, fps: 25, seconds: 4, sizeBytes: 1_000_000 });
const media: MediaInfo = {
  ...base,
  audio: { codec: 'ac3', channels: 6, sampleRate: 48000, durationSec: 4, startSec: 0 },
  audioTracks: [
    { index: 1, codec: 'ac3', channels: 6, sampleRate: 48000, durationSec: 4, startSec: 0, language: 'eng', default: true },
    { index: 0, codec: 'aac', channels: 1, sampleRate: 8000, durationSec: 2, startSec: 0.5, language: 'fra', default: false },
  ],
  subtitles: [
    { index: 0, codec: 'hdmv_pgs_subtitle', language: 'eng', default: false, text: false },
    { index: 1, codec: 'subrip', language: 'fra', default: false, text: true },
  ],
  notes: ['1 image subtitle track(s) (hdmv_pgs_subtitle) skipped: only text subtitles become WebVTT'],
};
const plan = planEncode(encodeOnlyPlanInput('job-r', media, { spec: { preset: 'draft', outputs: { hls: true, dash: true, thumbnails: false, quality: false }, captions: [{ key: 'c/side.srt', language: 'de', label: 'Deutsch' }] } }));

describe('buildReport renditions', () => {
  const input: PublishInput = {
    jobId: 'job-r',
    status: 'SUCCEEDED',
    outputPrefix: 'job-r/',
    media,
    plan,
    // The audio Map's results, in the plan's order.
    audio: plan.audioTasks.map((t, n) => ({ key: t.output.key, durationSec: 4 + n * 0.001, bytes: 1000, codecs: 'mp4a.40.2' })),
    package: {
      hlsMasterKey: 'job-r/hls/master.m3u8',
      dashManifestKey: 'job-r/dash/manifest.mpd',
      renditions: [
        ...plan.package.audio.map((a) => ({ id: a.id, kind: 'audio' as const, codecs: 'mp4a.40.2', bandwidth: 1, averageBandwidth: 1, playlistKey: `job-r/hls/${a.id}/index.m3u8`, segments: 2, bytes: 10 })),
        { id: 's1', kind: 'text', codecs: 'wvtt', bandwidth: 1, averageBandwidth: 1, playlistKey: 'job-r/hls/s1/index.m3u8', vttKey: 'job-r/hls/s1/subtitles.vtt', segments: 1, bytes: 5 },
      ],
      notes: ['subtitle track 1 (subrip) could not be read: skipped (...)'],
    },
  };
  const report = buildReport(input, '2026-01-01T00:00:00.000Z');

  it('lists every audio rendition, default first, with its source track and channels before and after', () => {
    expect(report.audioTracks).toEqual([
      { id: 'a0', language: 'en', name: 'English', default: true, sourceTrack: 1, sourceChannels: 6, channels: 2, codecs: 'mp4a.40.2', bitrateKbps: 96, durationSec: 4, playlist: 'hls/a0/index.m3u8' },
      { id: 'a1', language: 'fr', name: 'French', default: false, sourceTrack: 0, sourceChannels: 1, channels: 1, codecs: 'mp4a.40.2', bitrateKbps: 96, durationSec: 4.001, playlist: 'hls/a1/index.m3u8' },
    ]);
    expect(report.audio).toEqual({ codecs: 'mp4a.40.2', bitrateKbps: 96, durationSec: 4 });
  });

  it('lists the text renditions Package wrote (not one it skipped) and merges the notes', () => {
    expect(report.subtitles).toEqual([
      { id: 's1', language: 'de', name: 'Deutsch', default: false, from: 'sidecar', playlist: 'hls/s1/index.m3u8', vtt: 'hls/s1/subtitles.vtt' },
    ]);
    expect(report.notes).toEqual([...media.notes, 'subtitle track 1 (subrip) could not be read: skipped (...)']);
  });

  it('has no audio for a silent source', () => {
    const silent = planEncode(encodeOnlyPlanInput('job-s', base));
    const r = buildReport({ jobId: 'job-s', status: 'SUCCEEDED', outputPrefix: 'job-s/', media: base, plan: silent, audio: [] }, '2026-01-01T00:00:00.000Z');
    expect(r.audio).toBeNull();
    expect(r.audioTracks).toEqual([]);
    expect(r.subtitles).toEqual([]);
  });
});
