/**
 * Lambda entry point of the Jobs API (CDK points API Gateway's proxy integration at this file):
 * the same Hono app as `mosaic serve` (lambdas/platform/api), on DynamoDB, S3, EventBridge, Step
 * Functions and the media functions' Lambdas, through `hono/aws-lambda`.
 *
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS, MOSAIC_SOURCE_BUCKET, MOSAIC_DERIVATIVE_BUCKET   required
 *   MOSAIC_STATE_MACHINE_ARNS  JSON { "<workflow>": "<state machine ARN>" }: every workflow of the stack
 *   MOSAIC_STATE_MACHINE_ARN   the encode workflow (when MOSAIC_STATE_MACHINE_ARNS does not name it)
 *   MOSAIC_FUNCTION_ARNS       JSON { "<media function>": "<Lambda ARN>" }: preflight's inspect and
 *                              POST /v1/functions/{name}/invocations; also the function catalog
 *   MOSAIC_MAP_CONCURRENCY, MOSAIC_THREADS_PER_TASK   as the upload trigger (defaults 20, 2)
 *   MOSAIC_MAX_UPLOAD_BYTES    largest source a presigned PUT accepts (default and cap: 5 GiB, S3's single PUT limit)
 *   MOSAIC_MAX_BODY_BYTES      largest JSON request body (default 1 MiB; API Gateway's own cap is 10 MB)
 *   MOSAIC_VERSION             shown by GET /v1/health
 *   MOSAIC_ALLOW_PRIVATE_WEBHOOKS  `true` accepts webhooks to private addresses (default false: public only)
 *   MOSAIC_CDN_*               the CloudFront media-cookie signer (cdn-signer.ts); unset: no CDN, the route answers 404
 *
 * Every `state-machines/*.asl.json` and every `rules/*.json` are bundled into this Lambda (JSON
 * imports, which esbuild inlines), so `GET /v1/workflows`, `GET /v1/workflows/{name}`,
 * `GET /v1/rules` and the rule dry run show the very files the stack deployed; rules are loaded
 * with core's loader and validator, as by the rule engine. BUNDLED_WORKFLOWS and BUNDLED_RULES
 * must name every file (unit tests compare them with `state-machines/` and `rules/`). A job's run
 * starts on the state machine of its workflow, with the input platform/workflows builds for it.
 *
 * API keys: API Gateway checks them (every method but the public ones requires a key of the
 * stage's usage plan) before this Lambda runs, and only API Gateway may invoke it. So the app's
 * auth trusts any key that reached it (`apiGatewayKeys`), and uses a hash of it as the caller's
 * identity, which scopes Idempotency-Keys per key exactly as `staticKeys` does locally.
 */
