/**
 * Upload trigger: the pure JobSpec builder (lambdas/core/upload-trigger.ts) and the Lambda
 * (lambdas/bootstrap/upload-trigger.ts → platform/upload-trigger) against dynalite and a
 * recording Step Functions / EventBridge loopback server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncodeWorkflowInputSchema, type EncodeWorkflowInput } from '../../lambdas/contracts/index.js';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { createUploadTrigger } from '../../lambdas/bootstrap/upload-trigger.js';
import { isVideoKey, planUpload, presetForKey, uploadJobId, uploadWorkflowInput } from '../../lambdas/core/upload-trigger.js';
import { emulatorEnv, startDynamo, startJsonApiFake, type DynamoEmulator, type JsonApiFake } from './emulators.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:mosaic-encode';

/** An S3 `Object Created` event as EventBridge delivers it. */
function objectCreated(key: string, o: { bucket?: string; versionId?: string; etag?: string } = {}): unknown {
  return {
    version: '0',
    id: 'e1b5e2a4-0000-0000-0000-000000000000',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${o.bucket ?? 'mosaic-src'}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket ?? 'mosaic-src' },
      object: { key, size: 1234, etag: o.etag ?? 'd41d8cd98f00b204e9800998ecf8427e', ...(o.versionId ? { 'version-id': o.versionId } : {}), sequencer: '00' },
      'request-id': 'R',
      requester: '000000000000',
      reason: 'PutObject',
    },
  };
}

