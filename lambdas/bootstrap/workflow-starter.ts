/**
 * Lambda entry point of a workflow's starter (CDK makes one per workflow other than encode that a
 * rule starts, `lib/constructs/rules.ts`): what a rule hands workflow MOSAIC_WORKFLOW (e.g.
 * `measure-later`'s `{ "of": "<jobId>" }`) → a job record and one execution of that workflow's
 * state machine, through the same code as `POST /v1/workflows/{name}/executions`
 * (StepFunctionsWorkflowRuns with platform/workflows' workflowJob and executionInputFor). The
 * job id is derived from the workflow and its input, so a duplicate delivery or a second firing
 * names the same job and starts nothing new. The rule engine starts workflows other than encode
 * with this code too.
 *
 *   MOSAIC_WORKFLOW, MOSAIC_STATE_MACHINE_ARN      the workflow and its state machine
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS, MOSAIC_SOURCE_BUCKET, MOSAIC_DERIVATIVE_BUCKET   required
 *   MOSAIC_FUNCTION_PLATFORMS   JSON { "<media function>": "lambda" | "fargate" } (function.json defaults; default {})
 *   MOSAIC_MAP_CONCURRENCY, MOSAIC_THREADS_PER_TASK   as for the upload trigger
 *
 * A start that can never succeed (an input the workflow refuses, a job `of` that does not exist
 * or cannot be worked from) is answered `ignored` with the reason and logged, not thrown:
 * EventBridge's retries could not change it. Anything else throws (retried, then dead-lettered).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsWorkflowRuns } from '../adapters/aws/step-functions-job-control.js';
import {
  DEFAULT_SOURCE_LIMITS,
  EncodeWorkflowInputSchema,
  ErrorNames,
  isPlainObject,
  versionedKey,
  type JobRecord,
  type Platform,
} from '../contracts/index.js';
import { workflowRunJobId } from '../core/derived-workflows.js';
import { pricingRegion } from '../core/plan-sizing.js';
import { allocatorPolicyFromEnv, awsRunContext, type WorkflowRunContext } from '../core/workflow-input.js';
import { executionInputFor, workflowJob, type WorkflowStartDeps } from '../platform/workflows/execution-input.js';
import type { BlobStore, JobRepository } from '../ports.js';
import { logger } from '../runtime/index.js';
import { clientConfig } from './aws-clients.js';
import { awsStores, type AwsStores } from './aws-deps.js';
import { numberEnv, requireEnv, type Env } from './env.js';
import { DEFAULT_MAP_CONCURRENCY, DEFAULT_THREADS_PER_TASK } from './upload-trigger.js';

/** Where a job's source is read on AWS: the object version recorded at submit (as uploadWorkflowInput reads it). */
export const awsSourceOf = (job: JobRecord): { key: string } => ({
  key: job.spec.source.versionId ? versionedKey(job.spec.source.key, job.spec.source.versionId) : job.spec.source.key,
});

/** The run context of every workflow input on AWS (as the upload trigger and the API build the encode one). */
export function awsRunContextFromEnv(env: Env): WorkflowRunContext {
  return awsRunContext({
    parallelism: numberEnv(env, 'MOSAIC_MAP_CONCURRENCY', DEFAULT_MAP_CONCURRENCY, { integer: true }),
    threadsPerTask: numberEnv(env, 'MOSAIC_THREADS_PER_TASK', DEFAULT_THREADS_PER_TASK, { integer: true }),
    // Asked for: the measure step keeps it only where its ffmpeg has libvmaf and a model was found.
    vmafAvailable: true,
    limits: { ...DEFAULT_SOURCE_LIMITS },
    region: pricingRegion(env.AWS_REGION),
    allocatorPolicy: allocatorPolicyFromEnv(env),
  });
}

