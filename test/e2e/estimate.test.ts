/** `mosaic encode --estimate`: the AWS plan, sizes and cost of a file, with nothing encoded. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobEstimateSchema } from '../../lambdas/contracts/index.js';
import { cli, makeClip, tempDir } from '../helpers/media.js';

describe('mosaic encode --estimate', () => {
  const dir = tempDir();
  const clip = makeClip(join(dir, 'clip.mp4'), { width: 640, height: 360, seconds: 6 });
  const out = join(dir, 'out');

  it('prints the chunk plan, a size per rung and the cost, and encodes nothing', async () => {
    const r = await cli(['encode', clip, '--out', out, '--estimate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { estimate, media } = JSON.parse(r.stdout.trim()) as { estimate: unknown; media: { video: { width: number } } };
    const e = JobEstimateSchema.parse(estimate);
    expect(media.video.width).toBe(640);
    expect(e.rungs.map((x) => x.height)).toEqual([360, 240]);
    expect(e.encodeTasks).toBe(e.chunks * e.rungs.length);
    for (const rung of e.rungs) {
      expect(rung.platform === 'lambda' ? rung.memoryMiB <= 10_240 : rung.vcpu >= 0.25).toBe(true);
      expect(rung.costUsd).toBeGreaterThan(0);
    }
    expect(e.totalUsd).toBeGreaterThanOrEqual(e.rungs.reduce((s, x) => s + x.costUsd, 0));
    // Nothing ran: no job folder, no job in the list.
    expect(readdirSync(out).filter((f) => f !== '.mosaic')).toEqual([]);
    const list = await cli(['jobs', 'list', '--out', out, '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('says when a deadline cannot be met, and why', async () => {
    const r = await cli(['encode', clip, '--out', out, '--estimate', '--deadline', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deadline 0:01: NOT met/);
    expect(r.stdout).toMatch(/why: deadline 1 s cannot be met/);
  });

  it('rejects a bad source or option with one clear line', async () => {
    const missing = await cli(['encode', join(dir, 'nope.mp4'), '--out', out, '--estimate']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/source not found/);
    const bad = await cli(['encode', clip, '--out', out, '--estimate', '--concurrency', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--concurrency must be a positive whole number/);
    expect(existsSync(join(out, '.mosaic'))).toBe(true);
  });
});
