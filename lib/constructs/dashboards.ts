/**
 * Three CloudWatch dashboards per environment, `mosaic-<env>-execution`, `mosaic-<env>-cost` and
 * `mosaic-<env>-latency`, built from the metric catalogue (contracts/metrics.ts) and the AWS metrics
 * of the stack's resources.
 *
 * - AWS resources use cdk-monitoring-constructs' monitors (state machines, Lambda functions, dead-letter
 *   queues, the REST API, Step Functions' ECS integration) through a MonitoringFacade whose dynamic
 *   dashboard factory makes the three dashboards; each monitor is placed on one dashboard. Interactive
 *   widgets only: the library's bitmap rendering adds a Lambda with broad permissions and is never used.
 * - Mosaic's own metrics (EMF from the lifecycle and API Lambdas) use plain aws-cdk-lib widgets made by
 *   `CatalogueMetrics` (metric-widgets.ts); every catalogue metric is shown at least once, and one the
 *   layout below does not place yet lands in a "more catalogue metrics" section of its scope's dashboard.
 * - Fargate tasks: Step Functions starts them with `ecs:runTask.waitForTaskToken`. Their starts, ends,
 *   failures and run time are the AWS/States service-integration metrics of that integration (dimension
 *   `ServiceIntegrationResourceArn`, account-qualified: `arn:…:states:<region>:<account>:ecs:runTask…`,
 *   per integration type and account, so environments sharing an account and region share the series).
 *   Running tasks and their CPU and memory come from Container Insights (ECS/ContainerInsights), which
 *   the Fargate cluster enables; AWS/ECS itself only has service-level metrics and these tasks are not a
 *   service. Per function, Mosaic's StepAttempts/StepDurationSeconds with Platform=fargate tell the rest.
 * - Rule firings: AWS/Events TriggeredRules, Invocations and FailedInvocations per rule (RuleName on the
 *   default bus, EventBusName + RuleName on the platform bus).
 */
import { Aws, Duration, Fn } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ApiGatewayMonitoring,
  DashboardRenderingPreference,
  DynamicDashboardFactory,
  LambdaFunctionMonitoring,
  MonitoringFacade,
  SqsQueueMonitoring,
  StepFunctionMonitoring,
  StepFunctionServiceIntegrationMonitoring,
  type IDynamicDashboardSegment,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { METRIC_NAMES, METRICS, MetricDimensions as D, type MetricName, type MetricScope } from '../../lambdas/contracts/metrics.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { CatalogueMetrics, DIMENSION_VALUES, FULL, graph, HALF, header, HEIGHT, M, singleValue, THIRD, descriptionOf } from './metric-widgets.js';

export const DASHBOARD_KINDS = ['execution', 'cost', 'latency'] as const;
export type DashboardKind = (typeof DASHBOARD_KINDS)[number];
export const dashboardName = (environment: string, kind: DashboardKind) => `mosaic-${environment}-${kind}`;

/** Where a catalogue metric not placed by the layout goes, by its scope. */
const SCOPE_DASHBOARD: Record<MetricScope, DashboardKind> = { job: 'cost', 'job-outcome': 'execution', step: 'execution', allocation: 'execution', api: 'latency' };

/** An EventBridge rule to chart: its ARN, and its bus when that is not the account's default bus. */
export interface RuleRef {
  /** Label on the dashboard. */
  label: string;
  arn: string;
  /** The custom bus the rule is on (its metrics carry EventBusName too); omitted for the default bus. */
  eventBusName?: string;
}

export interface DashboardsProps {
  config: EnvironmentConfig;
  /** By label. */
  stateMachines: Record<string, sfn.IStateMachine>;
  /** Every function to monitor in full, by label: media functions (by name) and platform functions. */
  functions: Record<string, lambda.IFunction>;
  /** Further Lambdas shown only in the all-functions widgets (the allocator's size variants), by label. */
  sizedFunctions?: Record<string, lambda.IFunction>;
  /** Values of the `Function` dimension: the media functions' names. */
  mediaFunctionNames: readonly string[];
  api: apigw.RestApi;
  /** By label. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  rules: RuleRef[];
  /** Present when media functions may run on Fargate. */
  fargate?: {
    cluster: ecs.ICluster;
    /** Task definitions by function name. */
    taskDefinitions: Record<string, ecs.TaskDefinition>;
    /** The workflow's ECS Task resources, as in the ASL (`arn:aws:states:::ecs:runTask.waitForTaskToken`). */
    integrations: readonly string[];
  };
  /** The lifecycle Lambda's log group: its EMF lines carry the job metrics with jobId and preset. */
  lifecycleLogGroup: logs.ILogGroup;
  /** Alarms to show at the top of the execution dashboard. */
  alarms?: cloudwatch.IAlarm[];
}

