import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '../../lambdas/contracts/metrics.js';
import { DASHBOARD_KINDS, dashboardName } from '../../lib/constructs/dashboards.js';
import { catalogueMetric, SERVICE_DIMENSION } from '../../lib/constructs/metric-widgets.js';
import { asArray, buildStage, iamStatements, resourcesOf, type BuiltStage } from './infra-app.js';

let built: BuiltStage[];
beforeAll(() => {
  built = ['dev', 'prod'].map((env) => buildStage(env));
});
const byEnv = (name: string) => built.find((b) => b.config.name === name)!;

/** A dashboard body with every CloudFormation token written as `«Ref:Id»` / `«GetAtt:Id.Attr»` / `«{json}»`, parsed. */
interface Body {
  widgets: { type: string; properties: Record<string, any> }[];
}
const token = (p: Record<string, any>): string => {
  if (p.Ref) return `«Ref:${p.Ref}»`;
  if (p['Fn::GetAtt']) return `«GetAtt:${p['Fn::GetAtt'][0]}.${p['Fn::GetAtt'][1]}»`;
  return `«${JSON.stringify(p).replace(/"/g, "'")}»`;
};
function bodyText(dashboard: { Properties?: Record<string, any> }): string {
  const b = dashboard.Properties!.DashboardBody;
  if (typeof b === 'string') return b;
  const [sep, parts] = b['Fn::Join'] as [string, (string | Record<string, any>)[]];
  return parts.map((p) => (typeof p === 'string' ? p : token(p))).join(sep);
}
function dashboardsOf(s: BuiltStage): Record<string, { text: string; body: Body }> {
  return Object.fromEntries(
    Object.values(resourcesOf(s.stateless, 'AWS::CloudWatch::Dashboard')).map((d) => {
      const text = bodyText(d);
      return [d.Properties!.DashboardName as string, { text, body: JSON.parse(text) as Body }];
    }),
  );
}
/** Every metric line of a body's graphs: namespace, name, dimensions, options; or a math/search expression. */
function metricLines(body: Body): { namespace?: string; name?: string; dims: Record<string, string>; expression?: string }[] {
  const out: ReturnType<typeof metricLines> = [];
  for (const w of body.widgets) {
    for (const line of (w.properties.metrics as unknown[][] | undefined) ?? []) {
      const options = (typeof line[line.length - 1] === 'object' ? line[line.length - 1] : {}) as Record<string, any>;
      if (options.expression) {
        out.push({ dims: {}, expression: options.expression });
        continue;
      }
      const [namespace, name, ...rest] = line.filter((x) => typeof x === 'string') as string[];
      const dims: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dims[rest[i]!] = rest[i + 1]!;
      out.push({ namespace, name, dims });
    }
  }
  return out;
}
const allText = (s: BuiltStage) => Object.values(dashboardsOf(s)).map((d) => d.text).join('\n');

