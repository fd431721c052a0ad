/**
 * The Jobs API on its AWS deps (lambdas/bootstrap/api.ts: DynamoJobStore, S3, EventBridge, Step
 * Functions, Lambda), with the real SDK clients against dynalite, s3rver, the recording Step
 * Functions / EventBridge server and a small recording Lambda Invoke server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3UploadTarget } from '../../lambdas/adapters/aws/s3-upload-target.js';
import { executionNameFor, runOfExecutionName } from '../../lambdas/adapters/aws/step-functions-job-control.js';
import { apiGatewayKeys, createAwsApiApp } from '../../lambdas/bootstrap/api.js';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { EncodeWorkflowInputSchema, ErrorNames, type MediaInfo } from '../../lambdas/contracts/index.js';
import type { ApiApp } from '../../lambdas/platform/api/app.js';
import type { JobStore } from '../../lambdas/ports.js';
import { emulatorEnv, FAKE_CREDENTIALS, REGION, startDynamo, startJsonApiFake, startS3, type DynamoEmulator, type JsonApiFake, type S3Emulator } from './emulators.js';

const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:mosaic-encode';
const EXECUTIONS = 'arn:aws:states:us-east-1:000000000000:execution:mosaic-encode';
const FN_ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:mosaic-${name}`;
const KEY = 'any-key-api-gateway-accepted';
const MAX_UPLOAD = 1024 * 1024;

const MEDIA: MediaInfo = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  sizeBytes: 12345,
  durationSec: 4,
  video: { codec: 'h264', width: 640, height: 360, displayWidth: 640, fps: 25, fpsRational: '25/1', frames: 100, durationSec: 4, startSec: 0 },
  audio: { codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 4, startSec: 0 },
  audioTracks: [{ codec: 'aac', channels: 2, sampleRate: 48000, durationSec: 4, startSec: 0, index: 0, language: 'und', default: true }],
  subtitles: [],
  notes: [],
};

interface Invocation {
  functionName: string;
  payload: Record<string, any>;
}

/** Lambda's Invoke API (REST-JSON): records calls; `answer` decides the payload or a function error. */
async function startLambdaFake(answer: (i: Invocation) => { error?: { errorType: string; errorMessage: string }; result?: unknown }) {
  const calls: Invocation[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      const call = { functionName: decodeURIComponent(m?.[1] ?? ''), payload: body ? JSON.parse(body) : {} };
      calls.push(call);
      const a = answer(call);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...(a.error ? { 'x-amz-function-error': 'Unhandled' } : {}) });
      res.end(JSON.stringify(a.error ? { ...a.error, trace: [] } : a.result ?? null));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let s3: S3Emulator;
let dynamo: DynamoEmulator;
let fake: JsonApiFake;
let lambda: Awaited<ReturnType<typeof startLambdaFake>>;
let client: S3Client;
let env: Record<string, string>;
let app: ApiApp;
let jobs: JobStore;
const started = new Set<string>();

