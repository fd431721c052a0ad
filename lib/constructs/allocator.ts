/**
 * The allocator Lambda behind the encode workflow's Allocate state: it reads the learned speed
 * table from the job table, publishes Task Allocated events, and names one of the deployed Lambda
 * sizes (the `"allocated"` function's variants) or a Fargate size for every task.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { PATHS } from '../paths.js';
import type { MediaFunction } from './media-functions.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';

export interface AllocatorProps {
  config: EnvironmentConfig;
  table: dynamodb.ITable;
  eventBus: events.IEventBus;
  /** The function the allocator sizes (function.json `"allocated": true`). */
  allocated: MediaFunction;
}

export class Allocator extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: AllocatorProps) {
    super(scope, id);
    const { config, allocated } = props;
    const variants = allocated.variants;
    if (!variants) throw new Error(`${allocated.definition.file}: the allocator sizes "${allocated.definition.config.name}", so its function.json must say "allocated": true`);
    const targets = Object.fromEntries([...variants].map(([mib, fn]) => [String(mib), fn.functionArn]));
    this.function = new NodejsFunction(this, 'Function', {
      ...nodeLambdaDefaults(this, 'Function', config),
      entry: PATHS.allocatorEntry,
      description: `Mosaic allocator: Lambda or Fargate, and its size, for every ${allocated.definition.config.name} task`,
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: {
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_EVENT_BUS: props.eventBus.eventBusName,
        MOSAIC_ALLOCATED_TARGETS: Stack.of(this).toJsonString(targets),
        MOSAIC_ALLOCATED_PLATFORMS: allocated.definition.config.platforms.join(','),
        POWERTOOLS_SERVICE_NAME: 'mosaic-allocator',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // The speed table is one document item (read; conditional put when it learns).
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'SpeedTable', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [props.table.tableArn] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'AllocationEvents', actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    acknowledgeNodeLambda(this.function);
  }
}
