/**
 * Least-privilege access to the platform's data, shared by media functions on Lambda, their
 * Fargate task roles and the upload trigger. Actions are listed one by one (no `*` in any action);
 * the only wildcards are object keys under a bucket, acknowledged next to each grantee.
 */
import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { API_UPLOAD_PREFIX } from '../../lambdas/contracts/api.js';
import { INBOX_PREFIX } from '../config/storage.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';

/** What the stateless stack receives from the stateful one (and creates itself: the bus). */
export interface MediaResources {
  sourceBucketName: string;
  derivativeBucketName: string;
  table: dynamodb.ITable;
  /** The table and each of its indexes. */
  tableArns: string[];
  eventBus: events.IEventBus;
}

export const bucketArn = (name: string): string => `arn:${Aws.PARTITION}:s3:::${name}`;

/** DynamoDB calls made by `DynamoJobStore` (Get/Put/Update/Query commands). */
export const JOB_STORE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] as const;

/**
 * Media functions: read uploaded sources (`inbox/` and the API's `uploads/` of the source bucket,
 * where the runtime's blob store routes them), read and write everything in the derivative bucket, job state, events.
 * `acknowledgeOn` is the construct holding the grantee's policy (the function or task definition).
 */
export function grantMediaAccess(grantee: iam.IGrantable, resources: MediaResources, acknowledgeOn: IConstruct): void {
  const sources = bucketArn(resources.sourceBucketName);
  const derivatives = bucketArn(resources.derivativeBucketName);
  const sourceObjects = `${sources}/${INBOX_PREFIX}*`;
  const uploadObjects = `${sources}/${API_UPLOAD_PREFIX}*`;
  const derivativeObjects = `${derivatives}/*`;
  const add = (statement: iam.PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  add(new iam.PolicyStatement({ sid: 'ReadSources', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [sourceObjects, uploadObjects] }));
  add(new iam.PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListBucket'], resources: [sources, derivatives] }));
  add(new iam.PolicyStatement({
    sid: 'ReadWriteDerivatives',
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    resources: [derivativeObjects],
  }));
  add(new iam.PolicyStatement({ sid: 'JobState', actions: [...JOB_STORE_ACTIONS], resources: resources.tableArns }));
  add(new iam.PolicyStatement({ sid: 'PlatformEvents', actions: ['events:PutEvents'], resources: [resources.eventBus.eventBusArn] }));

  acknowledge(acknowledgeOn, wildcardResourceFinding(acknowledgeOn, sourceObjects),
    'Media functions read any uploaded source object: object keys are only known at run time, and the grant is limited to the inbox/ prefix of the source bucket.');
  acknowledge(acknowledgeOn, wildcardResourceFinding(acknowledgeOn, uploadObjects),
    'Media functions read sources uploaded through the Jobs API (presigned PUTs under uploads/): keys are only known at run time, and the grant is limited to that prefix of the source bucket.');
  acknowledge(acknowledgeOn, wildcardResourceFinding(acknowledgeOn, derivativeObjects),
    'Media functions write renditions, manifests, work files and reports under per-job keys chosen at run time; the grant is limited to objects of the derivative bucket.');
}
