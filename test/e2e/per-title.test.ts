/**
 * Issue 15: a per-title job end to end on the local engine, through the CLI. A 640x360 clip is
 * sampled, trial-encoded at its candidate resolutions × CRFs, and its ladder is chosen along the
 * hull: every rung decodes to all of the source's frames (frame-exact), the package is complete,
 * each rung was encoded at its CRF under its cap, and report.json holds the points, the hull and
 * the chosen rungs with the saving predicted against the fixed ladder.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobReport } from '../../lambdas/contracts/index.js';
import { convexHull } from '../../lambdas/core/per-title.js';
import { PRESETS } from '../../lambdas/core/presets.js';
import { cli, makeClip, resultLine, tempDir } from '../helpers/media.js';
import { verifyPackage } from '../helpers/verify-package.js';

describe('preset per-title', () => {
  it('searches the ladder on samples of the source and encodes the rungs it chose, frame-exact and packaged', async () => {
    const work = tempDir('mosaic-per-title-');
    const source = makeClip(join(work, 'clip.mp4'), { width: 640, height: 360, seconds: 6 });
    const out = join(work, 'out');
    const r = await cli(['encode', source, '--out', out, '--preset', 'per-title', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { job, report, outDir } = resultLine(r.stdout);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    const rep = report as JobReport;
    const pt = rep.perTitle!;
    expect(pt).not.toBeNull();

    // The search: every candidate at or below 360p at every CRF of the preset, on about 10 % of the frames (at least half a second).
    const c = PRESETS['per-title']!.perTitle!;
    const heights = [...new Set(pt.points.map((p) => p.height))].sort((a, b) => b - a);
    expect(heights).toEqual([360, 240]);
    expect(pt.points).toHaveLength(heights.length * c.crfs.length);
    const sampled = pt.samples.reduce((n, s) => n + s.frames, 0);
    expect(sampled).toBeGreaterThanOrEqual(13);
    expect(sampled).toBeLessThan(150);
    // The hull is the points' upper hull, and the rungs lie on it, top first, resolution never rising as bitrate falls.
    expect(pt.hull.map((p) => `${p.height}@${p.crf}`)).toEqual(convexHull(pt.points).map((p) => `${p.height}@${p.crf}`));
    expect(pt.rungs.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < pt.rungs.length; i++) {
      expect(pt.rungs[i]!.kbps).toBeLessThan(pt.rungs[i - 1]!.kbps / 1.4);
      expect(pt.rungs[i]!.height).toBeLessThanOrEqual(pt.rungs[i - 1]!.height);
    }
    expect(pt.fixed.map((f) => f.height)).toEqual([360, 240]);
    expect(typeof pt.predictedSavingPercent).toBe('number');

    // The ladder encoded is the one chosen: each rung at its CRF (capped), the report's rungs in the same order.
    expect(rep.encoding!.rungs.map((x) => [x.id, x.height, x.crf])).toEqual(pt.rungs.map((x) => [x.id, x.height, x.crf]));
    for (const rung of rep.encoding!.rungs) expect(rung.maxrateKbps).toBe(Math.round(pt.rungs.find((x) => x.id === rung.id)!.kbps * 1.5));

    // Frame-exact and packaged, as any ladder.
    verifyPackage(outDir, source, { minFramePsnr: 20 });

    // The analysis ran as steps of its own: plan-analysis, then one analyze-title per sample.
    const shown = await cli(['jobs', 'show', job.id, '--out', out, '--json']);
    const steps = (JSON.parse(shown.stdout) as { steps: { function: string; stepId: string; status: string }[] }).steps;
    expect(steps.filter((s) => s.function === 'plan-analysis').map((s) => s.status)).toEqual(['SUCCEEDED']);
    expect(steps.filter((s) => s.function === 'analyze-title').map((s) => s.stepId)).toEqual(pt.samples.map((_, i) => `analyze-title:s${i}`));
  }, 240_000);
});