import { createHash } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { handle } from 'hono/aws-lambda';
import encodeAsl from '../../state-machines/encode.asl.json' with { type: 'json' };
import measureAsl from '../../state-machines/measure.asl.json' with { type: 'json' };
import repackageAsl from '../../state-machines/repackage.asl.json' with { type: 'json' };
import alertEscalationExhaustedRule from '../../rules/alert-escalation-exhausted.json' with { type: 'json' };
import ingestAudioRule from '../../rules/ingest-audio.json' with { type: 'json' };
import ingestVideoRule from '../../rules/ingest-video.json' with { type: 'json' };
import measureLaterRule from '../../rules/measure-later.json' with { type: 'json' };
import normalizeAudioDoneRule from '../../rules/normalize-audio-done.json' with { type: 'json' };
import recordJobPresetVersionRule from '../../rules/record-job-preset-version.json' with { type: 'json' };
import recordPresetVersionRule from '../../rules/record-preset-version.json' with { type: 'json' };
import reencodeOnPresetVersionRule from '../../rules/reencode-on-preset-version.json' with { type: 'json' };
import reencodeOutdatedJobRule from '../../rules/reencode-outdated-job.json' with { type: 'json' };
import { DynamoJobStore } from '../adapters/aws/dynamo-job-store.js';
import { LambdaInvoker } from '../adapters/aws/lambda-invoker.js';
import { S3UploadTarget } from '../adapters/aws/s3-upload-target.js';
import { StepFunctionsJobControl } from '../adapters/aws/step-functions-job-control.js';
import {
  DEFAULT_SOURCE_LIMITS,
  FunctionConfigSchema,
  type FunctionConfig,
  functionInfoOf,
  type FunctionInfo,
  type WorkflowInfo,
} from '../contracts/index.js';
import { oneOffJobId } from '../core/job-ids.js';
import { pricingRegion } from '../core/plan-sizing.js';
import { loadRuleSet } from '../core/rules/index.js';
import { allocatorPolicyFromEnv, awsRunContext } from '../core/workflow-input.js';
import { createApiApp, type ApiApp } from '../platform/api/app.js';
import { workflowJob } from '../platform/workflows/execution-input.js';
import type { ApiAuth } from '../platform/api/auth.js';
import type { LoadedRule, PlanContext } from '../ports.js';
import { clientConfig, s3ClientConfig } from './aws-clients.js';
import { cdnSignerFromEnv } from './cdn-signer.js';
import { applyJobEvent } from '../platform/lifecycle/apply.js';
import { awsLifecycleDeps, awsMetricsSink, awsStores } from './aws-deps.js';
import { booleanEnv, numberEnv, requireEnv, type Env } from './env.js';
import { DEFAULT_MAP_CONCURRENCY, DEFAULT_THREADS_PER_TASK } from './upload-trigger.js';
import { awsExecutionInput, awsWorkflowStartDeps, stateMachineArnsFromEnv } from './workflow-starter.js';

/** S3 takes at most 5 GiB in one PUT; larger sources would need multipart uploads. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Every `rules/*.json`, by rule name, bundled into the API Lambda (the stack deploys the same files as EventBridge rules). */
export const BUNDLED_RULES: Readonly<Record<string, unknown>> = {
  'alert-escalation-exhausted': alertEscalationExhaustedRule,
  'ingest-audio': ingestAudioRule,
  'ingest-video': ingestVideoRule,
  'measure-later': measureLaterRule,
  'normalize-audio-done': normalizeAudioDoneRule,
  'record-job-preset-version': recordJobPresetVersionRule,
  'record-preset-version': recordPresetVersionRule,
  'reencode-on-preset-version': reencodeOnPresetVersionRule,
  'reencode-outdated-job': reencodeOutdatedJobRule,
};

/** The bundled rules, validated and loaded as the rule engine loads them (its `${SourceBucket}` filled in). */
export function bundledRules(sourceBucket: string): LoadedRule[] {
  const files = Object.entries(BUNDLED_RULES).map(([name, json]) => ({ path: `rules/${name}.json`, text: JSON.stringify(json) }));
  return loadRuleSet(files, { substitutions: { SourceBucket: sourceBucket } }).compiled.map((c) => ({ rule: c.rule, file: c.file }));
}

/** Every `state-machines/*.asl.json`, by workflow name, bundled into the API Lambda (the stack deploys each as a state machine). */
export const BUNDLED_WORKFLOWS: Readonly<Record<string, Record<string, unknown>>> = {
  encode: encodeAsl,
  measure: measureAsl,
  repackage: repackageAsl,
};

const pascal = (fn: string) => fn.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * An ASL definition as bundled, with what this Lambda knows of the stack's substitutions filled
 * in: `${<Function>FunctionArn}` from MOSAIC_FUNCTION_ARNS and `${<Function>DefaultPlatform}` from
 * function.json. The rest (task definitions, cluster, subnets, platform Lambdas) stay as `${Name}`.
 */
export function substitutedDefinition(asl: unknown, functionArns: Readonly<Record<string, string>>, configs: readonly FunctionConfig[]): Record<string, unknown> {
  const values = new Map<string, string>();
  for (const [fn, arn] of Object.entries(functionArns)) values.set(`${pascal(fn)}FunctionArn`, arn);
  for (const c of configs) values.set(`${pascal(c.name)}DefaultPlatform`, c.defaultPlatform);
  const text = JSON.stringify(asl).replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => values.get(name) ?? whole);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The encode workflow's ASL, substituted as far as this Lambda knows (substitutedDefinition). */