describe('dashboards', () => {
  it('makes three dashboards per environment: mosaic-<env>-execution, -cost and -latency', () => {
    for (const s of built) {
      const names = Object.keys(dashboardsOf(s)).sort();
      expect(names).toEqual(DASHBOARD_KINDS.map((k) => dashboardName(s.config.name, k)).sort());
      expect(names).toEqual([`mosaic-${s.config.name}-cost`, `mosaic-${s.config.name}-execution`, `mosaic-${s.config.name}-latency`]);
    }
  });

  it('shows every metric of the catalogue, in the environment, on a dimension set the catalogue publishes', () => {
    for (const s of built) {
      const env = s.config.name;
      const lines = Object.values(dashboardsOf(s)).flatMap((d) => metricLines(d.body));
      const mosaic = lines.filter((l) => l.namespace === METRICS_NAMESPACE);
      const searches = lines.filter((l) => l.expression?.startsWith('SEARCH(') && l.expression.includes(`{${METRICS_NAMESPACE},`));
      for (const name of METRIC_NAMES) {
        const shown = mosaic.filter((l) => l.name === name);
        const searched = searches.filter((l) => l.expression!.includes(`MetricName="${name}"`));
        expect(shown.length + searched.length, `${env}: ${name}`).toBeGreaterThan(0);
      }
      expect(mosaic.length).toBeGreaterThan(50);
      // The layout places every metric itself (the catch-all section for new catalogue entries stays empty).
      expect([...s.stage.stateless.dashboards.metrics.used].sort()).toEqual([...METRIC_NAMES].sort());
      expect(Object.values(dashboardsOf(s)).some((d) => d.text.includes('More catalogue metrics'))).toBe(false);
      for (const l of mosaic) {
        expect(METRIC_NAMES, l.name).toContain(l.name);
        expect(l.dims).toMatchObject({ Environment: env, [SERVICE_DIMENSION]: METRICS_SERVICE });
        const own = Object.keys(l.dims).filter((k) => k !== 'Environment' && k !== SERVICE_DIMENSION).sort();
        const sets = METRICS[l.name as keyof typeof METRICS].dimensionSets.map((set) => [...set].sort());
        expect(sets, `${env} ${l.name} {${own.join(', ')}}`).toContainEqual(own);
      }
      for (const l of searches) {
        expect(l.expression).toContain(`Environment="${env}"`);
        expect(l.expression).toContain(`${SERVICE_DIMENSION}="${METRICS_SERVICE}"`);
      }
    }
  });

  it("charts this stack's state machine, every Lambda function, the API, every queue, every rule, the Fargate cluster and task families", () => {
    for (const s of built) {
      const text = allText(s);
      const execution = dashboardsOf(s)[dashboardName(s.config.name, 'execution')]!.text;
      for (const id of Object.keys(resourcesOf(s.stateless, 'AWS::StepFunctions::StateMachine'))) expect(execution, id).toContain(`«Ref:${id}»`);
      // CDK's BucketDeployment handler runs only while a deploy copies the UI: nothing to watch.
      const functions = Object.keys(resourcesOf(s.stateless, 'AWS::Lambda::Function')).filter((id) => !id.startsWith('CustomCDKBucketDeployment'));
      expect(functions.length).toBeGreaterThan(15);
      for (const id of functions) expect(execution, id).toContain(`"FunctionName","«Ref:${id}»"`);
      const [api] = Object.values(resourcesOf(s.stateless, 'AWS::ApiGateway::RestApi'));
      expect(execution).toContain(`"ApiName","${api!.Properties!.Name}","Stage","${s.config.name}"`);
      expect(dashboardsOf(s)[dashboardName(s.config.name, 'latency')]!.text).toContain(`"AWS/ApiGateway","Latency","ApiName","${api!.Properties!.Name}"`);
      const queues = Object.keys(resourcesOf(s.stateless, 'AWS::SQS::Queue'));
      expect(queues.length).toBeGreaterThanOrEqual(3);
      for (const id of queues) expect(execution, id).toContain(`"QueueName","«GetAtt:${id}.QueueName»"`);
      const rules = resourcesOf(s.stateless, 'AWS::Events::Rule');
      for (const [id, rule] of Object.entries(rules)) {
        // On the platform bus: EventBusName + RuleName (the 3rd part of …:rule/<bus>/<name>); on the default bus: RuleName.
        const onBus = rule.Properties!.EventBusName !== undefined;
        expect(execution, id).toContain(`'Fn::Select':[${onBus ? 2 : 1},{'Fn::Split':['/',{'Fn::GetAtt':['${id}','Arn']}]}]`);
      }
      const triggered = metricLines(dashboardsOf(s)[dashboardName(s.config.name, 'execution')]!.body).filter((l) => l.namespace === 'AWS/Events' && l.name === 'TriggeredRules');
      expect(triggered).toHaveLength(Object.keys(rules).length);
      for (const id of Object.keys(resourcesOf(s.stateless, 'AWS::ECS::Cluster'))) expect(execution).toContain(`"ECS/ContainerInsights","TaskCount","ClusterName","«Ref:${id}»"`);
      for (const t of Object.values(resourcesOf(s.stateless, 'AWS::ECS::TaskDefinition'))) expect(execution).toContain(`"TaskDefinitionFamily","${t.Properties!.Family}"`);
      expect(execution).toMatch(/"AWS\/States","ServiceIntegrationsStarted","ServiceIntegrationResourceArn","arn:«Ref:AWS::Partition»:states:«Ref:AWS::Region»:«Ref:AWS::AccountId»:ecs:runTask\.waitForTaskToken"/);
      expect(text).not.toContain('arn:aws:states:::');
    }
  });

  it("lists the 20 most expensive jobs from the lifecycle function's log group", () => {
    for (const s of built) {
      const cost = dashboardsOf(s)[dashboardName(s.config.name, 'cost')]!.body;
      const [log] = cost.widgets.filter((w) => w.type === 'log');
      const [lifecycleId, lifecycle] = Object.entries(resourcesOf(s.stateless, 'AWS::Lambda::Function')).find(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-lifecycle')!;
      expect(lifecycleId).toBeDefined();
      const group = lifecycle.Properties!.LoggingConfig.LogGroup.Ref as string;
      const query = log!.properties.query as string;
      expect(query).toContain(`SOURCE '«Ref:${group}»'`);
      expect(query).toMatch(/fields .*jobId, preset, JobCostUsd, JobOutputMinutes/);
      expect(query).toContain('filter ispresent(JobCostUsd)');
      expect(query).toContain('sort JobCostUsd desc');
      expect(query).toContain('limit 20');
      expect(log!.properties.view).toBe('table');
    }
  });

  it('shows cost per day and percentiles of end to end, and draws the alarm thresholds', () => {
    for (const s of built) {
      const d = dashboardsOf(s);
      const cost = d[dashboardName(s.config.name, 'cost')]!.body;
      const perDay = cost.widgets.find((w) => w.properties.title === 'Cost of ended jobs per day (USD)')!;
      expect(perDay.properties.metrics[0]).toEqual([METRICS_NAMESPACE, 'JobCostUsd', 'Environment', s.config.name, SERVICE_DIMENSION, METRICS_SERVICE, expect.objectContaining({ stat: 'Sum', period: 86400 })]);
      expect(JSON.stringify(cost)).toContain(`"value":${s.config.alarms.costPerOutputMinuteUsd}`);
      const latency = d[dashboardName(s.config.name, 'latency')]!.body;
      const wall = latency.widgets.find((w) => String(w.properties.title).startsWith('End to end'))!;
      expect(wall.properties.metrics.map((m: unknown[]) => (m.at(-1) as { stat?: string }).stat)).toEqual(['p50', 'p90', 'p99']);
      expect(wall.properties.annotations.horizontal[0].value).toBe(s.config.alarms.endToEndP99Sec);
    }
  });

  it('adds nothing but dashboards: no bitmap renderer (Lambda, role, custom resource) from cdk-monitoring-constructs', () => {
    for (const s of built) {
      const made = s.stage.stateless.dashboards.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
      expect(made.map((r) => r.cfnResourceType)).toEqual(['AWS::CloudWatch::Dashboard', 'AWS::CloudWatch::Dashboard', 'AWS::CloudWatch::Dashboard']);
      expect(allText(s)).not.toMatch(/bitmap|"type":"custom"/i);
    }
  });
});

describe('alarms', () => {
  it('exist in prod only; every one notifies the environment topic', () => {
    expect(Object.keys(resourcesOf(byEnv('dev').stateless, 'AWS::CloudWatch::Alarm'))).toEqual([]);
    const prod = byEnv('prod');
    const [topicId] = Object.keys(resourcesOf(prod.stateless, 'AWS::SNS::Topic'));
    const alarms = Object.entries(resourcesOf(prod.stateless, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(10);
    for (const [id, a] of alarms) expect(a.Properties!.AlarmActions, id).toEqual([{ Ref: topicId }]);
  });

  it('every workflow\'s state machine alarms on failed and timed-out executions', () => {
    const prod = byEnv('prod');
    const alarms = Object.entries(resourcesOf(prod.stateless, 'AWS::CloudWatch::Alarm'));
    const machines = resourcesOf(prod.stateless, 'AWS::StepFunctions::StateMachine');
    const nameOf = (ref: string) => machines[ref]!.Properties!.StateMachineName as string;
    const watched = alarms
      .filter(([, a]) => a.Properties!.Namespace === 'AWS/States')
      .map(([, a]) => `${nameOf((a.Properties!.Dimensions as { Value: { Ref: string } }[])[0]!.Value.Ref)} ${a.Properties!.MetricName}`)
      .sort();
    expect(watched).toEqual(['encode', 'measure', 'repackage'].flatMap((w) => [`mosaic-prod-${w} ExecutionsFailed`, `mosaic-prod-${w} ExecutionsTimedOut`]));
  });

  it('alarm on the job failure rate, the end-to-end p99 and the cost per output minute at the configured thresholds, and on every dead letter', () => {
    const prod = byEnv('prod');
    const t = prod.config.alarms;
    const alarms = Object.entries(resourcesOf(prod.stateless, 'AWS::CloudWatch::Alarm'));
    const one = (re: RegExp) => {
      const found = alarms.filter(([id]) => re.test(id));
      expect(found, String(re)).toHaveLength(1);
      return found[0]![1].Properties!;
    };
    const mosaicDims = [{ Name: 'Environment', Value: 'prod' }, { Name: SERVICE_DIMENSION, Value: METRICS_SERVICE }];

    const rate = one(/^AlarmsJobFailureRate/);
    expect(rate).toMatchObject({ Threshold: t.failureRatePercent, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const [expr, ...inputs] = rate.Metrics as Record<string, any>[];
    expect(expr!.Expression).toBe('100 * FILL(failed, 0) / (FILL(succeeded, 0) + FILL(failed, 0) + FILL(cancelled, 0))');
    expect(inputs.map((m) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period])).toEqual([
      ['succeeded', 'JobsEnded', 'Sum', 3600],
      ['failed', 'JobsEnded', 'Sum', 3600],
      ['cancelled', 'JobsEnded', 'Sum', 3600],
    ]);
    for (const m of inputs) {
      expect(m.MetricStat.Metric.Namespace).toBe(METRICS_NAMESPACE);
      expect(m.MetricStat.Metric.Dimensions).toEqual(expect.arrayContaining([...mosaicDims, { Name: 'Outcome', Value: m.Id.toUpperCase() }]));
      expect(m.MetricStat.Metric.Dimensions).toHaveLength(3);
    }

    expect(one(/^AlarmsEndToEndP99/)).toMatchObject({
      Namespace: METRICS_NAMESPACE, MetricName: 'JobWallSeconds', ExtendedStatistic: 'p99', Unit: 'Seconds', Period: 3600, Dimensions: mosaicDims,
      Threshold: t.endToEndP99Sec, ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(one(/^AlarmsCostPerOutputMinute/)).toMatchObject({
      Namespace: METRICS_NAMESPACE, MetricName: 'JobCostPerOutputMinuteUsd', Statistic: 'Average', Period: 3600, Dimensions: mosaicDims,
      Threshold: t.costPerOutputMinuteUsd, ComparisonOperator: 'GreaterThanThreshold',
    });

    const queues = Object.keys(resourcesOf(prod.stateless, 'AWS::SQS::Queue'));
    for (const q of queues) {
      const on = alarms.filter(([, a]) => JSON.stringify(a.Properties!.Dimensions ?? []) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [q, 'QueueName'] } }]));
      expect(on.map(([, a]) => a.Properties!.MetricName), q).toEqual(['ApproximateNumberOfMessagesVisible']);
    }
  });

  it('has thresholds for every environment, dev more lenient than prod', () => {
    const dev = byEnv('dev').config.alarms;
    const prod = byEnv('prod').config.alarms;
    for (const k of ['failureRatePercent', 'endToEndP99Sec', 'costPerOutputMinuteUsd'] as const) {
      expect(prod[k]).toBeGreaterThan(0);
      expect(dev[k], k).toBeGreaterThanOrEqual(prod[k]);
    }
  });
});

describe('catalogue metrics', () => {
  it('come from the catalogue: namespace, unit, default statistic, Environment and service dimensions', () => {
    const stack = new Stack();
    for (const name of METRIC_NAMES) {
      const spec = METRICS[name];
      const [set] = spec.dimensionSets;
      const m = catalogueMetric('dev', name, Object.fromEntries(set!.map((d) => [d, 'x'])));
      const config = m.toMetricConfig().metricStat!;
      expect(config.namespace).toBe(METRICS_NAMESPACE);
      expect(config.metricName).toBe(name);
      expect(config.unitFilter).toBe(spec.unit);
      expect(m.statistic).toBe(spec.statistic);
      expect(Object.fromEntries(config.dimensions!.map((d) => [d.name, d.value]))).toEqual({ Environment: 'dev', service: METRICS_SERVICE, ...Object.fromEntries(set!.map((d) => [d, 'x'])) });
      // Usable in an alarm as is.
      new cloudwatch.Alarm(stack, `A${name}`, { metric: m, threshold: 1, evaluationPeriods: 1 });
    }
  });

  it('refuse dimensions the catalogue does not publish together', () => {
    expect(() => catalogueMetric('dev', 'StepCostUsd', { Size: '1769MB' })).toThrow(/StepCostUsd is not published with the dimensions \{Size\}/);
    expect(() => catalogueMetric('dev', 'JobCostUsd', { Function: 'encode-video' })).toThrow(/JobCostUsd/);
    expect(() => catalogueMetric('dev', 'JobsEnded')).toThrow(/\{Outcome\}/);
    expect(() => catalogueMetric('dev', 'JobCostUsd', { Environment: 'prod' })).toThrow(/Environment/);
    expect(() => catalogueMetric('dev', 'StepCostUsd', { Function: 'encode-video', Platform: 'lambda', Size: '1769MB' })).not.toThrow();
  });
});

describe('the metric emitters', () => {
  it('know their environment: MOSAIC_ENVIRONMENT on the lifecycle and API Lambdas', () => {
    for (const s of built) {
      for (const service of ['mosaic-lifecycle', 'mosaic-api']) {
        const fns = Object.values(resourcesOf(s.stateless, 'AWS::Lambda::Function')).filter((r) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service);
        expect(fns, service).toHaveLength(1);
        expect(fns[0]!.Properties!.Environment.Variables.MOSAIC_ENVIRONMENT).toBe(s.config.name);
      }
    }
  });
});

describe('security of the stateless stack with dashboards and alarms', () => {
  it('has no IAM statement with a * action or a service:* action', () => {
    for (const s of built) {
      const statements = iamStatements(s.stateless);
      expect(statements.length).toBeGreaterThan(20);
      for (const { where, statement } of statements) {
        for (const action of asArray<string>(statement.Action)) {
          expect(action, `${s.config.name} ${where}`).not.toBe('*');
          expect(action, `${s.config.name} ${where}`).not.toMatch(/:\*$/);
        }
      }
    }
  });

  it('keeps cdk-nag AwsSolutionsChecks clean', () => {
    for (const s of built) {
      const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      expect(Annotations.fromStack(s.stage.stateless).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    }
  });
});
