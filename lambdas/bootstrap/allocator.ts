/**
 * Lambda entry point of the allocator (CDK points at this file): `platform/allocator` wired to
 * DynamoDB (the learned speed table) and EventBridge (Task Allocated events).
 *
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS                 required
 *   MOSAIC_ALLOCATED_TARGETS   JSON { "<memory MiB>": "<function ARN>" }: the deployed Lambda sizes
 *   MOSAIC_ALLOCATED_PLATFORMS comma list of platforms encode tasks may use (function.json platforms)
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PlatformSchema, type AllocateStateResult } from '../contracts/index.js';
import { EventBridgeBus } from '../adapters/aws/index.js';
import { createAllocatorHandler } from '../platform/allocator/handler.js';
import { clientConfig } from './aws-clients.js';
import { awsJobStore } from './aws-deps.js';
import { requireEnv, type Env } from './env.js';

export function lambdaTargets(raw: string): (memoryMiB: number) => string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('environment variable MOSAIC_ALLOCATED_TARGETS must be a JSON object of memory MiB → function ARN');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('environment variable MOSAIC_ALLOCATED_TARGETS must be a JSON object');
  const targets = parsed as Record<string, unknown>;
  return (memoryMiB) => {
    const arn = targets[String(memoryMiB)];
    return typeof arn === 'string' ? arn : null;
  };
}

export function createAllocator(env: Env = process.env): (event: unknown) => Promise<AllocateStateResult> {
  const platforms = requireEnv(env, 'MOSAIC_ALLOCATED_PLATFORMS')
    .split(',')
    .map((p) => PlatformSchema.parse(p.trim()));
  return createAllocatorHandler({
    jobs: awsJobStore(env),
    events: new EventBridgeBus({ client: new EventBridgeClient(clientConfig(env, 'events')), busName: requireEnv(env, 'MOSAIC_EVENT_BUS') }),
    platforms,
    lambdaTarget: lambdaTargets(requireEnv(env, 'MOSAIC_ALLOCATED_TARGETS')),
  });
}

let cached: ((event: unknown) => Promise<AllocateStateResult>) | null = null;

export const handler = (event: unknown): Promise<AllocateStateResult> => {
  cached ??= createAllocator();
  return cached(event);
};
