/**
 * The Jobs API construct (lib/constructs/jobs-api.ts) and webhook delivery (lib/constructs/job-events.ts):
 * API Gateway REST → the API Lambda, keys and usage plan, throttling, logs, tracing, least privilege.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_BACKOFF_MS, WEBHOOK_TIMEOUT_MS } from '../../lib/constructs/job-events.js';
import { PUBLIC_API_PATHS } from '../../lib/constructs/jobs-api.js';
import { asArray, buildStage, functionConfigs, iamStatements, lambdaFor, resourcesOf, type BuiltStage, type Resources } from './infra-app.js';

let dev: BuiltStage;
let prod: BuiltStage;
beforeAll(() => {
  dev = buildStage('dev');
  prod = buildStage('prod');
});

const only = (r: Resources): [string, Resources[string]] => {
  const entries = Object.entries(r);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

const fnByService = (s: BuiltStage, service: string) =>
  only(Object.fromEntries(Object.entries(resourcesOf(s.stateless, 'AWS::Lambda::Function')).filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service)));

/** Every IAM statement attached to the role of a function. */
const statementsOf = (s: BuiltStage, fn: Resources[string]) => {
  const roleRef = fn.Properties!.Role['Fn::GetAtt'][0];
  return iamStatements(s.stateless)
    .filter(({ where }) => asArray(resourcesOf(s.stateless)[where]!.Properties?.Roles).some((r: { Ref?: string }) => r.Ref === roleRef))
    .map((x) => x.statement);
};

/** Full path of an API Gateway resource id (`/` for the root). */
function pathOf(s: BuiltStage, resourceId: unknown): string {
  const all = resourcesOf(s.stateless, 'AWS::ApiGateway::Resource');
  const parts: string[] = [];
  let id = resourceId as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  while (id.Ref) {
    const r = all[id.Ref]!.Properties!;
    parts.unshift(r.PathPart as string);
    id = r.ParentId;
  }
  expect(id['Fn::GetAtt']?.[1]).toBe('RootResourceId');
  return `/${parts.join('/')}`;
}

const methodsOf = (s: BuiltStage) =>
  Object.values(resourcesOf(s.stateless, 'AWS::ApiGateway::Method')).map((m) => ({ path: pathOf(s, m.Properties!.ResourceId), ...m.Properties! }) as Record<string, any>);

