/**
 * Calibration of the other codecs: `mosaic calibrate --codecs` times each codec's encoder (the
 * one this ffmpeg has) and stores a speed entry per codec and preset beside x264's.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { VideoCodec } from '../../../lambdas/contracts/index.js';
import { pickVideoEncoder } from '../../../lambdas/core/ffmpeg-args.js';
import { DEFAULT_SPEED_TABLE } from '../../../lambdas/core/allocator/speed-model.js';
import { loadMeasuredSpeeds, resolveMediaTools } from '../../../lambdas/runtime/index.js';
import { calibrate, defaultCases } from '../../../local/calibrate.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { tempDir } from '../../helpers/media.js';

const stores: SqliteJobStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('calibrating HEVC, AV1 and VP9', () => {
  it('default cases: each codec through its preset, x264 only when asked', () => {
    const cases = defaultCases(2, ['hevc', 'av1']);
    expect(new Set(cases.map((c) => c.preset))).toEqual(new Set(['hevc', 'av1']));
    expect(cases.some((c) => c.threads === 2)).toBe(true);
    expect(defaultCases(2).every((c) => c.preset === 'default' || c.preset === 'draft')).toBe(true);
  });

  // Timings of short encodes on a loaded machine are noisy (a fit may drop an unknown): one retry.
  it('times real encodes of each codec and stores one entry per codec and preset', { timeout: 240_000, retry: 1 }, async () => {
    const jobs = new SqliteJobStore(join(tempDir(), 'jobs.db'));
    stores.push(jobs);
    const tools = await resolveMediaTools({ searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tmpdir(), ffmpegTimeoutMs: 120_000 });
    const codecs = (['hevc', 'av1', 'vp9'] as VideoCodec[]).filter((c) => pickVideoEncoder(c, tools.caps.encoders));
    const source = { width: 640, height: 360 };
    const cases = codecs.flatMap((preset) => [
      { source, width: 640, height: 360, preset, threads: 1, frames: 12, fps: 24 },
      { source, width: 320, height: 180, preset, threads: 1, frames: 12, fps: 24 },
    ]);
    const { rows } = await calibrate({ tools, jobs, scratchDir: join(tempDir(), 'cal'), cases });
    expect(rows.map((r) => r.codec)).toEqual(cases.map((c) => (c.preset === 'hevc' ? 'h265' : c.preset)));
    const measured = (await loadMeasuredSpeeds(jobs)).table;
    const keys = { hevc: 'encode-video/h265/fast/sd', av1: 'encode-video/av1/faster/sd', vp9: 'encode-video/vp9/fast/sd' } as const;
    for (const c of codecs) {
      const key = keys[c as keyof typeof keys];
      expect(measured[key]?.samples, key).toBe(2);
      expect(measured[key].fpsPerVcpu).not.toBe(DEFAULT_SPEED_TABLE[key].fpsPerVcpu);
    }
  });
});
