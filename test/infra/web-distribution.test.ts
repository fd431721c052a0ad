/**
 * The CloudFront distribution (lib/constructs/web-distribution.ts, cdn-signing.ts): the private UI
 * bucket and its deployment, `/v1/*` to the API stage, `/media/*` to the derivative bucket with
 * signed cookies of the configured key, security headers, logs; the API Lambda's signer settings
 * and grant; the synth-time UI build (lib/ui-build.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config/environments.js';
import { cdnPublicKeyPem } from '../../lib/constructs/cdn-signing.js';
import { grantDistributionReads, MEDIA_FUNCTION_CODE, SPA_FUNCTION_CODE, UI_CONTENT_SECURITY_POLICY } from '../../lib/constructs/web-distribution.js';
import { MosaicStage } from '../../lib/mosaic-stage.js';
import { buildUi, uiIndexHtml } from '../../lib/ui-build.js';
import { asArray, buildStage, iamStatements, newTestApp, resourcesOf, type BuiltStage, type Resources } from './infra-app.js';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

interface Signed {
  app: App;
  stage: MosaicStage;
  stateless: Template;
  config: EnvironmentConfig;
}

let signed: Signed;
let prod: BuiltStage;
beforeAll(() => {
  const app = newTestApp();
  const config: EnvironmentConfig = { ...ENVIRONMENTS.dev!, cdn: { cookieTtlSec: 1800, publicKeyPem: PUBLIC_KEY_PEM } };
  const stage = new MosaicStage(app, 'Mosaic-dev', { config });
  signed = { app, stage, config, stateless: Template.fromStack(stage.stateless) };
  prod = buildStage('prod');
});

const only = (r: Resources): [string, Resources[string]] => {
  const entries = Object.entries(r);
  expect(entries, JSON.stringify(Object.keys(r))).toHaveLength(1);
  return entries[0]!;
};
const distributionOf = (t: Template) => only(resourcesOf(t, 'AWS::CloudFront::Distribution'));
const configOf = (t: Template) => distributionOf(t)[1].Properties!.DistributionConfig as Record<string, any>;
const originOf = (t: Template, originId: string) => (configOf(t).Origins as Record<string, any>[]).find((o) => o.Id === originId)!;
const behaviour = (t: Template, pattern: string) => (configOf(t).CacheBehaviors as Record<string, any>[]).find((b) => b.PathPattern === pattern);

/** The UI bucket: the one with a CloudFront OAC statement in its policy. */
function uiBucketOf(t: Template): [string, Resources[string]] {
  const policies = Object.values(resourcesOf(t, 'AWS::S3::BucketPolicy'));
  const withCloudFront = policies.filter((p) => p.Properties!.PolicyDocument.Statement.some((s: any) => s.Principal?.Service === 'cloudfront.amazonaws.com'));
  const [policy] = withCloudFront;
  expect(withCloudFront).toHaveLength(1);
  const id = policy!.Properties!.Bucket.Ref as string;
  return [id, resourcesOf(t)[id]!];
}