describe('Jobs API: API Gateway', () => {
  it('is one regional REST API reading keys from the x-api-key header, with a stage per environment', () => {
    const [apiId, api] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::RestApi'));
    expect(api.Properties).toMatchObject({ Name: 'mosaic-dev-api', EndpointConfiguration: { Types: ['REGIONAL'] }, ApiKeySourceType: 'HEADER' });
    const [, stage] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::Stage'));
    expect(stage.Properties).toMatchObject({ StageName: 'dev', RestApiId: { Ref: apiId }, TracingEnabled: true });
    expect(only(resourcesOf(prod.stateless, 'AWS::ApiGateway::Stage'))[1].Properties!.StageName).toBe('prod');
  });

  it('requires an API key on every method except GET of the public paths (health and the API description)', () => {
    const methods = methodsOf(dev);
    const open = methods.filter((m) => m.ApiKeyRequired !== true).map((m) => `${m.HttpMethod} ${m.path}`).sort();
    expect(open).toEqual(PUBLIC_API_PATHS.map((p) => `GET ${p}`).sort());
    expect(open).toContain('GET /v1/health');
    const keyed = methods.filter((m) => m.ApiKeyRequired === true).map((m) => `${m.HttpMethod} ${m.path}`).sort();
    // Everything else goes to the app through greedy proxies, with a key.
    expect(keyed).toEqual(['ANY /', 'ANY /v1/{proxy+}', 'ANY /{proxy+}']);
    for (const m of methods) expect(m.AuthorizationType).toBe('NONE');
  });

  it('integrates every method with the API Lambda as a proxy, and lets only this API invoke it', () => {
    const [fnId] = fnByService(dev, 'mosaic-api');
    const [apiId] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::RestApi'));
    for (const m of methodsOf(dev)) {
      expect(m.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(JSON.stringify(m.Integration.Uri)).toContain(JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }));
    }
    const permissions = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::Permission')).filter((p) => p.Properties!.FunctionName['Fn::GetAtt']?.[0] === fnId);
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(p.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      expect(JSON.stringify(p.Properties!.SourceArn)).toContain(JSON.stringify({ Ref: apiId }));
    }
  });

  it('has one API key in a usage plan with throttling and a daily quota, bound to the stage', () => {
    const [apiId] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::RestApi'));
    const [stageId] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::Stage'));
    const [keyId, key] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::ApiKey'));
    expect(key.Properties).toMatchObject({ Enabled: true });
    expect(key.Properties!.Value).toBeUndefined(); // generated by API Gateway, never in the template
    const [planId, plan] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::UsagePlan'));
    expect(plan.Properties).toMatchObject({
      UsagePlanName: 'mosaic-dev',
      Throttle: { RateLimit: dev.config.api.rateLimit, BurstLimit: dev.config.api.burstLimit },
      Quota: { Limit: dev.config.api.quotaPerDay, Period: 'DAY' },
      ApiStages: [{ ApiId: { Ref: apiId }, Stage: { Ref: stageId } }],
    });
    const [, planKey] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::UsagePlanKey'));
    expect(planKey.Properties).toEqual({ KeyId: { Ref: keyId }, KeyType: 'API_KEY', UsagePlanId: { Ref: planId } });
    // prod has its own, larger numbers.
    const [, prodPlan] = only(resourcesOf(prod.stateless, 'AWS::ApiGateway::UsagePlan'));
    expect(prodPlan.Properties).toMatchObject({ Throttle: { RateLimit: 50, BurstLimit: 100 }, Quota: { Limit: 200_000, Period: 'DAY' } });
  });

  it('throttles the stage, logs execution errors (INFO in dev) without bodies, and writes JSON access logs to a log group', () => {
    for (const [s, level] of [[dev, 'INFO'], [prod, 'ERROR']] as const) {
      const [, stage] = only(resourcesOf(s.stateless, 'AWS::ApiGateway::Stage'));
      expect(stage.Properties!.MethodSettings).toEqual([
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: level,
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: s.config.api.rateLimit,
          ThrottlingBurstLimit: s.config.api.burstLimit,
        },
      ]);
      const access = stage.Properties!.AccessLogSetting;
      const [logId] = access.DestinationArn['Fn::GetAtt'];
      expect(resourcesOf(s.stateless, 'AWS::Logs::LogGroup')[logId]!.Properties).toMatchObject({ RetentionInDays: s.config.logRetentionDays });
      const format = JSON.parse(access.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', httpMethod: '$context.httpMethod', resourcePath: '$context.resourcePath', ip: '$context.identity.sourceIp' });
    }
    // Logging needs API Gateway's account-level role; kept on delete (one per account and region).
    const [, account] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::Account'));
    const roleId = account.Properties!.CloudWatchRoleArn['Fn::GetAtt'][0];
    expect(resourcesOf(dev.stateless)[roleId]!.DeletionPolicy).toBe('Retain');
  });

  it("answers gateway errors (missing key, throttling, quota, too large) in the app's error shape", () => {
    const responses = Object.values(resourcesOf(dev.stateless, 'AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties!);
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    expect(byType.INVALID_API_KEY?.StatusCode).toBe('401');
    expect(byType.THROTTLED?.StatusCode).toBe('429');
    expect(byType.QUOTA_EXCEEDED?.StatusCode).toBe('429');
    expect(byType.REQUEST_TOO_LARGE?.StatusCode).toBe('413');
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) expect(byType[type]).toBeDefined();
    for (const r of responses) {
      // The VTL variables are strings in the real answer; stand them in to check the JSON shape.
      const body = JSON.parse(String(r.ResponseTemplates['application/json']).replace('$context.error.messageString', '"m"'));
      expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: { requestId: '$context.requestId' } } });
    }
    expect(JSON.parse(byType.INVALID_API_KEY.ResponseTemplates['application/json']).error.code).toBe('unauthorized');
  });
});

