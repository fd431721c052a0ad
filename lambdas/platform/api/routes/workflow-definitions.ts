/**
 * One workflow with its definition (`GET /v1/workflows/{name}`) and one media function with its
 * recent runs (`GET /v1/functions/{name}`): what the web UI shows of a workflow's graph and of a
 * function's config, runs and p50/p99. Both come from the JobControl (the engine's own files and
 * step log); the catalog routes (lists, invocations) are in functions.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  FUNCTION_RUNS_LIMIT,
  FunctionDetailSchema,
  KEBAB_NAME,
  KEBAB_NAME_MAX,
  WorkflowDefinitionSchema,
  type FunctionDetail,
  type FunctionRun,
} from '../../../contracts/index.js';
import type { EngineCatalog } from '../../../ports.js';
import type { ApiApp } from '../deps.js';
import { json, pick } from './common.js';

/** A `{name}` path parameter: kebab-case, as workflow, function and rule names are. */
export const nameParams = (what: string, example: string) =>
  z.object({
    name: z
      .string()
      .max(KEBAB_NAME_MAX, `${what} is at most ${KEBAB_NAME_MAX} characters`)
      .regex(KEBAB_NAME, `${what} is kebab-case: lower-case letters, digits and single hyphens`)
      .openapi({ param: { name: 'name', in: 'path' }, example }),
  });

const getWorkflow = createRoute({
  method: 'get',
  path: '/v1/workflows/{name}',
  tags: ['functions'],
  summary: 'One workflow with its Amazon States Language definition',
  description:
    'The definition as this engine runs it: locally the `state-machines/<name>.asl.json` file with the local runner\'s substitutions; on AWS the same file as bundled with the API, with the deployment\'s function ARNs and default platforms filled in.',
  request: { params: nameParams('a workflow name', 'encode') },
  responses: { 200: json(WorkflowDefinitionSchema, 'The workflow'), ...pick(400, 401, 404) },
});

const getFunction = createRoute({
  method: 'get',
  path: '/v1/functions/{name}',
  tags: ['functions'],
  summary: 'One media function: its function.json, its recent runs across jobs and their p50/p99 duration',
  description: `The last ${FUNCTION_RUNS_LIMIT} attempts of the function's steps, newest first. On AWS the job table has no index of steps by function: \`recentRuns\` is empty and \`recentRunsUnavailableReason\` says where to look instead.`,
  request: { params: nameParams('a function name', 'inspect') },
  responses: { 200: json(FunctionDetailSchema, 'The function'), ...pick(400, 401, 404) },
});

/** Nearest-rank percentile of sorted values. */
const rank = (sorted: readonly number[], p: number): number | null =>
  sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100))) - 1]! : null;

/** p50/p99 of the durations of succeeded runs (cache hits took no work; running and failed ones have no comparable duration). */
export function runDurations(runs: readonly FunctionRun[]): FunctionDetail['durationMs'] {
  const d = runs.filter((r) => r.status === 'SUCCEEDED' && r.durationMs !== null).map((r) => r.durationMs!).sort((a, b) => a - b);
  return { count: d.length, p50: rank(d, 50), p99: rank(d, 99) };
}

export function registerWorkflowDefinitionRoutes(app: ApiApp, deps: { control: EngineCatalog }): void {
  app.openapi(getWorkflow, async (c) => c.json(await deps.control.workflowDefinition(c.req.valid('param').name), 200));

  app.openapi(getFunction, async (c) => {
    const { name } = c.req.valid('param');
    // An unknown function is the control's NotFoundError (404) before any run is read.
    const config = await deps.control.functionConfig(name);
    const runs = await deps.control.functionRuns(name, FUNCTION_RUNS_LIMIT);
    const recentRuns = runs.runs.slice(0, FUNCTION_RUNS_LIMIT);
    const body: FunctionDetail = { config, recentRuns, durationMs: runDurations(recentRuns), recentRunsUnavailableReason: runs.unavailableReason };
    return c.json(body, 200);
  });
}
