/** /v1/functions (catalog, one invocation on its own) and /v1/workflows. */
import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  FunctionInfoSchema,
  FunctionInvocationRequestSchema,
  FunctionInvocationResultSchema,
  WorkflowInfoSchema,
} from '../../../contracts/index.js';
import { callerKeysIn } from '../../../core/object-keys.js';
import type { EngineCatalog, FunctionInvoker } from '../../../ports.js';
import type { ApiApp } from '../deps.js';
import { ApiHttpError } from '../errors.js';
import { json, jsonBody, pick } from './common.js';

const listFunctions = createRoute({
  method: 'get',
  path: '/v1/functions',
  tags: ['functions'],
  summary: 'The media functions',
  responses: { 200: json(z.object({ functions: z.array(FunctionInfoSchema) }), 'Every media function'), ...pick(401) },
});

const invoke = createRoute({
  method: 'post',
  path: '/v1/functions/{name}/invocations',
  tags: ['functions'],
  summary: 'Run one media function on its own',
  description: 'The body is `{ input }`, the function\'s own input; `jobId` is set by the API (each invocation gets its own). Object keys may not point into `.mosaic/`.',
  request: {
    params: z.object({ name: z.string().min(1).max(64).openapi({ param: { name: 'name', in: 'path' }, example: 'inspect' }) }),
    body: jsonBody(FunctionInvocationRequestSchema),
  },
  responses: { 200: json(FunctionInvocationResultSchema, 'The function\'s result'), ...pick(400, 401, 404, 413, 415, 422) },
});

const listWorkflows = createRoute({
  method: 'get',
  path: '/v1/workflows',
  tags: ['functions'],
  summary: 'The workflows',
  responses: { 200: json(z.object({ workflows: z.array(WorkflowInfoSchema) }), 'Every workflow'), ...pick(401) },
});

export function registerFunctionRoutes(app: ApiApp, deps: { control: EngineCatalog & FunctionInvoker }): void {
  app.openapi(listFunctions, async (c) => c.json({ functions: await deps.control.functions() }, 200));
  app.openapi(listWorkflows, async (c) => c.json({ workflows: await deps.control.workflows() }, 200));
  app.openapi(invoke, async (c) => {
    const { name } = c.req.valid('param');
    // Every key and prefix of the input through the one choke point (never into .mosaic/).
    const input = callerKeysIn(c.req.valid('json').input, 'body.input');
    const invocationId = `fn-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const result = await deps.control.invokeFunction(name, { ...input, jobId: invocationId }).catch((e: Error) => {
      // The function ran and failed on what it was given (ffmpeg refused it, say): the
      // client's input, so a 422 with the function's typed error rather than a server fault.
      if (/^Mosaic\.(Transient|ResourceExhausted|Cancelled)$/.test(e.name))
        throw new ApiHttpError(422, 'function_failed', e.message, { error: e.name });
      throw e;
    });
    return c.json({ function: name, invocationId, durationMs: Date.now() - started, result }, 200);
  });
}
