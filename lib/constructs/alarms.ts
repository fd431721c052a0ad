/** Alarms on what needs a human: failed or timed-out encodes, function errors, dead letters. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface AlarmsProps {
  email?: string;
  stateMachine: sfn.StateMachine;
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
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };
    const period = Duration.minutes(5);
    alarm('EncodeFailed', props.stateMachine.metricFailed({ period }), 'An encode execution failed');
    alarm('EncodeTimedOut', props.stateMachine.metricTimedOut({ period }), 'An encode execution timed out');
    for (const [name, fn] of Object.entries(props.functions))
      alarm(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), `Errors in the Mosaic ${name} function`);
    for (const [name, queue] of Object.entries(props.deadLetterQueues))
      alarm(`${name}DeadLetters`, queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }), `Messages in the ${name} dead-letter queue: events or invocations that could not be processed`);
  }
}
