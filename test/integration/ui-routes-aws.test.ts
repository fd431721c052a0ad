/**
 * The UI's workflow, function and rule routes on the API Lambda's own composition
 * (createAwsApiApp) over DynamoDB (dynalite): the bundled encode ASL and rule files, function.json
 * of the deployed functions, facts and firings the rule engine keeps in the job table, and recent
 * runs answered as unavailable (no index of steps by function) with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { createAwsApiApp } from '../../lambdas/bootstrap/api.js';
import { FunctionDetailSchema, RuleTestResultSchema, RuleViewSchema, WorkflowDefinitionSchema } from '../../lambdas/contracts/index.js';
import type { ApiApp } from '../../lambdas/platform/api/app.js';
import type { FactStore } from '../../lambdas/ports.js';
import { emulatorEnv, startDynamo, type DynamoEmulator } from './emulators.js';

const KEY = 'any-key-api-gateway-accepted';
const FN_ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:mosaic-dev-${name}`;
let dynamo: DynamoEmulator;
let app: ApiApp;
let facts: FactStore;

const get = async (path: string, init: RequestInit = {}) => {
  const res = await app.request(path, { ...init, headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  dynamo = await startDynamo('mosaic');
  // Only DynamoDB is called by these routes; the other clients are built but never used.
  const env = {
    ...emulatorEnv({ dynamodb: dynamo.endpoint, s3: 'http://127.0.0.1:9', events: 'http://127.0.0.1:9', sfn: 'http://127.0.0.1:9' }),
    MOSAIC_AWS_ENDPOINT_LAMBDA: 'http://127.0.0.1:9',
    MOSAIC_SOURCE_BUCKET: 'mosaic-dev-sources',
    MOSAIC_DERIVATIVE_BUCKET: 'out',
    MOSAIC_TABLE: 'mosaic',
    MOSAIC_EVENT_BUS: 'mosaic-bus',
    MOSAIC_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:mosaic-dev-encode',
    MOSAIC_FUNCTION_ARNS: JSON.stringify({ inspect: FN_ARN('inspect'), plan: FN_ARN('plan') }),
  };
  app = await createAwsApiApp(env);
  facts = awsJobStore(env) as unknown as FactStore;
}, 60_000);

afterAll(async () => {
  await dynamo?.close();
});

describe('UI routes on the AWS composition', () => {
  it('GET /v1/workflows/encode: the bundled ASL with the deployment\'s function ARNs', async () => {
    const res = await get('/v1/workflows/encode');
    expect(res.status).toBe(200);
    const wf = WorkflowDefinitionSchema.parse(res.body);
    expect(JSON.stringify(wf.definition)).toContain(FN_ARN('inspect'));
    expect((await get('/v1/workflows/other')).status).toBe(404);
  });

  it('GET /v1/functions/{name}: function.json, no runs and why', async () => {
    const res = await get('/v1/functions/inspect');
    expect(res.status).toBe(200);
    const fn = FunctionDetailSchema.parse(res.body);
    expect(fn).toMatchObject({ config: { name: 'inspect' }, recentRuns: [], durationMs: { count: 0 }, recentRunsUnavailableReason: expect.stringMatching(/no index by function/) });
    // Deployed functions only.
    expect((await get('/v1/functions/package')).status).toBe(404);
  });

  it("GET /v1/rules: the bundled rules with the deployment's source bucket", async () => {
    const res = await get('/v1/rules');
    expect(res.status).toBe(200);
    const ingest = RuleViewSchema.parse(res.body.rules.find((r: { name: string }) => r.name === 'ingest-video'));
    expect((ingest.on as { detail: { bucket: { name: string[] } } }).detail.bucket.name).toEqual(['mosaic-dev-sources']);
  });

  it('facts and firings from the job table; the dry run against them', async () => {
    await facts.assertFacts('preset:default', { version: 3 });
    await facts.claimFiring({ id: 'aws-f-1', rule: 'record-preset-version', subject: 'preset:default', eventId: 'e-1' });
    expect((await get('/v1/facts?subject=preset:default')).body).toEqual({ subject: 'preset:default', subjects: [{ subject: 'preset:default', facts: { version: 3 } }], truncated: false });
    const firings = await get('/v1/rules/record-preset-version/firings');
    expect(firings.body.firings).toMatchObject([{ id: 'aws-f-1', rule: 'record-preset-version', subject: 'preset:default', eventId: 'e-1' }]);
    const event = {
      id: 'evt-1',
      'detail-type': 'Facts Asserted',
      source: 'mosaic',
      detail: { subject: 'job:j-1', rule: 'record-job-preset-version', facts: { preset: 'default', presetVersion: 2, jobId: 'j-1', sourceKey: 'inbox/a.mp4' } },
    };
    const test = await get('/v1/rules/reencode-outdated-job/test', { method: 'POST', body: JSON.stringify({ event }) });
    expect(test.status, JSON.stringify(test.body)).toBe(200);
    expect(RuleTestResultSchema.parse(test.body)).toMatchObject({ matched: true, wouldFire: true, conditions: { subject: 'preset:default', held: true } });
  });
});
