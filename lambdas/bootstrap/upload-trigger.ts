/**
 * Lambda entry point of the upload trigger (CDK points at this file): the handler in
 * `platform/upload-trigger` wired to DynamoDB, EventBridge and Step Functions from the environment.
 *
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS, MOSAIC_STATE_MACHINE_ARN   required
 *   MOSAIC_MAP_CONCURRENCY                                     workflow parallelism, default 20
 *   MOSAIC_THREADS_PER_TASK                                    ffmpeg threads per task, default 2
 *   MOSAIC_TURNAROUND_POLICY, MOSAIC_SERVICE_QUOTAS            the allocator's turnaround policy and quotas (JSON), default core/allocator's
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeBus, StepFunctionsEngine } from '../adapters/aws/index.js';
import { createUploadTriggerHandler, ENCODE_WORKFLOW, type UploadTriggerResult } from '../platform/upload-trigger/handler.js';
import { pricingRegion } from '../core/plan-sizing.js';
import { allocatorPolicyFromEnv } from '../core/workflow-input.js';
import { clientConfig } from './aws-clients.js';
import { awsJobStore } from './aws-deps.js';
import { numberEnv, requireEnv, type Env } from './env.js';

export const DEFAULT_MAP_CONCURRENCY = 20;
/**
 * ffmpeg threads per encode task. The workflow contract wants a positive number (0, x264's
 * "auto", is not accepted by EncodeWorkflowInputSchema); 2 matches the ~2 vCPUs of a 3 GiB Lambda.
 */
export const DEFAULT_THREADS_PER_TASK = 2;

export function createUploadTrigger(env: Env = process.env): (event: unknown) => Promise<UploadTriggerResult> {
  const stateMachineArn = requireEnv(env, 'MOSAIC_STATE_MACHINE_ARN');
  const busName = requireEnv(env, 'MOSAIC_EVENT_BUS');
  return createUploadTriggerHandler({
    jobs: awsJobStore(env),
    events: new EventBridgeBus({ client: new EventBridgeClient(clientConfig(env, 'events')), busName }),
    workflows: new StepFunctionsEngine({ client: new SFNClient(clientConfig(env, 'sfn')), stateMachineArns: { [ENCODE_WORKFLOW]: stateMachineArn } }),
    workflow: {
      parallelism: numberEnv(env, 'MOSAIC_MAP_CONCURRENCY', DEFAULT_MAP_CONCURRENCY, { integer: true }),
      threadsPerTask: numberEnv(env, 'MOSAIC_THREADS_PER_TASK', DEFAULT_THREADS_PER_TASK, { integer: true }),
      // Asked for: the Plan step keeps it only where its ffmpeg has libvmaf and a model was found.
      vmafAvailable: true,
      region: pricingRegion(env.AWS_REGION),
      allocatorPolicy: allocatorPolicyFromEnv(env),
    },
  });
}

let cached: ((event: unknown) => Promise<UploadTriggerResult>) | null = null;

export const handler = (event: unknown): Promise<UploadTriggerResult> => {
  cached ??= createUploadTrigger();
  return cached(event);
};
