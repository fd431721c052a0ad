import { z } from 'zod';

/** Names a function may give its environment variables and secrets (the platform's own prefixes are reserved). */
export const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
export const RESERVED_ENV_PREFIXES = ['AWS_', 'MOSAIC_'] as const;
/** The JSON of a function's `secrets` (NAME → reference) its Lambda and task get; the runtime resolves them at cold start. */
export const SECRET_REFS_ENV = 'MOSAIC_SECRET_REFS';
/** On Fargate, ECS puts each secret's value into the container as MOSAIC_SECRET_VALUE_<NAME> (valueFrom: never in the template). */
export const SECRET_VALUE_ENV_PREFIX = 'MOSAIC_SECRET_VALUE_';

const int = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(min, { error: `must be ≥ ${min}` }).max(max, { error: `must be ≤ ${max}` });

/** A name of `environment` or `secrets`: ENV_NAME, and not reserved (one pattern, so the JSON Schema carries it too). */
const envName = z.string().regex(/^(?!AWS_|MOSAIC_)[A-Z][A-Z0-9_]*$/);
const envRecord = <T extends z.ZodType>(value: T) =>
  z.record(envName, value, {
    error: (iss) =>
      iss.code === 'invalid_key'
        ? `"${String(iss.input)}" must be an environment variable name (${ENV_NAME.source}) not starting ${RESERVED_ENV_PREFIXES.join(' or ')} (reserved for the platform)`
        : undefined,
  });

/** Where a secret lives on AWS: read at cold start by the Function Runtime, never put in the environment. */
export const SecretRefSchema = z.union([
  z.object({ ssm: z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, { error: 'must be an SSM parameter path starting with "/"' }).describe('SSM Parameter Store parameter name (SecureString or String), e.g. /mosaic/webhook-token') }).strict(),
  z
    .object({
      secretsManager: z.string().min(1).describe('Secrets Manager secret ARN or name'),
      key: z.string().min(1).optional().describe('A JSON key of the secret string (default: the whole string)'),
    })
    .strict(),
]);
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** `lambdas/functions/<name>/function.json`: how the platform runs a media function. */
export const FunctionConfigSchema = z
  .object({
    /** Editors' hint (`../../../schemas/function.schema.json`); ignored by the platform. */
    $schema: z.string().optional().describe('The JSON Schema of this file (editor completion); ignored by the platform'),
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'must be lower-case words joined by "-", equal to its folder name' }).describe('Equals its folder name'),
    description: z.string().min(1, { error: 'must not be empty' }),
    /** The result-cache key includes it: bump it when the function's output changes. */
    version: int(1, Number.MAX_SAFE_INTEGER).describe('Part of the result-cache key: bump it when the output changes'),
    memoryMiB: int(128, 10_240).describe('Lambda memory (MiB); the Fargate task size follows from it unless "fargate" is given'),
    timeoutSec: int(1, 900).describe('Lambda timeout (s)'),
    ephemeralStorageMiB: int(512, 10_240).describe('Lambda /tmp size (MiB); Fargate ephemeral storage is at least 21 GiB'),
    architecture: z.enum(['arm64', 'x86_64']),
    platforms: z.array(z.enum(['lambda', 'fargate'])).min(1, { error: 'must name at least one platform' }).describe('Where the function may run'),
    defaultPlatform: z.enum(['lambda', 'fargate']),
    /** Whether results are cached by content hash. */
    cacheable: z.boolean(),
    /**
     * Sized per task by the allocator (the workflow's Allocate state): the stack deploys one Lambda
     * per size of LAMBDA_MEMORY_LADDER_MIB, and Fargate tasks get CPU/memory overrides.
     */
    allocated: z.boolean().default(false),
    /** The Fargate task's size when not derived from memoryMiB (a valid Fargate CPU/memory pair). */
    fargate: z
      .object({
        cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096), z.literal(8192), z.literal(16384)]).describe('CPU units (1024 = 1 vCPU)'),
        memoryMiB: int(512, 122_880),
      })
      .strict()
      .optional()
      .describe('Fargate task size (default: vCPUs as Lambda gives memoryMiB, memory rounded up to a valid size)'),
    /** Reserved concurrent executions of the function's Lambda (its base size). */
    reservedConcurrency: int(0, 10_000).optional().describe('Reserved concurrent executions of the Lambda'),
    /** Plain (non-secret) variables set on the Lambda and the Fargate container. */
    environment: envRecord(z.string()).optional().describe('Non-secret environment variables of the Lambda and the Fargate container'),
    /** Secrets by name: ctx.config.secret(NAME) returns the value; never put in the environment. */
    secrets: envRecord(SecretRefSchema).optional().describe('Secrets the function reads with ctx.config.secret(NAME): { "ssm": "/path" } or { "secretsManager": "arn-or-name", "key"?: "json-key" }'),
  })
  .strict()
  .refine((c) => c.platforms.includes(c.defaultPlatform), { message: 'defaultPlatform must be one of platforms', path: ['defaultPlatform'] })
  .refine((c) => !c.environment || !c.secrets || Object.keys(c.secrets).every((n) => !(n in c.environment!)), {
    message: 'a name may be an environment variable or a secret, not both',
    path: ['secrets'],
  });
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;

/** The JSON Schema of function.json, as `bin/gen-function-schema.ts` writes it to `schemas/function.schema.json`. */
export function functionConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FunctionConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, title: 'Mosaic media function config (lambdas/functions/<name>/function.json)' };
}
