/**
 * JobStore contract, one describe per narrow port (JobRepository, StepLog, JobHistory,
 * ResultCache, DocumentStore) and FactStore: the same assertions against SQLite and against
 * DynamoJobStore talking to an in-process dynalite on 127.0.0.1 through the real AWS SDK. Both stores are shared by all tests
 * (as one table is in production), so every test uses its own job ids and source hashes.
 */
import { createJobTable } from '../helpers/dynamo-table.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../lambdas/adapters/aws/index.js';
import type { JobSpec, StepRecord } from '../../lambdas/contracts/index.js';
import type { FactStore, JobPageQuery, JobStore } from '../../lambdas/ports.js';
import { SqliteJobStore } from '../../local/sqlite-job-store.js';

const TABLE = 'mosaic-jobs';
const spec = (preset = 'default'): JobSpec => ({
  source: { key: 'inbox/a.mp4' },
  preset,
  outputs: { hls: true, dash: true, thumbnails: true, quality: true },
  priority: 50,
  tags: { team: 'video' },
  ladder: [{ height: 720, bitrateKbps: 3000 }],
});

let dir: string;
let server: Server;
let ddb: DynamoDBClient;
let sqlite: SqliteJobStore;
let dynamo: DynamoJobStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mosaic-contract-'));
  sqlite = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ddb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  // The table exactly as the CDK stack makes it: from TABLE_KEYS, string keys, GSIs projecting ALL.
  await createJobTable(ddb, TABLE);
  for (let i = 0; i < 100; i++) {
    const t = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    if (t.Table?.TableStatus === 'ACTIVE') break;
    await sleep(10);
  }
  dynamo = new DynamoJobStore({ client: ddb, table: TABLE });
});

