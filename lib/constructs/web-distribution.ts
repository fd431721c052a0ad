/**
 * One CloudFront distribution for everything a browser loads from a Mosaic deployment:
 *
 * - default → a private UI bucket (origin access control) holding the web UI built at synth time
 *   (lib/ui-build.ts). Client routes (`/jobs/…`: no file extension) get `/index.html` from a
 *   viewer-request function, not from distribution-wide custom error responses, which would also
 *   turn the API's and the media's 403/404 answers into the page.
 * - `/v1/*` → the Jobs API's API Gateway stage (origin path `/<env>`), never cached, with every
 *   viewer header, cookie and query string but Host (`x-api-key` reaches API Gateway).
 * - `/media/*` → the derivative bucket (origin access control), only with CloudFront signed
 *   cookies of the environment's key pair (`cdn.publicKeyPem`), which the API issues to key
 *   holders (`POST /v1/jobs/{id}/media-cookies`) for `/media/<jobId>/*`. A viewer-request
 *   function maps `/media/<key>` to the object `<key>`; CloudFront checks the signed cookies
 *   against the URL the viewer asked for. Without a key in the config there is no such behaviour.
 *
 * Every answer carries the security headers of `mosaic serve` (CSP, HSTS, nosniff, frame DENY).
 * Access logs of the distribution and server access logs of the UI bucket go to a log bucket of
 * this stack (CloudFront's standard logs need a bucket with ACLs, which the stateful stack's
 * access-log bucket does not allow).
 */
import { Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { WORK_ROOT } from '../../lambdas/contracts/job-keys.js';
import { CDN_MEDIA_PATH } from '../../lambdas/core/cdn-cookies.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import { uiContentSecurityPolicy } from '../../ui/build.ts';
import { UI_ASSETS_PREFIX, type UiBuild } from '../ui-build.js';
import type { CdnSigning } from './cdn-signing.js';
import { bucketArn } from './media-access.js';

/** Path patterns of the distribution's behaviours besides the default (the UI). */
export const API_PATH_PATTERN = '/v1/*';
export const MEDIA_PATH_PATTERN = `${CDN_MEDIA_PATH}*`;

/** The Content-Security-Policy of `mosaic serve`'s pages (one definition, in ui/build.ts). */
export const UI_CONTENT_SECURITY_POLICY = uiContentSecurityPolicy();

/** Client routes (no `.` in the last segment) get the page; files are served as they are. */
export const SPA_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** `/media/<key>` is the derivative bucket's object `<key>`; the private prefix and dot segments never reach S3. */
export const MEDIA_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var key = request.uri.substring(${CDN_MEDIA_PATH.length - 1});
  if (key.length < 2 || key.charAt(1) === '.' || /\\/\\.\\.?(\\/|$)/.test(key)) {
    return { statusCode: 404, statusDescription: 'Not Found' };
  }
  request.uri = key;
  return request;
}`;

export interface WebDistributionProps {
  config: EnvironmentConfig;
  /** The Jobs API: `/v1/*` goes to its stage `config.name`. */
  api: apigw.IRestApi;
  derivativeBucketName: string;
  /** The key pair of signed media cookies; without it there is no `/media/*` behaviour. */
  signing?: CdnSigning;
  /** The built UI; null: nothing to deploy yet (a synth warning says so). */
  ui: UiBuild | null;
}

