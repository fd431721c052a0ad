/**
 * Typed configuration of the CI/CD pipeline (`cdk deploy -c pipeline=true`): where the source is,
 * which CodeConnections connection reads it, and where the pipeline and each stage deploy.
 *
 * The values below are clearly fake examples so the pipeline synthesises offline: replace them
 * with your repository, your connection's ARN (README, Deploy → CI/CD) and your accounts.
 */
export interface DeployTarget {
  /** 12-digit AWS account id. */
  account: string;
  region: string;
}

export interface PipelineConfig {
  /** `owner/name` of the GitHub (or GitLab, Bitbucket) repository the connection can read. */
  repository: string;
  /** The branch whose pushes run the pipeline. */
  branch: string;
  /** ARN of an AVAILABLE AWS CodeConnections connection (`arn:aws:codeconnections:…` or the older `arn:aws:codestar-connections:…`). */
  connectionArn: string;
  /** Name of the CodePipeline pipeline. */
  pipelineName: string;
  /**
   * Where the pipeline stack lives (the account and region of `cdk deploy -c pipeline=true`). The
   * dev and prod stages are environment-agnostic, as with `cdk deploy -c env=NAME`, so the pipeline
   * deploys them here too; the artifact key is cross-account (`crossAccountKeys`), so a stage can
   * later be given an account of its own.
   */
  pipeline: DeployTarget;
  /** Seconds the post-deploy smoke test waits for its tiny encode to succeed on dev. */
  smokeTestTimeoutSec: number;
}

export const PIPELINE: PipelineConfig = {
  repository: 'example-org/mosaic',
  branch: 'main',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
  pipelineName: 'mosaic',
  pipeline: { account: '111111111111', region: 'eu-west-1' },
  smokeTestTimeoutSec: 900,
};
