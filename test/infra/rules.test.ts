/**
 * The EventBridge rules in the template are the compiled rules: for every `rules/*.json`, the
 * deployed rule has the compiled pattern (with the stack's bucket for `${SourceBucket}`), bus,
 * state, and one target per compiled target — the Lambda its ref names, with the compiled input
 * transformer. An invalid rule file fails the synth naming the file, the path and the problem.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileToEventBridge, RULE_ENGINE_REF, type EventBridgeRuleSpec } from '../../lambdas/core/rules/index.js';
import { loadRules } from '../../local/rules-loader.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { PlatformRules } from '../../lib/constructs/rules.js';
import { FAST_CONTEXT, buildStage, lambdaFor, resourcesOf, type BuiltStage } from './infra-app.js';

const BUCKET_NAME = { 'Fn::Join': ['', ['mosaic-dev-sources-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] };
/** The compiled rules with the placeholder kept: the template must have the bucket where it stands. */
const compiled: EventBridgeRuleSpec[] = loadRules().rules.map(compileToEventBridge);

let dev: BuiltStage;
let byName: Map<string, Record<string, any>>;
beforeAll(() => {
  dev = buildStage('dev');
  byName = new Map(Object.values(resourcesOf(dev.stateless, 'AWS::Events::Rule')).map((r) => [r.Properties!.Name as string, r.Properties!]));
});

/** The template's value with the bucket's Fn::Join put back as the `${SourceBucket}` it came from. */
const unsubstitute = (v: unknown): unknown => {
  if (JSON.stringify(v) === JSON.stringify(BUCKET_NAME)) return '${SourceBucket}';
  if (Array.isArray(v)) return v.map(unsubstitute);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsubstitute(x)]));
  return v;
};

function targetLogicalId(ref: string): string {
  const fns = resourcesOf(dev.stateless, 'AWS::Lambda::Function');
  const byEnv = (pred: (vars: Record<string, unknown>) => boolean) => {
    const found = Object.entries(fns).filter(([, r]) => pred(r.Properties?.Environment?.Variables ?? {}));
    expect(found, ref).toHaveLength(1);
    return found[0]![0];
  };
  if (ref === RULE_ENGINE_REF) return byEnv((v) => v.POWERTOOLS_SERVICE_NAME === 'mosaic-rule-engine');
  if (ref === 'workflow:encode') return byEnv((v) => v.POWERTOOLS_SERVICE_NAME === 'mosaic-upload-trigger');
  if (ref.startsWith('workflow:')) return byEnv((v) => v.POWERTOOLS_SERVICE_NAME === 'mosaic-workflow-starter' && v.MOSAIC_WORKFLOW === ref.slice('workflow:'.length));
  return lambdaFor(dev.stateless, ref.slice('function:'.length))[0];
}