async function req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { 'x-api-key': KEY, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const keysIn = async (bucket: string, prefix = ''): Promise<string[]> =>
  ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();

/** A source uploaded the way a client does it: POST /v1/uploads, then PUT to the presigned URL. */
async function upload(name: string, bytes: Buffer): Promise<string> {
  const ticket = await req('POST', '/v1/uploads', { filename: name, bytes: bytes.length, contentType: 'video/mp4' });
  expect(ticket.status).toBe(201);
  const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
  expect(put.status).toBe(200);
  return ticket.body.key as string;
}

const startsOf = (jobId: string) => fake.of('StartExecution').filter((c) => String(c.body.name).startsWith(jobId));
const statusEvents = () =>
  fake.of('PutEvents').flatMap((c) => (c.body.Entries as { DetailType: string; Detail: string }[]).filter((e) => e.DetailType === 'Job Status Changed').map((e) => JSON.parse(e.Detail)));

beforeAll(async () => {
  [s3, dynamo, fake] = await Promise.all([startS3(['src', 'out']), startDynamo('mosaic'), startJsonApiFake()]);
  lambda = await startLambdaFake((i) => {
    if (i.functionName === FN_ARN('inspect')) {
      // Match the file name, not the key: upload keys carry a random id that may spell "bad".
      if (String(i.payload.source?.key).endsWith('/bad.mp4'))
        return { error: { errorType: ErrorNames.InputInvalid, errorMessage: 'source is not a media file ffmpeg can read (Invalid data found when processing input)' } };
      return { result: MEDIA };
    }
    if (i.payload.fail) return { error: { errorType: ErrorNames.Transient, errorMessage: 'ffmpeg was killed' } };
    return { result: { echoed: i.payload } };
  });
  client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: REGION, credentials: FAKE_CREDENTIALS });
  env = {
    ...emulatorEnv({ s3: s3.endpoint, dynamodb: dynamo.endpoint, events: fake.endpoint, sfn: fake.endpoint }),
    MOSAIC_AWS_ENDPOINT_LAMBDA: lambda.endpoint,
    MOSAIC_SOURCE_BUCKET: 'src',
    MOSAIC_DERIVATIVE_BUCKET: 'out',
    MOSAIC_TABLE: 'mosaic',
    MOSAIC_EVENT_BUS: 'mosaic-bus',
    MOSAIC_STATE_MACHINE_ARN: SM,
    MOSAIC_FUNCTION_ARNS: JSON.stringify({ inspect: FN_ARN('inspect'), 'encode-video': FN_ARN('encode-video') }),
    MOSAIC_MAP_CONCURRENCY: '7',
    MOSAIC_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    MOSAIC_VERSION: '9.9.9-test',
  };
  // Step Functions refuses a second execution of a name it has seen.
  fake.respond = (c) => {
    if (c.op !== 'StartExecution') return undefined;
    const name = String(c.body.name);
    if (started.has(name)) return { status: 400, errorType: 'ExecutionAlreadyExists', body: { message: `Execution Already Exists: '${name}'` } };
    started.add(name);
    return undefined;
  };
  app = await createAwsApiApp(env);
  jobs = awsJobStore(env);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([s3?.close(), dynamo?.close(), fake?.close(), lambda?.close()]);
});

