/**
 * AWS SDK client configuration from the environment. On Lambda and Fargate the region and the
 * credentials come from the platform; `MOSAIC_AWS_ENDPOINT_<SERVICE>` points a client at another
 * endpoint (tests use loopback emulators: s3rver, dynalite, a recording Step Functions fake).
 */
import type { Env } from './env.js';

export const ENDPOINT_VARS = {
  s3: 'MOSAIC_AWS_ENDPOINT_S3',
  dynamodb: 'MOSAIC_AWS_ENDPOINT_DYNAMODB',
  events: 'MOSAIC_AWS_ENDPOINT_EVENTS',
  sfn: 'MOSAIC_AWS_ENDPOINT_SFN',
  lambda: 'MOSAIC_AWS_ENDPOINT_LAMBDA',
} as const;
export type AwsService = keyof typeof ENDPOINT_VARS;

export interface BaseClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Region, endpoint override and credentials for one service. Credentials are taken from
 * `env` only when both key variables are in it (exactly what the SDK's own environment
 * provider would read from `process.env`); otherwise the SDK's default chain applies
 * (the Fargate task role, for instance).
 */
export function clientConfig(env: Env, service: AwsService): BaseClientConfig {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const endpoint = env[ENDPOINT_VARS[service]]?.trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {}),
  };
}

/**
 * S3 client options: path-style addressing for an overridden endpoint (emulators have no
 * virtual-host buckets), and checksums only where S3 requires them, since emulators such as
 * s3rver do not understand the SDK's default CRC32 trailers.
 */
export function s3ClientConfig(env: Env): BaseClientConfig & {
  forcePathStyle?: boolean;
  requestChecksumCalculation?: 'WHEN_REQUIRED';
  responseChecksumValidation?: 'WHEN_REQUIRED';
} {
  const base = clientConfig(env, 's3');
  return base.endpoint
    ? { ...base, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
    : base;
}