describe('Jobs API: the Lambda', () => {
  it('runs the API bootstrap with X-Ray, within API Gateway’s 29 s, knowing the workflow and every media function', () => {
    const [, fn] = fnByService(dev, 'mosaic-api');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 29, TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
    const env = fn.Properties!.Environment.Variables;
    const smId = Object.keys(resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine'))[0]!;
    expect(env).toMatchObject({ MOSAIC_STATE_MACHINE_ARN: { Ref: smId }, MOSAIC_MAP_CONCURRENCY: String(dev.config.mapMaxConcurrency), MOSAIC_MAX_BODY_BYTES: String(1024 * 1024) });
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['MOSAIC_TABLE', 'MOSAIC_EVENT_BUS', 'MOSAIC_SOURCE_BUCKET', 'MOSAIC_DERIVATIVE_BUCKET']));
    // Stack.toJsonString renders an Fn::Join of text and ARNs: read it back with each ARN as its logical id.
    const [, parts] = env.MOSAIC_FUNCTION_ARNS['Fn::Join'] as [string, (string | { 'Fn::GetAtt': [string, string] })[]];
    const arns = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : p['Fn::GetAtt'][0])).join('')) as Record<string, string>;
    const names = functionConfigs().map((c) => c.name);
    expect(Object.keys(arns).sort()).toEqual([...names].sort());
    for (const name of names) expect(arns[name]).toBe(lambdaFor(dev.stateless, name)[0]);
    // Every workflow's state machine, by name (read back with each ARN as its logical id).
    const [, smParts] = env.MOSAIC_STATE_MACHINE_ARNS['Fn::Join'] as [string, (string | { Ref: string })[]];
    const machines = JSON.parse(smParts.map((p) => (typeof p === 'string' ? p : p.Ref)).join('')) as Record<string, string>;
    const byName = Object.fromEntries(Object.entries(resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine')).map(([id, r]) => [String(r.Properties!.StateMachineName).replace(/^mosaic-dev-/, ''), id]));
    expect(machines).toEqual(byName);
    expect(Object.keys(machines)).toEqual(expect.arrayContaining(['encode', 'measure', 'repackage']));
  });

  it('may call exactly what the app calls, each on its own resources (no * actions)', () => {
    const [, fn] = fnByService(dev, 'mosaic-api');
    const statements = statementsOf(dev, fn);
    const actions = [...new Set(statements.flatMap((s) => asArray<string>(s.Action)))].sort();
    expect(actions).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'lambda:InvokeFunction',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'states:StartExecution',
      'states:StopExecution',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    const text = (x: unknown) => JSON.stringify(x);
    // Presigned PUTs only under uploads/ of the source bucket.
    expect(asArray(bySid('Uploads').Resource)).toHaveLength(1);
    expect(text(bySid('Uploads').Resource)).toMatch(/mosaic-dev-sources-.*\/uploads\/\*/);
    expect(text(bySid('ReadSources').Resource)).toMatch(/uploads\/\*.*inbox\/\*/);
    // Deletes only in the derivative bucket (a cancelled job's outputs and work files).
    expect(asArray(bySid('Derivatives').Action)).toEqual(['s3:GetObject', 's3:DeleteObject']);
    expect(text(bySid('Derivatives').Resource)).toMatch(/mosaic-dev-derivatives-.*\/\*/);
    expect(text(bySid('Derivatives').Resource)).not.toMatch(/sources/);
    // Start every workflow's state machine (a job's runs are executions of its workflow's); stop only their executions.
    const smIds = Object.keys(resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine')).sort();
    expect(smIds.length).toBeGreaterThanOrEqual(3);
    expect(asArray(bySid('StartJobs').Resource).map((r: { Ref: string }) => r.Ref).sort()).toEqual(smIds);
    const stops = asArray(bySid('StopJobs').Resource).map(text);
    expect(stops).toHaveLength(smIds.length);
    for (const [n, smId] of smIds.entries()) {
      const stop = stops.find((r) => r.includes(text({ 'Fn::GetAtt': [smId, 'Name'] })));
      expect(stop, smId).toBeDefined();
      expect(stop).toContain(':execution:');
      expect(n).toBeGreaterThanOrEqual(0);
    }
    // Invoke the base media functions only (not the allocator's size variants).
    const invoked = asArray<{ 'Fn::GetAtt': [string, string] }>(bySid('InvokeMediaFunctions').Resource).map((r) => r['Fn::GetAtt'][0]).sort();
    expect(invoked).toEqual(functionConfigs().map((c) => lambdaFor(dev.stateless, c.name)[0]).sort());
  });

  it('lets media functions read API uploads from the source bucket (where the runtime routes uploads/)', () => {
    const [, inspect] = lambdaFor(dev.stateless, 'inspect');
    const read = statementsOf(dev, inspect).find((s) => s.Sid === 'ReadSources')!;
    expect(JSON.stringify(read.Resource)).toMatch(/sources-.*inbox\/\*.*sources-.*uploads\/\*/);
    expect(asArray(read.Action)).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
  });
});

