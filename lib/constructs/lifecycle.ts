/**
 * The job lifecycle on AWS: Step Functions' execution status changes of the stack's state machines
 * (default bus) and the media functions' step events and allocations (platform bus) → the lifecycle Lambda
 * (`lambdas/bootstrap/lifecycle.ts`), which applies them to the job with conditional writes and
 * announces each change (`Job Status Changed`, which webhooks and rules follow). Duplicates and
 * late events change nothing, so EventBridge's retries are safe; what still fails lands in the
 * dead-letter queue (redrive it to apply the events again).
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DetailTypes, EVENT_SOURCE, EXECUTION_STATUS_CHANGE } from '../../lambdas/contracts/events.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import { PATHS } from '../paths.js';
import { deadLetterQueue } from './dead-letters.js';
import { bucketArn } from './media-access.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';

export const LIFECYCLE_ENTRY = join(PATHS.root, 'lambdas', 'bootstrap', 'lifecycle.ts');
/** EventBridge's retries of a failed delivery, and how long it keeps trying. */
export const LIFECYCLE_TARGET_RETRIES = 8;
export const LIFECYCLE_MAX_EVENT_AGE = Duration.hours(6);

export interface LifecycleProps {
  config: EnvironmentConfig;
  table: dynamodb.ITable;
  eventBus: events.IEventBus;
  sourceBucketName: string;
  derivativeBucketName: string;
  /** Every workflow of the stack: their executions are jobs' runs. */
  stateMachines: sfn.IStateMachine[];
}

export class Lifecycle extends Construct {
  readonly function: NodejsFunction;
  readonly executionRule: events.Rule;
  readonly stepRule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: LifecycleProps) {
    super(scope, id);
    const { config } = props;
    this.deadLetterQueue = deadLetterQueue(this);

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeLambdaDefaults(this, 'Function', config),
      entry: LIFECYCLE_ENTRY,
      description: "Mosaic job lifecycle: workflow status changes and step events → the job's status, steps, history and events",
      memorySize: 512,
      // A job's end may delete thousands of outputs (a cancelled or failed job) in 1,000-key batches.
      timeout: Duration.seconds(120),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_EVENT_BUS: props.eventBus.eventBusName,
        // Both are needed to route keys; only the derivative bucket is written (outputs and work files).
        MOSAIC_SOURCE_BUCKET: props.sourceBucketName,
        MOSAIC_DERIVATIVE_BUCKET: props.derivativeBucketName,
        // The Environment dimension of the metrics it emits (the dashboards and alarms select on it).
        MOSAIC_ENVIRONMENT: config.name,
        POWERTOOLS_SERVICE_NAME: 'mosaic-lifecycle',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.grantCalls(props);
    acknowledgeNodeLambda(this.function);

    const target = new targets.LambdaFunction(this.function, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: LIFECYCLE_TARGET_RETRIES,
      maxEventAge: LIFECYCLE_MAX_EVENT_AGE,
    });
    // Step Functions puts its status changes on the account's default bus only.
    this.executionRule = new events.Rule(this, 'ExecutionStatusRule', {
      description: 'Status changes of Mosaic workflow executions → the job lifecycle',
      eventPattern: {
        source: ['aws.states'],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: { stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn) },
      },
      targets: [target],
    });
    this.stepRule = new events.Rule(this, 'StepEventRule', {
      eventBus: props.eventBus,
      description: "Media functions' step status changes and progress, and the allocator's sizing → the job lifecycle",
      eventPattern: { source: [EVENT_SOURCE], detailType: [DetailTypes.StepStatusChanged, DetailTypes.StepProgress, DetailTypes.TaskAllocated] },
      targets: [target],
    });
  }

  /** Exactly what `applyJobEvent`/`applyStepEvent` call on the AWS adapters. */
  private grantCalls(props: LifecycleProps): void {
    const fn = this.function;
    const derivatives = bucketArn(props.derivativeBucketName);
    const derivativeObjects = `${derivatives}/*`;
    // Job, steps, history and the speed-table document: all keyed on the table, no index queries.
    fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'JobState',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      resources: [props.table.tableArn],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'JobEvents', actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    // A job's end lists and removes its outputs or work files (DeleteObjects needs s3:DeleteObject).
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListDerivatives', actions: ['s3:ListBucket'], resources: [derivatives] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'DeleteDerivatives', actions: ['s3:DeleteObject'], resources: [derivativeObjects] }));
    acknowledge(fn, wildcardResourceFinding(fn, derivativeObjects),
      "The lifecycle removes a finished job's work files (.mosaic/work/<jobId>/) and a cancelled or failed job's outputs (<jobId>/): keys are per job, known at run time; delete only, limited to the derivative bucket.");
  }
}
