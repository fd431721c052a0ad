/** The local adapters: folder BlobStore and SQLite JobStore. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { tempDir } from '../../helpers/media.js';

const spec = { source: { key: 's' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} };

describe('FsBlobStore', () => {
  it('round-trips objects and changes the etag with the content', async () => {
    const b = new FsBlobStore(tempDir());
    const h1 = await b.putBytes('a/b.txt', 'one', 'text/plain');
    await new Promise((r) => setTimeout(r, 10));
    const h2 = await b.putBytes('a/b.txt', 'three', 'text/plain');
    expect(h1.etag).not.toBe(h2.etag);
    expect((await b.getBytes('a/b.txt')).toString()).toBe('three');
    expect(await b.head('a/missing')).toBeNull();
  });

  it('uploads by moving the file, downloads by link or copy, lists and deletes by prefix', async () => {
    const root = tempDir();
    const b = new FsBlobStore(root);
    const local = join(tempDir(), 'f.bin');
    writeFileSync(local, 'data');
    await b.upload(local, 'jobs/1/x.bin', 'application/octet-stream');
    await b.putBytes('jobs/1/y/z.bin', 'z', 'application/octet-stream');
    await b.putBytes('jobs/2/x.bin', 'x', 'application/octet-stream');
    expect(await b.list('jobs/1/')).toEqual(['jobs/1/x.bin', 'jobs/1/y/z.bin']);
    const dest = join(tempDir(), 'copy.bin');
    await b.download('jobs/1/x.bin', dest);
    expect(existsSync(dest)).toBe(true);
    expect(await b.deletePrefix('jobs/1/')).toBe(2);
    expect(await b.list('jobs/')).toEqual(['jobs/2/x.bin']);
  });

  it('refuses keys that climb out of the root', async () => {
    const b = new FsBlobStore(tempDir());
    await expect(b.putBytes('../escape.txt', 'x', 'text/plain')).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
    await expect(b.download('missing.txt', join(tempDir(), 'x'))).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
  });
});

describe('SqliteJobStore', () => {
  it('creates, updates with optimistic versions, and lists jobs', async () => {
    const s = new SqliteJobStore(join(tempDir(), 'db.sqlite'));
    const j = await s.createJob({ id: 'j1', spec, sourceHash: 'h', outputPrefix: 'j1/' });
    expect(j.status).toBe('QUEUED');
    const u = await s.updateJob('j1', { status: 'RUNNING' }, j.version);
    expect(u.version).toBe(j.version + 1);
    await expect(s.updateJob('j1', { status: 'FAILED' }, j.version)).rejects.toThrow(/changed/);
    expect((await s.listJobs({ status: 'RUNNING' })).map((x) => x.id)).toEqual(['j1']);
    expect((await s.findResumable('h', 'default'))?.id).toBe('j1');
    expect(await s.findResumable('h', 'draft')).toBeNull();
  });

  it('does not resume a job that failed on bad input', async () => {
    const s = new SqliteJobStore(join(tempDir(), 'db.sqlite'));
    await s.createJob({ id: 'j1', spec, sourceHash: 'h', outputPrefix: 'j1/' });
    await s.updateJob('j1', { status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'bad' } });
    expect(await s.findResumable('h', 'default')).toBeNull();
  });

  it('keeps step attempts across processes, abandons steps left running, and keeps events and cache entries', async () => {
    const file = join(tempDir(), 'db.sqlite');
    const s = new SqliteJobStore(file);
    const attempt = (n: number, status: 'RUNNING' | 'FAILED') => ({
      jobId: 'j', stepId: 'encode-video:r0-c0', function: 'encode-video', attempt: n, status, startedAt: new Date(Date.now() + n).toISOString(), endedAt: null,
      durationMs: null, error: null, costUsd: null, fraction: 0, invocationId: `i${n}`, summary: null, revision: 1,
    });
    await s.putStep(attempt(1, 'FAILED'), null);
    await s.putStep(attempt(2, 'RUNNING'), null);
    s.close();
    // A new process finds the step still RUNNING and marks it ABANDONED.
    const s2 = new SqliteJobStore(file);
    expect(await s2.abandonRunningSteps('j')).toBe(1);
    expect((await s2.listSteps('j')).map((x) => x.status)).toEqual(['FAILED', 'ABANDONED']);
    await s2.appendEvent('j', 'Job Status Changed', { status: 'RUNNING' });
    expect((await s2.listEvents('j'))[0].detail).toEqual({ status: 'RUNNING' });
    await s2.putCache({ key: 'k', function: 'f', result: { a: 1 }, outputKeys: ['x'], createdAt: 'now' });
    expect((await s2.getCache('k'))?.result).toEqual({ a: 1 });
  });

  it('answers repeated reads from its cache and never stale: a write by this or another connection is seen at once', async () => {
    const file = join(tempDir(), 'db.sqlite');
    const a = new SqliteJobStore(file);
    const b = new SqliteJobStore(file);
    const step = (status: 'RUNNING' | 'SUCCEEDED', revision: number) => ({
      jobId: 'j1', stepId: 'plan', function: 'plan', attempt: 1, status, startedAt: '2026-01-01T00:00:00.000Z', endedAt: null,
      durationMs: null, error: null, costUsd: null, fraction: 0, invocationId: 'i', summary: { weights: { plan: 1 } }, revision,
    });
    const j = await a.createJob({ id: 'j1', spec, sourceHash: 'h', outputPrefix: 'j1/' });
    await a.putStep(step('RUNNING', 0), null);
    // Polled twice with nothing written between: equal answers, but fresh records (callers may change theirs).
    const [s1, s2] = [await a.listSteps('j1'), await a.listSteps('j1')];
    expect(s2).toEqual(s1);
    expect(s2[0]).not.toBe(s1[0]);
    expect(s2[0]!.summary).not.toBe(s1[0]!.summary);
    expect((await a.getJob('j1'))!.status).toBe('QUEUED');
    // This connection's own write.
    await a.updateJob('j1', { status: 'RUNNING' }, j.version);
    expect((await a.getJob('j1'))!.status).toBe('RUNNING');
    // Another connection's (a resumed run in a second process).
    await b.updateJob('j1', { status: 'SUCCEEDED' });
    await b.putStep(step('SUCCEEDED', 1), 1);
    expect((await a.getJob('j1'))!.status).toBe('SUCCEEDED');
    expect((await a.listSteps('j1')).map((x) => x.status)).toEqual(['SUCCEEDED']);
    // A job polled before it exists is seen once created.
    expect(await a.getJob('missing')).toBeNull();
    await a.createJob({ id: 'missing', spec, sourceHash: 'h2', outputPrefix: 'm/' });
    expect((await a.getJob('missing'))?.id).toBe('missing');
    a.close();
    b.close();
  });
});
