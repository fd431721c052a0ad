/** The source and derivative buckets, and the bucket their server access logs go to. */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { SCRATCH_PREFIXES } from '../config/storage.js';

/**
 * Bucket names are fixed per environment, account and region (`mosaic-dev-sources-<account>-<region>`),
 * so the stateless stack refers to them without cross-stack exports, and IAM statements and
 * cdk-nag findings on their object ARNs are the same text on every synth.
 */
export function mediaBucketName(envName: string, kind: 'sources' | 'derivatives' | 'access-logs'): string {
  return `mosaic-${envName}-${kind}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface MediaBucketsProps {
  config: EnvironmentConfig;
}

export class MediaBuckets extends Construct {
  /** Uploaded sources (versioned): `inbox/` starts an encode. */
  readonly sourceBucket: s3.Bucket;
  /** Renditions, manifests, reports, work files. */
  readonly derivativeBucket: s3.Bucket;
  /** Server access logs of the two buckets above. */
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MediaBucketsProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    } satisfies s3.BucketProps;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      bucketName: mediaBucketName(config.name, 'access-logs'),
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(config.accessLogRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    const scratchRules: s3.LifecycleRule[] = SCRATCH_PREFIXES.map((prefix) => ({
      id: `expire-${prefix.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`,
      prefix,
      expiration: Duration.days(config.scratchLifecycleDays),
      noncurrentVersionExpiration: Duration.days(1),
    }));
    const abortUploads: s3.LifecycleRule = { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(2) };

    this.sourceBucket = new s3.Bucket(this, 'Sources', {
      ...secure,
      bucketName: mediaBucketName(config.name, 'sources'),
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'sources/',
      lifecycleRules: [
        ...scratchRules,
        abortUploads,
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(config.sourceNoncurrentVersionExpiryDays) },
      ],
    });
    this.derivativeBucket = new s3.Bucket(this, 'Derivatives', {
      ...secure,
      bucketName: mediaBucketName(config.name, 'derivatives'),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'derivatives/',
      lifecycleRules: [...scratchRules.map(({ noncurrentVersionExpiration: _, ...rule }) => rule), abortUploads],
    });

    // EventBridge notifications set on the bucket resource itself: `eventBridgeEnabled: true` would
    // deploy a notifications custom resource (a Lambda with s3:PutBucketNotification on `*`) for a
    // setting CloudFormation supports natively.
    for (const bucket of [this.sourceBucket, this.derivativeBucket]) {
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
  }
}
