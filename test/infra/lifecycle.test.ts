/**
 * The lifecycle construct in the synthesized stateless stack: its two rules (patterns, bus,
 * target, retries, dead letters), the Lambda's environment, and an IAM policy of exactly the calls
 * the lifecycle makes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_ENTRY } from '../../lib/constructs/lifecycle.js';
import { asArray, buildStage, iamStatements, resourcesOf, type BuiltStage, type Resources } from './infra-app.js';

let dev: BuiltStage;
let all: Resources;
let fnId: string;
let busId: string;
let smIds: string[];
const rules = () => Object.values(resourcesOf(dev.stateless, 'AWS::Events::Rule')).map((r) => r.Properties!);
const rulesTargeting = (id: string) => rules().filter((r) => (r.Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })));

beforeAll(() => {
  dev = buildStage('dev');
  all = resourcesOf(dev.stateless);
  const fns = Object.entries(resourcesOf(dev.stateless, 'AWS::Lambda::Function')).filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-lifecycle');
  expect(fns).toHaveLength(1);
  fnId = fns[0]![0];
  busId = Object.keys(resourcesOf(dev.stateless, 'AWS::Events::EventBus'))[0]!;
  smIds = Object.keys(resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine'));
  expect(smIds.length).toBeGreaterThan(0);
});

describe('lifecycle rules', () => {
  it('sends the status changes of every state machine of the stack, from the default bus', () => {
    const [rule, ...more] = rulesTargeting(fnId).filter((r) => r.EventPattern.source?.[0] === 'aws.states');
    expect(more).toEqual([]);
    expect(rule!.EventBusName).toBeUndefined();
    expect(rule!.State).toBe('ENABLED');
    expect(rule!.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: smIds.map((id) => ({ Ref: id })) },
    });
  });

  it("sends the functions' step status changes and progress and the allocator's sizing from the platform bus, nothing else of it", () => {
    const [rule, ...more] = rulesTargeting(fnId).filter((r) => r.EventBusName !== undefined);
    expect(more).toEqual([]);
    expect(rule!.EventBusName).toEqual({ Ref: busId });
    expect(rule!.EventPattern).toEqual({ source: ['mosaic'], 'detail-type': ['Step Status Changed', 'Step Progress', 'Task Allocated'] });
    expect(rulesTargeting(fnId)).toHaveLength(2);
  });

  it('retries deliveries for hours, then dead-letters them into the lifecycle queue, which EventBridge may write', () => {
    const queues = resourcesOf(dev.stateless, 'AWS::SQS::Queue');
    for (const rule of rulesTargeting(fnId)) {
      expect(rule.Targets).toHaveLength(1);
      const t = rule.Targets[0];
      expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 });
      const queueId = t.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
      expect(queues[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      // The same queue takes the Lambda's own failed async invocations.
      expect(all[fnId]!.Properties!.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      const policy = Object.values(resourcesOf(dev.stateless, 'AWS::SQS::QueuePolicy')).find((p) => asArray<Record<string, unknown>>(p.Properties!.Queues).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: queueId })));
      expect(JSON.stringify(policy?.Properties!.PolicyDocument)).toContain('events.amazonaws.com');
    }
    const invoke = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties!.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }));
    expect(invoke.map((p) => p.Properties!.Principal)).toEqual(['events.amazonaws.com', 'events.amazonaws.com']);
  });
});

describe('lifecycle Lambda', () => {
  it('runs the lifecycle bootstrap with the table, the bus and both buckets', () => {
    const p = all[fnId]!.Properties!;
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Handler).toBe('index.handler');
    expect(p.DeadLetterConfig).toBeDefined();
    expect(Object.keys(p.Environment.Variables).sort()).toEqual(
      ['MOSAIC_DERIVATIVE_BUCKET', 'MOSAIC_ENVIRONMENT', 'MOSAIC_EVENT_BUS', 'MOSAIC_SOURCE_BUCKET', 'MOSAIC_TABLE', 'NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME'],
    );
    expect(p.Environment.Variables.MOSAIC_EVENT_BUS).toEqual({ Ref: busId });
    expect(LIFECYCLE_ENTRY).toMatch(/lambdas\/bootstrap\/lifecycle\.ts$/);
    const invokeConfig = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::EventInvokeConfig')).find((c) => JSON.stringify(c.Properties!.FunctionName) === JSON.stringify({ Ref: fnId }));
    expect(invokeConfig?.Properties).toMatchObject({ MaximumRetryAttempts: 2 });
  });

  it('may call exactly what the lifecycle calls: the table (no indexes), PutEvents on the bus, list and delete in the derivative bucket', () => {
    const roleId = all[fnId]!.Properties!.Role['Fn::GetAtt'][0] as string;
    const mine = iamStatements(dev.stateless).filter(({ where }) => {
      const roles = asArray<{ Ref: string }>(all[where]?.Properties?.Roles);
      return roles.some((r) => r.Ref === roleId);
    }).map(({ statement }) => statement);
    const bySid = Object.fromEntries(mine.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['DeleteDerivatives', 'JobEvents', 'JobState', 'ListDerivatives']);
    for (const s of mine) for (const a of asArray<string>(s.Action)) expect(a).not.toContain('*');
    expect(bySid.JobState).toMatchObject({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] });
    expect(JSON.stringify(bySid.JobState!.Resource)).not.toContain('index');
    expect(bySid.JobEvents).toMatchObject({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } });
    expect(bySid.ListDerivatives!.Action).toBe('s3:ListBucket');
    expect(bySid.DeleteDerivatives!.Action).toBe('s3:DeleteObject');
    const derivatives = JSON.stringify(bySid.DeleteDerivatives!.Resource);
    expect(derivatives).toContain('mosaic-dev-derivatives');
    expect(derivatives).toMatch(/\/\*"/);
    // Never the sources: nothing of a job's end touches them.
    expect(JSON.stringify(mine)).not.toContain('mosaic-dev-sources');
    // Besides these: its own dead-letter queue (failed async invocations) and X-Ray (no resource-level permissions).
    const rest = mine.filter((s) => !s.Sid);
    expect(rest.flatMap((s) => asArray<string>(s.Action)).sort()).toEqual(['sqs:SendMessage', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const queueId = all[fnId]!.Properties!.DeadLetterConfig.TargetArn['Fn::GetAtt'][0];
    expect(rest.find((s) => s.Action === 'sqs:SendMessage')!.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });
});