/** A JSON object of strings from the environment (unset: `{}`), or an Error naming the variable. */
export function jsonStringMapEnv(env: Env, name: string, what: string): Record<string, string> {
  const raw = env[name]?.trim();
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  if (!isPlainObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string'))
    throw new Error(`environment variable ${name} must be a JSON object of ${what}`);
  return parsed as Record<string, string>;
}

/** Workflow name → state machine ARN: MOSAIC_STATE_MACHINE_ARNS, with MOSAIC_STATE_MACHINE_ARN as `encode` when it does not name one. */
export function stateMachineArnsFromEnv(env: Env): Record<string, string> {
  const arns = jsonStringMapEnv(env, 'MOSAIC_STATE_MACHINE_ARNS', 'workflow name → state machine ARN');
  const encode = env.MOSAIC_STATE_MACHINE_ARN?.trim();
  return encode && !arns.encode ? { encode, ...arns } : arns;
}

/** What platform/workflows reads to build a workflow's job and inputs, on the AWS stores. */
export function awsWorkflowStartDeps(o: {
  jobs: Pick<JobRepository, 'getJob'>;
  blobs: Pick<BlobStore, 'getBytes' | 'head'>;
  run: WorkflowRunContext;
  platforms: Readonly<Record<string, Platform>>;
}): WorkflowStartDeps {
  return { jobs: o.jobs, blobs: o.blobs, sourceOf: awsSourceOf, run: o.run, platforms: o.platforms };
}

/** The execution input of a job's current run; the encode one checked against its contract, as the upload trigger does. */
export function awsExecutionInput(deps: WorkflowStartDeps): (job: JobRecord) => Promise<unknown> {
  return async (job) => {
    const input = await executionInputFor(job, deps);
    return (job.workflow?.name ?? 'encode') === 'encode' ? EncodeWorkflowInputSchema.parse(input) : input;
  };
}

/** The job id of a rule's start of workflow `name` with `input`: one job per workflow and input (as locally). */
export const starterJobId = (name: string, input: Record<string, unknown>): string => workflowRunJobId(name, input);

export type WorkflowStarterResult =
  | { status: 'ignored'; reason: string }
  | { status: 'started'; job: JobRecord; duplicate: boolean };

/** Errors no retry can change (the app's 400, 404 and 409). */
const PERMANENT = new Set<string>([ErrorNames.InputInvalid, 'Mosaic.NotFound', 'Mosaic.Conflict']);

/** Runs started for rules: the workflows of `stateMachineArns`, on the AWS stores. */
export function awsWorkflowRuns(env: Env, stores: AwsStores, stateMachineArns: Record<string, string>): StepFunctionsWorkflowRuns {
  const deps = awsWorkflowStartDeps({
    jobs: stores.jobs,
    blobs: stores.blobs,
    run: awsRunContextFromEnv(env),
    platforms: jsonStringMapEnv(env, 'MOSAIC_FUNCTION_PLATFORMS', 'media function name → default platform') as Record<string, Platform>,
  });
  return new StepFunctionsWorkflowRuns({
    jobs: stores.jobs,
    events: stores.events,
    sfn: new SFNClient(clientConfig(env, 'sfn')),
    stateMachineArns,
    executionInput: awsExecutionInput(deps),
    workflowJob: (name, request, jobId) => workflowJob(name, request, jobId, deps),
  });
}

/** Starts workflow `name` with what a rule built: the job named by starterJobId, and its first run. */
export function startForRule(runs: StepFunctionsWorkflowRuns, name: string): (input: unknown) => Promise<WorkflowStarterResult> {
  return async (input) => {
    if (!isPlainObject(input)) return { status: 'ignored', reason: `the ${name} workflow's input must be a JSON object` };
    let jobId: string | undefined;
    try {
      jobId = starterJobId(name, input);
      const { job, created } = await runs.startWorkflow(name, { input }, { jobId });
      logger.info(created ? 'workflow job started' : 'workflow job already started', { workflow: name, jobId, status: job.status });
      return { status: 'started', job, duplicate: !created };
    } catch (e) {
      const error = e as Error;
      if (!PERMANENT.has(error.name)) throw e;
      logger.warn('workflow start refused', { workflow: name, jobId, error: error.name, reason: error.message });
      return { status: 'ignored', reason: error.message };
    }
  };
}

export function createWorkflowStarter(env: Env = process.env): (input: unknown) => Promise<WorkflowStarterResult> {
  const name = requireEnv(env, 'MOSAIC_WORKFLOW');
  const runs = awsWorkflowRuns(env, awsStores(env), { [name]: requireEnv(env, 'MOSAIC_STATE_MACHINE_ARN') });
  return startForRule(runs, name);
}

let cached: ((input: unknown) => Promise<WorkflowStarterResult>) | null = null;

export const handler = (input: unknown): Promise<WorkflowStarterResult> => {
  cached ??= createWorkflowStarter();
  return cached(input);
};
