/**
 * Alarms on what needs a human: failed or timed-out encodes, function errors, dead letters, and from
 * Mosaic's own metrics (the catalogue, through `catalogueMetric`) a job failure rate, the end-to-end
 * p99 and the cost per output minute over the environment's thresholds (`config.alarms`). Every alarm
 * notifies the environment's SNS topic.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MetricDimensions as D } from '../../lambdas/contracts/metrics.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { catalogueMetric, DIMENSION_VALUES, M } from './metric-widgets.js';

/** The window of the failure-rate, end-to-end and cost alarms (one evaluation period). */
export const JOB_ALARM_PERIOD = Duration.hours(1);

export interface AlarmsProps {
  /** The environment: its name (the metrics' Environment dimension) and its thresholds (`alarms`). */
  config: EnvironmentConfig;
  email?: string;
  /** Every workflow's state machine, by workflow name (`encode`, `measure`, …): each alarms on failed and timed-out executions. */
  stateMachines: Record<string, sfn.StateMachine>;
  /** By a name used in the alarm's id, e.g. `EncodeVideo`. */
  functions: Record<string, lambda.IFunction>;
  deadLetterQueues: Record<string, sqs.IQueue>;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Mosaic alarms', enforceSSL: true });
    // Not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the AWS managed SNS key,
    // and the messages are alarm state changes only. Publishing requires TLS (enforceSSL).
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const action = new actions.SnsAction(this.topic);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string, threshold = 1, comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };
    const period = Duration.minutes(5);
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      const id = name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
      alarm(`${id}Failed`, machine.metricFailed({ period }), `A ${name} execution failed`);
      alarm(`${id}TimedOut`, machine.metricTimedOut({ period }), `A ${name} execution timed out`);
    }
    for (const [name, fn] of Object.entries(props.functions))
      alarm(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), `Errors in the Mosaic ${name} function`);
    for (const [name, queue] of Object.entries(props.deadLetterQueues))
      alarm(`${name}DeadLetters`, queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }), `Messages in the ${name} dead-letter queue: events or invocations that could not be processed`);

    // From Mosaic's metrics (EMF of the lifecycle Lambda). No jobs in the hour → no data → not breaching.
    const { config } = props;
    const thresholds = config.alarms;
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const hour = JOB_ALARM_PERIOD;
    const ended = Object.fromEntries(
      DIMENSION_VALUES.Outcome.map((o) => [o.toLowerCase(), catalogueMetric(config.name, M.JobsEnded, { [D.Outcome]: o }, { statistic: 'Sum', period: hour })]),
    );
    if (!ended.failed) throw new Error('JobsEnded has no FAILED outcome to alarm on');
    // Every datapoint of a JobsEnded series is ≥ 1, so the sum is never 0 where the expression has a value.
    const total = Object.keys(ended).map((id) => `FILL(${id}, 0)`).join(' + ');
    alarm('JobFailureRate',
      new cloudwatch.MathExpression({ expression: `100 * FILL(failed, 0) / (${total})`, usingMetrics: ended, label: 'failed % of ended jobs', period: hour }),
      `More than ${thresholds.failureRatePercent}% of the Mosaic ${config.name} jobs that ended within an hour failed`,
      thresholds.failureRatePercent, above);
    alarm('EndToEndP99',
      catalogueMetric(config.name, M.JobWallSeconds, {}, { statistic: 'p99', period: hour }),
      `The p99 of end-to-end time (submit → end) of Mosaic ${config.name} jobs within an hour is over ${thresholds.endToEndP99Sec} s`,
      thresholds.endToEndP99Sec, above);
    alarm('CostPerOutputMinute',
      catalogueMetric(config.name, M.JobCostPerOutputMinuteUsd, {}, { statistic: 'Average', period: hour }),
      `Mosaic ${config.name} jobs of the last hour cost on average more than the budget of ${thresholds.costPerOutputMinuteUsd} USD per output minute`,
      thresholds.costPerOutputMinuteUsd, above);
  }
}