describe('the API Lambda entry', () => {
  it('answers an API Gateway (REST, proxy) event through hono/aws-lambda; health needs no key', async () => {
    const res = (await handle(app)({
      httpMethod: 'GET',
      path: '/v1/health',
      resource: '/v1/health',
      headers: {},
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { stage: 'dev', path: '/dev/v1/health', resourcePath: '/v1/health', httpMethod: 'GET', identity: { sourceIp: '127.0.0.1' } } as never,
    } as never)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', engine: 'aws', version: '9.9.9-test' });
  });

  it('trusts a key API Gateway let through, scoped by its hash; a request without one is still 401', async () => {
    const auth = apiGatewayKeys();
    expect(auth.verify('k1')).toMatch(/^key:[0-9a-f]{16}$/);
    expect(auth.verify('k1')).not.toBe(auth.verify('k2'));
    const res = await app.request('/v1/jobs');
    expect(res.status).toBe(401);
  });

  it('lists the deployed functions from their function.json and the encode workflow', async () => {
    const fns = await req('GET', '/v1/functions');
    expect(fns.body.functions.map((f: { name: string }) => f.name)).toEqual(['encode-video', 'inspect']);
    expect(fns.body.functions[1]).toMatchObject({ name: 'inspect', version: 1, platforms: ['lambda'], defaultPlatform: 'lambda', cacheable: true });
    const wfs = await req('GET', '/v1/workflows');
    expect(wfs.body.workflows).toEqual([expect.objectContaining({ name: 'encode', functions: ['encode-video', 'inspect'] })]);
  });
});

describe('POST /v1/uploads: presigned S3 PUT', () => {
  it('signs a PUT into the source bucket under uploads/ that s3rver accepts, bound to the declared size and type', async () => {
    const bytes = Buffer.from('pretend this is an mp4 file');
    const ticket = await req('POST', '/v1/uploads', { filename: 'My Clip (1).mp4', bytes: bytes.length, contentType: 'video/mp4' });
    expect(ticket.status).toBe(201);
    expect(ticket.body).toMatchObject({ method: 'PUT', maxBytes: bytes.length, headers: { 'content-type': 'video/mp4', 'content-length': String(bytes.length), 'if-none-match': '*' } });
    expect(ticket.body.key).toMatch(/^uploads\/[a-z0-9]+-[0-9a-f]{12}\/My_Clip__1_\.mp4$/);
    const url = new URL(ticket.body.url);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.pathname).toBe(`/src/${ticket.body.key}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    // No checksum of an empty body (the SDK's default for presigned PUTs), which S3 would hold the upload against.
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(Date.parse(ticket.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);

    // The signature covers the length: the same request signed for one byte more signs differently, so S3 refuses other sizes.
    const signingDate = new Date(url.searchParams.get('X-Amz-Date')!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const presignClient = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: REGION, credentials: FAKE_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const sign = (len: number, type = 'video/mp4') =>
      getSignedUrl(presignClient, new PutObjectCommand({ Bucket: 'src', Key: ticket.body.key, ContentLength: len, ContentType: type, IfNoneMatch: '*' }), {
        expiresIn: 3600,
        signingDate,
        signableHeaders: new Set(['content-length', 'content-type', 'if-none-match']),
      }).then((u) => new URL(u).searchParams.get('X-Amz-Signature'));
    expect(await sign(bytes.length)).toBe(url.searchParams.get('X-Amz-Signature'));
    expect(await sign(bytes.length + 1)).not.toBe(url.searchParams.get('X-Amz-Signature'));
    expect(await sign(bytes.length, 'text/plain')).not.toBe(url.searchParams.get('X-Amz-Signature'));
    presignClient.destroy();

    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
    expect(put.status).toBe(200);
    const stored = await client.send(new GetObjectCommand({ Bucket: 'src', Key: ticket.body.key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).toString()).toBe(bytes.toString());
    expect(await keysIn('out', 'uploads/')).toEqual([]);
  });

  it('signs for the real S3 endpoint without the SDK default checksum of an empty body (S3 would refuse the PUT)', async () => {
    const { MOSAIC_AWS_ENDPOINT_S3: _, ...awsEnv } = env;
    const real = await createAwsApiApp(awsEnv);
    const res = await real.request('/v1/uploads', { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ filename: 'a.mp4', bytes: 10 }) });
    const url = new URL(((await res.json()) as { url: string }).url);
    expect(url.hostname).toBe('src.s3.us-east-1.amazonaws.com');
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    // If-None-Match: * is signed too: the URL takes one PUT (S3 answers 412 to a second).
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
  });

  it('refuses a size over the limit before signing anything (413 from the route; InputInvalidError from the port)', async () => {
    const res = await req('POST', '/v1/uploads', { filename: 'big.mp4', bytes: MAX_UPLOAD + 1 });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', details: { maxBytes: MAX_UPLOAD } });
    const target = new S3UploadTarget({ client, sourceBucket: 'src', derivativeBucket: 'out', maxUploadBytes: MAX_UPLOAD });
    await expect(target.createUpload({ filename: 'big.mp4', bytes: MAX_UPLOAD + 1, contentType: 'video/mp4' })).rejects.toMatchObject({
      name: ErrorNames.InputInvalid,
      message: expect.stringMatching(/at most 1048576 bytes/),
    });
    const bad = await req('POST', '/v1/uploads', { filename: 'a/b.mp4', bytes: 10 });
    expect(bad.status).toBe(400);
  });

  it('links outputs with presigned GETs from the derivative bucket and sources from the source bucket', async () => {
    const target = new S3UploadTarget({ client, sourceBucket: 'src', derivativeBucket: 'out', maxUploadBytes: MAX_UPLOAD });
    await client.send(new PutObjectCommand({ Bucket: 'out', Key: 'job-x/report.json', Body: '{"ok":true}' }));
    const out = await target.downloadUrl('job-x/report.json');
    expect(new URL(out).pathname).toBe('/out/job-x/report.json');
    expect(await (await fetch(out)).text()).toBe('{"ok":true}');
    expect(new URL(await target.downloadUrl('uploads/a/b.mp4')).pathname).toBe('/src/uploads/a/b.mp4');
    expect(new URL(await target.downloadUrl('inbox/c.mov')).pathname).toBe('/src/inbox/c.mov');
  });
});

describe('jobs on Step Functions', () => {
  beforeEach(() => {
    fake.calls.length = 0;
  });

  it('submit: a QUEUED record in DynamoDB, Job Status Changed on EventBridge, an execution named by the job id', async () => {
    const key = await upload('clip.mp4', Buffer.from('video bytes'));
    const res = await req('POST', '/v1/jobs', { source: { key }, preset: 'draft', priority: 70, tags: { team: 'a' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    expect(res.body).toMatchObject({ status: 'QUEUED', spec: { source: { key }, preset: 'draft' } });
    expect(res.headers.get('location')).toBe(`/v1/jobs/${id}`);
    expect(await jobs.getJob(id)).toMatchObject({ id, status: 'QUEUED', outputPrefix: `${id}/`, spec: { tags: { team: 'a' } } });

    const [start, ...more] = startsOf(id);
    expect(more).toEqual([]);
    expect(start!.body).toMatchObject({ stateMachineArn: SM, name: id });
    const input = EncodeWorkflowInputSchema.parse(JSON.parse(String(start!.body.input)));
    expect(input).toMatchObject({
      jobId: id,
      source: { key },
      spec: { preset: 'draft', priority: 70 },
      workPrefix: `.mosaic/work/${id}/`,
      outputPrefix: `${id}/`,
      parallelism: 7,
      allocator: { region: REGION, maxConcurrency: 7, chooseChunks: true },
    });
    expect(statusEvents()).toContainEqual({ jobId: id, status: 'QUEUED' });
    // Run 0: cancel and retry name its execution from the job's run.
    expect((await jobs.getJob(id))!.run).toBe(0);
    expect((await req('GET', `/v1/jobs/${id}`)).body.status).toBe('QUEUED');
  });

  it('refuses a source that is not there (400) and starts nothing', async () => {
    const res = await req('POST', '/v1/jobs', { source: { key: 'uploads/nothing/here.mp4' } });
    expect(res.status).toBe(400);
    expect(fake.of('StartExecution')).toEqual([]);
  });

  it('is idempotent: the same Idempotency-Key returns the same job, and no second execution starts', async () => {
    const key = await upload('idem.mp4', Buffer.from('idempotent'));
    const first = await req('POST', '/v1/jobs', { source: { key } }, { 'idempotency-key': 'order-42' });
    const again = await req('POST', '/v1/jobs', { source: { key } }, { 'idempotency-key': 'order-42' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const names = startsOf(first.body.id).map((c) => c.body.name);
    // A repeated start of a QUEUED job names the same execution; Step Functions answers ExecutionAlreadyExists.
    expect(new Set(names)).toEqual(new Set([first.body.id]));
    expect(statusEvents().filter((e) => e.jobId === first.body.id)).toEqual([{ jobId: first.body.id, status: 'QUEUED' }]);
    const other = await req('POST', '/v1/jobs', { source: { key }, preset: 'draft' }, { 'idempotency-key': 'order-42' });
    expect(other.status).toBe(409);
  });

  it('cancel: stops the execution, records CANCELLED, deletes outputs and intermediates; retry then runs a new execution', async () => {
    const key = await upload('cancel.mp4', Buffer.from('to be cancelled'));
    const id = (await req('POST', '/v1/jobs', { source: { key } })).body.id as string;
    for (const k of [`${id}/hls/720p/seg-1.m4s`, `${id}/report.json`, `.mosaic/work/${id}/chunks/0.mp4`, 'someone-else/hls/master.m3u8'])
      await client.send(new PutObjectCommand({ Bucket: 'out', Key: k, Body: 'x' }));

    const cancelled = await req('POST', `/v1/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', error: { code: 'Mosaic.Cancelled' } });
    expect(cancelled.body.endedAt).toEqual(expect.any(String));
    expect(fake.of('StopExecution').map((c) => c.body)).toEqual([expect.objectContaining({ executionArn: `${EXECUTIONS}:${id}`, error: 'Mosaic.Cancelled' })]);
    expect(await keysIn('out', `${id}/`)).toEqual([]);
    expect(await keysIn('out', `.mosaic/work/${id}/`)).toEqual([]);
    expect(await keysIn('out', 'someone-else/')).toEqual(['someone-else/hls/master.m3u8']);
    expect(await keysIn('src', key)).toEqual([key]); // the source stays
    expect(statusEvents()).toContainEqual(expect.objectContaining({ jobId: id, status: 'CANCELLED', error: { code: 'Mosaic.Cancelled', message: 'cancelled on request' } }));
    expect((await jobs.getJob(id))!.status).toBe('CANCELLED');
    // The lifecycle applied it: recorded in the job's history like any other change.
    expect((await jobs.listEvents(id)).filter((e) => e.detailType === 'Job Status Changed').map((e) => (e.detail as { status: string }).status)).toEqual(['QUEUED', 'CANCELLED']);

    // Cancelling again changes nothing and stops nothing.
    const again = await req('POST', `/v1/jobs/${id}/cancel`);
    expect(again.body.status).toBe('CANCELLED');
    expect(fake.of('StopExecution')).toHaveLength(1);

    // Retry: QUEUED again under the same id, in a new execution (names are unique per state machine).
    const retried = await req('POST', `/v1/jobs/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, status: 'QUEUED', error: null, endedAt: null });
    expect((await jobs.getJob(id))!.run).toBe(1);
    expect(startsOf(id).map((c) => c.body.name)).toEqual([id, `${id}-r1`]);
    expect(JSON.parse(String(startsOf(id)[1]!.body.input))).toMatchObject({ jobId: id, outputPrefix: `${id}/` });
    expect(statusEvents().filter((e) => e.jobId === id).at(-1)).toEqual({ jobId: id, status: 'QUEUED' });
    expect((await req('POST', `/v1/jobs/${id}/retry`)).status).toBe(409); // QUEUED cannot be retried

    // The next cancel stops the retry's execution, and the next retry gets yet another name.
    await req('POST', `/v1/jobs/${id}/cancel`);
    expect(fake.of('StopExecution').at(-1)!.body.executionArn).toBe(`${EXECUTIONS}:${id}-r1`);
    await req('POST', `/v1/jobs/${id}/retry`);
    expect(startsOf(id).map((c) => c.body.name)).toEqual([id, `${id}-r1`, `${id}-r2`]);
    expect(executionNameFor(id, 2)).toBe(`${id}-r2`);
    expect(runOfExecutionName(`${id}-r2`)).toEqual({ jobId: id, run: 2 });
    expect(runOfExecutionName(id)).toEqual({ jobId: id, run: 0 });
  });

  it('a retry whose execution cannot start ends that run FAILED (Mosaic.Transient), so it can be retried again', async () => {
    const key = await upload('nostart.mp4', Buffer.from('will not start'));
    const id = (await req('POST', '/v1/jobs', { source: { key } })).body.id as string;
    await jobs.updateJob(id, { status: 'FAILED', error: { code: 'Mosaic.Transient', message: 'killed' }, endedAt: new Date().toISOString() });
    fake.respond = (c) => (c.op === 'StartExecution' ? { status: 400, errorType: 'StateMachineDoesNotExist', body: { __type: 'StateMachineDoesNotExist', message: 'gone' } } : undefined);
    try {
      const res = await req('POST', `/v1/jobs/${id}/retry`);
      expect(res.status).toBe(500); // a server fault, not the client's
    } finally {
      fake.respond = null;
    }
    expect(await jobs.getJob(id)).toMatchObject({ status: 'FAILED', run: 1, error: { code: 'Mosaic.Transient', message: expect.stringMatching(/could not be started/) } });
    const again = await req('POST', `/v1/jobs/${id}/retry`);
    expect(again.status).toBe(202);
    expect(startsOf(id).at(-1)!.body.name).toBe(`${id}-r2`);
  });

  it('cancel and retry answer 404 for unknown jobs and 409 for finished ones', async () => {
    expect((await req('POST', '/v1/jobs/no-such-job/cancel')).status).toBe(404);
    expect((await req('POST', '/v1/jobs/no-such-job/retry')).status).toBe(404);
    const key = await upload('done.mp4', Buffer.from('done'));
    const id = (await req('POST', '/v1/jobs', { source: { key } })).body.id as string;
    await jobs.updateJob(id, { status: 'SUCCEEDED', endedAt: new Date().toISOString() });
    const res = await req('POST', `/v1/jobs/${id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect((await req('POST', `/v1/jobs/${id}/retry`)).status).toBe(409);
    expect(fake.of('StopExecution')).toEqual([]);
  });

  it('retry of a FAILED job (as Publish leaves it) resumes in a new execution', async () => {
    const key = await upload('failed.mp4', Buffer.from('fails once'));
    const id = (await req('POST', '/v1/jobs', { source: { key } })).body.id as string;
    await jobs.updateJob(id, { status: 'FAILED', error: { code: 'Mosaic.Transient', message: 'ffmpeg was killed' }, endedAt: new Date().toISOString() });
    const res = await req('POST', `/v1/jobs/${id}/retry`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'QUEUED', error: null });
    expect(startsOf(id).map((c) => c.body.name)).toEqual([id, `${id}-r1`]);
  });
});

describe('media functions through Lambda Invoke', () => {
  it('preflight probes the source with the inspect Lambda and plans it; a rejected source gives its reason', async () => {
    const key = await upload('pre.mp4', Buffer.from('probe me'));
    lambda.calls.length = 0;
    const ok = await req('POST', '/v1/jobs/preflight', { source: { key } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: true, source: { durationSec: 4 }, plan: { maxConcurrency: expect.any(Number) } });
    expect(lambda.calls).toHaveLength(1);
    expect(lambda.calls[0]).toMatchObject({ functionName: FN_ARN('inspect'), payload: { itemId: 'source', source: { key }, limits: { maxBytes: expect.any(Number) } } });
    expect(lambda.calls[0]!.payload.jobId).toMatch(/^preflight-/);

    const badKey = await upload('bad.mp4', Buffer.from('junk'));
    const bad = await req('POST', '/v1/jobs/preflight', { source: { key: badKey } });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ accepted: false, reasons: [expect.stringMatching(/not a media file/)] });
  });

  it('invokes a function by name, keeps its typed errors, and 404s an unknown one', async () => {
    const ok = await req('POST', '/v1/functions/encode-video/invocations', { input: { anything: 1 } });
    expect(ok.status).toBe(200);
    expect(ok.body.result.echoed).toMatchObject({ anything: 1, jobId: ok.body.invocationId });
    expect(lambda.calls.at(-1)!.functionName).toBe(FN_ARN('encode-video'));

    const transient = await req('POST', '/v1/functions/encode-video/invocations', { input: { fail: true } });
    expect(transient.status).toBe(422);
    expect(transient.body.error).toMatchObject({ code: 'function_failed', details: { error: 'Mosaic.Transient' } });

    const invalid = await req('POST', '/v1/functions/inspect/invocations', { input: { source: { key: 'uploads/bad.mp4' } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('input_invalid');

    const unknown = await req('POST', '/v1/functions/publish/invocations', { input: {} });
    expect(unknown.status).toBe(404);
  });
});

describe('source routing', () => {
  it('reads API uploads from the source bucket, as the media functions do', async () => {
    const key = await upload('routed.mp4', Buffer.from('routed'));
    // The same key in the derivative bucket does not exist: submit works only because uploads/ routes to src.
    expect(await keysIn('out', key)).toEqual([]);
    expect((await req('POST', '/v1/jobs', { source: { key } })).status).toBe(202);
    await client.send(new DeleteObjectCommand({ Bucket: 'src', Key: key }));
    expect((await req('POST', '/v1/jobs', { source: { key } })).status).toBe(400);
  });
});
