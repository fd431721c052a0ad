/**
 * `mosaic serve` as a real process: SIGKILL it while a job is encoding (and another waits in the
 * queue), start it again on the same folder: both jobs finish, the chunks finished before the
 * kill are not encoded again, nothing is lost or left RUNNING. Then a SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-server.js';
import { CLI, cliEnv, makeClip, ROOT, tempDir } from '../helpers/media.js';

interface Listening {
  url: string;
  apiKey: string;
  apiKeyFile: string;
  recovered: string[];
}

function startServe(out: string): Promise<{ child: ChildProcessWithoutNullStreams; info: Listening; exited: Promise<{ code: number | null; signal: string | null }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--out', out, '--max-jobs', '1', '--json'], {
      cwd: ROOT,
      env: cliEnv({ MOSAIC_PARALLELISM: '1' }),
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(buffer.slice(0, nl)) as Listening, exited });
    });
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
}

describe('mosaic serve killed and restarted', () => {
  it('resumes every unfinished job and re-encodes nothing that was finished', async () => {
    const dir = tempDir('mosaic-serve-');
    const out = join(dir, 'out');
    const clip = makeClip(join(dir, 'big.mp4'), { width: 1280, height: 720, seconds: 12 });
    const small = makeClip(join(dir, 'small.mp4'), { width: 320, height: 180, seconds: 2 });

    const first = await startServe(out);
    expect(statSync(first.info.apiKeyFile).mode & 0o777).toBe(0o600);
    const api = new ApiClient(first.info.url, first.info.apiKey);
    const big = (await api.call('POST', '/v1/jobs', { source: { key: await api.upload(clip) }, preset: 'draft' })).body;
    const waiting = (await api.call('POST', '/v1/jobs', { source: { key: await api.upload(small) }, preset: 'draft' })).body;
    expect([big.status, waiting.status]).toEqual(['QUEUED', 'QUEUED']);

    // SIGKILL once two chunks are encoded.
    let done: string[] = [];
    for (let i = 0; done.length < 2; i++) {
      const view = (await api.call('GET', `/v1/jobs/${big.id}`)).body;
      expect(view.status).not.toMatch(/SUCCEEDED|FAILED/);
      done = view.steps.filter((s: { function: string; status: string }) => s.function === 'encode-video' && s.status === 'SUCCEEDED').map((s: { stepId: string }) => s.stepId);
      if (i > 1200) throw new Error('chunks did not finish within two minutes');
      if (done.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // Same folder, new process, new port, same key.
    const second = await startServe(out);
    expect(second.info.apiKey).toBe(first.info.apiKey);
    expect(second.info.recovered).toEqual([big.id, waiting.id]);
    const api2 = new ApiClient(second.info.url, second.info.apiKey);
    const finished = await api2.waitFor(big.id);
    const other = await api2.waitFor(waiting.id);
    expect([finished.status, other.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    const byChunk = new Map<string, string[]>();
    for (const s of finished.steps.filter((x: { function: string }) => x.function === 'encode-video')) byChunk.set(s.stepId, [...(byChunk.get(s.stepId) ?? []), s.status]);
    expect(byChunk.size).toBeGreaterThan(done.length);
    for (const [id, statuses] of byChunk) expect(statuses.filter((s) => s === 'SUCCEEDED').length, id).toBe(1);
    for (const id of done) expect(byChunk.get(id)).toContain('CACHED');
    expect(finished.steps.some((s: { status: string }) => s.status === 'RUNNING')).toBe(false);
    const all = (await api2.call('GET', '/v1/jobs?limit=100')).body.jobs;
    expect(all.map((j: { id: string }) => j.id).sort()).toEqual([big.id, waiting.id].sort());
    expect((await fetch(finished.outputs.hls.url)).status).toBe(200);

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
