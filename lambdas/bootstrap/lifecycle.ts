/**
 * Lambda entry point of the job lifecycle on AWS (CDK points the Step Functions status-change rule
 * and the step-event rule at this file): `platform/lifecycle` on the job table, both buckets (a
 * job's end removes outputs or work) and the platform bus (`Job Status Changed`, which webhooks
 * and rules follow).
 *
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS, MOSAIC_SOURCE_BUCKET, MOSAIC_DERIVATIVE_BUCKET   required
 */
import { runOfExecutionName } from '../adapters/aws/step-functions-job-control.js';
import { createLifecycleHandler, type LifecycleResult } from '../platform/lifecycle/handler.js';
import { awsLifecycleDeps, awsStores } from './aws-deps.js';
import type { Env } from './env.js';

export function createLifecycle(env: Env = process.env): (event: unknown) => Promise<LifecycleResult> {
  return createLifecycleHandler({ ...awsLifecycleDeps(awsStores(env), env), executionOf: runOfExecutionName });
}

let cached: ((event: unknown) => Promise<LifecycleResult>) | null = null;

export const handler = (event: unknown): Promise<LifecycleResult> => {
  cached ??= createLifecycle();
  return cached(event);
};
