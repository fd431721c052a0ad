/**
 * The rule-engine Lambda (lambdas/bootstrap/rule-engine.ts → platform/rule-engine) against dynalite
 * and a recording EventBridge / Step Functions loopback: facts and firing records in DynamoDB,
 * events put on the platform bus, workflows started through the encode workflow's starter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJobStore } from '../../lambdas/adapters/aws/index.js';
import { createRuleEngine } from '../../lambdas/bootstrap/rule-engine.js';
import { RULES_DIR } from '../../local/rules-loader.js';
import { uploadJobId } from '../../lambdas/core/upload-trigger.js';
import { emulatorEnv, FAKE_CREDENTIALS, REGION, startDynamo, startJsonApiFake, type DynamoEmulator, type JsonApiFake } from './emulators.js';
import { mosaicEvent, s3ObjectCreated } from '../helpers/rule-events.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:mosaic-encode';
const BUCKET = 'mosaic-dev-sources-000000000000-us-east-1';

describe('rule-engine Lambda against dynalite', () => {
  let dynamo: DynamoEmulator;
  let fake: JsonApiFake;
  let env: Record<string, string>;
  let facts: DynamoJobStore;

  beforeAll(async () => {
    [dynamo, fake] = await Promise.all([startDynamo('mosaic'), startJsonApiFake()]);
    env = {
      ...emulatorEnv({ dynamodb: dynamo.endpoint, events: fake.endpoint, sfn: fake.endpoint }),
      MOSAIC_TABLE: 'mosaic',
      MOSAIC_EVENT_BUS: 'mosaic-dev',
      MOSAIC_STATE_MACHINE_ARN: ARN,
      MOSAIC_SOURCE_BUCKET: BUCKET,
      MOSAIC_RULES_DIR: RULES_DIR,
    };
    facts = new DynamoJobStore({ client: new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: FAKE_CREDENTIALS }), table: 'mosaic' });
  });
  afterAll(async () => {
    await Promise.all([dynamo?.close(), fake?.close()]);
  });

  const putEvents = () => fake.of('PutEvents').flatMap((c) => c.body.Entries as { Source: string; DetailType: string; Detail: string; EventBusName: string }[]);

  it('records facts once per event and announces them on the platform bus', async () => {
    const engine = createRuleEngine(env);
    const event = mosaicEvent('Job Status Changed', { jobId: 'j1', status: 'SUCCEEDED', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/draft/a.mp4' });
    const first = await engine({ rule: 'record-job-preset-version', event });
    expect(first).toMatchObject({ status: 'evaluated', firings: [{ duplicate: false, subject: null }] });
    expect(await facts.getFacts('job:j1')).toEqual({ jobId: 'j1', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/draft/a.mp4' });
    expect(putEvents()).toEqual([
      { Source: 'mosaic', DetailType: 'Facts Asserted', EventBusName: 'mosaic-dev', Detail: JSON.stringify({ subject: 'job:j1', facts: { jobId: 'j1', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/draft/a.mp4' }, rule: 'record-job-preset-version' }) },
    ]);
    // EventBridge delivers at least once: the duplicate fires nothing.
    expect(await createRuleEngine(env)({ rule: 'record-job-preset-version', event })).toMatchObject({ status: 'evaluated', firings: [{ duplicate: true, actions: [] }] });
    expect(putEvents()).toHaveLength(1);
  });

  it('tests facts of a wildcard subject in DynamoDB; the starter refuses a version its presets do not have', async () => {
    const engine = createRuleEngine(env);
    await facts.assertFacts('job:j2', { jobId: 'j2', preset: 'default', presetVersion: 1, sourceKey: 'inbox/b.mp4' });
    const res = await engine({ rule: 'reencode-on-preset-version', event: mosaicEvent('Preset Version Changed', { preset: 'draft', version: 2, previousVersion: 1 }) });
    // j1 (draft, v1) matches; j2 (default) does not. The deployed presets have draft v1, so nothing starts.
    expect(res).toMatchObject({ status: 'evaluated', firings: [{ subject: 'job:j1', actions: [{ type: 'start-workflow', result: { status: 'ignored', reason: expect.stringMatching(/version 1 here, not 2/) } }] }] });
    expect(fake.of('StartExecution')).toHaveLength(0);
  });

  it('starts the encode workflow through the starter: job record, execution named by the job', async () => {
    const engine = createRuleEngine(env);
    const event = s3ObjectCreated('inbox/draft/Clip.MOV', { bucket: BUCKET, versionId: 'v1' });
    const res = await engine({ rule: 'ingest-video', event });
    const jobId = uploadJobId(BUCKET, 'inbox/draft/Clip.MOV', { versionId: 'v1' });
    expect(res).toMatchObject({ status: 'evaluated', firings: [{ actions: [{ type: 'start-workflow', target: 'encode', result: { status: 'started', jobId } }] }] });
    const starts = fake.of('StartExecution');
    expect(starts.map((s) => s.body.name)).toEqual([jobId]);
    expect(JSON.parse(String(starts[0].body.input))).toMatchObject({ jobId, source: { key: 'inbox/draft/Clip.MOV' }, spec: { preset: 'draft' } });
  });

  it('rejects what is not an invocation of a known rule, and names missing configuration', async () => {
    const engine = createRuleEngine(env);
    expect(await engine({ rule: 'nope', event: mosaicEvent('X', {}) })).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/no rule named "nope"/) });
    expect(await engine('garbage')).toMatchObject({ status: 'rejected' });
    expect(() => createRuleEngine({ ...env, MOSAIC_SOURCE_BUCKET: undefined })).toThrow(/MOSAIC_SOURCE_BUCKET is not set/);
  });
});
