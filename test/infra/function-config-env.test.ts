/**
 * function.json's environment, reservedConcurrency and secrets reach the Lambda and the Fargate
 * container: plain variables as values, secrets only as references (MOSAIC_SECRET_REFS / ECS
 * valueFrom) with read access to exactly their SSM parameter and Secrets Manager secret.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { MosaicStage } from '../../lib/mosaic-stage.js';
import { PATHS } from '../../lib/paths.js';
import { asArray, functionConfigs, iamStatements, lambdaFor, newTestApp, resourcesOf } from './infra-app.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mosaic/fixture-api-AbCdEf';
const fixture = {
  $schema: '../../../schemas/function.schema.json',
  ...functionConfigs().find((c) => c.name === 'thumbnails')!,
  name: 'watermark',
  description: 'A fixture function with environment, reserved concurrency and secrets',
  platforms: ['lambda', 'fargate'],
  defaultPlatform: 'lambda',
  reservedConcurrency: 7,
  environment: { WATERMARK_TEXT: 'hello', LOG_FORMAT: 'json' },
  secrets: {
    WEBHOOK_TOKEN: { ssm: '/mosaic/fixture/webhook-token' },
    API_KEY: { secretsManager: SECRET_ARN, key: 'apiKey' },
  },
};

let dir: string;
let t: Template;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mosaic-functions-env-'));
  for (const c of functionConfigs()) {
    mkdirSync(join(dir, c.name));
    copyFileSync(join(PATHS.functionsDir, c.name, 'function.json'), join(dir, c.name, 'function.json'));
  }
  mkdirSync(join(dir, fixture.name));
  writeFileSync(join(dir, fixture.name, 'function.json'), JSON.stringify(fixture));
  const stage = new MosaicStage(newTestApp(), 'Mosaic-dev', { config: ENVIRONMENTS.dev!, functionsDir: dir });
  t = Template.fromStack(stage.stateless);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (x: unknown) => JSON.stringify(x);

describe('function.json environment, reservedConcurrency and secrets', () => {
  it('the Lambda gets the environment, MOSAIC_SECRET_REFS and the reserved concurrency, and no secret value', () => {
    const [, fn] = lambdaFor(t, 'watermark');
    const vars = fn.Properties!.Environment.Variables as Record<string, unknown>;
    expect(vars).toMatchObject({ WATERMARK_TEXT: 'hello', LOG_FORMAT: 'json', MOSAIC_FUNCTION: 'watermark' });
    expect(JSON.parse(vars.MOSAIC_SECRET_REFS as string)).toEqual(fixture.secrets);
    expect(Object.keys(vars)).not.toContain('WEBHOOK_TOKEN');
    expect(Object.keys(vars)).not.toContain('API_KEY');
    expect(fn.Properties!.ReservedConcurrentExecutions).toBe(7);
    // The Parameters and Secrets extension is a layer of it.
    expect(text(fn.Properties!.Layers)).toMatch(/Paramsandsecretslayer/i);
  });

  it('functions without secrets get neither MOSAIC_SECRET_REFS nor secret reads', () => {
    const [, inspect] = lambdaFor(t, 'inspect');
    expect(inspect.Properties!.Environment.Variables.MOSAIC_SECRET_REFS).toBeUndefined();
  });

  it('the Lambda role may read exactly the SSM parameter and the secret (no *)', () => {
    const [, fn] = lambdaFor(t, 'watermark');
    const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policies = Object.values(resourcesOf(t, 'AWS::IAM::Policy')).filter((p) => asArray(p.Properties!.Roles).some((r: { Ref?: string }) => r.Ref === roleId));
    const statements = policies.flatMap((p) => p.Properties!.PolicyDocument.Statement as Record<string, any>[]);
    const ssm = statements.filter((s) => asArray(s.Action).includes('ssm:GetParameter'));
    expect(ssm).toHaveLength(1);
    expect(asArray(ssm[0]!.Resource)).toHaveLength(1);
    expect(text(ssm[0]!.Resource)).toMatch(/:parameter\/mosaic\/fixture\/webhook-token"/);
    const sm = statements.filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(sm).toHaveLength(1);
    expect(sm[0]!.Resource).toBe(SECRET_ARN);
    for (const s of [...ssm, ...sm]) expect(text(s.Resource)).not.toContain('*');
    // Nothing anywhere may read every parameter or secret.
    for (const { statement } of iamStatements(t))
      if (asArray(statement.Action).some((a: string) => /^(ssm:GetParameter|secretsmanager:GetSecretValue)/.test(a))) expect(asArray(statement.Resource)).not.toContain('*');
  });

  it('the Fargate container gets the environment and the secrets as ECS valueFrom references only', () => {
    const tasks = Object.values(resourcesOf(t, 'AWS::ECS::TaskDefinition'));
    const task = tasks.find((x) => x.Properties!.ContainerDefinitions[0].Environment.some((e: { Name: string; Value: string }) => e.Name === 'MOSAIC_FUNCTION' && e.Value === 'watermark'))!;
    expect(task).toBeDefined();
    const container = task.Properties!.ContainerDefinitions[0];
    const env = Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({ WATERMARK_TEXT: 'hello', LOG_FORMAT: 'json' });
    expect(JSON.parse(env.MOSAIC_SECRET_REFS as string)).toEqual(fixture.secrets);
    const secrets = Object.fromEntries((container.Secrets as { Name: string; ValueFrom: unknown }[]).map((s) => [s.Name, s.ValueFrom]));
    expect(Object.keys(secrets).sort()).toEqual(['MOSAIC_SECRET_VALUE_API_KEY', 'MOSAIC_SECRET_VALUE_WEBHOOK_TOKEN']);
    expect(secrets.MOSAIC_SECRET_VALUE_API_KEY).toBe(`${SECRET_ARN}:apiKey::`);
    expect(text(secrets.MOSAIC_SECRET_VALUE_WEBHOOK_TOKEN)).toMatch(/:parameter\/mosaic\/fixture\/webhook-token"/);
  });
});
