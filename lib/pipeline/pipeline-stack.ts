/**
 * CI/CD: a self-mutating CDK Pipelines pipeline (synthesised only with `-c pipeline=true`).
 *
 * Source (CodeConnections) → Build (npm ci, lint, test, synth) → UpdatePipeline → Assets →
 * dev (the MosaicStage for dev, then a smoke test: health and a tiny encode through the API) →
 * a manual approval → prod (the MosaicStage for prod).
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, CodePipeline, CodePipelineSource, ManualApprovalStep } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { ENVIRONMENTS } from '../config/environments.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { MosaicStage } from '../mosaic-stage.js';
import { acknowledgePipelineFindings } from './pipeline-nag.js';
import { SMOKE_INSTALL_COMMANDS, smokeTestCommands } from './smoke-test.js';

/**
 * The synth image: Debian (bookworm) with Node 20, where `apt-get install chromium` gives the
 * `/usr/bin/chromium` the UI tests drive (Ubuntu's standard images only have a snap wrapper).
 * Pulled from the Docker Official Images mirror on ECR Public (no Docker Hub rate limit).
 */
export const SYNTH_IMAGE = 'public.ecr.aws/docker/library/node:20-bookworm';

/** The commands of the Build/Synth step, in order. */
export const SYNTH_INSTALL_COMMANDS: readonly string[] = [
  'apt-get update -qq',
  'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
];
export const SYNTH_COMMANDS: readonly string[] = [
  'npm ci',
  'npm run lint',
  'npm test',
  // The Fargate media image's build context is containers/ffmpeg/ only: bundle its entry point first.
  'npx tsx containers/ffmpeg/bundle.ts',
  // env=all checks both environments; pipeline=true puts this pipeline in the assembly it updates itself from.
  'npx cdk synth -q -c env=all -c pipeline=true',
];

export interface PipelineStackProps extends StackProps {
  pipelineConfig: PipelineConfig;
}

export class PipelineStack extends Stack {
  readonly pipeline: CodePipeline;
  readonly dev: MosaicStage;
  readonly prod: MosaicStage;
  readonly smokeTest: CodeBuildStep;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const cfg = props.pipelineConfig;

    const source = CodePipelineSource.connection(cfg.repository, cfg.branch, {
      connectionArn: cfg.connectionArn,
      triggerOnPush: true,
    });

    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: cfg.pipelineName,
      pipelineType: PipelineType.V2,
      crossAccountKeys: true,
      enableKeyRotation: true,
      synth: new CodeBuildStep('Synth', {
        input: source,
        installCommands: [...SYNTH_INSTALL_COMMANDS],
        commands: [...SYNTH_COMMANDS],
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.fromDockerRegistry(SYNTH_IMAGE),
          computeType: codebuild.ComputeType.LARGE,
        },
        timeout: Duration.minutes(60),
      }),
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      },
    });

    // The same stages as `cdk deploy -c env=dev|prod` (same stack names, environment-agnostic):
    // CDK Pipelines deploys them to the pipeline's account and region.
    this.dev = new MosaicStage(this, 'Mosaic-dev', { config: ENVIRONMENTS.dev! });
    this.prod = new MosaicStage(this, 'Mosaic-prod', { config: ENVIRONMENTS.prod! });

    // The stage's own outputs (lib/constructs/jobs-api.ts): the API stage URL and its first key's id.
    const apiUrl = this.dev.stateless.api.node.findChild('Url') as CfnOutput;
    const apiKeyId = this.dev.stateless.api.node.findChild('ApiKeyId') as CfnOutput;
    this.smokeTest = new CodeBuildStep('SmokeTest', {
      envFromCfnOutputs: { API_URL: apiUrl, API_KEY_ID: apiKeyId },
      installCommands: [...SMOKE_INSTALL_COMMANDS],
      commands: smokeTestCommands(cfg.smokeTestTimeoutSec),
      timeout: Duration.seconds(cfg.smokeTestTimeoutSec + 600),
      rolePolicyStatements: [
        new iam.PolicyStatement({
          // Reading the value of the dev stage's API key. Its id is a deploy-time output of another
          // stack, so the statement names the API keys of the region (dev deploys to this account).
          actions: ['apigateway:GET'],
          resources: [`arn:${this.partition}:apigateway:${this.region}::/apikeys/*`],
        }),
      ],
    });

    this.pipeline.addStage(this.dev, { post: [this.smokeTest] });
    this.pipeline.addStage(this.prod, {
      pre: [new ManualApprovalStep('PromoteToProd', { comment: 'dev deployed and its smoke test (health, one encode) passed: deploy to prod?' })],
    });

    // Build the pipeline now so its constructs exist for the acknowledgements next to them.
    this.pipeline.buildPipeline();
    acknowledgePipelineFindings(this, this.pipeline);
  }
}
