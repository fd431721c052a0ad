import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCRATCH_PREFIXES, TABLE_KEYS } from '../../lib/config/storage.js';
import { PROJECT_ROOT } from '../../lib/paths.js';
import { buildStage, resourcesOf, type BuiltStage } from './infra-app.js';

let dev: BuiltStage;
let prod: BuiltStage;
beforeAll(() => {
  dev = buildStage('dev');
  prod = buildStage('prod');
});

const bucketIds = (s: BuiltStage) => Object.keys(resourcesOf(s.stateful, 'AWS::S3::Bucket'));
const bucketId = (s: BuiltStage, kind: string) => {
  const id = bucketIds(s).find((b) => b.includes(kind));
  if (!id) throw new Error(`no ${kind} bucket`);
  return id;
};

describe('buckets', () => {
  it('has sources, derivatives and access logs buckets, all private, S3-encrypted and owner-enforced', () => {
    for (const s of [dev, prod]) {
      expect(bucketIds(s)).toHaveLength(3);
      for (const r of Object.values(resourcesOf(s.stateful, 'AWS::S3::Bucket'))) {
        expect(r.Properties?.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        });
        expect(r.Properties?.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
        expect(r.Properties?.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      }
    }
  });

  it('denies every request without TLS on every bucket (bucket policy, aws:SecureTransport false)', () => {
    for (const s of [dev, prod]) {
      const policies = Object.values(resourcesOf(s.stateful, 'AWS::S3::BucketPolicy'));
      for (const id of bucketIds(s)) {
        const policy = policies.find((p) => p.Properties?.Bucket?.Ref === id);
        expect(policy, `policy of ${id}`).toBeDefined();
        expect(policy!.Properties!.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }));
      }
    }
  });

  it('versions sources (not derivatives) and expires their noncurrent versions per environment', () => {
    const sources = resourcesOf(dev.stateful)[bucketId(dev, 'Sources')]!.Properties!;
    expect(sources.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(resourcesOf(dev.stateful)[bucketId(dev, 'Derivatives')]!.Properties!.VersioningConfiguration).toBeUndefined();
    for (const s of [dev, prod]) {
      const rules = resourcesOf(s.stateful)[bucketId(s, 'Sources')]!.Properties!.LifecycleConfiguration.Rules as Record<string, any>[];
      expect(rules).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: s.config.sourceNoncurrentVersionExpiryDays }, Status: 'Enabled' }));
    }
  });

  it('expires the .mosaic/work/ and .mosaic/scratch/ prefixes on both media buckets', () => {
    for (const s of [dev, prod]) {
      for (const kind of ['Sources', 'Derivatives']) {
        const rules = resourcesOf(s.stateful)[bucketId(s, kind)]!.Properties!.LifecycleConfiguration.Rules as Record<string, any>[];
        for (const prefix of SCRATCH_PREFIXES) {
          expect(rules).toContainEqual(expect.objectContaining({ Prefix: prefix, ExpirationInDays: s.config.scratchLifecycleDays, Status: 'Enabled' }));
        }
      }
    }
  });

  it('sends EventBridge notifications natively (no notifications custom resource) and logs access to the log bucket', () => {
    for (const kind of ['Sources', 'Derivatives']) {
      const props = resourcesOf(dev.stateful)[bucketId(dev, kind)]!.Properties!;
      expect(props.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
      expect(props.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: bucketId(dev, 'AccessLogs') });
    }
    expect(Object.values(resourcesOf(dev.stateful)).map((r) => r.Type)).not.toContain('Custom::S3BucketNotifications');
    expect(Object.keys(resourcesOf(dev.stateful, 'AWS::Lambda::Function'))).toEqual([]);
  });
});

describe('job table', () => {
  it('has the keys and GSIs of TABLE_KEYS, all strings, on demand, with point-in-time recovery', () => {
    for (const s of [dev, prod]) {
      s.stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
      const attributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_KEYS.gsis.flatMap((g) => [g.partitionKey, g.sortKey])];
      s.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: Match.arrayEquals(attributes.map((a) => ({ AttributeName: a, AttributeType: 'S' }))),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [
          { IndexName: 'byStatus', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
          { IndexName: 'byCreatedAt', KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }, { AttributeName: 'gsi2sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
          { IndexName: 'bySource', KeySchema: [{ AttributeName: 'gsi3pk', KeyType: 'HASH' }, { AttributeName: 'gsi3sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        ],
      });
    }
  });

  it('uses the key schema the DynamoJobStore adapter uses (one object in contracts)', async () => {
    const adapter = await import('../../lambdas/adapters/aws/dynamo-job-store.js');
    expect(adapter.TABLE_KEYS).toBe(TABLE_KEYS);
  });
});

describe('dev and prod differ where the config says', () => {
  it('retains buckets and the table in prod and deletes them in dev', () => {
    for (const [s, policy] of [[dev, 'Delete'], [prod, 'Retain']] as const) {
      for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table']) {
        for (const r of Object.values(resourcesOf(s.stateful, type))) {
          expect(r.DeletionPolicy, `${s.config.name} ${type}`).toBe(policy);
          expect(r.UpdateReplacePolicy).toBe(policy);
        }
      }
    }
    prod.stateful.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    dev.stateful.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('keeps logs for the configured number of days', () => {
    for (const s of [dev, prod]) {
      const groups = Object.values(resourcesOf(s.stateless, 'AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThan(0);
      for (const g of groups) expect(g.Properties?.RetentionInDays).toBe(s.config.logRetentionDays);
    }
    expect(dev.config.logRetentionDays).not.toBe(prod.config.logRetentionDays);
  });

  it('has alarms in prod only, and reserves concurrency for the encode functions in prod only', () => {
    expect(Object.keys(resourcesOf(dev.stateless, 'AWS::CloudWatch::Alarm'))).toHaveLength(0);
    expect(Object.keys(resourcesOf(prod.stateless, 'AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    prod.stateless.hasResourceProperties('AWS::SNS::Topic', {});
    for (const s of [dev, prod]) {
      for (const r of Object.values(resourcesOf(s.stateless, 'AWS::Lambda::Function'))) {
        const name = r.Properties?.Environment?.Variables?.MOSAIC_FUNCTION as string | undefined;
        // The allocator's size variants are unreserved: one reservation per variant would multiply it.
        const variant = Boolean(r.Properties?.Environment?.Variables?.MOSAIC_ALLOCATED_SIZE_MIB);
        const expected = name && !variant && s.config.encodeFunctions.includes(name) ? s.config.encodeReservedConcurrency : undefined;
        expect(r.Properties?.ReservedConcurrentExecutions, `${s.config.name} ${name}`).toBe(expected);
      }
    }
  });
});