/** A segment shown on one dashboard only. */
const on = (kind: DashboardKind, widgets: () => cloudwatch.IWidget[]): IDynamicDashboardSegment => ({
  widgetsForDashboard: (name: string) => (name === kind ? widgets() : []),
});

/** The AWS/States dimension value of a service integration: the ASL's `arn:aws:states:::x` qualified with region and account. */
export function serviceIntegrationArn(resource: string): string {
  const bare = /^arn:aws:states:::(.+)$/.exec(resource);
  if (!bare) throw new Error(`not a Step Functions service integration resource: ${resource}`);
  return `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:${bare[1]}`;
}

export class Dashboards extends Construct {
  readonly facade: MonitoringFacade;
  readonly dashboards: Record<DashboardKind, cloudwatch.Dashboard>;
  readonly metrics: CatalogueMetrics;

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    const { config } = props;
    const env = config.name;
    const factory = new DynamicDashboardFactory(this, 'Factory', {
      dashboardNamePrefix: `mosaic-${env}`,
      dashboardConfigs: [
        { name: 'execution', range: Duration.hours(8), renderingPreference: DashboardRenderingPreference.INTERACTIVE_ONLY },
        { name: 'cost', range: Duration.days(14), renderingPreference: DashboardRenderingPreference.INTERACTIVE_ONLY },
        { name: 'latency', range: Duration.days(1), renderingPreference: DashboardRenderingPreference.INTERACTIVE_ONLY },
      ],
    });
    this.facade = new MonitoringFacade(this, 'Monitoring', { dashboardFactory: factory });
    this.dashboards = Object.fromEntries(DASHBOARD_KINDS.map((k) => [k, factory.getDashboard(k)!])) as Record<DashboardKind, cloudwatch.Dashboard>;
    this.metrics = new CatalogueMetrics(env);