describe('upload trigger: JobSpec from an S3 event', () => {
  it('accepts video suffixes case-insensitively', () => {
    for (const k of ['inbox/a.mov', 'inbox/a.MOV', 'inbox/a.Mp4', 'inbox/x/y.m4v', 'inbox/a.mkv', 'inbox/a.WEBM', 'inbox/a.mxf', 'inbox/a.avi'])
      expect(isVideoKey(k), k).toBe(true);
    for (const k of ['inbox/a.txt', 'inbox/mov', 'inbox/a.mov/readme', 'inbox/a.mov.part', 'inbox/a.'])
      expect(isVideoKey(k), k).toBe(false);
    expect(planUpload(objectCreated('inbox/Holiday.MOV'))).toMatchObject({ action: 'start', key: 'inbox/Holiday.MOV' });
    expect(planUpload(objectCreated('inbox/holiday.mov'))).toMatchObject({ action: 'start' });
  });

  it('ignores non-videos, keys outside inbox/ and events of other kinds', () => {
    expect(planUpload(objectCreated('inbox/notes.txt'))).toMatchObject({ action: 'ignore', reason: expect.stringMatching(/not a video/) });
    expect(planUpload(objectCreated('uploads/clip.mp4'))).toMatchObject({ action: 'ignore', reason: expect.stringMatching(/not under inbox\//) });
    expect(planUpload(objectCreated('job-1/inbox/clip.mp4'))).toMatchObject({ action: 'ignore' });
    expect(planUpload({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: {} })).toMatchObject({ action: 'ignore' });
    expect(planUpload(null)).toMatchObject({ action: 'ignore' });
  });

  it('takes the preset from the first folder under inbox/ when it is a known preset', () => {
    expect(presetForKey('inbox/draft/a.mp4')).toBe('draft');
    expect(presetForKey('inbox/DRAFT/a.mp4')).toBe('draft');
    expect(presetForKey('inbox/draft/deeper/a.mp4')).toBe('draft');
    expect(presetForKey('inbox/holidays/a.mp4')).toBe('default');
    expect(presetForKey('inbox/a.mp4')).toBe('default');
    expect(presetForKey('inbox/constructor/a.mp4')).toBe('default');
    const plan = planUpload(objectCreated('inbox/draft/clip.mp4'));
    expect(plan).toMatchObject({ action: 'start', spec: { source: { key: 'inbox/draft/clip.mp4' }, preset: 'draft', outputs: { hls: true, dash: true } } });
  });

  it('names one job per object version', () => {
    const id = (key: string, o: { bucket?: string; versionId?: string; etag?: string }) => {
      const p = planUpload(objectCreated(key, o));
      if (p.action !== 'start') throw new Error(p.reason);
      return p.jobId;
    };
    const v1 = id('inbox/a.mp4', { versionId: 'v1', etag: 'e1' });
    expect(v1).toMatch(/^[A-Za-z0-9-]{1,80}$/);
    expect(id('inbox/a.mp4', { versionId: 'v1', etag: 'e1' })).toBe(v1);
    expect(id('inbox/a.mp4', { versionId: 'v2', etag: 'e1' })).not.toBe(v1);
    expect(id('inbox/b.mp4', { versionId: 'v1', etag: 'e1' })).not.toBe(v1);
    expect(id('inbox/a.mp4', { bucket: 'other', versionId: 'v1', etag: 'e1' })).not.toBe(v1);
    // Unversioned buckets: the ETag tells versions apart ("null" is S3's unversioned version id).
    expect(id('inbox/a.mp4', { etag: 'e1' })).toBe(id('inbox/a.mp4', { etag: 'e1', versionId: 'null' }));
    expect(id('inbox/a.mp4', { etag: 'e1' })).not.toBe(id('inbox/a.mp4', { etag: 'e2' }));
    expect(uploadJobId('b', 'k', { versionId: 'v' })).toBe(uploadJobId('b', 'k', { versionId: 'v', etag: 'other' }));
  });

  it('builds a valid encode workflow input', () => {
    const plan = planUpload(objectCreated('inbox/draft/clip.mp4', { versionId: 'v1' }));
    if (plan.action !== 'start') throw new Error(plan.reason);
    const input = uploadWorkflowInput(plan.jobId, plan.spec, { parallelism: 20, threadsPerTask: 2, vmafAvailable: true, region: 'eu-west-1' });
    expect(input.allocator).toEqual({ region: 'eu-west-1', maxConcurrency: 20, chooseChunks: true });
    expect(EncodeWorkflowInputSchema.parse(input)).toEqual(input);
    expect(input).toMatchObject({ jobId: plan.jobId, source: { key: 'inbox/draft/clip.mp4' }, workPrefix: `.mosaic/work/${plan.jobId}/`, outputPrefix: `${plan.jobId}/`, parallelism: 20 });
  });
});

describe('upload trigger Lambda against dynalite and a recording Step Functions', () => {
  let dynamo: DynamoEmulator;
  let fake: JsonApiFake;
  let env: Record<string, string>;

  beforeAll(async () => {
    [dynamo, fake] = await Promise.all([startDynamo('mosaic'), startJsonApiFake()]);
    env = {
      ...emulatorEnv({ dynamodb: dynamo.endpoint, events: fake.endpoint, sfn: fake.endpoint }),
      MOSAIC_TABLE: 'mosaic',
      MOSAIC_EVENT_BUS: 'mosaic-bus',
      MOSAIC_STATE_MACHINE_ARN: ARN,
      MOSAIC_MAP_CONCURRENCY: '7',
    };
    // Step Functions refuses a second execution with a name it has seen.
    const names = new Set<string>();
    fake.respond = (c) => {
      if (c.op !== 'StartExecution') return undefined;
      const name = String(c.body.name);
      if (names.has(name)) return { status: 400, errorType: 'ExecutionAlreadyExists', body: { message: `Execution Already Exists: '${name}'` } };
      names.add(name);
      return undefined;
    };
  });

  afterAll(async () => {
    await Promise.all([dynamo?.close(), fake?.close()]);
  });

  it('creates the job and starts one execution for two deliveries of the same upload', async () => {
    const handler = createUploadTrigger(env);
    const event = objectCreated('inbox/draft/Clip.MOV', { versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' });
    const first = await handler(event);
    const second = await handler(event);
    if (first.status !== 'started' || second.status !== 'started') throw new Error('not started');
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.job).toEqual(first.job);
    expect(first.job).toMatchObject({ status: 'QUEUED', outputPrefix: `${first.job.id}/`, spec: { source: { key: 'inbox/draft/Clip.MOV' }, preset: 'draft' } });

    const starts = fake.of('StartExecution');
    expect(starts).toHaveLength(2);
    expect(starts.map((s) => s.body.name)).toEqual([first.job.id, first.job.id]);
    expect(starts[0]!.body.stateMachineArn).toBe(ARN);
    const input = EncodeWorkflowInputSchema.parse(JSON.parse(String(starts[0]!.body.input))) as EncodeWorkflowInput;
    expect(input).toMatchObject({
      jobId: first.job.id,
      source: { key: 'inbox/draft/Clip.MOV' },
      spec: { preset: 'draft' },
      workPrefix: `.mosaic/work/${first.job.id}/`,
      outputPrefix: `${first.job.id}/`,
      parallelism: 7,
      threadsPerTask: 2,
      vmafAvailable: true,
    });
    expect(first.executionId).toBe(`arn:aws:states:us-east-1:000000000000:execution:mosaic-encode:${first.job.id}`);
    expect(second.executionId).toBe(first.executionId);

    // One job record, one QUEUED event.
    expect(await awsJobStore(env).getJob(first.job.id)).toEqual(first.job);
    const queued = fake.of('PutEvents').filter((c) => JSON.stringify(c.body).includes(first.job.id));
    expect(queued).toHaveLength(1);
  });

  it('starts a new job for a new version of the same key', async () => {
    const handler = createUploadTrigger(env);
    const a = await handler(objectCreated('inbox/x.mp4', { versionId: 'a' }));
    const b = await handler(objectCreated('inbox/x.mp4', { versionId: 'b' }));
    if (a.status !== 'started' || b.status !== 'started') throw new Error('not started');
    expect(a.job.id).not.toBe(b.job.id);
    expect(b.duplicate).toBe(false);
  });

  it('ignores keys that are not videos or not under inbox/, touching nothing', async () => {
    const handler = createUploadTrigger(env);
    const before = fake.calls.length;
    await expect(handler(objectCreated('inbox/readme.txt'))).resolves.toMatchObject({ status: 'ignored', key: 'inbox/readme.txt' });
    await expect(handler(objectCreated('out/clip.mp4'))).resolves.toMatchObject({ status: 'ignored' });
    expect(fake.calls.length).toBe(before);
  });

  it('defaults the Map concurrency to 20 and names missing variables', async () => {
    const handler = createUploadTrigger({ ...env, MOSAIC_MAP_CONCURRENCY: undefined });
    const r = await handler(objectCreated('inbox/y.webm', { etag: 'abc' }));
    expect(r.status).toBe('started');
    expect(JSON.parse(String(fake.of('StartExecution').at(-1)!.body.input))).toMatchObject({ parallelism: 20, threadsPerTask: 2 });
    await createUploadTrigger({ ...env, MOSAIC_THREADS_PER_TASK: '4' })(objectCreated('inbox/z.mkv', { etag: 'abc' }));
    expect(JSON.parse(String(fake.of('StartExecution').at(-1)!.body.input))).toMatchObject({ threadsPerTask: 4 });
    expect(() => createUploadTrigger({ ...env, MOSAIC_STATE_MACHINE_ARN: undefined })).toThrow(/MOSAIC_STATE_MACHINE_ARN is not set/);
    expect(() => createUploadTrigger({ ...env, MOSAIC_MAP_CONCURRENCY: 'lots' })).toThrow(/MOSAIC_MAP_CONCURRENCY must be a positive integer/);
  });
});
