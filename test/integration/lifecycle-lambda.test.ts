/**
 * The lifecycle Lambda (lambdas/bootstrap/lifecycle.ts → platform/lifecycle) with the real AWS
 * adapters: the job table in dynalite, both buckets in s3rver, the platform bus a recording
 * EventBridge fake. Step Functions status changes and step events arrive as EventBridge delivers
 * them: duplicated, reordered, stale or malformed.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { createLifecycle } from '../../lambdas/bootstrap/lifecycle.js';
import type { JobSpec } from '../../lambdas/contracts/index.js';
import type { LifecycleResult } from '../../lambdas/platform/lifecycle/handler.js';
import type { JobStore } from '../../lambdas/ports.js';
import { FAKE_CREDENTIALS, REGION, emulatorEnv, startDynamo, startJsonApiFake, startS3, type DynamoEmulator, type JsonApiFake, type S3Emulator } from './emulators.js';

const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:mosaic-dev-encode';
const BUS = 'mosaic-bus';

let dynamo: DynamoEmulator;
let s3: S3Emulator;
let bus: JsonApiFake;
let client: S3Client;
let jobs: JobStore;
let lifecycle: (event: unknown) => Promise<LifecycleResult>;

beforeAll(async () => {
  [dynamo, s3, bus] = await Promise.all([startDynamo('mosaic'), startS3(['src', 'out']), startJsonApiFake()]);
  const env = {
    ...emulatorEnv({ dynamodb: dynamo.endpoint, s3: s3.endpoint, events: bus.endpoint }),
    MOSAIC_TABLE: 'mosaic',
    MOSAIC_EVENT_BUS: BUS,
    MOSAIC_SOURCE_BUCKET: 'src',
    MOSAIC_DERIVATIVE_BUCKET: 'out',
  };
  jobs = awsJobStore(env);
  lifecycle = createLifecycle(env);
  client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: REGION, credentials: FAKE_CREDENTIALS });
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([dynamo?.close(), s3?.close(), bus?.close()]);
});

beforeEach(() => {
  bus.calls.length = 0;
});

let n = 0;
const spec = { source: { key: 'inbox/clip.mp4' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: {} } as JobSpec;
async function newJob(): Promise<string> {
  const id = `20300101000000-${(++n).toString(16).padStart(12, '0')}`;
  await jobs.createJob({ id, spec, sourceHash: null, outputPrefix: `${id}/` });
  return id;
}

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
/** An EventBridge event of Step Functions' execution status change. */
function execution(name: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: `sfn-${name}-${status}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: new Date(T0).toISOString().replace('.000', ''),
    region: REGION,
    resources: [`${SM.replace(':stateMachine:', ':execution:')}:${name}`],
    detail: {
      executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn: SM,
      name,
      status,
      startDate: T0,
      stopDate: status === 'RUNNING' ? null : T0 + 60_000,
      input: '{}',
      output: null,
      error: null,
      cause: null,
      ...extra,
    },
  };
}

function stepEvent(detailType: 'Step Status Changed' | 'Step Progress' | 'Task Allocated', detail: Record<string, unknown>) {
  return { version: '0', id: `ev-${Math.random()}`, 'detail-type': detailType, source: 'mosaic', account: '000000000000', time: new Date(T0).toISOString(), region: REGION, resources: [], detail };
}

/** `Job Status Changed` put on the platform bus, in order. */
const published = () =>
  bus.of('PutEvents').flatMap((c) => (c.body.Entries as { DetailType: string; Detail: string; EventBusName: string; Source: string }[]))
    .map((e) => ({ bus: e.EventBusName, source: e.Source, detailType: e.DetailType, ...(JSON.parse(e.Detail) as { jobId: string; status: string }) }));
const statusHistory = async (id: string) => (await jobs.listEvents(id)).filter((e) => e.detailType === 'Job Status Changed').map((e) => (e.detail as { status: string }).status);
const keys = async (prefix: string) => ((await client.send(new ListObjectsV2Command({ Bucket: 'out', Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

describe('lifecycle Lambda: workflow status changes', () => {
  it('moves a job QUEUED → RUNNING → SUCCEEDED, records the history and announces each change in order', async () => {
    const id = await newJob();
    await client.send(new PutObjectCommand({ Bucket: 'out', Key: `.mosaic/work/${id}/chunks/r0/c0000.mp4`, Body: 'chunk' }));
    await client.send(new PutObjectCommand({ Bucket: 'out', Key: `${id}/report.json`, Body: '{}' }));

    expect(await lifecycle(execution(id, 'RUNNING'))).toEqual({ status: 'job', jobId: id, jobStatus: 'RUNNING' });
    expect(await jobs.getJob(id)).toMatchObject({ status: 'RUNNING', startedAt: new Date(T0).toISOString(), endedAt: null });

    const output = JSON.stringify({ jobId: id, status: 'SUCCEEDED', reportKey: `${id}/report.json` });
    expect(await lifecycle(execution(id, 'SUCCEEDED', { output }))).toMatchObject({ status: 'job', jobStatus: 'SUCCEEDED' });
    const done = await jobs.getJob(id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1, etaSec: 0, error: null, reportKey: `${id}/report.json`, endedAt: new Date(T0 + 60_000).toISOString() });

    expect(await statusHistory(id)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(published().map((e) => [e.bus, e.source, e.detailType, e.jobId, e.status])).toEqual([
      [BUS, 'mosaic', 'Job Status Changed', id, 'RUNNING'],
      [BUS, 'mosaic', 'Job Status Changed', id, 'SUCCEEDED'],
    ]);
    // What rules record of a finished job rides on its end.
    expect(published()[1]).toMatchObject({ preset: 'default', sourceKey: 'inbox/clip.mp4', reportKey: `${id}/report.json` });
    // A succeeded job's intermediates go; its outputs stay.
    expect(await keys(`.mosaic/work/${id}/`)).toEqual([]);
    expect(await keys(`${id}/`)).toEqual([`${id}/report.json`]);

    // A duplicate delivery of either changes nothing and announces nothing.
    bus.calls.length = 0;
    await lifecycle(execution(id, 'SUCCEEDED', { output }));
    await lifecycle(execution(id, 'RUNNING'));
    expect(await jobs.getJob(id)).toEqual(done);
    expect(await statusHistory(id)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(published()).toEqual([]);
  });

  it('takes an end that overtook its start: the late RUNNING never moves the finished job back', async () => {
    const id = await newJob();
    await lifecycle(execution(id, 'SUCCEEDED', { output: JSON.stringify({ jobId: id, status: 'SUCCEEDED', reportKey: `${id}/report.json` }) }));
    const done = await jobs.getJob(id);
    expect(done?.status).toBe('SUCCEEDED');
    expect(await lifecycle(execution(id, 'RUNNING'))).toMatchObject({ jobStatus: 'SUCCEEDED' });
    expect(await jobs.getJob(id)).toEqual(done);
    expect(await statusHistory(id)).toEqual(['SUCCEEDED']);
    expect(published().map((e) => e.status)).toEqual(['SUCCEEDED']);
  });

  it('ignores the events of an earlier run once the job was retried, and follows the current one', async () => {
    const id = await newJob();
    await lifecycle(execution(id, 'RUNNING'));
    await lifecycle(execution(id, 'FAILED', { error: 'Mosaic.Transient', cause: 'throttled' }));
    // What retry-requested leaves: QUEUED on run 1 (the API asks the lifecycle; here it is written as it would be).
    const failed = await jobs.getJob(id);
    await jobs.updateJob(id, { status: 'QUEUED', run: 1, error: null, endedAt: null }, failed!.version);
    await jobs.appendEvent(id, 'Job Status Changed', { jobId: id, status: 'QUEUED' });
    const queued = await jobs.getJob(id);
    bus.calls.length = 0;

    // Run 0's events, delivered late or again, are stale.
    await lifecycle(execution(id, 'FAILED', { error: 'Mosaic.Transient', cause: 'throttled' }));
    await lifecycle(execution(id, 'RUNNING'));
    expect(await jobs.getJob(id)).toEqual(queued);
    expect(published()).toEqual([]);

    expect(await lifecycle(execution(`${id}-r1`, 'RUNNING'))).toMatchObject({ jobId: id, jobStatus: 'RUNNING' });
    expect(await lifecycle(execution(`${id}-r1`, 'SUCCEEDED', { output: JSON.stringify({ jobId: id, status: 'SUCCEEDED', reportKey: `${id}/report.json` }) }))).toMatchObject({ jobStatus: 'SUCCEEDED' });
    expect(await jobs.getJob(id)).toMatchObject({ status: 'SUCCEEDED', run: 1 });
    expect(published().map((e) => e.status)).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it('maps FAILED (with the Lambda error envelope), TIMED_OUT and ABORTED to FAILED, FAILED and CANCELLED', async () => {
    const failed = await newJob();
    await lifecycle(execution(failed, 'RUNNING'));
    const cause = JSON.stringify({ errorType: 'Mosaic.InputInvalid', errorMessage: 'not a media file', trace: [] });
    await lifecycle(execution(failed, 'FAILED', { error: 'Mosaic.InputInvalid', cause }));
    expect(await jobs.getJob(failed)).toMatchObject({ status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'not a media file' } });

    const timedOut = await newJob();
    await lifecycle(execution(timedOut, 'RUNNING'));
    await lifecycle(execution(timedOut, 'TIMED_OUT'));
    expect(await jobs.getJob(timedOut)).toMatchObject({ status: 'FAILED', error: { code: 'States.Timeout' }, endedAt: new Date(T0 + 60_000).toISOString() });

    const aborted = await newJob();
    await client.send(new PutObjectCommand({ Bucket: 'out', Key: `${aborted}/hls/master.m3u8`, Body: '#EXTM3U' }));
    await lifecycle(execution(aborted, 'RUNNING'));
    await lifecycle(execution(aborted, 'ABORTED'));
    expect(await jobs.getJob(aborted)).toMatchObject({ status: 'CANCELLED', error: { code: 'Mosaic.Cancelled' } });
    // Nothing of a cancelled job may look like a success.
    expect(await keys(`${aborted}/`)).toEqual([]);
    expect(published().filter((e) => e.jobId === aborted).map((e) => e.status)).toEqual(['RUNNING', 'CANCELLED']);
  });
});

describe('lifecycle Lambda: an announcement that failed after the job was written', () => {
  /** PutEvents refuses the entry (as a throttled PutEvents does, after the SDK's own retries). */
  const refusePuts = (times: number) => {
    let left = times;
    bus.respond = (c) =>
      c.op === 'PutEvents' && left-- > 0 ? { status: 200, body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] } } : undefined;
  };
  afterEach(() => {
    bus.respond = null;
  });

  it("is made by the event's redelivery, exactly once; a duplicate after that adds nothing", async () => {
    const id = await newJob();
    refusePuts(1);
    await expect(lifecycle(execution(id, 'RUNNING'))).rejects.toThrow(/ThrottlingException|Rate exceeded/);
    expect((await jobs.getJob(id))?.status).toBe('RUNNING');
    expect(await statusHistory(id)).toEqual([]);
    bus.calls.length = 0;

    // Lambda retries the failed invocation: the job is RUNNING already, its announcement is made now.
    expect(await lifecycle(execution(id, 'RUNNING'))).toMatchObject({ status: 'job', jobStatus: 'RUNNING' });
    expect(await statusHistory(id)).toEqual(['RUNNING']);
    expect(published().map((e) => [e.jobId, e.status])).toEqual([[id, 'RUNNING']]);

    await lifecycle(execution(id, 'RUNNING'));
    expect(await statusHistory(id)).toEqual(['RUNNING']);
    expect(published()).toHaveLength(1);
  });

  it("of a job's end: the next delivery announces it with what rules read, once", async () => {
    const id = await newJob();
    await lifecycle(execution(id, 'RUNNING'));
    const output = JSON.stringify({ jobId: id, status: 'SUCCEEDED', reportKey: `${id}/report.json` });
    refusePuts(1);
    await expect(lifecycle(execution(id, 'SUCCEEDED', { output }))).rejects.toThrow();
    bus.calls.length = 0;
    await lifecycle(execution(id, 'SUCCEEDED', { output }));
    await lifecycle(execution(id, 'SUCCEEDED', { output }));
    expect(await statusHistory(id)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(published()).toEqual([expect.objectContaining({ jobId: id, status: 'SUCCEEDED', reportKey: `${id}/report.json`, preset: 'default', sourceKey: 'inbox/clip.mp4' })]);
  });
});

describe('lifecycle Lambda: step events', () => {
  const at = (s: number) => new Date(T0 + s * 1000).toISOString();
  const changed = (jobId: string, status: string, extra: Record<string, unknown> = {}) =>
    stepEvent('Step Status Changed', { jobId, stepId: 'encode-video:r0-c0', function: 'encode-video', status, invocationId: 'inv-1', ...extra });

  it('records one attempt when the end arrives before the start, and a duplicate changes nothing', async () => {
    const id = await newJob();
    await lifecycle(execution(id, 'RUNNING'));
    const end = changed(id, 'SUCCEEDED', { at: at(30), durationMs: 29_000, costUsd: 0.002, error: null });
    expect(await lifecycle(end)).toMatchObject({ status: 'step', recorded: { attempt: 1, status: 'SUCCEEDED', fraction: 1 } });
    expect(await lifecycle(changed(id, 'RUNNING', { at: at(1) }))).toMatchObject({ status: 'step', recorded: null });
    await lifecycle(end);
    const steps = await jobs.listSteps(id);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ attempt: 1, status: 'SUCCEEDED', invocationId: 'inv-1', endedAt: at(30), durationMs: 29_000, costUsd: 0.002, fraction: 1 });
    // Another invocation of the same step is its next attempt.
    await lifecycle(changed(id, 'RUNNING', { at: at(40), invocationId: 'inv-2' }));
    expect((await jobs.listSteps(id)).map((s) => [s.attempt, s.invocationId, s.status])).toEqual([[1, 'inv-1', 'SUCCEEDED'], [2, 'inv-2', 'RUNNING']]);
  });

  it('raises the fraction with progress events; a lower or late one changes nothing', async () => {
    const id = await newJob();
    await lifecycle(execution(id, 'RUNNING'));
    const progress = (fraction: number, s: number) =>
      stepEvent('Step Progress', { jobId: id, stepId: 'encode-video:r0-c0', function: 'encode-video', fraction, fps: 30, speed: 1.5, invocationId: 'inv-1', at: at(s) });
    await lifecycle(changed(id, 'RUNNING', { at: at(0) }));
    await lifecycle(progress(0.3, 1));
    expect((await jobs.listSteps(id))[0]?.fraction).toBe(0.3);
    await lifecycle(progress(0.6, 3));
    await lifecycle(progress(0.4, 2));
    expect((await jobs.listSteps(id))[0]).toMatchObject({ status: 'RUNNING', fraction: 0.6 });
    await lifecycle(changed(id, 'FAILED', { at: at(5), error: 'boom', durationMs: 5000 }));
    await lifecycle(progress(0.9, 4));
    expect((await jobs.listSteps(id))[0]).toMatchObject({ status: 'FAILED', fraction: 0.6, error: 'boom' });
  });
});

describe("lifecycle Lambda: the allocator's sizing", () => {
  it('goes into the job history, as the local engine keeps it', async () => {
    const id = await newJob();
    const detail = { jobId: id, itemId: 'r0-c0', attempt: 0, platform: 'lambda', vcpu: 2, memoryMiB: 3008, timeoutSec: 300, estimatedSeconds: 40, estimatedCostUsd: 0.002, reason: 'cheapest that fits' };
    expect(await lifecycle(stepEvent('Task Allocated', detail))).toEqual({ status: 'history', jobId: id, detailType: 'Task Allocated' });
    expect((await jobs.listEvents(id)).map((e) => [e.detailType, e.detail])).toEqual([['Task Allocated', detail]]);
    expect(await lifecycle(stepEvent('Task Allocated', { ...detail, jobId: 'preflight-x' }))).toMatchObject({ status: 'ignored' });
    expect(await lifecycle(stepEvent('Task Allocated', { ...detail, platform: 'mainframe' }))).toMatchObject({ status: 'ignored' });
    expect(published()).toEqual([]);
  });

  it('records the steps of an id with no job record (a rule chain), as locally', async () => {
    const r = await lifecycle(stepEvent('Step Status Changed', { jobId: 'chain-abc', stepId: 'normalize-audio', function: 'normalize-audio', status: 'RUNNING', invocationId: 'i' }));
    expect(r).toMatchObject({ status: 'step' });
    expect((await jobs.listSteps('chain-abc')).map((s) => [s.stepId, s.status])).toEqual([['normalize-audio', 'RUNNING']]);
  });
});

describe('lifecycle Lambda: what is not its business', () => {
  it('ignores malformed and foreign events, unknown jobs and executions, without writing or publishing', async () => {
    const id = await newJob();
    const before = await jobs.getJob(id);
    const cases: unknown[] = [
      null,
      'text',
      {},
      { source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { name: id } },
      execution(id, 'PENDING_REDRIVE'),
      { ...execution(id, 'RUNNING'), source: 'aws.s3' },
      { ...execution(id, 'RUNNING'), 'detail-type': 'Something Else' },
      execution('not a job name', 'RUNNING'),
      execution('20300101000000-unknown', 'RUNNING'),
      stepEvent('Step Status Changed', { jobId: id, stepId: 'plan', function: 'plan', status: 'LOST', invocationId: 'i' }),
      stepEvent('Step Progress', { jobId: id, stepId: 'plan', function: 'plan', fraction: 2, invocationId: 'i' }),
      // No invocation: cannot be tied to an attempt.
      stepEvent('Step Status Changed', { jobId: id, stepId: 'plan', function: 'plan', status: 'RUNNING' }),
    ];
    for (const c of cases) expect(await lifecycle(c), JSON.stringify(c)).toMatchObject({ status: 'ignored' });
    expect(await jobs.getJob(id)).toEqual(before);
    expect(await jobs.listSteps(id)).toEqual([]);
    expect(await jobs.listEvents(id)).toEqual([]);
    expect(published()).toEqual([]);
  });
});
