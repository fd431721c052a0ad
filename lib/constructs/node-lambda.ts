/** What every Mosaic Lambda shares: runtime, bundling, tracing, logs, and the cdk-nag findings that follow from them. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge, managedPolicyFinding } from '../nag.js';
import { PATHS } from '../paths.js';

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Local esbuild (no Docker): one minified ESM file for Node 22, with source maps. */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  loader: { '.json': 'json' },
  // The Lambda runtime provides AWS SDK v3 (nodejs18.x and later).
  externalModules: ['@aws-sdk/*'],
  // CommonJS dependencies (Powertools, zod's helpers) call require(); give the ESM bundle one.
  banner: "import { createRequire as __mosaicCreateRequire } from 'node:module'; const require = __mosaicCreateRequire(import.meta.url);",
  forceDockerBundling: false,
};

/** Props every NodejsFunction of the platform gets. */
export function nodeLambdaDefaults(scope: Construct, id: string, config: EnvironmentConfig) {
  return {
    runtime: LAMBDA_RUNTIME,
    handler: 'handler',
    projectRoot: PATHS.root,
    depsLockFilePath: PATHS.lockFile,
    bundling: BUNDLING,
    tracing: lambda.Tracing.ACTIVE,
    logGroup: new logs.LogGroup(scope, `${id}Logs`, {
      retention: config.logRetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    }),
  };
}

/** The findings every platform Lambda raises by design, acknowledged on the function with their reasons. */
export function acknowledgeNodeLambda(fn: IConstruct): void {
  acknowledge(fn, managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
    'AWSLambdaBasicExecutionRole only allows writing CloudWatch Logs (CreateLogGroup/CreateLogStream/PutLogEvents), which every function needs; the function has its own log group with a retention.');
  acknowledge(fn, 'AwsSolutions-IAM5[Resource::*]',
    'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*".');
  acknowledge(fn, 'AwsSolutions-L1',
    'nodejs22.x is the platform runtime by design (DESIGN.md): the bundles target node22 and the code is tested on Node 20/22; nodejs24.x will be adopted after the test suite runs on it.');
}