describe('EventBridge rules from rules/*.json', () => {
  it('deploys every rule file, and nothing else under these names', () => {
    expect(compiled.length).toBeGreaterThanOrEqual(8);
    for (const spec of compiled) expect(byName.has(`mosaic-dev-${spec.name}`), spec.name).toBe(true);
  });

  it.each(compiled.map((c) => [c.name, c] as const))('%s: pattern, bus, state, targets and input transformers equal the compiled rule', (_name, spec) => {
    const rule = byName.get(`mosaic-dev-${spec.name}`)!;
    expect(unsubstitute(rule.EventPattern)).toEqual(spec.eventPattern);
    expect(rule.State).toBe(spec.enabled ? 'ENABLED' : 'DISABLED');
    expect(rule.Description).toBe(spec.description);
    if (spec.bus === 'default') expect(rule.EventBusName).toBeUndefined();
    else expect(rule.EventBusName).toEqual({ Ref: Object.keys(resourcesOf(dev.stateless, 'AWS::Events::EventBus'))[0] });
    expect(rule.Targets).toHaveLength(spec.targets.length);
    spec.targets.forEach((t, i) => {
      const deployed = rule.Targets[i];
      expect(deployed.Arn, t.ref).toEqual({ 'Fn::GetAtt': [targetLogicalId(t.ref), 'Arn'] });
      if (t.inputTransformer) expect(deployed.InputTransformer).toEqual({ InputPathsMap: t.inputTransformer.inputPathsMap, InputTemplate: t.inputTransformer.inputTemplate });
      else expect(deployed.InputTransformer).toBeUndefined();
      expect(deployed.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 });
      expect(deployed.DeadLetterConfig.Arn['Fn::GetAtt'][1]).toBe('Arn');
    });
  });

  it('the ingest rule has the upload trigger as target with the upload as input, on the default bus', () => {
    const ingest = byName.get('mosaic-dev-ingest-video')!;
    expect(ingest.EventPattern.detail.bucket.name).toEqual([BUCKET_NAME]);
    expect(ingest.Targets[0].InputTransformer.InputTemplate).toBe('{"trigger":"s3-upload","rule":"ingest-video","upload":{"bucket":<bucket>,"key":<key>,"versionId":<versionId>,"etag":<etag>,"size":<size>}}');
  });

  it('lets EventBridge invoke each target from its rule only', () => {
    const perms = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::Permission')).map((p) => p.Properties!);
    for (const spec of compiled) {
      const ruleId = Object.entries(resourcesOf(dev.stateless, 'AWS::Events::Rule')).find(([, r]) => r.Properties!.Name === `mosaic-dev-${spec.name}`)![0];
      for (const t of spec.targets)
        expect(perms, `${spec.name} → ${t.ref}`).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] }, FunctionName: { 'Fn::GetAtt': [targetLogicalId(t.ref), 'Arn'] } }));
    }
  });

  it('gives the rule engine its configuration and least-privilege access', () => {
    const [id, fn] = Object.entries(resourcesOf(dev.stateless, 'AWS::Lambda::Function')).find(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-rule-engine')!;
    expect(fn.Properties!.Environment.Variables).toMatchObject({ MOSAIC_SOURCE_BUCKET: BUCKET_NAME, MOSAIC_FUNCTION_ARNS: '{}' });
    expect(Object.keys(fn.Properties!.Environment.Variables)).toEqual(expect.arrayContaining(['MOSAIC_TABLE', 'MOSAIC_EVENT_BUS', 'MOSAIC_STATE_MACHINE_ARN']));
    const role = fn.Properties!.Role['Fn::GetAtt'][0];
    const statements = Object.values(resourcesOf(dev.stateless, 'AWS::IAM::Policy'))
      .filter((p) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties!.PolicyDocument.Statement as Record<string, any>[]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'events:PutEvents', 'states:StartExecution']));
    for (const a of actions) expect(a).not.toContain('*');
    expect(id).toBeTruthy();
  });

  it("gives each workflow a rule starts (other than encode) one starter Lambda: its state machine, the table, the bus, report.json reads", () => {
    const started = [...new Set(compiled.flatMap((c) => c.targets.map((t) => t.ref)).filter((r) => r.startsWith('workflow:') && r !== 'workflow:encode'))].sort();
    expect(started).toContain('workflow:measure');
    const fns = resourcesOf(dev.stateless, 'AWS::Lambda::Function');
    const starters = Object.entries(fns).filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-workflow-starter');
    expect(starters.map(([, r]) => `workflow:${r.Properties!.Environment.Variables.MOSAIC_WORKFLOW}`).sort()).toEqual(started);
    const machines = resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine');
    for (const [id, fn] of starters) {
      const env = fn.Properties!.Environment.Variables;
      const [smId] = Object.entries(machines).find(([, m]) => m.Properties!.StateMachineName === `mosaic-dev-${env.MOSAIC_WORKFLOW}`)!;
      expect(env.MOSAIC_STATE_MACHINE_ARN).toEqual({ Ref: smId });
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['MOSAIC_TABLE', 'MOSAIC_EVENT_BUS', 'MOSAIC_SOURCE_BUCKET', 'MOSAIC_DERIVATIVE_BUCKET', 'MOSAIC_FUNCTION_PLATFORMS']));
      expect(JSON.parse(env.MOSAIC_FUNCTION_PLATFORMS)).toMatchObject({ 'measure-quality': expect.stringMatching(/^(lambda|fargate)$/) });
      expect(fn.Properties!.Handler).toBe('index.handler');
      const role = fn.Properties!.Role['Fn::GetAtt'][0];
      const statements = Object.values(resourcesOf(dev.stateless, 'AWS::IAM::Policy'))
        .filter((p) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role))
        .flatMap((p) => p.Properties!.PolicyDocument.Statement as Record<string, any>[]);
      const of = (action: string) => statements.filter((st) => [st.Action].flat().includes(action));
      // StartExecution on its own state machine only.
      expect(of('states:StartExecution').map((st) => st.Resource), id).toEqual([{ Ref: smId }]);
      expect(of('dynamodb:PutItem')).toHaveLength(1);
      expect(of('events:PutEvents')).toHaveLength(1);
      // Reads of report.json in the derivative bucket only.
      const reads = of('s3:GetObject');
      expect(reads).toHaveLength(1);
      expect(JSON.stringify(reads[0]!.Resource)).toMatch(/mosaic-dev-derivatives-.*\/\*\/report\.json/);
      for (const a of statements.flatMap((st) => [st.Action].flat())) expect(a).not.toContain('*');
      expect(of('states:StopExecution')).toHaveLength(0);
      expect(of('s3:PutObject')).toHaveLength(0);
    }
  });

  it('lets the rule engine start a workflow other than encode that an engine rule names: its ARN, StartExecution on it, report reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-rules-engine-wf-'));
    writeFileSync(join(dir, 'measure-if.json'), JSON.stringify({
      name: 'measure-if', description: 'd', on: { source: ['mosaic'], 'detail-type': ['Job Status Changed'] },
      if: { subject: 'job:<jobId>', facts: { measure: [true] } }, paths: { jobId: '$.detail.jobId' },
      then: [{ type: 'start-workflow', workflow: 'measure', input: { template: { of: '<jobId>' } } }],
    }));
    const stack = new Stack(new App({ context: FAST_CONTEXT }), 'T');
    const fn = new lambda.Function(stack, 'F', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'h', code: lambda.Code.fromInline('x') });
    const machine = (id: string) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `${id}P`)) });
    const encode = machine('Encode');
    const measure = machine('Measure');
    const rules = new PlatformRules(stack, 'Rules', {
      config: ENVIRONMENTS.dev!, rulesDir: dir, substitutions: { SourceBucket: 'b' }, eventBus: new events.EventBus(stack, 'Bus'),
      table: new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
      stateMachine: encode, workflows: { encode, measure }, workflowStarters: { encode: fn }, derivativeBucketName: 'mosaic-dev-derivatives-x', functions: {}, deadLetterQueue: new sqs.Queue(stack, 'Q'),
    });
    // Through the engine: no starter Lambda of its own.
    expect(rules.starters.size).toBe(0);
    const t = Template.fromStack(stack);
    const [, engine] = Object.entries(resourcesOf(t, 'AWS::Lambda::Function')).find(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-rule-engine')!;
    const env = engine.Properties!.Environment.Variables;
    const measureId = Object.keys(resourcesOf(t, 'AWS::StepFunctions::StateMachine')).find((id) => id.startsWith('Measure'))!;
    expect(JSON.stringify(env.MOSAIC_STATE_MACHINE_ARNS)).toContain(measureId);
    expect(env).toMatchObject({ MOSAIC_DERIVATIVE_BUCKET: 'mosaic-dev-derivatives-x' });
    const role = engine.Properties!.Role['Fn::GetAtt'][0];
    const statements = Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
      .filter((p) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties!.PolicyDocument.Statement as Record<string, any>[]);
    const starts = statements.filter((st) => [st.Action].flat().includes('states:StartExecution')).map((st) => st.Resource.Ref).sort();
    expect(starts).toEqual([Object.keys(resourcesOf(t, 'AWS::StepFunctions::StateMachine')).find((id) => id.startsWith('Encode')), measureId].sort());
    expect(JSON.stringify(statements.find((st) => st.Sid === 'ReadReports')!.Resource)).toMatch(/:s3:::mosaic-dev-derivatives-x\/\*\/report\.json"/);
  });

  it('fails the synth on a rule starting a workflow that has no state-machines/<name>.asl.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-rules-nowf-'));
    writeFileSync(join(dir, 'start-nothing.json'), JSON.stringify({ name: 'start-nothing', description: 'd', on: { source: ['mosaic'], 'detail-type': ['X'] }, then: [{ type: 'start-workflow', workflow: 'no-such-flow' }] }));
    const stack = new Stack(new App({ context: FAST_CONTEXT }), 'T');
    const fn = new lambda.Function(stack, 'F', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'h', code: lambda.Code.fromInline('x') });
    const sm = new sfn.StateMachine(stack, 'SM', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) });
    expect(() =>
      new PlatformRules(stack, 'Rules', {
        config: ENVIRONMENTS.dev!,
        rulesDir: dir,
        substitutions: { SourceBucket: 'b' },
        eventBus: new events.EventBus(stack, 'Bus'),
        table: new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
        stateMachine: sm,
        workflows: { encode: sm },
        workflowStarters: { encode: fn },
        derivativeBucketName: 'd',
        functions: {},
        deadLetterQueue: new sqs.Queue(stack, 'Q'),
      }),
    ).toThrow(/^rules\/start-nothing\.json: then: no workflow "no-such-flow" in this stack: there is no state-machines\/no-such-flow\.asl\.json \(known: encode\)/);
  });

  it('fails the synth on an invalid rule file, naming the file, the path and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-bad-rules-'));
    writeFileSync(join(dir, 'bad-rule.json'), JSON.stringify({ name: 'bad-rule', description: 'd', on: { source: 'mosaic' }, then: [{ type: 'start-workflow', workflow: 'Encode' }] }));
    const stack = new Stack(new App({ context: FAST_CONTEXT }), 'T');
    const fn = new lambda.Function(stack, 'F', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'h', code: lambda.Code.fromInline('x') });
    const make = () =>
      new PlatformRules(stack, 'Rules', {
        config: ENVIRONMENTS.dev!,
        rulesDir: dir,
        substitutions: { SourceBucket: 'b' },
        eventBus: new events.EventBus(stack, 'Bus'),
        table: new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
        stateMachine: new sfn.StateMachine(stack, 'SM', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) }),
        workflowStarters: { encode: fn },
        functions: {},
        deadLetterQueue: new sqs.Queue(stack, 'Q'),
      });
    let message = '';
    try {
      make();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid rules:\n/);
    expect(message).toMatch(/rules\/bad-rule\.json: on\.source: /);
    expect(message).toMatch(/rules\/bad-rule\.json: then\[0\]\.workflow: a workflow name must be kebab-case/);
  });
});
