/**
 * The Jobs API on AWS: API Gateway (REST, regional) → one Lambda running the Hono app
 * (`lambdas/bootstrap/api.ts`) through a proxy integration.
 *
 * - Keys: every method requires an API key of the stage's usage plan, except the public
 *   `GET /v1/health`, `GET /openapi.json` and `GET /docs` (the app treats the same three as
 *   public). API Gateway refuses a missing or unknown key before the Lambda runs; the app trusts
 *   what reaches it. The plan throttles (rate and burst) and sets a daily quota per key; the
 *   stage throttles all callers together.
 * - Request size: API Gateway caps payloads at 10 MB (not configurable); the app refuses JSON
 *   bodies over MOSAIC_MAX_BODY_BYTES (1 MiB) with 413. Sources never pass through here: clients
 *   PUT them to S3 with the presigned URL from `POST /v1/uploads`.
 * - Observability: JSON access logs to a log group, execution logs (errors; INFO in dev),
 *   X-Ray tracing on the stage and the function.
 * - Gateway answers (missing key, throttling, too large, any 4xx/5xx of its own) use the app's
 *   one error shape `{ error: { code, message, details } }`.
 * - No CORS: the CLI and servers call the API; the web UI reaches it through the CloudFront
 *   distribution (lib/constructs/web-distribution.ts) on the UI's own origin, under `/v1/*`.
 * - With a CDN signing key (`cdn.publicKeyPem`), the function may read exactly that key's secret
 *   and signs media cookies for the distribution (`MOSAIC_CDN_*`).
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_UPLOAD_PREFIX } from '../../lambdas/contracts/api.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { INBOX_PREFIX } from '../config/storage.js';
import { acknowledge, managedPolicyFinding, wildcardResourceFinding } from '../nag.js';
import { PATHS } from '../paths.js';
import { bucketArn, JOB_STORE_ACTIONS, type MediaResources } from './media-access.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';
import { allocatorPolicyEnv } from '../../lambdas/core/workflow-input.js';

/** Paths reachable without an API key (the app's PUBLIC_PATHS), all GET. */
export const PUBLIC_API_PATHS = ['/v1/health', '/openapi.json', '/docs'] as const;

/** Largest JSON request body the app accepts (API Gateway's own limit is 10 MB). */
export const API_MAX_BODY_BYTES = 1024 * 1024;

export interface JobsApiProps {
  config: EnvironmentConfig;
  resources: MediaResources;
  /** The encode workflow (MOSAIC_STATE_MACHINE_ARN). */
  stateMachine: sfn.IStateMachine;
  /** Its name, for the execution ARNs the API may stop. */
  stateMachineName: string;
  /** Every workflow of the stack by name (default: only `encode`, the state machine above): the API starts and stops jobs' runs on each. */
  workflows?: Record<string, { stateMachine: sfn.IStateMachine; stateMachineName: string }>;
  /** Media function name → its deployed (base) Lambda: preflight's inspect and single invocations. */
  functions: Record<string, lambda.IFunction>;
  /** Signed media cookies (`POST /v1/jobs/{id}/media-cookies`): the key pair's id and the secret holding its private key. */
  mediaSigning?: { keyPairId: string; privateKey: secretsmanager.ISecret; cookieTtlSec: number };
}

export class JobsApi extends Construct {
  readonly function: NodejsFunction;
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly apiKey: apigw.IApiKey;
  readonly usagePlan: apigw.UsagePlan;