const apiFunction = (t: Template) =>
  only(Object.fromEntries(Object.entries(resourcesOf(t, 'AWS::Lambda::Function')).filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-api')));

describe('UI bucket', () => {
  it('is private, encrypted, SSL only, owner-enforced, logging to the web log bucket', () => {
    for (const t of [signed.stateless, prod.stateless]) {
      const [, bucket] = uiBucketOf(t);
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { LogFilePrefix: 'ui-bucket/' },
      });
      const logBucketId = bucket.Properties!.LoggingConfiguration.DestinationBucketName.Ref;
      expect(resourcesOf(t)[logBucketId]!.Properties!.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
      expect(configOf(t).Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logBucketId, 'RegionalDomainName'] }, IncludeCookies: false, Prefix: 'cloudfront/' });
    }
  });

  it('lets only CloudFront read it, only for this distribution, and refuses plain HTTP', () => {
    const t = signed.stateless;
    const [bucketId] = uiBucketOf(t);
    const [distributionId] = distributionOf(t);
    const policy = Object.values(resourcesOf(t, 'AWS::S3::BucketPolicy')).find((p) => p.Properties!.Bucket.Ref === bucketId)!;
    const statements = policy.Properties!.PolicyDocument.Statement as Record<string, any>[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
      Condition: {
        StringEquals: {
          'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]] },
        },
      },
    });
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('receives the build: hashed assets under ui/ (immutable, pruned), then index.html (no-cache) and an invalidation of the page', () => {
    const t = signed.stateless;
    const [bucketId] = uiBucketOf(t);
    const [distributionId] = distributionOf(t);
    const deployments = Object.entries(resourcesOf(t, 'Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const assets = deployments.find(([, d]) => d.Properties!.DestinationBucketKeyPrefix === 'ui/')!;
    const page = deployments.find(([, d]) => d.Properties!.DestinationBucketKeyPrefix === undefined)!;
    expect(assets[1].Properties).toMatchObject({ DestinationBucketName: { Ref: bucketId }, Prune: true, RetainOnDelete: false, SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(assets[1].Properties!.DistributionId).toBeUndefined();
    expect(page[1].Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      Prune: false,
      RetainOnDelete: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/index.html'],
    });
    expect((page[1] as { DependsOn?: string[] }).DependsOn).toContain(assets[0]);
  });

  it("gives the deployment's handler exactly the calls it makes: no wildcard action, the invalidation on this distribution only", () => {
    const t = signed.stateless;
    const [bucketId] = uiBucketOf(t);
    const [distributionId] = distributionOf(t);
    const [, handler] = only(Object.fromEntries(Object.entries(resourcesOf(t, 'AWS::Lambda::Function')).filter(([id]) => id.startsWith('CustomCDKBucketDeployment'))));
    const roleId = handler.Properties!.Role['Fn::GetAtt'][0] as string;
    expect(roleId).toMatch(/^WebDeployRole/);
    expect(resourcesOf(t)[roleId]!.Properties!.ManagedPolicyArns).toBeUndefined();
    const statements = iamStatements(t).filter(({ where }) => asArray(resourcesOf(t)[where]!.Properties?.Roles).some((r: { Ref?: string }) => r.Ref === roleId)).map((x) => x.statement);
    const actions = statements.flatMap((s) => asArray<string>(s.Action)).sort();
    expect(actions).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:DeleteObject', 's3:GetBucketTagging', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    const invalidate = statements.find((s) => asArray(s.Action).includes('cloudfront:CreateInvalidation'))!;
    expect(invalidate.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]] });
    const write = statements.find((s) => asArray(s.Action).includes('s3:PutObject'))!;
    expect(write.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] });
  });
});

