/**
 * The lifecycle applier (platform/lifecycle/apply.ts) when what follows a stored change fails: a
 * bus that refuses a put, a history that refuses a write. The redelivered event (Lambda's retry,
 * or the next event of the job) finds the change already stored and must still announce it, once.
 * On the local adapters (SQLite, a folder); test/integration/lifecycle-lambda.test.ts does the
 * same on DynamoDB and EventBridge.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DetailTypes, type MosaicEvent } from '../../../../lambdas/contracts/index.js';
import type { JobEvent } from '../../../../lambdas/core/job-lifecycle.js';
import { applyJobEvent, applyStepEvent, type LifecycleDeps } from '../../../../lambdas/platform/lifecycle/apply.js';
import type { LifecycleStepEvent } from '../../../../lambdas/platform/lifecycle/step-events.js';
import { FsBlobStore } from '../../../../local/fs-blob-store.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';
import { tempDir } from '../../../helpers/media.js';

const ID = '20300101000000-000000000001';
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 12, 0, s)).toISOString();
const started: JobEvent = { kind: 'workflow-started', run: 0, at: at(0) };
const succeeded: JobEvent = { kind: 'workflow-ended', run: 0, at: at(60), outcome: 'SUCCEEDED', reportKey: `${ID}/report.json` };

let store: SqliteJobStore;
let blobs: FsBlobStore;
/** What reached the bus, in order. */
let put: MosaicEvent[];
/** How many of the next puts (or history writes) fail. */
let failPuts: number;
let failHistory: number;
let deps: LifecycleDeps;

beforeEach(async () => {
  const root = tempDir();
  store = new SqliteJobStore(join(root, 'db.sqlite'));
  blobs = new FsBlobStore(join(root, 'blobs'));
  put = [];
  failPuts = 0;
  failHistory = 0;
  const history: LifecycleDeps['history'] = {
    listEvents: (id, after) => store.listEvents(id, after),
    appendEvent: async (id, type, detail) => {
      if (failHistory > 0 && failHistory--) throw new Error('ProvisionedThroughputExceededException');
      await store.appendEvent(id, type, detail);
    },
  };
  deps = {
    jobs: store,
    steps: store,
    history,
    documents: store,
    blobs,
    events: {
      put: async (e) => {
        if (failPuts > 0 && failPuts--) throw new Error('ThrottlingException: Rate exceeded');
        put.push(e);
      },
      subscribe: () => () => undefined,
    },
    metrics: { record: async () => undefined },
    workPrefix: (id) => `.mosaic/work/${id}/`,
  };
  await store.createJob({
    id: ID,
    spec: { source: { key: 'inbox/clip.mp4' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} },
    sourceHash: null,
    outputPrefix: `${ID}/`,
  });
  // As the job's creator leaves it: its first entry, announced.
  await store.appendEvent(ID, DetailTypes.JobStatusChanged, { jobId: ID, status: 'QUEUED' });
});

const statusHistory = async () => (await store.listEvents(ID)).filter((e) => e.detailType === DetailTypes.JobStatusChanged).map((e) => (e.detail as { status: string }).status);
const announced = () => put.filter((e) => e.detailType === DetailTypes.JobStatusChanged).map((e) => e.detail.status);