    this.execution(props);
    this.cost(props);
    this.latency(props);
    this.restOfCatalogue();
  }

  private add(kind: DashboardKind, ...widgets: cloudwatch.IWidget[]): void {
    this.facade.addDynamicSegment(on(kind, () => widgets));
  }

  private monitor(kind: DashboardKind, segment: { widgets(): cloudwatch.IWidget[] }): void {
    this.facade.addDynamicSegment(on(kind, () => segment.widgets()));
  }

  // ---- execution: what ran, what failed, what is stuck

  private execution(props: DashboardsProps): void {
    const m = this.metrics;
    const env = props.config.name;
    const fns = props.mediaFunctionNames;
    const byFunction = (name: MetricName) => m.perValue(name, D.Function, fns);
    this.add('execution', header(`# Mosaic ${env}: execution\nJobs and steps (Mosaic metrics from the lifecycle Lambda), the workflow, Fargate tasks, Lambda functions, dead letters, the API and rule firings.`));
    if (props.alarms?.length)
      this.add('execution', new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: FULL, height: 3 }));

    this.add(
      'execution',
      graph('Jobs ended by outcome', m.perValue(M.JobsEnded, D.Outcome, DIMENSION_VALUES.Outcome), { stacked: true }),
      graph('Jobs ended by outcome and error code', [m.search(M.JobsEnded, [D.Outcome, D.ErrorCode])]),
      singleValue('Jobs ended in the range', m.perValue(M.JobsEnded, D.Outcome, DIMENSION_VALUES.Outcome)),
    );
    this.add(
      'execution',
      graph('Step attempts by function', byFunction(M.StepAttempts), { stacked: true }),
      graph('Step failures by function', byFunction(M.StepFailures), { stacked: true }),
      graph('Step retries by function (attempt 2 or later)', byFunction(M.StepRetries), { stacked: true }),
    );
    this.add(
      'execution',
      graph('Step cache hits by function', byFunction(M.StepCacheHits), { stacked: true }),
      graph('Step attempts by platform', m.perValue(M.StepAttempts, D.Platform, DIMENSION_VALUES.StepPlatform), { stacked: true }),
      graph('Allocations and escalations by platform', [
        ...m.perValue(M.TaskAllocations, D.Platform, DIMENSION_VALUES.AllocationPlatform).map((x) => x.with({ label: `allocated on ${x.label}` })),
        ...m.perValue(M.TaskEscalations, D.Platform, DIMENSION_VALUES.AllocationPlatform).map((x) => x.with({ label: `escalated to ${x.label}` })),
      ]),
    );
    this.add(
      'execution',
      graph('API requests by status class', m.perValue(M.ApiRequests, D.StatusClass, DIMENSION_VALUES.StatusClass), { stacked: true, width: HALF }),
      graph('API requests by route', [m.search(M.ApiRequests, [D.Route])], { width: HALF }),
    );

    for (const [label, stateMachine] of Object.entries(props.stateMachines))
      this.monitor('execution', new StepFunctionMonitoring(this.facade, { stateMachine, humanReadableName: `Workflow ${label}`, alarmFriendlyName: `Workflow-${label}` }));

    if (props.fargate) this.fargate(props.fargate);
    this.lambdas(props);

    for (const [label, queue] of Object.entries(props.deadLetterQueues))
      this.monitor('execution', new SqsQueueMonitoring(this.facade, { queue, humanReadableName: `Dead letters: ${label}`, alarmFriendlyName: `DeadLetters-${label}` }));

    this.monitor('execution', new ApiGatewayMonitoring(this.facade, { api: props.api, apiStage: env, humanReadableName: `Jobs API (${env} stage)`, alarmFriendlyName: 'JobsApi' }));
    this.rules(props.rules);
  }

  private fargate(fargate: NonNullable<DashboardsProps['fargate']>): void {
    for (const resource of fargate.integrations)
      this.monitor(
        'execution',
        new StepFunctionServiceIntegrationMonitoring(this.facade, {
          serviceIntegrationResourceArn: serviceIntegrationArn(resource),
          humanReadableName: `Fargate tasks run by Step Functions (${resource.replace(/^arn:aws:states:::/, '')}; every workflow of this account and region)`,
          alarmFriendlyName: `Integration-${resource.replace(/^arn:aws:states:::/, '').replace(/[^A-Za-z0-9]/g, '-')}`,
        }),
      );
    const insights = (metricName: string, dimensionsMap: Record<string, string>, label: string, statistic = 'Average') =>
      new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName, dimensionsMap, statistic, label, period: Duration.minutes(1) });
    const cluster = { ClusterName: fargate.cluster.clusterName };
    const families = Object.entries(fargate.taskDefinitions);
    this.add(
      'execution',
      graph('Fargate tasks running (Container Insights)', [insights('TaskCount', cluster, 'tasks', 'Maximum')]),
      graph('Fargate CPU used by function (units)', families.map(([name, t]) => insights('CpuUtilized', { ...cluster, TaskDefinitionFamily: t.family }, name))),
      graph('Fargate memory used by function (MiB)', families.map(([name, t]) => insights('MemoryUtilized', { ...cluster, TaskDefinitionFamily: t.family }, name))),
    );
  }

  private lambdas(props: DashboardsProps): void {
    const all = { ...props.functions, ...props.sizedFunctions };
    const each = (f: (fn: lambda.IFunction) => cloudwatch.Metric) => Object.entries(all).map(([label, fn]) => f(fn).with({ label }));
    const period = Duration.minutes(5);
    this.add(
      'execution',
      graph('Lambda errors (all functions and sizes)', each((fn) => fn.metricErrors({ period, statistic: 'Sum' }))),
      graph('Lambda throttles (all functions and sizes)', each((fn) => fn.metricThrottles({ period, statistic: 'Sum' }))),
      graph('Lambda concurrent executions (all functions and sizes)', each((fn) => fn.metric('ConcurrentExecutions', { period, statistic: 'Maximum' }))),
    );
    for (const [label, lambdaFunction] of Object.entries(props.functions))
      this.monitor('execution', new LambdaFunctionMonitoring(this.facade, { lambdaFunction, humanReadableName: `Lambda ${label}`, alarmFriendlyName: `Lambda-${label}`, isIterator: false }));
  }

  private rules(rules: RuleRef[]): void {
    const period = Duration.minutes(5);
    const perRule = (metricName: string) =>
      rules.map(
        (r) =>
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName,
            // A rule ARN is …:rule/<name> on the default bus and …:rule/<bus>/<name> on a custom one.
            dimensionsMap: { RuleName: Fn.select(r.eventBusName ? 2 : 1, Fn.split('/', r.arn)), ...(r.eventBusName ? { EventBusName: r.eventBusName } : {}) },
            statistic: 'Sum',
            period,
            label: r.label,
          }),
      );
    this.add(
      'execution',
      graph('Rule firings (TriggeredRules)', perRule('TriggeredRules')),
      graph('Rule target invocations', perRule('Invocations')),
      graph('Rule target invocations failed for good', perRule('FailedInvocations')),
    );
  }

  // ---- cost: what jobs cost, per minute of output, per function, size and platform

  private cost(props: DashboardsProps): void {
    const m = this.metrics;
    const env = props.config.name;
    const day = Duration.days(1);
    const budget = props.config.alarms.costPerOutputMinuteUsd;
    this.add('cost', header(`# Mosaic ${env}: cost\nUSD as the lifecycle computes it from each step's size and duration (AWS list prices); per day unless a title says otherwise.`));
    this.add(
      'cost',
      graph('Cost of ended jobs per day (USD)', [m.metric(M.JobCostUsd, {}, { statistic: 'Sum', period: day, label: 'USD' })], { view: cloudwatch.GraphWidgetView.BAR, period: day }),
      graph('Cost per output minute (USD)', [
        m.metric(M.JobCostPerOutputMinuteUsd, {}, { statistic: 'Average', period: day, label: 'average' }),
        m.metric(M.JobCostPerOutputMinuteUsd, {}, { statistic: 'p90', period: day, label: 'p90' }),
      ], { period: day, leftAnnotations: [{ value: budget, label: `budget ${budget} USD`, color: cloudwatch.Color.RED }] }),
      singleValue('In the range: cost (USD), output minutes, cost per output minute', [
        m.metric(M.JobCostUsd, {}, { statistic: 'Sum', label: 'cost USD' }),
        m.metric(M.JobOutputMinutes, {}, { statistic: 'Sum', label: 'output minutes' }),
        m.metric(M.JobCostPerOutputMinuteUsd, {}, { statistic: 'Average', label: 'USD per output minute' }),
      ]),
    );
    this.add(
      'cost',
      graph('Output minutes delivered per day', [m.metric(M.JobOutputMinutes, {}, { statistic: 'Sum', period: day, label: 'minutes' })], { view: cloudwatch.GraphWidgetView.BAR, period: day }),
      graph('Step cost per function per day (USD)', m.perValue(M.StepCostUsd, D.Function, props.mediaFunctionNames, { statistic: 'Sum', period: day }), { stacked: true, period: day }),
      graph('Step cost per function, platform and size per day (USD)', [m.search(M.StepCostUsd, [D.Function, D.Platform, D.Size], { statistic: 'Sum', period: day })], { period: day }),
    );
    const [lambdaCost, fargateCost] = DIMENSION_VALUES.AllocationPlatform.map((p) => m.metric(M.StepCostUsd, { [D.Platform]: p }, { statistic: 'Sum', period: day, label: p }));
    const share = (of: 'l' | 'f', label: string) =>
      new cloudwatch.MathExpression({ expression: `100 * FILL(${of}, 0) / (FILL(l, 0) + FILL(f, 0))`, usingMetrics: { l: lambdaCost!, f: fargateCost! }, label, period: day });
    this.add(
      'cost',
      graph('Step cost by platform per day (USD)', m.perValue(M.StepCostUsd, D.Platform, DIMENSION_VALUES.StepPlatform, { statistic: 'Sum', period: day }), { stacked: true, period: day }),
      graph('Lambda vs Fargate share of step cost (%)', [share('l', 'Lambda %'), share('f', 'Fargate %')], { stacked: true, period: day, leftYAxis: { min: 0, max: 100, showUnits: false } }),
      graph('Share of steps served from the result cache (%)', [
        m.metric(M.JobCacheHitShare, {}, { statistic: 'Average', period: day, label: 'average per job' }),
      ], { period: day, leftYAxis: { min: 0, max: 100, showUnits: false } }),
    );
    const fields = [M.JobCostUsd, M.JobOutputMinutes, M.JobCostPerOutputMinuteUsd, M.JobWallSeconds, M.JobCacheHitShare];
    this.add(
      'cost',
      new cloudwatch.LogQueryWidget({
        title: 'The 20 most expensive jobs in the range (lifecycle EMF lines)',
        logGroupNames: [props.lifecycleLogGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        width: FULL,
        height: 8,
        queryLines: [
          `fields @timestamp, jobId, preset, ${fields.join(', ')}`,
          `filter ispresent(${M.JobCostUsd})`,
          `sort ${M.JobCostUsd} desc`,
          'limit 20',
        ],
      }),
    );
  }

  // ---- latency: queue wait, end to end, per step, allocator accuracy, API

  private latency(props: DashboardsProps): void {
    const m = this.metrics;
    const env = props.config.name;
    const pcts = ['p50', 'p90', 'p99'] as const;
    const p99Limit = props.config.alarms.endToEndP99Sec;
    this.add('latency', header(`# Mosaic ${env}: latency\nSubmit → start (queue wait), submit → end of succeeded jobs, per step, the allocator's predictions and the API.`));
    this.add(
      'latency',
      graph('Submit → workflow start: queue wait (s)', m.statistics(M.JobQueueWaitSeconds, pcts)),
      graph('End to end: submit → end of succeeded jobs (s)', m.statistics(M.JobWallSeconds, pcts), {
        leftAnnotations: [{ value: p99Limit, label: `p99 alarm ${p99Limit} s`, color: cloudwatch.Color.RED }],
      }),
      graph('Seconds per output minute', m.statistics(M.JobSecondsPerOutputMinute, pcts)),
    );
    this.add(
      'latency',
      graph('Realtime factor (output s per wall s; above 1: faster than realtime)', m.statistics(M.JobRealtimeFactor, ['Average', 'p10', 'p50']), {
        leftAnnotations: [{ value: 1, label: 'realtime' }],
      }),
      graph('Step duration p50 by function (s)', m.perValue(M.StepDurationSeconds, D.Function, props.mediaFunctionNames, { statistic: 'p50' })),
      graph('Step duration p99 by function (s)', m.perValue(M.StepDurationSeconds, D.Function, props.mediaFunctionNames, { statistic: 'p99' })),
    );
    this.add(
      'latency',
      graph('Step duration p50 by platform (s)', m.perValue(M.StepDurationSeconds, D.Platform, DIMENSION_VALUES.StepPlatform, { statistic: 'p50' })),
      graph("Allocator: predicted ÷ measured seconds by function (1 = exact)", m.perValue(M.AllocationPredictionRatio, D.Function, props.mediaFunctionNames, { statistic: 'Average' }), {
        leftAnnotations: [{ value: 1, label: 'exact' }],
      }),
      graph('Workflow execution time (ms)', Object.entries(props.stateMachines).flatMap(([label, sm]) =>
        (['p50', 'p99'] as const).map((statistic) => sm.metricTime({ statistic, label: `${label} ${statistic}` })),
      )),
    );
    this.add(
      'latency',
      graph('API Gateway latency (ms)', [
        props.api.metricLatency({ statistic: 'p50', label: 'p50', period: Duration.minutes(5) }),
        props.api.metricLatency({ statistic: 'p99', label: 'p99', period: Duration.minutes(5) }),
        props.api.metricIntegrationLatency({ statistic: 'p99', label: 'integration p99', period: Duration.minutes(5) }),
      ]),
      graph('API app latency by status class (ms)', DIMENSION_VALUES.StatusClass.flatMap((c) =>
        (['p50', 'p99'] as const).map((statistic) => m.metric(M.ApiLatencyMs, { [D.StatusClass]: c }, { statistic, label: `${c} ${statistic}` })),
      )),
      graph('API app latency p99 by route (ms)', [m.search(M.ApiLatencyMs, [D.Route], { statistic: 'p99' })]),
    );
  }

  /** Catalogue metrics the layout above does not show yet: one widget each, on their scope's dashboard. */
  private restOfCatalogue(): void {
    const rest = METRIC_NAMES.filter((n) => !this.metrics.used.has(n));
    if (!rest.length) return;
    for (const kind of DASHBOARD_KINDS) {
      const mine = rest.filter((n) => SCOPE_DASHBOARD[METRICS[n].scope] === kind);
      if (!mine.length) continue;
      this.add(kind, header('## More catalogue metrics'), ...mine.map((n) => {
        const [set] = METRICS[n].dimensionSets;
        return graph(descriptionOf(n), [set!.length ? this.metrics.search(n, set!) : this.metrics.metric(n)], { width: THIRD, height: HEIGHT });
      }));
    }
  }
}
