/**
 * Webhooks on AWS: `Job Status Changed` on the platform bus → the job-events Lambda
 * (`lambdas/bootstrap/job-events.ts`), which POSTs the signed state change to the job's webhook,
 * retrying a few times within the invocation and recording every attempt on the job. A failed
 * invocation is retried by Lambda (twice, about 1 and 2 minutes later); what still fails, and
 * events EventBridge could not deliver, land in a dead-letter queue (redrive them to retry).
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DetailTypes, EVENT_SOURCE } from '../../lambdas/contracts/events.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { PATHS } from '../paths.js';
import { deadLetterQueue } from './dead-letters.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';

/** Within one invocation: 4 attempts, 2 + 10 + 30 s apart, 10 s each at most → under the timeout. */
export const WEBHOOK_BACKOFF_MS = [2_000, 10_000, 30_000];
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Lambda's asynchronous retries of a failed invocation (the maximum, 2). */
export const WEBHOOK_LAMBDA_RETRIES = 2;

export interface JobEventsProps {
  config: EnvironmentConfig;
  table: dynamodb.ITable;
  eventBus: events.IEventBus;
}

export class JobEvents extends Construct {
  readonly function: NodejsFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobEventsProps) {
    super(scope, id);
    const { config } = props;
    this.deadLetterQueue = deadLetterQueue(this);

    const worstCaseMs = WEBHOOK_BACKOFF_MS.reduce((a, b) => a + b, 0) + (WEBHOOK_BACKOFF_MS.length + 1) * WEBHOOK_TIMEOUT_MS;
    this.function = new NodejsFunction(this, 'Function', {
      ...nodeLambdaDefaults(this, 'Function', config),
      entry: PATHS.jobEventsEntry,
      description: "Mosaic webhooks: signed POSTs of a job's state changes to its webhook URL",
      memorySize: 256,
      timeout: Duration.seconds(Math.ceil(worstCaseMs / 1000) + 30),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: WEBHOOK_LAMBDA_RETRIES,
      environment: {
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_WEBHOOK_BACKOFF_MS: WEBHOOK_BACKOFF_MS.join(','),
        MOSAIC_WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
        MOSAIC_WEBHOOK_REDELIVERY_SEC: '60,120',
        MOSAIC_ALLOW_PRIVATE_WEBHOOKS: String(config.allowPrivateWebhooks),
        POWERTOOLS_SERVICE_NAME: 'mosaic-job-events',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // The job and its delivery records (events: a counter update, a put, a query), and the
    // signing secret document (read; created once with a conditional put).
    this.function.addToRolePolicy(new iam.PolicyStatement({
      sid: 'JobRecordsAndSecret',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      resources: [props.table.tableArn],
    }));
    acknowledgeNodeLambda(this.function);

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: "Every job state change → the webhook Lambda (it sends nothing for jobs without a webhook)",
      eventPattern: { source: [EVENT_SOURCE], detailType: [DetailTypes.JobStatusChanged] },
      targets: [
        new targets.LambdaFunction(this.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }
}
