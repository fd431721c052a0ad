/** The CDK app: one stage per environment, selected with `-c env=NAME`. */
import { App } from 'aws-cdk-lib';
import { environmentConfig } from '../lib/config/environments.js';
import { MosaicStage } from '../lib/mosaic-stage.js';

const app = new App();
const config = environmentConfig(String(app.node.tryGetContext('env') ?? 'dev'));
new MosaicStage(app, `Mosaic-${config.name}`, { config });
app.synth();
