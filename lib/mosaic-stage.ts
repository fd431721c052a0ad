/**
 * One deployable copy of Mosaic per environment: a stateful stack (buckets, table) and a
 * stateless stack (functions, Fargate, workflow, upload trigger, platform bus, alarms).
 */
import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config/environments.js';
import { mediaBucketName } from './constructs/media-buckets.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

export interface MosaicStageProps extends StageProps {
  config: EnvironmentConfig;
  /** Folder of `<name>/function.json` (default `lambdas/functions`). */
  functionsDir?: string;
  /** Folder of the workflows' `*.asl.json` (default `state-machines`). */
  stateMachinesDir?: string;
  /** The encode workflow's definition (default `encode.asl.json` of that folder). */
  encodeDefinitionFile?: string;
}

export class MosaicStage extends Stage {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;

  constructor(scope: Construct, id: string, props: MosaicStageProps) {
    super(scope, id, props);
    const { config } = props;
    this.stateful = new StatefulStack(this, 'Stateful', {
      config,
      description: `Mosaic ${config.name}: sources, derivatives and job state`,
    });
    this.stateless = new StatelessStack(this, 'Stateless', {
      config,
      description: `Mosaic ${config.name}: media functions, Fargate tasks, encode workflow and upload trigger`,
      // Names are fixed per environment/account/region: no export needed, so state the order explicitly.
      sourceBucketName: mediaBucketName(config.name, 'sources'),
      derivativeBucketName: mediaBucketName(config.name, 'derivatives'),
      table: this.stateful.table,
      tableArns: this.stateful.tableArns,
      ...(props.functionsDir ? { functionsDir: props.functionsDir } : {}),
      ...(props.stateMachinesDir ? { stateMachinesDir: props.stateMachinesDir } : {}),
      ...(props.encodeDefinitionFile ? { encodeDefinitionFile: props.encodeDefinitionFile } : {}),
    });
    this.stateless.addStackDependency(this.stateful, 'buckets and table first');
  }
}
