/**
 * "Always on": when a preset's version changes, jobs encoded with an older version of it are
 * re-encoded, and only those. Two jobs (draft, default) are encoded; the engine then opens with
 * draft at version 2 (as if presets.ts had been edited), announces the change, and the rules
 * re-encode the draft job alone, once.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reencodeJobId } from '../../lambdas/core/workflow-start.js';
import { makeClip, tempDir } from '../helpers/media.js';
import { startRulesWorld } from '../helpers/rules-world.js';

describe('preset version bump', () => {
  it('re-encodes the job made with the older version of the bumped preset, and only it', async () => {
    const root = tempDir('mosaic-rules-preset-');
    const src = tempDir('mosaic-rules-preset-src-');
    const a = makeClip(join(src, 'a.mp4'), { width: 320, height: 180, seconds: 2 });
    const b = makeClip(join(src, 'b.mp4'), { width: 320, height: 180, seconds: 3 });

    const first = await startRulesWorld(root);
    mkdirSync(join(root, 'inbox', 'draft'), { recursive: true });
    mkdirSync(join(root, 'inbox', 'default'), { recursive: true });
    copyFileSync(a, join(root, 'inbox', 'draft', 'a.mp4'));
    copyFileSync(b, join(root, 'inbox', 'default', 'b.mp4'));
    await first.settle(2);
    const before = await first.engine.jobs.listJobs();
    expect(before.map((j) => `${j.spec.preset} ${j.status}`).sort()).toEqual(['default SUCCEEDED', 'draft SUCCEEDED']);
    const draftJob = before.find((j) => j.spec.preset === 'draft')!;
    const defaultJob = before.find((j) => j.spec.preset === 'default')!;
    expect(await first.engine.jobs.getFacts(`job:${draftJob.id}`)).toMatchObject({ preset: 'draft', presetVersion: 1 });
    expect(await first.engine.jobs.getFacts('preset:draft')).toEqual({ version: 1 });
    await first.stop();

    // The draft preset is edited: version 2. The runtime's start announces it.
    const second = await startRulesWorld(root, { presetVersions: { draft: 2 } });
    await second.settle();
    const after = await second.engine.jobs.listJobs();
    expect(after).toHaveLength(3);
    const again = after.find((j) => !before.some((x) => x.id === j.id))!;
    expect(again).toMatchObject({
      id: reencodeJobId(draftJob.id, 'draft', 2),
      status: 'SUCCEEDED',
      spec: { preset: 'draft', source: draftJob.spec.source, tags: { trigger: 'preset-version', reencodeOf: draftJob.id, previousPresetVersion: '1', presetVersion: '2' } },
    });
    expect(await second.engine.blobs.head(`${again.id}/hls/master.m3u8`)).not.toBeNull();
    // The re-encode is recorded with version 2, so nothing chases it; the default job was left alone.
    expect(await second.engine.jobs.getFacts(`job:${again.id}`)).toMatchObject({ preset: 'draft', presetVersion: 2 });
    expect(await second.engine.jobs.getFacts(`job:${defaultJob.id}`)).toMatchObject({ preset: 'default', presetVersion: 1 });
    expect(await second.engine.jobs.getFacts('preset:draft')).toEqual({ version: 2 });
    const reencodes = second.firings.filter((f) => f.rule.startsWith('reencode-'));
    expect(reencodes.map((f) => `${f.rule} ${f.subject}`)).toEqual([`reencode-on-preset-version job:${draftJob.id}`]);
    await second.stop();

    // Opening again with the same versions announces nothing and starts nothing.
    const third = await startRulesWorld(root, { presetVersions: { draft: 2 } });
    await third.settle();
    expect(third.firings).toEqual([]);
    expect(await third.engine.jobs.listJobs()).toHaveLength(3);
    await third.stop();
  }, 400_000);
});
