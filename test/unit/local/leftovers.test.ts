/** Leftovers of dead runs go at the next start; nothing of live processes or resumable jobs does. File modes of .mosaic/. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../lambdas/contracts/index.js';
import { scratchDirPid, scratchDirPrefix } from '../../../lambdas/runtime/scratch-dirs.js';
import { removeLeftovers } from '../../../local/leftovers.js';
import { securePrivateState } from '../../../local/private-state.js';
import { SqliteMetricsStore } from '../../../local/sqlite-metrics-store.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { tempDir } from '../../helpers/media.js';

const spec = { source: { key: 'uploads/a/x.mp4' }, preset: 'draft', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} } as JobSpec;

describe('leftovers', () => {
  it('removes scratch of dead pids, partial uploads of dead pids and work nobody resumes; keeps the rest', async () => {
    const state = join(tempDir('mosaic-leftovers-'), '.mosaic');
    const scratch = join(state, 'scratch');
    mkdirSync(scratch, { recursive: true });
    const jobs = new SqliteJobStore(join(state, 'mosaic.db'));
    for (const [id, status] of [['running', 'RUNNING'], ['failed', 'FAILED'], ['done', 'SUCCEEDED'], ['cancelled', 'CANCELLED'], ['queued', 'QUEUED']] as const) {
      await jobs.createJob({ id, spec, sourceHash: null, outputPrefix: `${id}/` });
      if (status !== 'QUEUED') await jobs.updateJob(id, { status });
      mkdirSync(join(state, 'work', id, 'chunks'), { recursive: true });
    }
    mkdirSync(join(state, 'work', 'preflight-abc'), { recursive: true });
    const own = await mkdtemp(join(scratch, scratchDirPrefix('encode-video')));
    expect(scratchDirPid(own.split('/').pop()!)).toBe(process.pid);
    mkdirSync(join(scratch, 'mosaic-scratch-999999-encode-video-aaaaaa'));
    mkdirSync(join(scratch, 'mosaic-scratch-424242-inspect-bbbbbb'));
    mkdirSync(join(scratch, 'something-else'));
    mkdirSync(join(state, 'uploads-tmp'));
    writeFileSync(join(state, 'uploads-tmp', '999999-0011'), 'partial');
    writeFileSync(join(state, 'uploads-tmp', `${process.pid}-0022`), 'in flight');

    const alive = (pid: number) => pid === 424242;
    const removed = await removeLeftovers({ stateDir: state, scratchRoot: scratch, jobs, alive });
    expect(removed.scratch).toEqual(['mosaic-scratch-999999-encode-video-aaaaaa']);
    expect(removed.uploads).toEqual(['999999-0011']);
    expect(removed.work.sort()).toEqual(['cancelled', 'done', 'preflight-abc']);
    expect(existsSync(own)).toBe(true);
    expect(existsSync(join(scratch, 'mosaic-scratch-424242-inspect-bbbbbb'))).toBe(true);
    expect(existsSync(join(scratch, 'something-else'))).toBe(true);
    for (const id of ['running', 'failed', 'queued']) expect(existsSync(join(state, 'work', id, 'chunks')), id).toBe(true);
    jobs.close();
  });
});

describe('private state', () => {
  it('makes .mosaic/ 0700 and the database and secrets 0600, also for an existing install', async () => {
    const state = join(tempDir('mosaic-modes-'), '.mosaic');
    mkdirSync(state, { mode: 0o755 });
    for (const f of ['api-key', 'webhook-secret', 'mosaic.db-wal', 'metrics.db-wal']) writeFileSync(join(state, f), 'x', { mode: 0o644 });
    await securePrivateState(state);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    for (const f of ['api-key', 'webhook-secret', 'mosaic.db', 'mosaic.db-wal', 'metrics.db', 'metrics.db-wal']) expect(statSync(join(state, f)).mode & 0o777, f).toBe(0o600);
    // The database is created private, so SQLite's -wal and -shm (same mode) are too.
    const jobs = new SqliteJobStore(join(state, 'mosaic.db'));
    await jobs.createJob({ id: 'j', spec, sourceHash: null, outputPrefix: 'j/' });
    const metrics = new SqliteMetricsStore(join(state, 'metrics.db'));
    await metrics.record([{ at: new Date().toISOString(), dimensions: {}, values: { JobCostUsd: 1 } }]);
    for (const f of ['mosaic.db', 'mosaic.db-wal', 'mosaic.db-shm', 'metrics.db', 'metrics.db-wal', 'metrics.db-shm'])
      if (existsSync(join(state, f))) expect(statSync(join(state, f)).mode & 0o777, f).toBe(0o600);
    jobs.close();
    metrics.close();
  });
});
