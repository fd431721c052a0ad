/**
 * The workflow's Fargate variants run locally too: with every Fargate-capable function defaulting
 * to Fargate, the Choice states take the ECS task states and the local runner hands the container
 * payload (MOSAIC_INPUT) to the same functions. The job must still succeed.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LocalEngine } from '../../local/engine.js';
import { makeClip, tempDir } from '../helpers/media.js';

describe('local engine on the Fargate path', () => {
  it('runs a job through the ECS task states', async () => {
    const dir = tempDir();
    const src = makeClip(join(dir, 'clip.mp4'), { width: 320, height: 240, seconds: 3 });
    const fargate = ['encode-video', 'encode-audio', 'assemble', 'measure-quality', 'package'];
    const engine = await LocalEngine.open({
      root: join(dir, 'out'),
      runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 },
      testing: { platformDefaults: new Map(fargate.map((f) => [f, 'fargate'])) },
    });
    try {
      const ecsStates = [...engine.workflow.taskFunctions].filter(([, t]) => t.kind === 'ecs').map(([s]) => s);
      expect(ecsStates.length).toBe(5);
      const { job } = await engine.submitFile(src, { preset: 'draft' });
      const done = await engine.run(job.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe('SUCCEEDED');
      // Every chunk was allocated a Fargate size (encode-video may only use Fargate here).
      const allocated = (await engine.jobs.listEvents(job.id)).filter((e) => e.detailType === 'Task Allocated').map((e) => e.detail as { platform: string; itemId: string });
      expect(allocated.length).toBe(engine.planOf(job.id)!.videoTaskList!.count);
      expect(allocated.every((a) => a.platform === 'fargate')).toBe(true);
      const steps = await engine.jobs.listSteps(job.id);
      expect(new Set(steps.map((s) => s.function))).toEqual(new Set(['inspect', 'plan', ...fargate, 'thumbnails', 'publish']));
    } finally {
      engine.close();
    }
  });
});
