/**
 * The CDK app: one stage per environment, selected with `-c env=NAME` (`-c env=all` builds every
 * environment, as `npm run synth` does). `-c pipeline=true` adds the CI/CD pipeline stack
 * `Mosaic-Pipeline` (lib/pipeline/), which deploys dev then prod itself; without it nothing else
 * changes. cdk-nag's AwsSolutionsChecks validate every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { selectEnvironments } from '../lib/config/environments.js';
import { PIPELINE } from '../lib/config/pipeline.js';
import { MosaicStage } from '../lib/mosaic-stage.js';
import { PipelineStack } from '../lib/pipeline/pipeline-stack.js';

// The CDK CLI (2.1148) otherwise takes over validation reporting and exits 0 on a failed report:
// make the app itself print the report and exit non-zero on any unacknowledged cdk-nag finding.
const app = new App({ postCliContext: { '@aws-cdk/core:failSynthOnValidationErrors': true } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
for (const config of selectEnvironments(String(app.node.tryGetContext('env') ?? 'dev'))) {
  new MosaicStage(app, `Mosaic-${config.name}`, { config });
}
if (String(app.node.tryGetContext('pipeline') ?? 'false') === 'true') {
  new PipelineStack(app, 'Mosaic-Pipeline', {
    pipelineConfig: PIPELINE,
    env: PIPELINE.pipeline,
    description: 'Mosaic CI/CD: CDK Pipelines from the repository to dev (smoke-tested) and, once approved, prod',
  });
}
app.synth();
