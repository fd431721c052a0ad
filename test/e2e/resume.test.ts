/**
 * Resume: SIGKILL `mosaic encode` once chunks are done, run it again with the same input and
 * output folder; the job resumes, finished chunks come from the result cache (never encoded
 * twice, as the step records show), and the result is complete.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cli, cliEnv, makeClip, resultLine, ROOT, tempDir } from '../helpers/media.js';
import { verifyPackage } from '../helpers/verify-package.js';

/** Starts an encode and SIGKILLs it as soon as `n` video chunks have succeeded. */
function encodeAndKillAfter(source: string, out: string, n: number): Promise<{ jobId: string; chunksDone: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'encode', source, '--out', out, '--preset', 'draft', '--json'], {
      cwd: ROOT,
      env: cliEnv({ MOSAIC_PARALLELISM: '1' }),
    });
    const done: string[] = [];
    let jobId = '';
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const e = JSON.parse(line) as { type: string; detailType?: string; detail?: { jobId: string; stepId: string; function: string; status: string } };
        if (e.type === 'result') return reject(new Error('the encode finished before it could be killed'));
        if (e.detail) jobId = e.detail.jobId;
        if (e.detailType === 'Step Status Changed' && e.detail?.function === 'encode-video' && e.detail.status === 'SUCCEEDED') {
          done.push(e.detail.stepId);
          if (done.length === n) child.kill('SIGKILL');
        }
      }
    });
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve({ jobId, chunksDone: done }) : reject(new Error(`exited without being killed (${signal})`))));
  });
}

describe('resume after SIGKILL', () => {
  it('re-running the same command finishes the job without re-encoding finished chunks', async () => {
    const dir = tempDir();
    const src = makeClip(join(dir, 'resume.mp4'), { width: 1280, height: 720, seconds: 10, fps: 25 });
    const out = join(dir, 'out');
    const killed = await encodeAndKillAfter(src, out, 2);
    expect(killed.chunksDone.length).toBe(2);

    const before = await cli(['jobs', 'show', killed.jobId, '--out', out, '--json']);
    expect(JSON.parse(before.stdout).job.status).toBe('RUNNING');

    const second = await cli(['encode', src, '--out', out, '--preset', 'draft', '--json'], { MOSAIC_PARALLELISM: '1' });
    expect(second.code, second.stderr).toBe(0);
    const { job } = resultLine(second.stdout);
    expect(job.id).toBe(killed.jobId);
    expect(job.status).toBe('SUCCEEDED');

    const shown = JSON.parse((await cli(['jobs', 'show', job.id, '--out', out, '--json'])).stdout) as {
      steps: { stepId: string; function: string; status: string }[];
    };
    const chunkSteps = shown.steps.filter((s) => s.function === 'encode-video');
    const byChunk = new Map<string, string[]>();
    for (const s of chunkSteps) byChunk.set(s.stepId, [...(byChunk.get(s.stepId) ?? []), s.status]);
    // Every chunk was encoded exactly once across both runs...
    for (const [id, statuses] of byChunk) expect(statuses.filter((s) => s === 'SUCCEEDED').length, id).toBe(1);
    // ...and the chunks finished before the kill were served from the cache on the second run.
    for (const id of killed.chunksDone) expect(byChunk.get(id)).toContain('CACHED');
    expect(byChunk.size).toBeGreaterThan(killed.chunksDone.length);
    // Nothing is left RUNNING: the step in flight at the kill was marked ABANDONED.
    expect(shown.steps.some((s) => s.status === 'RUNNING')).toBe(false);

    verifyPackage(join(out, job.id), src, { minFramePsnr: 20 });
  });
});
