/**
 * Loopback stand-ins for the AWS services the bootstrap talks to: s3rver (S3), dynalite
 * (DynamoDB) and a small recording server for the JSON-protocol APIs (Step Functions,
 * EventBridge). All bind 127.0.0.1 on a random port; clients use fake credentials.
 */
import { createJobTable } from '../helpers/dynamo-table.js';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export const REGION = 'us-east-1';
/** s3rver checks SigV4 signatures against this pair; the other emulators accept anything. */
export const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RecordedCall {
  /** e.g. `AWSStepFunctions.SendTaskSuccess`, `AWSEvents.PutEvents`. */
  target: string;
  /** The operation, e.g. `SendTaskSuccess`. */
  op: string;
  body: Record<string, unknown>;
}

export type FakeAnswer = { status: number; body: unknown; errorType?: string };
export type FakeResponder = (call: RecordedCall) => FakeAnswer | undefined;

export interface JsonApiFake {
  endpoint: string;
  calls: RecordedCall[];
  /** Calls of one operation. */
  of(op: string): RecordedCall[];
  /** Overrides answers (return undefined for the default). */
  respond: FakeResponder | null;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
};

/** The default answers of the fake: enough for the SDK to parse each operation. */
function defaultAnswer(call: RecordedCall): FakeAnswer {
  switch (call.op) {
    case 'PutEvents': {
      const entries = (call.body.Entries as unknown[] | undefined) ?? [];
      return { status: 200, body: { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `ev-${i}` })) } };
    }
    case 'StartExecution': {
      const arn = `${String(call.body.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(call.body.name)}`;
      return { status: 200, body: { executionArn: arn, startDate: Date.now() / 1000 } };
    }
    case 'DescribeExecution':
      // Already finished, so a caller that polls stops at once.
      return {
        status: 200,
        body: { executionArn: call.body.executionArn, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:x', status: 'SUCCEEDED', startDate: Date.now() / 1000, output: '{}' },
      };
    default:
      // SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat answer an empty object.
      return { status: 200, body: {} };
  }
}

/** A recording server for awsJson1_0/1_1 APIs (Step Functions, EventBridge) on 127.0.0.1. */
export async function startJsonApiFake(): Promise<JsonApiFake> {
  const calls: RecordedCall[] = [];
  const fake: JsonApiFake = {
    endpoint: '',
    calls,
    of: (op) => calls.filter((c) => c.op === op),
    respond: null,
    close: () => new Promise((res) => server.close(() => res())),
  };
  const server: Server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const text = await readBody(req);
    const call: RecordedCall = { target, op: target.split('.').pop() ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    calls.push(call);
    const answer = fake.respond?.(call) ?? defaultAnswer(call);
    const json = target.startsWith('AWSEvents.') ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
    res.writeHead(answer.status, { 'content-type': json, ...(answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {}) });
    res.end(JSON.stringify(answer.errorType ? { __type: answer.errorType, ...(answer.body as object) } : answer.body));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

export interface S3Emulator {
  endpoint: string;
  close(): Promise<void>;
}

export async function startS3(buckets: string[]): Promise<S3Emulator> {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-s3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await s3rver.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      s3rver.httpServer?.closeAllConnections();
      await s3rver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface DynamoEmulator {
  endpoint: string;
  close(): Promise<void>;
}

/** dynalite with the Mosaic table (keys and GSIs from TABLE_KEYS) created. */
export async function startDynamo(table: string): Promise<DynamoEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
  await createJobTable(client, table);
  client.destroy();
  return {
    endpoint,
    close: () =>
      new Promise((res) => {
        server.closeAllConnections?.();
        server.close(() => res());
      }),
  };
}

/** The variables every AWS client of the bootstrap reads, pointed at the emulators. */
export function emulatorEnv(o: { s3?: string; dynamodb?: string; events?: string; sfn?: string }): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    ...(o.s3 ? { MOSAIC_AWS_ENDPOINT_S3: o.s3 } : {}),
    ...(o.dynamodb ? { MOSAIC_AWS_ENDPOINT_DYNAMODB: o.dynamodb } : {}),
    ...(o.events ? { MOSAIC_AWS_ENDPOINT_EVENTS: o.events } : {}),
    ...(o.sfn ? { MOSAIC_AWS_ENDPOINT_SFN: o.sfn } : {}),
  };
}

/** Everything a function needs on "AWS": both buckets, the table, a recording SFN/EventBridge. */
export interface AwsWorld {
  s3: S3Emulator;
  dynamo: DynamoEmulator;
  fake: JsonApiFake;
  /** An S3 client on the emulator, for checking what landed where. */
  client: S3Client;
  /** The environment the bootstrap reads (buckets `src`/`out`, table `mosaic`, bus `mosaic-bus`). */
  env: Record<string, string>;
  /** Uploads bytes to the source bucket. */
  putSource(key: string, body: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function startAwsWorld(tools: { ffmpeg: string; ffprobe: string; vmafModel: string }): Promise<AwsWorld> {
  const [s3, dynamo, fake] = await Promise.all([startS3(['src', 'out']), startDynamo('mosaic'), startJsonApiFake()]);
  const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: REGION, credentials: FAKE_CREDENTIALS });
  return {
    s3,
    dynamo,
    fake,
    client,
    env: {
      PATH: process.env.PATH ?? '',
      ...emulatorEnv({ s3: s3.endpoint, dynamodb: dynamo.endpoint, events: fake.endpoint, sfn: fake.endpoint }),
      MOSAIC_SOURCE_BUCKET: 'src',
      MOSAIC_DERIVATIVE_BUCKET: 'out',
      MOSAIC_TABLE: 'mosaic',
      MOSAIC_EVENT_BUS: 'mosaic-bus',
      MOSAIC_FFMPEG: tools.ffmpeg,
      MOSAIC_FFPROBE: tools.ffprobe,
      MOSAIC_VMAF_MODEL: tools.vmafModel,
    },
    putSource: async (key, body) => void (await client.send(new PutObjectCommand({ Bucket: 'src', Key: key, Body: body }))),
    close: async () => {
      client.destroy();
      await Promise.all([s3.close(), dynamo.close(), fake.close()]);
    },
  };
}