describe('alarms (prod)', () => {
  it('alarm on API Lambda crashes and on webhook events that ended in the dead-letter queue', () => {
    const alarms = Object.values(resourcesOf(prod.stateless, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const [apiFnId] = fnByService(prod, 'mosaic-api');
    const [hooksFnId] = fnByService(prod, 'mosaic-job-events');
    const on = (ref: string) => alarms.filter((a) => JSON.stringify(a.Dimensions ?? []).includes(JSON.stringify({ Ref: ref })));
    expect(on(apiFnId).map((a) => a.MetricName)).toEqual(['Errors']);
    const rule = Object.values(resourcesOf(prod.stateless, 'AWS::Events::Rule')).find((r) => r.Properties!.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === hooksFnId)!;
    const queueId = rule.Properties!.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0];
    const dlq = alarms.filter((a) => JSON.stringify(a.Dimensions ?? []).includes(JSON.stringify({ 'Fn::GetAtt': [queueId, 'QueueName'] })));
    expect(dlq.map((a) => a.MetricName)).toEqual(['ApproximateNumberOfMessagesVisible']);
    // A receiver being down is not the operator's alarm: no alarm on the webhook function's errors.
    expect(on(hooksFnId)).toEqual([]);
  });
});

describe('webhooks: Job Status Changed → the job-events Lambda', () => {
  it('targets the webhook Lambda from the platform bus with retries and a dead-letter queue', () => {
    const [fnId, fn] = fnByService(dev, 'mosaic-job-events');
    const busId = Object.keys(resourcesOf(dev.stateless, 'AWS::Events::EventBus'))[0]!;
    const rule = Object.values(resourcesOf(dev.stateless, 'AWS::Events::Rule')).find((r) => r.Properties!.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === fnId)!.Properties!;
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(rule.EventPattern).toEqual({ source: ['mosaic'], 'detail-type': ['Job Status Changed'] });
    const queueId = rule.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 });
    expect(fn.Properties!.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    expect(resourcesOf(dev.stateless, 'AWS::SQS::Queue')[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    const invokeConfig = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::EventInvokeConfig')).find((c) => c.Properties!.FunctionName.Ref === fnId)!;
    expect(invokeConfig.Properties!.MaximumRetryAttempts).toBe(2);
  });

  it('outlasts its own retries within one invocation, and may touch only the job table item space', () => {
    const [, fn] = fnByService(dev, 'mosaic-job-events');
    const worst = WEBHOOK_BACKOFF_MS.reduce((a, b) => a + b, 0) / 1000 + ((WEBHOOK_BACKOFF_MS.length + 1) * WEBHOOK_TIMEOUT_MS) / 1000;
    expect(fn.Properties!.Timeout).toBeGreaterThan(worst);
    expect(fn.Properties!.Environment.Variables).toMatchObject({ MOSAIC_WEBHOOK_BACKOFF_MS: WEBHOOK_BACKOFF_MS.join(','), MOSAIC_WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS) });
    const statements = statementsOf(dev, fn);
    const actions = statements.flatMap((s) => asArray<string>(s.Action)).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'sqs:SendMessage', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const table = statements.find((s) => s.Sid === 'JobRecordsAndSecret')!;
    expect(asArray(table.Resource)).toHaveLength(1);
  });
});
