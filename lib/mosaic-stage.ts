/**
 * One deployable copy of Mosaic per environment. The storage, functions and workflow stacks
 * arrive with the AWS issue; until then the stage holds an empty stateful stack so that
 * `cdk synth` works end to end.
 */
import { Stack, Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config/environments.js';

export class MosaicStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { config: EnvironmentConfig }) {
    super(scope, id, props);
    new Stack(this, 'Stateful', { description: `Mosaic ${props.config.name}: sources, derivatives and job state` });
  }
}