  constructor(scope: Construct, id: string, props: JobsApiProps) {
    super(scope, id);
    const { config, resources } = props;
    const stack = Stack.of(this);
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeLambdaDefaults(this, 'Function', config),
      entry: PATHS.apiEntry,
      description: 'Mosaic Jobs API: the Hono app behind API Gateway',
      memorySize: 1024,
      // API Gateway ends the request at 29 s; a longer run would only be paid for.
      timeout: Duration.seconds(29),
      environment: {
        MOSAIC_TABLE: resources.table.tableName,
        MOSAIC_EVENT_BUS: resources.eventBus.eventBusName,
        MOSAIC_SOURCE_BUCKET: resources.sourceBucketName,
        MOSAIC_DERIVATIVE_BUCKET: resources.derivativeBucketName,
        MOSAIC_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        MOSAIC_STATE_MACHINE_ARNS: stack.toJsonString(Object.fromEntries(Object.entries(this.workflowsOf(props)).map(([name, w]) => [name, w.stateMachine.stateMachineArn]))),
        MOSAIC_FUNCTION_ARNS: stack.toJsonString(Object.fromEntries(Object.entries(props.functions).map(([name, fn]) => [name, fn.functionArn]))),
        MOSAIC_MAP_CONCURRENCY: String(config.mapMaxConcurrency),
        ...allocatorPolicyEnv(config.allocator),
        MOSAIC_MAX_BODY_BYTES: String(API_MAX_BODY_BYTES),
        MOSAIC_ALLOW_PRIVATE_WEBHOOKS: String(config.allowPrivateWebhooks),
        // The Environment dimension of the metrics it emits (the dashboards and alarms select on it).
        MOSAIC_ENVIRONMENT: config.name,
        POWERTOOLS_SERVICE_NAME: 'mosaic-api',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.mediaSigning
          ? {
              MOSAIC_CDN_KEY_PAIR_ID: props.mediaSigning.keyPairId,
              MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN: props.mediaSigning.privateKey.secretArn,
              MOSAIC_CDN_COOKIE_TTL_SEC: String(props.mediaSigning.cookieTtlSec),
            }
          : {}),
      },
      // The private key is read through the AWS Parameters and Secrets Lambda Extension (cached
      // for 5 minutes): no Secrets Manager SDK client in the bundle.
      ...(props.mediaSigning
        ? {
            paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
              cacheEnabled: true,
              cacheSize: 10,
              secretsManagerTtl: Duration.minutes(5),
              logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
            }),
          }
        : {}),
    });
    this.grantCalls(props);
    acknowledgeNodeLambda(this.function);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: config.logRetentionDays, removalPolicy });
    const integration = new apigw.LambdaIntegration(this.function, { proxy: true });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `mosaic-${config.name}-api`,
      description: `Mosaic ${config.name} Jobs API`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      // Access and execution logs need API Gateway's account-level CloudWatch role. Kept when a
      // stack is deleted: it is one per account and region, and another environment may use it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.name,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: config.logLevel === 'DEBUG' ? apigw.MethodLoggingLevel.INFO : apigw.MethodLoggingLevel.ERROR,
        // Bodies hold webhook URLs and tags; they are not copied into logs.
        dataTraceEnabled: false,
        throttlingRateLimit: config.api.rateLimit,
        throttlingBurstLimit: config.api.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
      defaultIntegration: integration,
      defaultMethodOptions: { apiKeyRequired: true },
    });

    // Everything goes to the app (it answers 404/405 itself), with a key; the public paths without.
    this.api.root.addProxy({ anyMethod: true });
    const v1 = this.api.root.addResource('v1');
    v1.addProxy({ anyMethod: true });
    for (const path of PUBLIC_API_PATHS) {
      const resource = path.split('/').filter(Boolean).reduce<apigw.IResource>((r, part) => r.getResource(part) ?? r.addResource(part), this.api.root);
      resource.addMethod('GET', integration, { apiKeyRequired: false });
    }
    this.addGatewayResponses();

    this.apiKey = this.api.addApiKey('Key', { description: `Mosaic ${config.name}: the first API key (add more to the usage plan as needed)` });
    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `mosaic-${config.name}`,
      description: `Mosaic ${config.name}: per-key throttling and daily quota`,
      throttle: { rateLimit: config.api.rateLimit, burstLimit: config.api.burstLimit },
      quota: { limit: config.api.quotaPerDay, period: apigw.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.usagePlan.addApiKey(this.apiKey);

    new CfnOutput(this, 'Url', { value: this.api.url, description: 'Base URL of the Jobs API (the stage)' });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.apiKey.keyId,
      description: 'aws apigateway get-api-key --include-value --api-key <this id> prints the key; send it as x-api-key',
    });

    acknowledge(this.api, 'AwsSolutions-APIG2',
      'Requests are validated by the API Lambda: every route parses path, query, headers and body with the zod schemas its OpenAPI document is generated from, and answers 400 with field paths; a second, weaker copy in API Gateway would drift from them.');
    acknowledge(this.api, 'AwsSolutions-APIG3',
      'No WAF web ACL: the API requires an API key on every route but health and docs, and the usage plan and stage throttle and cap each key; a web ACL would add a fixed monthly cost to an idle deployment. Associate one here if the API is exposed to untrusted networks at scale.');
    acknowledge(this.api, 'AwsSolutions-COG4',
      'Mosaic is a service API for machines (CLI, pipelines) authorized with API keys; there are no end users to sign in through a Cognito user pool.');
    acknowledge(this.api, 'AwsSolutions-APIG4',
      'Callers are authorized by API keys of the usage plan (apiKeyRequired on every method); GET /v1/health, /openapi.json and /docs are public on purpose (liveness and the API description).');
    acknowledge(this.api, managedPolicyFinding('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      "API Gateway's account-level role for writing access and execution logs to CloudWatch Logs: the AWS managed policy is the documented way and grants only logs actions.");
  }

  /** Exactly what the app calls: the job table, the bus, the two buckets, the workflow, the media functions. */
  private grantCalls(props: JobsApiProps): void {
    const fn = this.function;
    const { resources } = props;
    const sources = bucketArn(resources.sourceBucketName);
    const derivatives = bucketArn(resources.derivativeBucketName);
    const uploads = `${sources}/${API_UPLOAD_PREFIX}*`;
    const inbox = `${sources}/${INBOX_PREFIX}*`;
    const derivativeObjects = `${derivatives}/*`;
    const workflows = Object.values(this.workflowsOf(props));
    const executions = workflows.map((w) => `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${w.stateMachineName}:*`);

    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'JobState', actions: [...JOB_STORE_ACTIONS], resources: resources.tableArns }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'JobEvents', actions: ['events:PutEvents'], resources: [resources.eventBus.eventBusArn] }));
    // Presigned URLs act with these permissions: PUT of new uploads, GET of sources and outputs.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'Uploads', actions: ['s3:PutObject'], resources: [uploads] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadSources', actions: ['s3:GetObject'], resources: [uploads, inbox] }));
    // Reports and output links; cancel removes a job's outputs and work files.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'Derivatives', actions: ['s3:GetObject', 's3:DeleteObject'], resources: [derivativeObjects] }));
    // Listing lets a missing key answer 404 (not 403), and cancel find what to delete.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListBucket'], resources: [sources, derivatives] }));
    // Each job's runs are executions of its workflow's state machine.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'StartJobs', actions: ['states:StartExecution'], resources: workflows.map((w) => w.stateMachine.stateMachineArn) }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'StopJobs', actions: ['states:StopExecution'], resources: executions }));
    // Exactly the signing key's secret, read only (no DescribeSecret, no other secret).
    if (props.mediaSigning)
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'MediaSigningKey', actions: ['secretsmanager:GetSecretValue'], resources: [props.mediaSigning.privateKey.secretArn] }));
    const arns = Object.values(props.functions).map((f) => f.functionArn);
    if (arns.length) fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'InvokeMediaFunctions', actions: ['lambda:InvokeFunction'], resources: arns }));

    acknowledge(fn, wildcardResourceFinding(fn, uploads),
      'Clients upload sources with presigned PUTs to new keys under uploads/ chosen per request; the grant is limited to that prefix of the source bucket.');
    acknowledge(fn, wildcardResourceFinding(fn, inbox),
      'The API checks that a submitted source exists and links to it; sources are any object under inbox/ (read only).');
    acknowledge(fn, wildcardResourceFinding(fn, derivativeObjects),
      "The API reads reports and signs output links of any job, and deletes a cancelled job's outputs and work files; keys are per job, known at run time; limited to the derivative bucket.");
    for (const e of executions)
      acknowledge(fn, wildcardResourceFinding(fn, e),
        "Cancel stops the execution of a job, named by the job id at run time; limited to executions of the stack's workflow state machines.");
  }

  private workflowsOf(props: JobsApiProps): Record<string, { stateMachine: sfn.IStateMachine; stateMachineName: string }> {
    return props.workflows ?? { encode: { stateMachine: props.stateMachine, stateMachineName: props.stateMachineName } };
  }

  /** The distribution serving `/media/*` (its domain goes into the cookies' policy); only with `mediaSigning`. */
  serveMediaFrom(distributionDomainName: string): void {
    this.function.addEnvironment('MOSAIC_CDN_DOMAIN', distributionDomainName);
  }

  private addGatewayResponses(): void {
    const body = (code: string, message: string) =>
      `{"error":{"code":"${code}","message":${message},"details":{"requestId":"$context.requestId"}}}`;
    const add = (id: string, type: apigw.ResponseType, statusCode: string | undefined, code: string, message: string) =>
      this.api.addGatewayResponse(id, { type, ...(statusCode ? { statusCode } : {}), templates: { 'application/json': body(code, message) } });
    // Like the app's own 401 (API Gateway would answer 403 "Forbidden").
    add('InvalidApiKey', apigw.ResponseType.INVALID_API_KEY, '401', 'unauthorized', '"an API key is required: send a key of this deployment as x-api-key"');
    add('Throttled', apigw.ResponseType.THROTTLED, '429', 'throttled', '"too many requests: slow down and retry with backoff"');
    add('QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, '429', 'quota_exceeded', '"the daily request quota of this API key is used up"');
    add('RequestTooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, '413', 'payload_too_large', '"request body is over 10 MB; upload sources with POST /v1/uploads"');
    add('Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, 'gateway_error', '$context.error.messageString');
    add('Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, 'gateway_error', '$context.error.messageString');
  }
}
