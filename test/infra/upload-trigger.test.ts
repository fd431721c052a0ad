import { beforeAll, describe, expect, it } from 'vitest';
import { INBOX_PREFIX, VIDEO_EXTENSIONS } from '../../lib/config/storage.js';
import { casePermutations, EVENT_PATTERN_MAX_CHARS, uploadKeyPatterns } from '../../lib/constructs/upload-patterns.js';
import { buildStage, resourcesOf, type BuiltStage } from './infra-app.js';

let dev: BuiltStage;
let rule: Record<string, any>;
beforeAll(() => {
  dev = buildStage('dev');
  // The upload rule is rules/ingest-video.json, deployed by PlatformRules (test/infra/rules.test.ts checks every rule).
  const rules = Object.values(resourcesOf(dev.stateless, 'AWS::Events::Rule')).filter((r) => r.Properties?.Name === 'mosaic-dev-ingest-video');
  expect(rules).toHaveLength(1);
  rule = rules[0]!.Properties!;
});

/** EventBridge `wildcard` semantics: `*` matches any run of characters, everything else literally. */
const wildcardMatches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
const keyMatches = (key: string) => (rule.EventPattern.detail.object.key as { wildcard: string }[]).some((p) => wildcardMatches(p.wildcard, key));

describe('upload trigger', () => {
  it('matches S3 Object Created events of the source bucket on the default bus', () => {
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventPattern.source).toEqual(['aws.s3']);
    expect(rule.EventPattern['detail-type']).toEqual(['Object Created']);
    expect(rule.EventPattern.detail.bucket.name).toEqual([{ 'Fn::Join': ['', ['mosaic-dev-sources-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] }]);
  });

  it('matches keys under inbox/ with a video suffix in any letter case', () => {
    const keys = rule.EventPattern.detail.object.key as { wildcard: string }[];
    const expected = VIDEO_EXTENSIONS.reduce((n, ext) => n + 2 ** ext.replace(/[0-9]/g, '').length, 0);
    expect(keys).toHaveLength(expected);
    for (const k of keys) expect(k.wildcard.startsWith(`${INBOX_PREFIX}*.`)).toBe(true);
    for (const mov of ['mov', 'MOV', 'Mov', 'mOv', 'moV', 'MOv', 'MoV', 'mOV']) expect(keys).toContainEqual({ wildcard: `inbox/*.${mov}` });
    for (const key of ['inbox/a.mov', 'inbox/A.MOV', 'inbox/sub/dir/clip.MoV', 'inbox/x.Mp4', 'inbox/y.WEBM', 'inbox/z.mxf', 'inbox/.m4v'])
      expect(keyMatches(key), key).toBe(true);
    for (const key of ['other/a.mov', 'a.mov', 'inbox/a.mov.txt', 'inbox/a.mp3', 'inbox/a.movie', 'Inbox/a.mov', 'inbox/amov'])
      expect(keyMatches(key), key).toBe(false);
  });

  it('keeps the pattern within EventBridge limits (2048 characters with the longest bucket name)', () => {
    const pattern = structuredClone(rule.EventPattern);
    pattern.detail.bucket.name = ['x'.repeat(63)];
    expect(JSON.stringify(pattern).length).toBeLessThan(EVENT_PATTERN_MAX_CHARS);
  });

  it('targets the upload-trigger Lambda with retries and a dead-letter queue', () => {
    const queueId = rule.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
    expect(resourcesOf(dev.stateless, 'AWS::SQS::Queue')[queueId]).toBeDefined();
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]).toMatchObject({
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
    });
    const fnId = rule.Targets[0].Arn['Fn::GetAtt'][0] as string;
    const fn = resourcesOf(dev.stateless)[fnId]!.Properties!;
    const smId = Object.keys(resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine'))[0]!;
    expect(fn.Environment.Variables).toMatchObject({
      MOSAIC_STATE_MACHINE_ARN: { Ref: smId },
      MOSAIC_SOURCE_BUCKET: { 'Fn::Join': ['', ['mosaic-dev-sources-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
      MOSAIC_MAP_CONCURRENCY: String(dev.config.mapMaxConcurrency),
    });
    expect(Object.keys(fn.Environment.Variables)).toEqual(expect.arrayContaining(['MOSAIC_TABLE', 'MOSAIC_EVENT_BUS']));
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    dev.stateless.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    // The function may start executions of the encode workflow.
    const policies = Object.values(resourcesOf(dev.stateless, 'AWS::IAM::Policy')).filter((p) =>
      (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === fn.Role['Fn::GetAtt'][0]));
    const statements = policies.flatMap((p) => p.Properties!.PolicyDocument.Statement as Record<string, any>[]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: smId } }));
  });

  it('creates the platform bus mosaic-<env>', () => {
    dev.stateless.hasResourceProperties('AWS::Events::EventBus', { Name: 'mosaic-dev' });
  });

  it('spells every case permutation once', () => {
    expect(casePermutations('mp4').sort()).toEqual(['MP4', 'Mp4', 'mP4', 'mp4']);
    expect(new Set(casePermutations('webm')).size).toBe(16);
    expect(() => uploadKeyPatterns(['m*v'])).toThrow(/letters and digits only/);
  });
});