export function encodeDefinition(functionArns: Readonly<Record<string, string>>, configs: readonly FunctionConfig[]): Record<string, unknown> {
  return substitutedDefinition(encodeAsl, functionArns, configs);
}

/**
 * A bundled workflow as `GET /v1/workflows` lists it: its `Comment` as the description, and the
 * media functions (of `mediaFunctions`) its Task states name by `${<Function>FunctionArn}` or
 * `${<Function>TaskDefinitionArn}`, sorted.
 */
export function workflowInfoOf(name: string, asl: Record<string, unknown>, mediaFunctions: readonly string[]): WorkflowInfo {
  const byPascal = new Map(mediaFunctions.map((f) => [pascal(f), f]));
  const text = JSON.stringify(asl);
  const named = [...text.matchAll(/\$\{([A-Za-z0-9]+?)(?:FunctionArn|TaskDefinitionArn)\}/g)].map((m) => byPascal.get(m[1]!)).filter((f): f is string => !!f);
  return { name, description: typeof asl.Comment === 'string' ? asl.Comment : '', functions: [...new Set(named)].sort() };
}

/** Keys that reached the app were verified by API Gateway; the identity is a hash of the key. */
export function apiGatewayKeys(): ApiAuth {
  return { verify: (key) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` };
}

export function functionArnsFromEnv(env: Env): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(requireEnv(env, 'MOSAIC_FUNCTION_ARNS'));
  } catch (e) {
    if ((e as Error).message.includes('is not set')) throw e;
    throw new Error('environment variable MOSAIC_FUNCTION_ARNS must be a JSON object of media function name → Lambda ARN');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string'))
    throw new Error('environment variable MOSAIC_FUNCTION_ARNS must be a JSON object of media function name → Lambda ARN');
  return parsed as Record<string, string>;
}

/** function.json of each deployed function (esbuild bundles every `functions/<name>/function.json` for this import). */
export async function loadFunctionConfigs(names: string[]): Promise<FunctionConfig[]> {
  const configs = await Promise.all(
    names.map(async (name) => {
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`MOSAIC_FUNCTION_ARNS names "${name}", which is not a media function name`);
      const mod = (await import(`../functions/${name}/function.json`, { with: { type: 'json' } })) as { default: unknown };
      return FunctionConfigSchema.parse(mod.default);
    }),
  );
  return configs.sort((a, b) => a.name.localeCompare(b.name));
}

export async function createAwsApiApp(env: Env = process.env): Promise<ApiApp> {
  const stores = awsStores(env);
  // Only signs URLs: no checksum of an empty body in presigned PUTs (see S3UploadTarget).
  const s3 = new S3Client({ ...s3ClientConfig(env), requestChecksumCalculation: 'WHEN_REQUIRED' });
  const sourceBucket = requireEnv(env, 'MOSAIC_SOURCE_BUCKET');
  const derivativeBucket = requireEnv(env, 'MOSAIC_DERIVATIVE_BUCKET');
  const functionArns = functionArnsFromEnv(env);
  const configs = await loadFunctionConfigs(Object.keys(functionArns));
  const parallelism = numberEnv(env, 'MOSAIC_MAP_CONCURRENCY', DEFAULT_MAP_CONCURRENCY, { integer: true });
  const threadsPerTask = numberEnv(env, 'MOSAIC_THREADS_PER_TASK', DEFAULT_THREADS_PER_TASK, { integer: true });
  const region = pricingRegion(env.AWS_REGION);
  const limits = { ...DEFAULT_SOURCE_LIMITS };
  // VMAF is asked for, not known: this Lambda has no ffmpeg. The Plan step keeps VMAF only where
  // its runtime found an ffmpeg with libvmaf and a model (the media Lambdas' layer), so the
  // preflight estimate may count a VMAF pass the run then skips (its report says why).
  const run = { parallelism, threadsPerTask, vmafAvailable: true, limits, region, allocatorPolicy: allocatorPolicyFromEnv(env) };
  const planContext: PlanContext = { ...awsRunContext(run), platforms: Object.fromEntries(configs.map((c) => [c.name, c.defaultPlatform])) };
  const catalog: FunctionInfo[] = configs.map(functionInfoOf);
  // The bundled workflows this deployment runs (a state machine each).
  const stateMachineArns = stateMachineArnsFromEnv(env);
  if (!stateMachineArns.encode) throw new Error('environment variable MOSAIC_STATE_MACHINE_ARN (or MOSAIC_STATE_MACHINE_ARNS with "encode") is not set');
  const deployed = Object.keys(BUNDLED_WORKFLOWS).filter((name) => Object.hasOwn(stateMachineArns, name)).sort();
  const workflows: WorkflowInfo[] = deployed.map((name) => workflowInfoOf(name, BUNDLED_WORKFLOWS[name]!, catalog.map((f) => f.name)));
  const startDeps = awsWorkflowStartDeps({ jobs: stores.jobs, blobs: stores.blobs, run: awsRunContext(run), platforms: planContext.platforms });
  const lifecycle = awsLifecycleDeps(stores, env);
  const control = new StepFunctionsJobControl({
    jobs: stores.jobs,
    lifecycle: (jobId, request) => applyJobEvent(lifecycle, jobId, request),
    events: stores.events,
    blobs: stores.blobs,
    sfn: new SFNClient(clientConfig(env, 'sfn')),
    stateMachineArns: Object.fromEntries(deployed.map((name) => [name, stateMachineArns[name]!])),
    functions: new LambdaInvoker({ client: new LambdaClient(clientConfig(env, 'lambda')), functionArns }),
    executionInput: awsExecutionInput(startDeps),
    workflowJob: (name, request, jobId) => workflowJob(name, request, jobId, startDeps),
    planContext,
    catalog,
    workflows,
    configs,
    definitions: Object.fromEntries(deployed.map((name) => [name, substitutedDefinition(BUNDLED_WORKFLOWS[name], functionArns, configs)])),
    rules: bundledRules(sourceBucket),
    // The rule engine's facts and firings are in the job table (DynamoJobStore is a FactStore too).
    ...(stores.jobs instanceof DynamoJobStore ? { facts: stores.jobs } : {}),
    newInvocationId: () => oneOffJobId('preflight'),
  });
  const uploads = new S3UploadTarget({
    client: s3,
    sourceBucket,
    derivativeBucket,
    maxUploadBytes: Math.min(numberEnv(env, 'MOSAIC_MAX_UPLOAD_BYTES', MAX_SINGLE_PUT_BYTES, { integer: true }), MAX_SINGLE_PUT_BYTES),
  });
  const cdn = cdnSignerFromEnv(env);
  return createApiApp({
    jobs: stores.jobs,
    control,
    uploads,
    blobs: stores.blobs,
    auth: apiGatewayKeys(),
    engine: 'aws',
    version: env.MOSAIC_VERSION?.trim() || '0.1.0',
    maxBodyBytes: numberEnv(env, 'MOSAIC_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, { integer: true }),
    webhooks: { allowPrivate: booleanEnv(env, 'MOSAIC_ALLOW_PRIVATE_WEBHOOKS', false) },
    // Request metrics as EMF on the function's log, written with each request: a frozen Lambda runs no timers.
    metrics: awsMetricsSink(env),
    metricsFlushMs: 0,
    // Signed cookies for the CloudFront distribution's /media/* (when the stack configured a signing key).
    ...(cdn ? { cdn } : {}),
  });
}

type LambdaHandler = ReturnType<typeof handle>;
let cached: Promise<LambdaHandler> | null = null;

/** API Gateway (REST, proxy integration) → the app; built once per warm container. */
export const handler = async (...args: Parameters<LambdaHandler>): Promise<Awaited<ReturnType<LambdaHandler>>> => {
  cached ??= createAwsApiApp()
    .then((app) => handle(app))
    .catch((e: unknown) => {
      cached = null;
      throw e;
    });
  return (await cached)(...args);
};
