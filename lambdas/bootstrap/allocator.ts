/**
 * Lambda entry point of the allocator (CDK points at this file): `platform/allocator` wired to
 * DynamoDB (the learned speed table) and EventBridge (Task Allocated events).
 *
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS                 required
 *   MOSAIC_ALLOCATED_TARGETS   JSON { "<function>": { "<memory MiB>": "<function ARN>" } }: each allocated function's deployed Lambda sizes
 *   MOSAIC_ALLOCATED_PLATFORMS JSON { "<function>": ["lambda", "fargate"] }: where each one's tasks may run (function.json platforms)
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { ALLOCATED_FUNCTIONS, PlatformSchema, type AllocateStateResult, type AllocatedFunction } from '../contracts/index.js';
import { EventBridgeBus } from '../adapters/aws/index.js';
import { createAllocatorHandler } from '../platform/allocator/handler.js';
import { clientConfig } from './aws-clients.js';
import { awsJobStore } from './aws-deps.js';
import { requireEnv, type Env } from './env.js';

const AllocatedFunctionSchema = z.enum(ALLOCATED_FUNCTIONS);
const TargetsSchema = z.partialRecord(AllocatedFunctionSchema, z.record(z.string().regex(/^\d+$/), z.string().min(1)));
const PlatformsSchema = z.partialRecord(AllocatedFunctionSchema, z.array(PlatformSchema).min(1));

function parseEnvJson<T>(name: string, raw: string, schema: z.ZodType<T>, shape: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`environment variable ${name} must be JSON: ${shape}`);
  }
  const r = schema.safeParse(parsed);
  if (!r.success) throw new Error(`environment variable ${name} must be ${shape}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export function lambdaTargets(raw: string): (memoryMiB: number, fn: AllocatedFunction) => string | null {
  const targets = parseEnvJson('MOSAIC_ALLOCATED_TARGETS', raw, TargetsSchema, 'an object of function → { memory MiB → function ARN }');
  return (memoryMiB, fn) => targets[fn]?.[String(memoryMiB)] ?? null;
}

export function allocatedPlatforms(raw: string): Partial<Record<AllocatedFunction, z.infer<typeof PlatformSchema>[]>> {
  return parseEnvJson('MOSAIC_ALLOCATED_PLATFORMS', raw, PlatformsSchema, 'an object of function → platforms');
}

export function createAllocator(env: Env = process.env): (event: unknown) => Promise<AllocateStateResult> {
  return createAllocatorHandler({
    jobs: awsJobStore(env),
    events: new EventBridgeBus({ client: new EventBridgeClient(clientConfig(env, 'events')), busName: requireEnv(env, 'MOSAIC_EVENT_BUS') }),
    platforms: allocatedPlatforms(requireEnv(env, 'MOSAIC_ALLOCATED_PLATFORMS')),
    lambdaTarget: lambdaTargets(requireEnv(env, 'MOSAIC_ALLOCATED_TARGETS')),
  });
}

let cached: ((event: unknown) => Promise<AllocateStateResult>) | null = null;

export const handler = (event: unknown): Promise<AllocateStateResult> => {
  cached ??= createAllocator();
  return cached(event);
};