describe('distribution', () => {
  it('serves the UI bucket by default through origin access control, index.html at the root, HTTP redirected to HTTPS', () => {
    for (const t of [signed.stateless, prod.stateless]) {
      const c = configOf(t);
      const [bucketId] = uiBucketOf(t);
      const [oacId] = only(resourcesOf(t, 'AWS::CloudFront::OriginAccessControl'));
      expect(c.DefaultRootObject).toBe('index.html');
      expect(c.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' });
      expect(originOf(t, c.DefaultCacheBehavior.TargetOriginId)).toMatchObject({
        DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      });
      // SPA routes by a viewer-request function; no distribution-wide error pages (they would swallow the API's 404s).
      expect(c.CustomErrorResponses).toBeUndefined();
      const [spaId, spa] = Object.entries(resourcesOf(t, 'AWS::CloudFront::Function')).find(([, f]) => f.Properties!.FunctionCode === SPA_FUNCTION_CODE)!;
      expect(spa.Properties!.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(c.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [spaId, 'FunctionARN'] } }]);
    }
  });

  it('has one S3 origin access control, signing every request with SigV4', () => {
    const [, oac] = only(resourcesOf(signed.stateless, 'AWS::CloudFront::OriginAccessControl'));
    expect(oac.Properties!.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
  });

  it('routes /v1/* to the API stage of the environment: not cached, all methods, every viewer header but Host, HTTPS only', () => {
    for (const [t, env] of [[signed.stateless, 'dev'], [prod.stateless, 'prod']] as const) {
      const [apiId] = only(resourcesOf(t, 'AWS::ApiGateway::RestApi'));
      const b = behaviour(t, '/v1/*')!;
      expect(b).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        // Managed policies: CachingDisabled, AllViewerExceptHostHeader.
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      });
      expect(b.TrustedKeyGroups).toBeUndefined();
      expect(originOf(t, b.TargetOriginId)).toEqual({
        Id: b.TargetOriginId,
        DomainName: { 'Fn::Join': ['', [{ Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
        OriginPath: `/${env}`,
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 30 },
      });
    }
  });

  it('routes /media/* to the derivative bucket through origin access control, only with cookies signed by the key group', () => {
    const t = signed.stateless;
    const b = behaviour(t, '/media/*')!;
    const [keyGroupId, keyGroup] = only(resourcesOf(t, 'AWS::CloudFront::KeyGroup'));
    const [publicKeyId, key] = only(resourcesOf(t, 'AWS::CloudFront::PublicKey'));
    const [oacId] = only(resourcesOf(t, 'AWS::CloudFront::OriginAccessControl'));
    expect(b).toMatchObject({ TrustedKeyGroups: [{ Ref: keyGroupId }], ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' });
    expect(keyGroup.Properties!.KeyGroupConfig.Items).toEqual([{ Ref: publicKeyId }]);
    expect(key.Properties!.PublicKeyConfig.EncodedKey).toBe(PUBLIC_KEY_PEM);
    expect(originOf(t, b.TargetOriginId)).toMatchObject({
      DomainName: { 'Fn::Join': ['', ['mosaic-dev-derivatives-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }, '.s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
      OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
    });
    const [mediaFnId] = Object.entries(resourcesOf(t, 'AWS::CloudFront::Function')).find(([, f]) => f.Properties!.FunctionCode === MEDIA_FUNCTION_CODE)!;
    expect(b.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [mediaFnId, 'FunctionARN'] } }]);
  });

  it('has no /media/* behaviour, key or secret without a key in the config, and says so in an output', () => {
    const t = prod.stateless;
    expect(behaviour(t, '/media/*')).toBeUndefined();
    expect(resourcesOf(t, 'AWS::CloudFront::KeyGroup')).toEqual({});
    expect(resourcesOf(t, 'AWS::CloudFront::PublicKey')).toEqual({});
    expect(resourcesOf(t, 'AWS::SecretsManager::Secret')).toEqual({});
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    const signing = Object.entries(outputs).find(([k]) => k.startsWith('WebMediaSigning'))![1];
    expect(signing.Value).toMatch(/^off: set cdn\.publicKeyPem/);
    expect(Object.keys(apiFunction(t)[1].Properties!.Environment.Variables).filter((k) => k.startsWith('MOSAIC_CDN'))).toEqual([]);
  });

  it('answers with the security headers of mosaic serve on every behaviour', () => {
    const t = signed.stateless;
    const [policyId, policy] = only(resourcesOf(t, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policy.Properties!.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: UI_CONTENT_SECURITY_POLICY, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
    });
    expect(UI_CONTENT_SECURITY_POLICY).toContain("default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'");
    expect(UI_CONTENT_SECURITY_POLICY).toMatch(/worker-src 'self' blob:; connect-src 'self'.*frame-ancestors 'none'$/);
    const c = configOf(t);
    for (const b of [c.DefaultCacheBehavior, ...c.CacheBehaviors]) expect(b.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('outputs its URL', () => {
    const [distributionId] = distributionOf(signed.stateless);
    const outputs = signed.stateless.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.entries(outputs).find(([k]) => k.startsWith('WebUrl'))![1].Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] });
  });
});

describe('the API Lambda signs media cookies', () => {
  it('knows the distribution, the key pair id and the secret, and reads the secret through the extension layer', () => {
    const t = signed.stateless;
    const [, fn] = apiFunction(t);
    const [distributionId] = distributionOf(t);
    const [publicKeyId] = only(resourcesOf(t, 'AWS::CloudFront::PublicKey'));
    const [secretId] = only(resourcesOf(t, 'AWS::SecretsManager::Secret'));
    expect(fn.Properties!.Environment.Variables).toMatchObject({
      MOSAIC_CDN_DOMAIN: { 'Fn::GetAtt': [distributionId, 'DomainName'] },
      MOSAIC_CDN_KEY_PAIR_ID: { Ref: publicKeyId },
      MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN: { Ref: secretId },
      MOSAIC_CDN_COOKIE_TTL_SEC: '1800',
    });
    expect(JSON.stringify(fn.Properties!.Layers)).toMatch(/ParamsAndSecrets|AWS-Parameters-and-Secrets-Lambda-Extension|Fn::FindInMap/);
  });

  it('may get exactly that secret value, and only it may', () => {
    const t = signed.stateless;
    const [, fn] = apiFunction(t);
    const [secretId] = only(resourcesOf(t, 'AWS::SecretsManager::Secret'));
    const secretStatements = iamStatements(t).filter(({ statement }) => asArray<string>(statement.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toHaveLength(1);
    const roleId = fn.Properties!.Role['Fn::GetAtt'][0];
    expect(asArray(resourcesOf(t)[secretStatements[0]!.where]!.Properties!.Roles)).toEqual([{ Ref: roleId }]);
    expect(secretStatements[0]!.statement).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } });
  });

  it('keeps the secret with the data in prod-like environments (retainData) and drops it in dev', () => {
    const [, secret] = only(resourcesOf(signed.stateless, 'AWS::SecretsManager::Secret'));
    expect(secret.DeletionPolicy).toBe('Delete');
  });
});

describe('security', () => {
  it('has no IAM action with a * and no unacknowledged cdk-nag finding with signing on', () => {
    for (const { statement, where } of iamStatements(signed.stateless)) for (const a of asArray<string>(statement.Action)) expect(a, where).not.toContain('*');
    const report = new AwsSolutionsChecks(signed.app).validateScope(signed.app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(Annotations.fromStack(signed.stage.stateless).findError('*', Match.anyValue())).toEqual([]);
  });

  it('refuses a public key CloudFront would not take, at synth', () => {
    expect(() => cdnPublicKeyPem('not a key')).toThrow(/PEM public key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => cdnPublicKeyPem(ec)).toThrow(/RSA 2048/);
    expect(cdnPublicKeyPem(PUBLIC_KEY_PEM.replace(/\n/g, '\r\n'))).toBe(PUBLIC_KEY_PEM);
  });
});

describe('grantDistributionReads (for the derivative bucket of the stateful stack)', () => {
  it("lets CloudFront get objects for this account's distributions, never under .mosaic/", () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
    const bucket = new s3.Bucket(stack, 'Derivatives', { enforceSSL: true });
    grantDistributionReads(bucket);
    const statements = Template.fromStack(stack).findResources('AWS::S3::BucketPolicy');
    const doc = Object.values(statements)[0]!.Properties.PolicyDocument.Statement as Record<string, any>[];
    const [bucketId] = Object.keys(Template.fromStack(stack).findResources('AWS::S3::Bucket'));
    expect(doc).toContainEqual({
      Sid: 'CloudFrontReadsOutputs',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
      Condition: {
        StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/*']] } },
      },
    });
    expect(doc).toContainEqual(expect.objectContaining({ Sid: 'CloudFrontNeverReadsWork', Effect: 'Deny', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/.mosaic/*']] } }));
  });
});

describe('CloudFront functions', () => {
  // The functions run on CloudFront's JS 2.0 runtime; the same source runs here.
  const run = (code: string, uri: string) => new Function(`${code}; return handler;`)()({ request: { uri } }) as { uri?: string; statusCode?: number };

  it('give client routes the page and leave files alone', () => {
    expect(run(SPA_FUNCTION_CODE, '/').uri).toBe('/index.html');
    expect(run(SPA_FUNCTION_CODE, '/jobs/20250101-abc').uri).toBe('/index.html');
    expect(run(SPA_FUNCTION_CODE, '/ui/3f2a.js').uri).toBe('/ui/3f2a.js');
    expect(run(SPA_FUNCTION_CODE, '/index.html').uri).toBe('/index.html');
  });

  it('map /media/<key> to the object <key>, and never reach the private prefix or dot segments', () => {
    expect(run(MEDIA_FUNCTION_CODE, '/media/job-1/hls/master.m3u8').uri).toBe('/job-1/hls/master.m3u8');
    for (const uri of ['/media/', '/media/.mosaic/work/job-1/x.mp4', '/media/job-1/../other/x', '/media/job-1/./x', '/media/job-1/..']) expect(run(MEDIA_FUNCTION_CODE, uri).statusCode, uri).toBe(404);
  });
});

describe('the UI build (lib/ui-build.ts)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mosaic-ui-fixture-'));
    mkdirSync(join(root, 'ui', 'src'), { recursive: true });
    writeFileSync(join(root, 'ui', 'tsconfig.json'), '{}');
    writeFileSync(join(root, 'ui', 'src', 'styles.css'), 'body { color: red }');
    // Lazily imported first: its chunk is an entry point of esbuild's too, not the page's entry.
    writeFileSync(join(root, 'ui', 'src', 'a-lazy.ts'), 'export const answer = 42;');
    writeFileSync(join(root, 'ui', 'src', 'main.tsx'), "import './styles.css';\nvoid import('./a-lazy').then((m) => { document.body.dataset.answer = String(m.answer); });\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('bundles ui/src/main.tsx into content-named files and a page that names them under /ui/', () => {
    const ui = buildUi(root)!;
    expect(ui.entryJs).toMatch(/^[A-Z0-9]+\.js$/);
    expect(ui.entryCss).toMatch(/^[A-Z0-9]+\.css$/);
    const files = readdirSync(ui.assetsDir).sort();
    expect(files).toContain(ui.entryJs);
    expect(files).toContain(ui.entryCss);
    expect(files.some((f) => f.startsWith('chunk-'))).toBe(true);
    expect(readdirSync(ui.siteDir)).toEqual(['index.html']);
    const html = readFileSync(join(ui.siteDir, 'index.html'), 'utf8');
    expect(html).toBe(uiIndexHtml(ui.entryJs, ui.entryCss));
    expect(html).toContain(`<script type="module" src="/ui/${ui.entryJs}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/ui/${ui.entryCss}">`);
    expect(html).toContain('<div id="app">');
    // The page's entry is main.tsx's output (it loads the lazy chunk), never a chunk.
    expect(ui.entryJs).not.toMatch(/^chunk-/);
    expect(readFileSync(join(ui.assetsDir, ui.entryJs), 'utf8')).toMatch(/dataset\.answer[\s\S]*|import\(["'][^"']*chunk-/);
    expect(buildUi(root)).toBe(ui);
  });

  it('is nothing without ui/src/main.tsx, and a clear error when it does not build', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mosaic-ui-none-'));
    expect(buildUi(empty)).toBeNull();
    mkdirSync(join(empty, 'ui', 'src'), { recursive: true });
    writeFileSync(join(empty, 'ui', 'tsconfig.json'), '{}');
    writeFileSync(join(empty, 'ui', 'src', 'main.tsx'), "import './missing.css';\n");
    expect(() => buildUi(empty)).toThrow(/the web UI does not build \(ui\/src\/main\.tsx\): ui\/src\/main\.tsx:1: Could not resolve "\.\/missing\.css"/);
    rmSync(empty, { recursive: true, force: true });
    expect(existsSync(empty)).toBe(false);
  });
});
