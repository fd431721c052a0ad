/**
 * The allocator Lambda behind the encode workflow's Allocate states: it reads the learned speed
 * table from the job table, publishes Task Allocated events, and names one of the deployed Lambda
 * sizes (the `"allocated"` functions' variants) or a Fargate size for every task.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { ALLOCATED_FUNCTIONS } from '../../lambdas/contracts/index.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { PATHS } from '../paths.js';
import type { MediaFunction } from './media-functions.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';

export interface AllocatorProps {
  config: EnvironmentConfig;
  table: dynamodb.ITable;
  eventBus: events.IEventBus;
  /** The functions the allocator sizes (function.json `"allocated": true`): encode-video's chunks, analyze-title's samples. */
  allocated: readonly MediaFunction[];
}

export class Allocator extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: AllocatorProps) {
    super(scope, id);
    const { config, allocated } = props;
    const known = new Set<string>(ALLOCATED_FUNCTIONS);
    const targets: Record<string, Record<string, string>> = {};
    const platforms: Record<string, string[]> = {};
    for (const fn of allocated) {
      const { name, platforms: where } = fn.definition.config;
      if (!fn.variants) throw new Error(`${fn.definition.file}: the allocator sizes "${name}", so its function.json must say "allocated": true`);
      if (!known.has(name)) throw new Error(`${fn.definition.file}: "allocated": true, but the allocator sizes only ${ALLOCATED_FUNCTIONS.join(' and ')} (it knows what their tasks do)`);
      targets[name] = Object.fromEntries([...fn.variants].map(([mib, variant]) => [String(mib), variant.functionArn]));
      platforms[name] = [...where];
    }
    const names = allocated.map((f) => f.definition.config.name).join(' and ');
    this.function = new NodejsFunction(this, 'Function', {
      ...nodeLambdaDefaults(this, 'Function', config),
      entry: PATHS.allocatorEntry,
      description: `Mosaic allocator: Lambda or Fargate, and its size, for every ${names} task`,
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: {
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_EVENT_BUS: props.eventBus.eventBusName,
        MOSAIC_ALLOCATED_TARGETS: Stack.of(this).toJsonString(targets),
        MOSAIC_ALLOCATED_PLATFORMS: JSON.stringify(platforms),
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