afterAll(async () => {
  sqlite?.close();
  ddb?.destroy();
  server?.closeAllConnections();
  if (server) await new Promise((r) => server.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const kinds: { name: string; store: () => JobStore }[] = [
  { name: 'SqliteJobStore', store: () => sqlite },
  { name: 'DynamoJobStore', store: () => dynamo },
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const uid = (p: string): string => `${p}-${randomBytes(4).toString('hex')}`;
/** createdAt has millisecond resolution; order tests need distinct timestamps. */
const tick = (): Promise<void> => sleep(3);

describe.each(kinds)('JobStore contract: $name', (kind) => {
  describe('JobRepository', () => {
    it('creates a job once; a duplicate id throws; an unknown id reads as null', async () => {
      const s = kind.store();
      const id = uid('j');
      const j = await s.createJob({ id, spec: spec(), sourceHash: 'h', outputPrefix: `jobs/${id}/` });
      expect(j).toMatchObject({
        id,
        status: 'QUEUED',
        spec: spec(),
        sourceHash: 'h',
        startedAt: null,
        endedAt: null,
        progress: 0,
        etaSec: null,
        error: null,
        reportKey: null,
        outputPrefix: `jobs/${id}/`,
        run: 0,
        version: 0,
      });
      expect(j.createdAt).toBe(j.updatedAt);
      expect(Number.isNaN(Date.parse(j.createdAt))).toBe(false);
      expect(await s.getJob(id)).toEqual(j);
      await expect(s.createJob({ id, spec: spec('draft'), sourceHash: null, outputPrefix: 'x/' })).rejects.toThrow();
      expect(await s.getJob(id)).toEqual(j);
      expect(await s.getJob(uid('missing'))).toBeNull();
      const noHash = await s.createJob({ id: uid('j'), spec: spec(), sourceHash: null, outputPrefix: 'y/' });
      expect(noHash.sourceHash).toBeNull();
    });
    it('updates optimistically: every update bumps the version, a stale version conflicts', async () => {
      const s = kind.store();
      const id = uid('j');
      const j = await s.createJob({ id, spec: spec(), sourceHash: null, outputPrefix: 'o/' });
      const u = await s.updateJob(
        id,
        { status: 'RUNNING', progress: 0.25, etaSec: 90, startedAt: '2030-01-01T00:00:00.000Z', error: { code: 'Mosaic.Transient', message: 'hiccup' } },
        j.version,
      );
      expect(u).toMatchObject({ status: 'RUNNING', progress: 0.25, etaSec: 90, startedAt: '2030-01-01T00:00:00.000Z', version: 1 });
      expect(u.error).toEqual({ code: 'Mosaic.Transient', message: 'hiccup' });
      expect(u.updatedAt >= j.updatedAt).toBe(true);
      expect(await s.getJob(id)).toEqual(u);

      const stale = s.updateJob(id, { status: 'FAILED' }, j.version);
      await expect(stale).rejects.toMatchObject({ name: 'VersionConflict' });
      await expect(s.updateJob(id, { status: 'FAILED' }, j.version)).rejects.toThrow(/changed/);
      expect((await s.getJob(id))?.status).toBe('RUNNING');

      // Without an expected version the update always applies, and still counts.
      const v = await s.updateJob(id, { error: null, etaSec: null, reportKey: `o/report.json`, endedAt: '2030-01-01T00:01:00.000Z', status: 'SUCCEEDED', progress: 1 });
      expect(v).toMatchObject({ version: 2, error: null, etaSec: null, reportKey: 'o/report.json', status: 'SUCCEEDED', progress: 1 });
      expect(v.startedAt).toBe('2030-01-01T00:00:00.000Z');
      expect(await s.getJob(id)).toEqual(v);
      await expect(s.updateJob(uid('missing'), { progress: 0.5 })).rejects.toThrow(/no job/);
    });
    it('lists jobs newest first, by status, with a limit', async () => {
      const s = kind.store();
      const [a, b, c] = [uid('a'), uid('b'), uid('c')];
      for (const id of [a, b, c]) {
        await s.createJob({ id, spec: spec(), sourceHash: null, outputPrefix: `${id}/` });
        await tick();
      }
      expect((await s.listJobs({ limit: 3 })).map((j) => j.id)).toEqual([c, b, a]);
      expect((await s.listJobs()).slice(0, 3).map((j) => j.id)).toEqual([c, b, a]);
      await s.updateJob(a, { status: 'RUNNING' });
      await s.updateJob(c, { status: 'RUNNING' });
      // Newer RUNNING jobs from other tests cannot exist: these are the newest jobs of all.
      expect((await s.listJobs({ status: 'RUNNING', limit: 2 })).map((j) => j.id)).toEqual([c, a]);
      expect((await s.listJobs({ status: 'QUEUED', limit: 1 })).map((j) => j.id)).toEqual([b]);
      const queued = (await s.listJobs({ status: 'QUEUED' })).map((j) => j.id);
      expect(queued).toContain(b);
      expect(queued).not.toContain(a);
      expect(await s.listJobs({ status: 'CANCELLED', limit: 0 })).toEqual([]);
      const running = await s.listJobs({ status: 'RUNNING', limit: 1 });
      expect(running[0]).toEqual(await s.getJob(c));
    });
    it('pages jobs newest first with an opaque cursor; the last page has no cursor; a forged cursor is refused', async () => {
      const s = kind.store();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = uid('p');
        await s.createJob({ id, spec: spec(), sourceHash: null, outputPrefix: `${id}/` });
        ids.unshift(id);
        await tick();
      }
      // These five are the newest jobs of all: the first pages are exactly them.
      const p1 = await s.listJobPage({ limit: 2 });
      expect(p1.jobs.map((j) => j.id)).toEqual(ids.slice(0, 2));
      expect(p1.nextCursor).toEqual(expect.any(String));
      const p2 = await s.listJobPage({ limit: 2, cursor: p1.nextCursor! });
      expect(p2.jobs.map((j) => j.id)).toEqual(ids.slice(2, 4));
      expect(p2.jobs[0]).toEqual(await s.getJob(ids[2]!));

      // Walking every page of one status visits each job once, newest first, and ends with null.
      await s.updateJob(ids[1]!, { status: 'CANCELLED' });
      await s.updateJob(ids[3]!, { status: 'CANCELLED' });
      const seen: { id: string; createdAt: string }[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 1000; n++) {
        const page = await s.listJobPage({ status: 'CANCELLED', limit: 3, cursor });
        expect(page.jobs.length).toBeLessThanOrEqual(3);
        expect(page.jobs.every((j) => j.status === 'CANCELLED')).toBe(true);
        seen.push(...page.jobs);
        if (!page.nextCursor) break;
        expect(page.jobs.length).toBe(3);
        cursor = page.nextCursor;
      }
      expect(seen.slice(0, 2).map((j) => j.id)).toEqual([ids[1], ids[3]]);
      expect(new Set(seen.map((j) => j.id)).size).toBe(seen.length);
      expect(seen.every((j, i) => i === 0 || seen[i - 1]!.createdAt >= j.createdAt)).toBe(true);
      expect(seen.length).toBe((await s.listJobs({ status: 'CANCELLED', limit: 10_000 })).length);

      for (const forged of ['nonsense', Buffer.from('{"pk":"CACHE#x"}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])
        await expect(s.listJobPage({ limit: 2, cursor: forged })).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
    });
    it('filters pages by preset, tag (key or key=value) and text of the id or source key, across pages', async () => {
      const s = kind.store();
      const run = uid('f');
      const made: string[] = [];
      for (let n = 0; n < 6; n++) {
        const id = `${run}-${n}`;
        await s.createJob({ id, spec: { ...spec(), source: { key: `uploads/${run}/clip-${n % 2 ? 'Odd' : 'even'}.mp4` }, preset: n % 3 ? 'draft' : 'default', tags: { run, ...(n < 4 ? { team: n % 2 ? 'b' : 'a' } : {}) } }, sourceHash: null, outputPrefix: `${id}/` });
        made.unshift(id);
      }
      const all = async (q: Omit<JobPageQuery, 'limit'>) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await s.listJobPage({ ...q, limit: 2, cursor });
          ids.push(...page.jobs.map((j) => j.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return ids;
      };
      expect(await all({ tag: { key: 'run', value: run } })).toEqual(made);
      expect(await all({ tag: { key: 'run', value: run }, preset: 'default' })).toEqual([`${run}-3`, `${run}-0`]);
      expect(await all({ text: run, tag: { key: 'team' } })).toEqual([`${run}-3`, `${run}-2`, `${run}-1`, `${run}-0`]);
      expect(await all({ text: run, tag: { key: 'team', value: 'b' } })).toEqual([`${run}-3`, `${run}-1`]);
      expect(await all({ text: `${run}/clip-Odd` })).toEqual([`${run}-5`, `${run}-3`, `${run}-1`]);
      expect(await all({ text: `${run}/clip-odd` })).toEqual([]);
      expect(await all({ text: `${run}-4` })).toEqual([`${run}-4`]);
    });

    it('claims an idempotency key once: later claims get the first record back', async () => {
      const s = kind.store();
      const key = uid('principal:key');
      const first = { key, requestHash: 'h1', jobId: uid('j'), createdAt: new Date().toISOString() };
      expect(await s.claimIdempotencyKey(first)).toEqual(first);
      expect(await s.claimIdempotencyKey({ ...first, requestHash: 'h2', jobId: uid('j') })).toEqual(first);
      // Concurrent claims of a fresh key: exactly one wins and all see the winner.
      const fresh = uid('principal:key');
      const claims = await Promise.all([1, 2, 3, 4].map((i) => s.claimIdempotencyKey({ key: fresh, requestHash: `h${i}`, jobId: `j${i}`, createdAt: first.createdAt })));
      expect(new Set(claims.map((c) => c.jobId)).size).toBe(1);
    });
    it('finds the newest resumable job for a source and preset', async () => {
      const s = kind.store();
      const h = uid('hash');
      const make = async (preset = 'default'): Promise<string> => {
        const id = uid('j');
        await s.createJob({ id, spec: spec(preset), sourceHash: h, outputPrefix: `${id}/` });
        await tick();
        return id;
      };
      expect(await s.findResumable(h, 'default')).toBeNull();
      const transient = await make();
      await s.updateJob(transient, { status: 'FAILED', error: { code: 'Mosaic.Transient', message: 'killed' } });
      const draft = await make('draft');
      const done = await make();
      await s.updateJob(done, { status: 'SUCCEEDED' });
      const cancelled = await make();
      await s.updateJob(cancelled, { status: 'CANCELLED' });
      const badInput = await make();
      await s.updateJob(badInput, { status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'not a video' } });
      await s.createJob({ id: uid('nohash'), spec: spec(), sourceHash: null, outputPrefix: 'n/' });

      expect((await s.findResumable(h, 'default'))?.id).toBe(transient);
      expect((await s.findResumable(h, 'draft'))?.id).toBe(draft);
      expect(await s.findResumable(h, 'other')).toBeNull();
      expect(await s.findResumable(uid('hash'), 'default')).toBeNull();
      const running = await make();
      await s.updateJob(running, { status: 'RUNNING' });
      expect((await s.findResumable(h, 'default'))?.id).toBe(running);
      const queued = await make();
      expect(await s.findResumable(h, 'default')).toEqual(await s.getJob(queued));
    });
    it('keeps the workflow a job runs (encode by default); only encode jobs are resumed by content', async () => {
      const s = kind.store();
      const h = uid('wfhash');
      const plain = await s.createJob({ id: uid('wf-enc'), spec: spec(), sourceHash: h, outputPrefix: 'e/' });
      expect(plain.workflow).toEqual({ name: 'encode', input: {} });
      const id = uid('wf-measure');
      const measure = await s.createJob({ id, spec: spec(), sourceHash: h, outputPrefix: `${id}/`, workflow: { name: 'measure', input: { of: plain.id, vmaf: true } } });
      expect(measure.workflow).toEqual({ name: 'measure', input: { of: plain.id, vmaf: true } });
      await s.updateJob(plain.id, { status: 'SUCCEEDED' });
      const failed = await s.updateJob(id, { status: 'FAILED', error: { code: 'Mosaic.Transient', message: 'x' } });
      expect(failed.workflow.name).toBe('measure');
      expect((await s.getJob(id))!.workflow).toEqual({ name: 'measure', input: { of: plain.id, vmaf: true } });
      // A failed measure of the same source is not an encode to resume.
      expect(await s.findResumable(h, 'default')).toBeNull();
    });
    it('stores the job cost estimate and the measured cost', async () => {
      const s = kind.store();
      const id = uid('cost');
      const created = await s.createJob({ id, spec: spec(), sourceHash: null, outputPrefix: `${id}/` });
      expect(created.cost).toBeNull();
      const estimate = { region: 'us-east-1', pricesTakenOn: '2026-01-01', estimatedUsd: 0.0123, actualUsd: null, breakdown: [] };
      expect((await s.updateJob(id, { cost: estimate })).cost).toEqual(estimate);
      const done = await s.updateJob(id, { cost: { ...estimate, actualUsd: 0.0101 } });
      expect((await s.getJob(id))!.cost).toEqual({ ...estimate, actualUsd: 0.0101 });
      expect(done.cost?.actualUsd).toBe(0.0101);
    });
    it('keeps the run number: 0 at creation, set by an update, kept by later updates', async () => {
      const s = kind.store();
      const id = uid('run');
      const j = await s.createJob({ id, spec: spec(), sourceHash: null, outputPrefix: `${id}/` });
      expect(j.run).toBe(0);
      const retried = await s.updateJob(id, { status: 'QUEUED', run: 1, error: null }, j.version);
      expect(retried).toMatchObject({ run: 1, version: 1 });
      expect((await s.updateJob(id, { status: 'RUNNING' }, retried.version)).run).toBe(1);
      expect((await s.getJob(id))?.run).toBe(1);
      expect((await s.listJobPage({ limit: 1 })).jobs[0]).toMatchObject({ id, run: 1 });
    });
  });

  describe('StepLog', () => {
    const T = (s: number): string => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
    const step = (over: Partial<StepRecord> & Pick<StepRecord, 'jobId' | 'stepId'>): StepRecord => ({
      function: over.stepId.split(':')[0]!,
      attempt: 1,
      status: 'RUNNING',
      startedAt: T(0),
      endedAt: null,
      durationMs: null,
      error: null,
      costUsd: null,
      fraction: 0,
      invocationId: null,
      summary: null,
      revision: 1,
      ...over,
    });

    it('keeps where an attempt ran (platform and size label) once its end says so', async () => {
      const s = kind.store();
      const jobId = uid('j');
      const a1 = step({ jobId, stepId: 'encode-video:r0-c0', invocationId: 'inv-1' });
      await s.putStep(a1, null);
      const ended = { ...a1, status: 'SUCCEEDED' as const, endedAt: T(3), durationMs: 3000, platform: 'fargate' as const, size: '2vCPU-4GB', revision: 2 };
      await s.putStep(ended, 1);
      expect(await s.listStepAttempts(jobId, a1.stepId)).toEqual([ended]);
    });

    it('stores a new attempt once: expected revision null means it must not exist yet', async () => {
      const s = kind.store();
      const jobId = uid('j');
      const a1 = step({ jobId, stepId: 'encode-video:r1-c1', invocationId: 'inv-1', fraction: 0.25 });
      expect(await s.putStep(a1, null)).toEqual({ ...a1, revision: 1 });
      expect(await s.listSteps(jobId)).toEqual([{ ...a1, revision: 1 }]);
      await expect(s.putStep({ ...a1, invocationId: 'inv-2' }, null)).rejects.toMatchObject({ name: 'VersionConflict' });
      expect(await s.listSteps(jobId)).toEqual([{ ...a1, revision: 1 }]);
      // Another attempt of the same step is another record.
      const a2 = step({ jobId, stepId: a1.stepId, attempt: 2, invocationId: 'inv-2', startedAt: T(1) });
      await s.putStep(a2, null);
      expect((await s.listSteps(jobId)).map((x) => [x.attempt, x.invocationId])).toEqual([[1, 'inv-1'], [2, 'inv-2']]);
    });

    it('lets exactly one of concurrent creates of one attempt win', async () => {
      const s = kind.store();
      const jobId = uid('j');
      const tries = await Promise.allSettled([1, 2, 3, 4].map((i) => s.putStep(step({ jobId, stepId: 'plan', invocationId: `inv-${i}` }), null)));
      const won = tries.filter((t) => t.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(tries.filter((t) => t.status === 'rejected').map((t) => (t as PromiseRejectedResult).reason.name)).toEqual(['VersionConflict', 'VersionConflict', 'VersionConflict']);
      const stored = await s.listSteps(jobId);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.invocationId).toBe((won[0] as PromiseFulfilledResult<StepRecord>).value.invocationId);
    });

    it('replaces an attempt only from the revision read, and bumps the revision on every write', async () => {
      const s = kind.store();
      const jobId = uid('j');
      const running = await s.putStep(step({ jobId, stepId: 'plan', invocationId: 'inv-1' }), null);
      expect(running.revision).toBe(1);
      const ended = step({
        jobId, stepId: 'plan', invocationId: 'inv-1', status: 'SUCCEEDED', endedAt: T(9), durationMs: 9000, costUsd: 0.0012, fraction: 1,
        summary: { weights: { plan: 1, 'encode-video:r0-c0': 10 }, cost: { region: 'us-east-1', estimatedUsd: null }, list: [1, 'two', true, null] },
      });
      // The store numbers revisions itself: expected + 1, whatever the record says.
      const stored = await s.putStep({ ...ended, revision: 99 }, running.revision);
      expect(stored).toEqual({ ...ended, revision: 2 });
      expect(await s.listSteps(jobId)).toEqual([stored]);
      // A writer that read revision 1 lost: nothing changes.
      await expect(s.putStep({ ...ended, status: 'FAILED', error: 'late' }, 1)).rejects.toMatchObject({ name: 'VersionConflict' });
      expect(await s.listSteps(jobId)).toEqual([stored]);
      // A revision of an attempt that does not exist is stale too, and creates nothing.
      await expect(s.putStep(step({ jobId, stepId: 'inspect' }), 1)).rejects.toMatchObject({ name: 'VersionConflict' });
      expect((await s.listSteps(jobId)).map((x) => x.stepId)).toEqual(['plan']);
      const failed = await s.putStep({ ...stored, status: 'FAILED', error: 'boom', summary: null }, 2);
      expect(failed).toMatchObject({ revision: 3, status: 'FAILED', error: 'boom', summary: null });
    });

    it("lists a job's attempts by start time, then step id, then attempt; other jobs and extended step ids apart", async () => {
      const s = kind.store();
      const jobId = uid('j');
      const other = uid('j');
      const put = (over: Partial<StepRecord> & Pick<StepRecord, 'jobId' | 'stepId'>) => s.putStep(step(over), null);
      // Written out of order, as events arrive.
      const c1b = await put({ jobId, stepId: 'encode-video:r1-c1#b', startedAt: T(3) });
      const e2 = await put({ jobId, stepId: 'encode-video:r1-c1', attempt: 2, startedAt: T(3) });
      const plan = await put({ jobId, stepId: 'plan', startedAt: T(1) });
      const e1 = await put({ jobId, stepId: 'encode-video:r1-c1', attempt: 1, startedAt: T(2) });
      const a3 = await put({ jobId, stepId: 'encode-audio:a0', attempt: 3, startedAt: T(4) });
      const a2 = await put({ jobId, stepId: 'encode-audio:a0', attempt: 2, startedAt: T(4) });
      await put({ jobId: other, stepId: 'plan', startedAt: T(0) });
      expect(await s.listSteps(jobId)).toEqual([plan, e1, e2, c1b, a2, a3]);
      // One step's attempts, by attempt: an extended id (`…#b`) is another step.
      expect(await s.listStepAttempts(jobId, 'encode-video:r1-c1')).toEqual([e1, e2]);
      expect(await s.listStepAttempts(jobId, 'encode-audio:a0')).toEqual([a2, a3]);
      expect(await s.listStepAttempts(other, 'encode-audio:a0')).toEqual([]);
      expect((await s.listSteps(other)).map((x) => x.jobId)).toEqual([other]);
      expect(await s.listSteps(uid('none'))).toEqual([]);
    });

    it('abandons the steps still running from a dead run, bumping their revision', async () => {
      const s = kind.store();
      const jobId = uid('j');
      const other = uid('j');
      await s.putStep(step({ jobId, stepId: 'inspect', status: 'SUCCEEDED', endedAt: T(1), durationMs: 1000, fraction: 1 }), null);
      const plan = await s.putStep(step({ jobId, stepId: 'plan', startedAt: T(2) }), null);
      await s.putStep(step({ jobId, stepId: 'encode-audio:a0', startedAt: T(2) }), null);
      await s.putStep(step({ jobId: other, stepId: 'plan' }), null);
      expect(await s.abandonRunningSteps(jobId)).toBe(2);
      const steps = await s.listSteps(jobId);
      expect(steps.map((x) => [x.stepId, x.status, x.revision])).toEqual([
        ['inspect', 'SUCCEEDED', 1],
        ['encode-audio:a0', 'ABANDONED', 2],
        ['plan', 'ABANDONED', 2],
      ]);
      expect(steps.filter((x) => x.status === 'ABANDONED').every((x) => x.endedAt !== null)).toBe(true);
      // A late writer that read the step before it was abandoned loses.
      await expect(s.putStep({ ...plan, status: 'SUCCEEDED' }, plan.revision)).rejects.toMatchObject({ name: 'VersionConflict' });
      expect(await s.abandonRunningSteps(jobId)).toBe(0);
      expect((await s.listSteps(other))[0]?.status).toBe('RUNNING');
    });
  });

  describe('JobHistory', () => {
    it('keeps events in order per job and pages with afterId', async () => {
      const s = kind.store();
      const jobId = uid('j');
      // Events may arrive before the job record exists (a racing writer); the job can still be made.
      await s.appendEvent(jobId, 'Job Status Changed', { jobId, status: 'QUEUED' });
      expect(await s.getJob(jobId)).toBeNull();
      await s.createJob({ id: jobId, spec: spec(), sourceHash: null, outputPrefix: 'e/' });
      await s.appendEvent(uid('other'), 'Job Status Changed', { status: 'RUNNING' });
      const detail = { jobId, stepId: 'encode-video:r0-c0', function: 'encode-video', fraction: 0.5, fps: null, nested: { list: [1, 'two', true], empty: {} } };
      await s.appendEvent(jobId, 'Step Progress', detail);
      await s.appendEvent(jobId, 'Job Status Changed', { jobId, status: 'RUNNING' });

      const events = await s.listEvents(jobId);
      expect(events.map((e) => e.detailType)).toEqual(['Job Status Changed', 'Step Progress', 'Job Status Changed']);
      expect(events.every((e) => e.jobId === jobId && !Number.isNaN(Date.parse(e.time)))).toBe(true);
      expect(events[1]!.detail).toEqual(detail);
      const ids = events.map((e) => e.id);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
      expect(await s.listEvents(jobId, ids[0])).toEqual(events.slice(1));
      expect(await s.listEvents(jobId, ids[2])).toEqual([]);
      expect(await s.listEvents(uid('none'))).toEqual([]);
      // Appending to the job did not disturb it.
      expect((await s.getJob(jobId))?.version).toBe(0);
    });
  });

  describe('ResultCache', () => {
    it('round-trips result cache entries and replaces them', async () => {
      const s = kind.store();
      const key = uid('sha256');
      expect(await s.getCache(key)).toBeNull();
      const entry = {
        key,
        function: 'encode-video@1',
        result: { outputs: [{ key: 'jobs/1/r0.mp4', etag: 'abc' }], frames: 250, ok: true, note: null },
        outputKeys: ['jobs/1/r0.mp4'],
        createdAt: new Date().toISOString(),
      };
      await s.putCache(entry);
      expect(await s.getCache(key)).toEqual(entry);
      const replaced = { ...entry, result: { frames: 251 }, outputKeys: [] };
      await s.putCache(replaced);
      expect(await s.getCache(key)).toEqual(replaced);
    });
  });

  describe('DocumentStore', () => {
    it('keeps versioned documents: create once, update only from the version read', async () => {
      const s = kind.store();
      const name = uid('speed-table');
      expect(await s.getDocument(name)).toBeNull();
      const first = await s.putDocument(name, { 'encode-video/h264/fast/hd': { fpsPerVcpu: 30, samples: 1 } }, null);
      expect(first.version).toBe(1);
      await expect(s.putDocument(name, { other: true }, null)).rejects.toMatchObject({ name: 'VersionConflict' });
      const second = await s.putDocument(name, { a: [1, 2], b: null }, 1);
      expect(second.version).toBe(2);
      await expect(s.putDocument(name, { stale: true }, 1)).rejects.toMatchObject({ name: 'VersionConflict' });
      const read = await s.getDocument(name);
      expect(read).toMatchObject({ name, data: { a: [1, 2], b: null }, version: 2 });
      expect(Date.parse(read!.updatedAt)).not.toBeNaN();
    });
  });
});

describe.each([
  { name: 'SqliteJobStore', store: (): FactStore => sqlite },
  { name: 'DynamoJobStore', store: (): FactStore => dynamo },
])('FactStore contract: $name', (kind) => {
  it('merges facts per subject (later values win) and reads them back, null when none', async () => {
    const s = kind.store();
    const subject = uid('job:f');
    expect(await s.getFacts(subject)).toBeNull();
    expect(await s.assertFacts(subject, { preset: 'draft', presetVersion: 1, nested: { a: [1, 'x', null] } })).toEqual({ preset: 'draft', presetVersion: 1, nested: { a: [1, 'x', null] } });
    expect(await s.assertFacts(subject, { presetVersion: 2, sourceKey: 'inbox/a.mp4' })).toEqual({ preset: 'draft', presetVersion: 2, nested: { a: [1, 'x', null] }, sourceKey: 'inbox/a.mp4' });
    expect(await s.getFacts(subject)).toEqual({ preset: 'draft', presetVersion: 2, nested: { a: [1, 'x', null] }, sourceKey: 'inbox/a.mp4' });
  });

  it('finds the subjects of a wildcard within their kind only', async () => {
    const s = kind.store();
    const tag = uid('w');
    await s.assertFacts(`job:${tag}-1`, { n: 1 });
    await s.assertFacts(`job:${tag}-2`, { n: 2 });
    await s.assertFacts(`job:other-${tag}`, { n: 3 });
    await s.assertFacts(`preset:${tag}-1`, { n: 4 });
    expect(await s.findFacts(`job:${tag}-*`)).toEqual({ [`job:${tag}-1`]: { n: 1 }, [`job:${tag}-2`]: { n: 2 } });
    expect(Object.keys(await s.findFacts(`job:*${tag}`)).sort()).toEqual([`job:other-${tag}`]);
    expect(await s.findFacts(`job:${tag}-1`)).toEqual({ [`job:${tag}-1`]: { n: 1 } });
    await expect(s.findFacts('*:x')).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
  });

  it('claims a firing once, and again after it was released', async () => {
    const s = kind.store();
    const f = { id: uid('firing'), rule: 'r', subject: 'job:1', eventId: 'e-1' };
    expect(await Promise.all([s.claimFiring(f), s.claimFiring(f)])).toEqual(expect.arrayContaining([true, false]));
    expect(await s.claimFiring(f)).toBe(false);
    await s.releaseFiring(f.id);
    expect(await s.claimFiring({ ...f, subject: null, eventId: null })).toBe(true);
  });

  it("lists a rule's firings newest first, up to a limit, without released ones or other rules'", async () => {
    const s = kind.store();
    const rule = uid('rule');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = uid(`f${i}`);
      ids.push(id);
      expect(await s.claimFiring({ id, rule, subject: i % 2 ? `job:${i}` : null, eventId: i === 3 ? null : `e-${i}` })).toBe(true);
      await tick();
    }
    await s.claimFiring({ id: uid('other'), rule: `${rule}-other`, subject: null, eventId: null });
    await s.releaseFiring(ids[2]!);
    const all = await s.listFirings(rule, 10);
    expect(all.map((f) => f.id)).toEqual([ids[3], ids[1], ids[0]]);
    expect(all[0]).toEqual({ id: ids[3], rule, subject: 'job:3', eventId: null, createdAt: expect.any(String) });
    expect(all[2]).toMatchObject({ subject: null, eventId: 'e-0' });
    expect(Date.parse(all[0]!.createdAt)).toBeGreaterThan(Date.parse(all[2]!.createdAt));
    expect((await s.listFirings(rule, 2)).map((f) => f.id)).toEqual([ids[3], ids[1]]);
    expect(await s.listFirings(uid('never'), 10)).toEqual([]);
  });
});
