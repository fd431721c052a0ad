/**
 * The upload-trigger Lambda — the encode workflow's starter: records the job and starts the encode
 * workflow (one job per object version, per re-encode). The rule that feeds it is not written here:
 * `rules/ingest-video.json` (S3 `Object Created` under `inbox/` with a video suffix, any letter
 * case), deployed by PlatformRules (constructs/rules.ts) with this function as `workflow:encode`.
 * Events that cannot be delivered, and invocations that keep failing, land in a dead-letter queue.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { PATHS } from '../paths.js';
import { deadLetterQueue } from './dead-letters.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';
import { allocatorPolicyEnv } from '../../lambdas/core/workflow-input.js';

export interface UploadTriggerProps {
  config: EnvironmentConfig;
  sourceBucketName: string;
  table: dynamodb.ITable;
  eventBus: events.IEventBus;
  stateMachine: sfn.IStateMachine;
}

export class UploadTrigger extends Construct {
  readonly function: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: UploadTriggerProps) {
    super(scope, id);
    const { config } = props;
    this.deadLetterQueue = deadLetterQueue(this);

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeLambdaDefaults(this, 'Function', config),
      entry: PATHS.uploadTriggerEntry,
      description: 'Mosaic upload trigger: a job and an encode execution per uploaded video',
      memorySize: 256,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        MOSAIC_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_SOURCE_BUCKET: props.sourceBucketName,
        MOSAIC_EVENT_BUS: props.eventBus.eventBusName,
        MOSAIC_MAP_CONCURRENCY: String(config.mapMaxConcurrency),
        ...allocatorPolicyEnv(config.allocator),
        POWERTOOLS_SERVICE_NAME: 'mosaic-upload-trigger',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    props.stateMachine.grantStartExecution(this.function);
    // Job records are created conditionally and read back on a duplicate delivery (no index queries).
    this.function.addToRolePolicy(new iam.PolicyStatement({
      sid: 'JobRecords',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [props.table.tableArn],
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'JobEvents', actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    acknowledgeNodeLambda(this.function);
  }
}
