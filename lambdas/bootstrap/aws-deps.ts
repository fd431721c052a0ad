/**
 * RuntimeDeps on AWS: S3 for objects (sources under `inbox/` in the source bucket, everything
 * else in the derivative bucket), DynamoDB for job state, EventBridge for events, and the
 * runtime's ffmpeg/VMAF discovery configured from the environment.
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoJobStore, EventBridgeBus, S3BlobStore } from '../adapters/aws/index.js';
import { API_UPLOAD_PREFIX, VERSIONED_KEY_PREFIX } from '../contracts/index.js';
import { workPrefix } from '../contracts/job-keys.js';
import type { LifecycleDeps } from '../platform/lifecycle/apply.js';
import type { BlobStore, EventBus, JobStore, MetricsSink } from '../ports.js';
import { EmfMetricsSink } from '../runtime/emf-metrics-sink.js';
import { PrefixRoutedBlobStore } from '../runtime/prefix-routed-blob-store.js';
import { loadSpeedTable, resolveMediaTools, resolveVmafModel, type RuntimeConfig, type RuntimeDeps } from '../runtime/index.js';
import { clientConfig, s3ClientConfig } from './aws-clients.js';
import { numberEnv, requireEnv, type Env } from './env.js';
import { childLimitsFromEnv } from './child-limits.js';
import { resolveFunctionSecrets } from './function-secrets.js';

/** Uploads land here in the source bucket; the upload trigger only starts jobs for keys below it. */
export const SOURCE_PREFIX = 'inbox/';

/** Where a job's intermediates live (derivative bucket): the workflow input's `workPrefix`. */
export const WORK_PREFIX = workPrefix;

/** Default per-ffmpeg-run limit; Lambda stops earlier on its own timeout. */
const DEFAULT_FFMPEG_TIMEOUT_SEC = 3600;

export function runtimeConfigFromEnv(env: Env): RuntimeConfig {
  const tmp = tmpdir(); // /tmp on Lambda and in the container
  return {
    ffmpegPath: env.MOSAIC_FFMPEG?.trim() || undefined,
    ffprobePath: env.MOSAIC_FFPROBE?.trim() || undefined,
    searchPath: (env.PATH ?? '').split(delimiter).filter(Boolean),
    vmafModelPath: env.MOSAIC_VMAF_MODEL?.trim() || undefined,
    cacheDir: join(tmp, 'mosaic-cache'),
    allowModelDownload: true,
    scratchRoot: join(tmp, 'mosaic-scratch'),
    ffmpegTimeoutMs: numberEnv(env, 'MOSAIC_FFMPEG_TIMEOUT_SEC', DEFAULT_FFMPEG_TIMEOUT_SEC) * 1000,
    enforceTaskBudget: true,
    ...childLimitsFromEnv(env),
    region: env.AWS_REGION?.trim() || undefined,
  };
}

export interface AwsStores {
  blobs: BlobStore;
  jobs: JobStore;
  events: EventBus;
}

/** The three stores, without any media tooling (the upload trigger needs only these). */
export function awsStores(env: Env): AwsStores {
  const sourceBucket = requireEnv(env, 'MOSAIC_SOURCE_BUCKET');
  const derivativeBucket = requireEnv(env, 'MOSAIC_DERIVATIVE_BUCKET');
  const busName = requireEnv(env, 'MOSAIC_EVENT_BUS');
  const s3 = new S3Client(s3ClientConfig(env));
  return {
    blobs: awsBlobStore(s3, sourceBucket, derivativeBucket),
    jobs: awsJobStore(env),
    events: new EventBridgeBus({ client: new EventBridgeClient(clientConfig(env, 'events')), busName }),
  };
}

/** Sources (`inbox/`, and API uploads under `uploads/`) in the source bucket; everything else in the derivative bucket. */
export function awsBlobStore(s3: S3Client, sourceBucket: string, derivativeBucket: string): BlobStore {
  const sources = new S3BlobStore({ client: s3, bucket: sourceBucket });
  return new PrefixRoutedBlobStore(new S3BlobStore({ client: s3, bucket: derivativeBucket }), [
    { prefix: SOURCE_PREFIX, store: sources },
    { prefix: API_UPLOAD_PREFIX, store: sources },
    // A job's pinned source version (contracts/source-version.ts) is read from the source bucket.
    { prefix: VERSIONED_KEY_PREFIX, store: sources },
  ]);
}

export function awsJobStore(env: Env): JobStore {
  const table = requireEnv(env, 'MOSAIC_TABLE');
  return new DynamoJobStore({ client: new DynamoDBClient(clientConfig(env, 'dynamodb')), table });
}

/** The job lifecycle (platform/lifecycle/apply.ts) on the AWS stores: the lifecycle Lambda's and the API's cancel/retry. */
export function awsLifecycleDeps(stores: AwsStores, env: Env): LifecycleDeps {
  return {
    jobs: stores.jobs, steps: stores.jobs, history: stores.jobs, documents: stores.jobs, blobs: stores.blobs, events: stores.events,
    metrics: awsMetricsSink(env), workPrefix: WORK_PREFIX,
  };
}

/** EMF on stdout, with the deployment's environment (`MOSAIC_ENVIRONMENT`, set by the stack) as a dimension. */
export function awsMetricsSink(env: Env): MetricsSink {
  return new EmfMetricsSink(env.MOSAIC_ENVIRONMENT ?? 'unknown');
}

/** Everything a media function needs on Lambda or Fargate. Missing required variables → an Error naming them. */
export async function awsRuntimeDeps(env: Env = process.env): Promise<RuntimeDeps> {
  const stores = awsStores(env);
  // The function's secrets (function.json `secrets`), read once per cold start.
  const config: RuntimeConfig = { ...runtimeConfigFromEnv(env), secrets: await resolveFunctionSecrets(env) };
  await mkdir(config.scratchRoot, { recursive: true });
  const tools = await resolveMediaTools(config);
  const vmaf = tools.vmafFfmpeg ? await resolveVmafModel(config) : { path: null, reason: tools.vmafMissingReason };
  return {
    blobs: stores.blobs,
    cache: stores.jobs,
    events: stores.events,
    speedTable: () => loadSpeedTable(stores.jobs),
    config,
    tools,
    vmafModelPath: vmaf.path,
  };
}
