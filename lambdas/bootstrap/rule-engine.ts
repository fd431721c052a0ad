/**
 * Lambda entry point of the rule engine (CDK points at this file): the handler in
 * `platform/rule-engine` with facts and firing records in DynamoDB, events on the platform bus,
 * workflows started by their starters in-process (same job ids, same execution names): encode by
 * the upload trigger's handler, any other workflow by the workflow starter's code
 * (workflow-starter.ts), functions invoked asynchronously (their results come back as
 * `Function Result` events).
 *
 *   MOSAIC_TABLE, MOSAIC_EVENT_BUS, MOSAIC_STATE_MACHINE_ARN, MOSAIC_SOURCE_BUCKET   required
 *   MOSAIC_STATE_MACHINE_ARNS  JSON {"<workflow>": "<arn>"} of the other workflows the rules start (default {});
 *                              with it MOSAIC_DERIVATIVE_BUCKET and MOSAIC_FUNCTION_PLATFORMS, as for the workflow starter
 *   MOSAIC_FUNCTION_ARNS     JSON {"<function>": "<arn>"} the rules may invoke (default {})
 *   MOSAIC_RULES_DIR         the rule files (default: rules/ beside the bundle, copied there at synth)
 *   MOSAIC_MAP_CONCURRENCY, MOSAIC_THREADS_PER_TASK   as for the upload trigger
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoJobStore, EventBridgeBus } from '../adapters/aws/index.js';
import { InputInvalidError, NotFoundError } from '../contracts/index.js';
import { loadRuleSet, type RuleSet } from '../core/rules/index.js';
import { createRuleEngineHandler, type RuleEngineResult } from '../platform/rule-engine/handler.js';
import { ENCODE_WORKFLOW } from '../platform/upload-trigger/handler.js';
import { clientConfig } from './aws-clients.js';
import { requireEnv, type Env } from './env.js';
import { createUploadTrigger } from './upload-trigger.js';
import { awsStores } from './aws-deps.js';
import { awsWorkflowRuns, jsonStringMapEnv, startForRule, type WorkflowStarterResult } from './workflow-starter.js';

/** The rule files of a folder, validated, with the deployment's substitutions. */
export function loadRulesFrom(dir: string, sourceBucket: string): RuleSet {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => ({ path: `rules/${n}`, text: readFileSync(join(dir, n), 'utf8') }));
  return loadRuleSet(files, { substitutions: { SourceBucket: sourceBucket } });
}

function functionArns(env: Env): Record<string, string> {
  const raw = env.MOSAIC_FUNCTION_ARNS?.trim();
  if (!raw) return {};
  const parsed = JSON.parse(raw) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('MOSAIC_FUNCTION_ARNS must be a JSON object of function name → ARN');
  return parsed as Record<string, string>;
}

export function createRuleEngine(env: Env = process.env): (invocation: unknown) => Promise<RuleEngineResult> {
  const busName = requireEnv(env, 'MOSAIC_EVENT_BUS');
  const sourceBucket = requireEnv(env, 'MOSAIC_SOURCE_BUCKET');
  const dir = env.MOSAIC_RULES_DIR?.trim() || join(dirname(fileURLToPath(import.meta.url)), 'rules');
  const starter = createUploadTrigger(env);
  // Other workflows (no encode here: MOSAIC_STATE_MACHINE_ARN is the upload trigger's).
  const { encode: _encode, ...others } = jsonStringMapEnv(env, 'MOSAIC_STATE_MACHINE_ARNS', 'workflow name → state machine ARN');
  const otherRuns = Object.keys(others).length ? awsWorkflowRuns(env, awsStores(env), others) : null;
  const otherStarters = new Map<string, (input: unknown) => Promise<WorkflowStarterResult>>();
  const arns = functionArns(env);
  const lambda = new LambdaClient(clientConfig(env, 'lambda'));
  return createRuleEngineHandler({
    rules: loadRulesFrom(dir, sourceBucket),
    facts: new DynamoJobStore({ client: new DynamoDBClient(clientConfig(env, 'dynamodb')), table: requireEnv(env, 'MOSAIC_TABLE') }),
    bus: new EventBridgeBus({ client: new EventBridgeClient(clientConfig(env, 'events')), busName }),
    async startWorkflow(workflow, input) {
      if (workflow === ENCODE_WORKFLOW) {
        const res = await starter(input);
        return res.status === 'ignored' ? { status: 'ignored', reason: res.reason } : { status: res.duplicate ? 'duplicate' : 'started', jobId: res.job.id };
      }
      if (!otherRuns || !Object.hasOwn(others, workflow))
        throw new InputInvalidError(`no workflow "${workflow}" the rules may start in this deployment; known: ${[ENCODE_WORKFLOW, ...Object.keys(others)].join(', ')}`);
      let start = otherStarters.get(workflow);
      if (!start) otherStarters.set(workflow, (start = startForRule(otherRuns, workflow)));
      const res = await start(input);
      return res.status === 'ignored' ? { status: 'ignored', reason: res.reason } : { status: res.duplicate ? 'duplicate' : 'started', jobId: res.job.id };
    },
    async invokeFunction(fn, input) {
      const arn = arns[fn];
      if (!arn) throw new NotFoundError(`no media function "${fn}" the rules may invoke; known: ${Object.keys(arns).join(', ') || '(none)'}`);
      // Asynchronous, as an EventBridge Lambda target: Lambda retries it, the result follows as an event.
      await lambda.send(new InvokeCommand({ FunctionName: arn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(input)) }));
      return { status: 'invoked' };
    },
  });
}

let cached: ((invocation: unknown) => Promise<RuleEngineResult>) | null = null;

export const handler = (invocation: unknown): Promise<RuleEngineResult> => {
  cached ??= createRuleEngine();
  return cached(invocation);
};