describe('applyJobEvent: an announcement that failed after the job was written', () => {
  it('is made by the redelivered event, exactly once; a later duplicate adds nothing', async () => {
    failPuts = 1;
    await expect(applyJobEvent(deps, ID, started)).rejects.toThrow(/Throttling/);
    // The job write went through; its announcement did not.
    expect((await store.getJob(ID))?.status).toBe('RUNNING');
    expect(await statusHistory()).toEqual(['QUEUED']);
    expect(announced()).toEqual([]);

    // Lambda's retry delivers the same event again: the change is stored, the announcement is not.
    const job = await applyJobEvent(deps, ID, started);
    expect(job?.status).toBe('RUNNING');
    expect(await statusHistory()).toEqual(['QUEUED', 'RUNNING']);
    expect(announced()).toEqual(['RUNNING']);

    // A duplicate after the success changes, records and announces nothing.
    const before = await store.getJob(ID);
    await applyJobEvent(deps, ID, started);
    expect(await store.getJob(ID)).toEqual(before);
    expect(await statusHistory()).toEqual(['QUEUED', 'RUNNING']);
    expect(announced()).toEqual(['RUNNING']);
  });

  it('is made before the next change when that change arrives first, so the order holds', async () => {
    failPuts = 1;
    await expect(applyJobEvent(deps, ID, started)).rejects.toThrow();
    await applyJobEvent(deps, ID, succeeded);
    expect(await statusHistory()).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(announced()).toEqual(['RUNNING', 'SUCCEEDED']);
    // The retry of the failed delivery then finds everything done.
    await applyJobEvent(deps, ID, started);
    expect(await statusHistory()).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(announced()).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it("of a job's end carries what rules read and does what the end implies", async () => {
    await applyJobEvent(deps, ID, started);
    await blobs.putBytes(`.mosaic/work/${ID}/chunks/r0/c0000.mp4`, 'chunk', 'video/mp4');
    failPuts = 1;
    await expect(applyJobEvent(deps, ID, succeeded)).rejects.toThrow();
    expect((await store.getJob(ID))?.status).toBe('SUCCEEDED');
    expect(await blobs.list(`.mosaic/work/${ID}/`)).toHaveLength(1);

    await applyJobEvent(deps, ID, succeeded);
    expect(await statusHistory()).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(announced()).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(put.at(-1)?.detail).toMatchObject({ jobId: ID, status: 'SUCCEEDED', reportKey: `${ID}/report.json`, preset: 'default', sourceKey: 'inbox/clip.mp4', workflow: 'encode' });
    // A succeeded job's intermediates go, on the delivery that announced its end.
    expect(await blobs.list(`.mosaic/work/${ID}/`)).toEqual([]);
  });

  it('a failed history write (after the put went through) is recorded once on redelivery', async () => {
    failHistory = 1;
    await expect(applyJobEvent(deps, ID, started)).rejects.toThrow(/Throughput/);
    expect(await statusHistory()).toEqual(['QUEUED']);
    await applyJobEvent(deps, ID, started);
    await applyJobEvent(deps, ID, started);
    expect(await statusHistory()).toEqual(['QUEUED', 'RUNNING']);
    // The bus saw it twice: at least once, as EventBridge delivers; never lost.
    expect(announced()).toEqual(['RUNNING', 'RUNNING']);
  });
});

describe('applyStepEvent: a history entry that failed after the step was written', () => {
  const step = { jobId: ID, stepId: 'encode-video:r0-c0', function: 'encode-video', attempt: 0, invocationId: 'inv-1' };
  const stepStart: LifecycleStepEvent = { kind: 'step-started', ...step, at: at(1) };
  const stepEnd: LifecycleStepEvent = { kind: 'step-ended', ...step, at: at(30), status: 'SUCCEEDED', durationMs: 29_000, costUsd: 0.002 };
  const stepHistory = async () =>
    (await store.listEvents(ID)).filter((e) => e.detailType === DetailTypes.StepStatusChanged).map((e) => (e.detail as { status: string; attempt: number }).status);

  it('is recorded by the redelivered event, exactly once; a later duplicate adds nothing', async () => {
    failHistory = 1;
    await expect(applyStepEvent(deps, stepStart)).rejects.toThrow();
    expect((await store.listSteps(ID)).map((s) => s.status)).toEqual(['RUNNING']);
    expect(await stepHistory()).toEqual([]);
    await applyStepEvent(deps, stepStart);
    expect(await stepHistory()).toEqual(['RUNNING']);

    await applyStepEvent(deps, stepEnd);
    failHistory = 1;
    // (the end's entry written, the redelivery of the start adds nothing)
    await applyStepEvent(deps, stepStart);
    expect(await stepHistory()).toEqual(['RUNNING', 'SUCCEEDED']);
    failHistory = 0;
    await applyStepEvent(deps, stepEnd);
    await applyStepEvent(deps, stepStart);
    expect(await stepHistory()).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(await store.listSteps(ID)).toHaveLength(1);
  });

  it("an end's entry lost to a failed write is recorded by the end's redelivery", async () => {
    await applyStepEvent(deps, stepStart);
    failHistory = 1;
    await expect(applyStepEvent(deps, stepEnd)).rejects.toThrow();
    expect((await store.listSteps(ID))[0]?.status).toBe('SUCCEEDED');
    expect(await stepHistory()).toEqual(['RUNNING']);
    await applyStepEvent(deps, stepEnd);
    await applyStepEvent(deps, stepEnd);
    expect(await stepHistory()).toEqual(['RUNNING', 'SUCCEEDED']);
    expect((await store.listEvents(ID)).filter((e) => e.detailType === DetailTypes.StepStatusChanged).at(-1)?.detail).toMatchObject({ status: 'SUCCEEDED', attempt: 1, durationMs: 29_000 });
  });
});