export class WebDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly uiBucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly responseHeaders: cloudfront.ResponseHeadersPolicy;
  readonly deployments: s3deploy.BucketDeployment[] = [];

  constructor(scope: Construct, id: string, props: WebDistributionProps) {
    super(scope, id);
    // S3 server access logs delivered through a bucket policy (as in the stateful stack), set before any child exists.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { config } = props;
    const stack = Stack.of(this);
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    } satisfies s3.BucketProps;

    this.logBucket = new s3.Bucket(this, 'Logs', {
      ...secure,
      // CloudFront's standard logs are written with an ACL grant to its log delivery account.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      lifecycleRules: [{ id: 'expire-web-logs', expiration: Duration.days(config.accessLogRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    acknowledge(this.logBucket, 'AwsSolutions-S1',
      'This is the log bucket of the distribution and the UI bucket; logging its own access would log the log deliveries.');

    // Only the build lives here (the deployment empties it when the stack is deleted): nothing to retain.
    this.uiBucket = new s3.Bucket(this, 'Ui', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.DESTROY,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'ui-bucket/',
    });

    this.responseHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `mosaic-${config.name}-security-headers-${Aws.REGION}`,
      comment: `Mosaic ${config.name}: the security headers of mosaic serve`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: UI_CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      },
    });

    const oac = new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
      description: `Mosaic ${config.name}: CloudFront reads the UI and derivative buckets (SigV4)`,
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const viewerRequest = (fnId: string, code: string, comment: string): cloudfront.FunctionAssociation => ({
      eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
      function: new cloudfront.Function(this, fnId, { code: cloudfront.FunctionCode.fromInline(code), runtime: cloudfront.FunctionRuntime.JS_2_0, comment }),
    });

    // The stage's invoke domain from the API id, not `api.url`: the URL names the stage resource,
    // which depends on the API Lambda, whose environment names this distribution (a cycle).
    const apiOrigin = new origins.HttpOrigin(`${props.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      originPath: `/${config.name}`,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
    });

    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      [API_PATH_PATTERN]: {
        origin: apiOrigin,
        // No redirect for the API: a client would resend a POST as GET; plain HTTP is refused.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.responseHeaders,
        compress: true,
      },
    };
    if (props.signing) {
      const derivatives = s3.Bucket.fromBucketAttributes(this, 'Derivatives', {
        bucketName: props.derivativeBucketName,
        bucketArn: bucketArn(props.derivativeBucketName),
        bucketRegionalDomainName: `${props.derivativeBucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      });
      additionalBehaviors[MEDIA_PATH_PATTERN] = {
        origin: origins.S3BucketOrigin.withOriginAccessControl(derivatives, { originAccessControl: oac }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Cookies are not in the cache key: CloudFront checks the signature of every request, cached or not.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        trustedKeyGroups: [props.signing.keyGroup],
        responseHeadersPolicy: this.responseHeaders,
        functionAssociations: [viewerRequest('MediaPaths', MEDIA_FUNCTION_CODE, `Mosaic ${config.name}: /media/<key> is the derivative object <key>`)],
        compress: true,
      };
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Mosaic ${config.name}: web UI, Jobs API (/v1/*)${props.signing ? ' and job outputs (/media/*)' : ''}`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.uiBucket, { originAccessControl: oac }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeaders,
        functionAssociations: [viewerRequest('SpaRoutes', SPA_FUNCTION_CODE, `Mosaic ${config.name}: client routes get /index.html`)],
        compress: true,
      },
      additionalBehaviors,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableIpv6: true,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
    });

    acknowledge(this.distribution, 'AwsSolutions-CFR1',
      'No geo restriction: Mosaic has no country-based licensing; the API needs a key and job outputs need signed cookies wherever the viewer is.');
    acknowledge(this.distribution, 'AwsSolutions-CFR2',
      'No WAF web ACL: the API behind /v1/* requires API keys and is throttled per key by its usage plan, /media/* requires signed cookies and the UI is static files; a web ACL would add a fixed monthly cost to an idle deployment. Associate one here when exposed at scale.');
    acknowledge(this.distribution, 'AwsSolutions-CFR4',
      "The distribution uses the default *.cloudfront.net certificate, with which CloudFront does not let the minimum viewer protocol be raised (it accepts TLSv1 for old clients); a custom domain with an ACM certificate (us-east-1) would allow TLSv1.2_2021. The origins are reached over TLS 1.2 only.");

    if (props.signing) {
      // The derivative bucket lives in the stateful stack: its policy must allow this distribution (grantDistributionReads).
      Annotations.of(this.distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
        "The derivative bucket is the stateful stack's: grantDistributionReads() adds the CloudFront read statement to its own policy.");
    }

    if (props.ui) this.deployUi(props.ui, config);
    else
      Annotations.of(this).addWarningV2('mosaic:web-ui-not-built',
        'ui/src/main.tsx does not exist: the UI bucket is deployed empty (the distribution serves the API; add the UI and synth again).');

    new CfnOutput(this, 'Url', { value: `https://${this.distribution.distributionDomainName}/`, description: 'The web UI (and the Jobs API under /v1/, job outputs under /media/)' });
    new CfnOutput(this, 'MediaSigning', {
      value: props.signing ? `on: put the private key in ${props.signing.privateKey.secretName}` : 'off: set cdn.publicKeyPem in lib/config/environments.ts (README, Deploy)',
      description: 'Signed cookies for /media/* (HLS/DASH playback from the distribution)',
    });
  }

  /**
   * The build into the UI bucket: hashed assets under `ui/` (immutable), then `index.html`
   * (no-cache), then an invalidation of the page. The handler's role is this construct's, with
   * exactly the calls the handler makes (BucketDeployment's own grants use `s3:GetObject*`-style
   * wildcard actions and `cloudfront:*Invalidation` on every distribution).
   */
  private deployUi(ui: UiBuild, config: EnvironmentConfig): void {
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Mosaic ${config.name}: copies the web UI build into its bucket and invalidates the page`,
    });
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: config.logRetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const assets = new s3assets.Asset(this, 'UiAssets', { path: ui.assetsDir });
    const site = new s3assets.Asset(this, 'UiSite', { path: ui.siteDir });
    const uiObjects = this.uiBucket.arnForObjects('*');
    const stack = Stack.of(this);
    const distributionArn = stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: this.distribution.distributionId });
    const statements = [
      new iam.PolicyStatement({ sid: 'ReadBuild', actions: ['s3:GetObject'], resources: [assets.bucket.arnForObjects(assets.s3ObjectKey), site.bucket.arnForObjects(site.s3ObjectKey)] }),
      new iam.PolicyStatement({ sid: 'ListUiBucket', actions: ['s3:ListBucket', 's3:GetBucketTagging'], resources: [this.uiBucket.bucketArn] }),
      new iam.PolicyStatement({ sid: 'WriteUiBucket', actions: ['s3:PutObject', 's3:DeleteObject'], resources: [uiObjects] }),
      new iam.PolicyStatement({ sid: 'Invalidate', actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'], resources: [distributionArn] }),
      new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    ];
    for (const s of statements) role.addToPrincipalPolicy(s);
    // BucketDeployment's own grants (wildcard actions) go nowhere: the role takes no policy updates.
    const fixedRole = role.withoutPolicyUpdates();

    const common = {
      destinationBucket: this.uiBucket,
      role: fixedRole,
      logGroup,
      retainOnDelete: false,
      memoryLimit: 256,
    } satisfies Partial<s3deploy.BucketDeploymentProps>;
    const assetDeployment = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      ...common,
      sources: [s3deploy.Source.bucket(assets.bucket, assets.s3ObjectKey)],
      destinationKeyPrefix: UI_ASSETS_PREFIX,
      // Files are named by their content.
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: true,
    });
    const pageDeployment = new s3deploy.BucketDeployment(this, 'DeployPage', {
      ...common,
      sources: [s3deploy.Source.bucket(site.bucket, site.s3ObjectKey)],
      // The rest of the bucket is the assets deployment's.
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString('no-cache')],
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
    });
    pageDeployment.node.addDependency(assetDeployment);
    this.deployments.push(assetDeployment, pageDeployment);

    acknowledge(role, wildcardResourceFinding(role, uiObjects),
      'The deployment writes and prunes the build under the UI bucket (file names change with every build); limited to that bucket.');
    // The handler is one singleton Lambda per stack (and memory size), a child of the stack itself.
    for (const handler of stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment')))
      acknowledge(handler, 'AwsSolutions-L1',
        "BucketDeployment's handler is aws-cdk-lib's own Python Lambda (with the AWS CLI layer): its runtime is chosen by aws-cdk-lib and moves with it; it runs only while CloudFormation deploys the UI.");
  }
}

/**
 * The statements the derivative bucket's own policy (stateful stack) needs for `/media/*`:
 * CloudFront may GET objects on behalf of distributions of this account, never the private
 * `.mosaic/` prefix. The distribution is in the stateless stack, deployed after the bucket, so
 * the condition names the account's distributions rather than this one's ARN.
 */
export function grantDistributionReads(bucket: s3.IBucket): void {
  const principal = new iam.ServicePrincipal('cloudfront.amazonaws.com');
  const distributions = `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*`;
  const conditions = { StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'AWS:SourceArn': distributions } };
  bucket.addToResourcePolicy(new iam.PolicyStatement({ sid: 'CloudFrontReadsOutputs', principals: [principal], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')], conditions }));
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({ sid: 'CloudFrontNeverReadsWork', effect: iam.Effect.DENY, principals: [principal], actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${WORK_ROOT.split('/')[0]}/*`)] }),
  );
}
