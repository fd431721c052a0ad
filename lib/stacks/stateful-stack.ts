/** Everything that holds data: the media buckets and the job table. Deleted only in environments that do not retain data. */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { JobTable } from '../constructs/job-table.js';
import { MediaBuckets } from '../constructs/media-buckets.js';
import { grantDistributionReads } from '../constructs/web-distribution.js';

export interface StatefulStackProps extends StackProps {
  config: EnvironmentConfig;
}

export class StatefulStack extends Stack {
  readonly sourceBucket: s3.Bucket;
  readonly derivativeBucket: s3.Bucket;
  readonly table: dynamodb.Table;
  /** The table and index ARNs, for grants without an `index/*` wildcard. */
  readonly tableArns: string[];

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    // Server access logs are delivered by `logging.s3.amazonaws.com` through a bucket policy, not the
    // legacy LogDeliveryWrite ACL (which needs ACLs enabled on the log bucket). Set here, before any
    // child exists, so the stack does not depend on cdk.json or the test's context.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const buckets = new MediaBuckets(this, 'Buckets', { config: props.config });
    const jobs = new JobTable(this, 'Jobs', { config: props.config });
    // CloudFront reads the derivatives for signed-cookie holders (/media/*) when the environment has a CDN key.
    if (props.config.cdn.publicKeyPem) grantDistributionReads(buckets.derivativeBucket);
    this.sourceBucket = buckets.sourceBucket;
    this.derivativeBucket = buckets.derivativeBucket;
    this.table = jobs.table;
    this.tableArns = jobs.arns;
  }
}
