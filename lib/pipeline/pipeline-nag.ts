/**
 * cdk-nag acknowledgements of the pipeline stack. The roles and policies are CDK Pipelines' own:
 * each wildcard of theirs is acknowledged on the policy that holds it, with the reason that fits it
 * (below); a wildcard that matches none of these stays a finding and fails the synth.
 */
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CodePipeline } from 'aws-cdk-lib/pipelines';
import type { IConstruct } from 'constructs';
import { acknowledge, wildcardFindings } from '../nag.js';

/** Why each kind of CDK Pipelines wildcard is acceptable, by the finding id it produces. */
export const PIPELINE_WILDCARD_REASONS: readonly { finding: RegExp; reason: string }[] = [
  {
    finding: /^AwsSolutions-IAM5\[Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*\]$/,
    reason: "CDK Pipelines' grant on its own artifact bucket (Bucket.grantRead/grantReadWrite): the s3 action prefixes are scoped to that bucket and its objects only, which hold nothing but this pipeline's intermediate artifacts.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::<PipelineArtifactsBucket[A-Za-z0-9]*\.Arn>\/\*\]$/,
    reason: 'The objects of the pipeline artifact bucket: each stage reads and writes artifacts under keys CodePipeline chooses per execution, so they cannot be named in advance; no other bucket is reachable.',
  },
  {
    finding: /^AwsSolutions-IAM5\[Action::kms:(ReEncrypt|GenerateDataKey)\*\]$/,
    reason: "CDK Pipelines' grant on the artifact bucket's KMS key (Key.grantEncryptDecrypt): the key prefixes are scoped to that one key (rotated yearly), which encrypts nothing but pipeline artifacts.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/<Pipeline[A-Za-z0-9]*>:\*\]$/,
    reason: "The log streams of the CodeBuild project's own log group (/aws/codebuild/<project>): CodeBuild names a stream per build, so only the group can be named.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:codebuild:[a-z0-9-]+:\d{12}:report-group\/<Pipeline[A-Za-z0-9]*>-\*\]$/,
    reason: "The CodeBuild project's own test report groups (<project>-<name>), created on demand by CodeBuild; no other project's reports.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/\*\]$/,
    reason: "CDK Pipelines' shared asset-publishing role serves one CodeBuild project per asset, whose names are generated after the role: it may write CodeBuild logs of this account and region only.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:codebuild:[a-z0-9-]+:\d{12}:report-group\/\*\]$/,
    reason: "CDK Pipelines' shared asset-publishing role serves one CodeBuild project per asset, whose names are generated after the role: report groups of this account and region only (the projects publish no reports).",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:\*:iam::\d{12}:role\/\*\]$/,
    reason: "CDK Pipelines' self-mutation and asset publishing assume the CDK bootstrap roles (deploy, file-publishing, image-publishing) of the target account; the statement is conditioned on the iam:ResourceTag/aws-cdk:bootstrap-role tag, so only those roles can be assumed.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    reason: "CDK Pipelines' self-mutation calls cloudformation:DescribeStacks and s3:ListBucket, and the asset roles codebuild:StartBuild/BatchGetBuilds/StopBuild, on resources named only at deploy time (bootstrap stacks and buckets, generated asset projects); the actions are read-only or limited to running builds.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:apigateway:[a-z0-9-]+::\/apikeys\/\*\]$/,
    reason: "The smoke test reads the value of the dev stage's first API key (apigateway:GET only). The key's id is an output of the dev stack, known only after it deploys, so the statement names API keys of the dev region; it grants no write.",
  },
];

/** Call after `pipeline.buildPipeline()`, with the stack (or scope) that holds the pipeline. */
export function acknowledgePipelineFindings(scope: IConstruct, pipeline: CodePipeline): void {
  for (const c of scope.node.findAll()) {
    if (!(c instanceof iam.Policy)) continue;
    for (const id of wildcardFindings(c, c.document)) {
      const known = PIPELINE_WILDCARD_REASONS.find((r) => r.finding.test(id));
      if (known) acknowledge(c, id, known.reason);
    }
  }
  const artifactBucket = pipeline.pipeline.artifactBucket;
  acknowledge(artifactBucket.node.defaultChild as CfnBucket, 'AwsSolutions-S1',
    'The artifact bucket holds only the intermediate artifacts of this pipeline (source zip, cloud assembly), encrypted with its rotated KMS key and written only by the pipeline roles; CloudTrail records its API calls, and an access-log bucket of its own would log the pipeline reading its own files.');
  const synthProject = pipeline.synthProject;
  acknowledge(synthProject.node.defaultChild!, 'AwsSolutions-CB5',
    'The synth step runs on Debian (node:20-bookworm from ECR Public, the Docker Official Images mirror): npm test drives /usr/bin/chromium, which Debian packages with apt-get; the CodeBuild-provided images are Ubuntu and Amazon Linux, where Chromium is only a snap wrapper.');
}


