/**
 * The Jobs API: one Hono app with @hono/zod-openapi, the same on AWS (API Gateway → Lambda via
 * `hono/aws-lambda`, lambdas/bootstrap/api.ts) and locally (`mosaic serve`, local/api-server.ts).
 * Request and response schemas come from lambdas/contracts/api.ts; the OpenAPI document at
 * `/openapi.json` is generated from the same schemas that validate requests.
 *
 * Thin by design: parse (zod) → core → ports (JobControl, JobStore, UploadTarget, BlobStore) →
 * result. Every non-2xx answer has the one shape `{ error: { code, message, details } }`.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { ApiErrorCodes } from '../../contracts/index.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../../core/json-depth.js';
import { requireApiKey, type ApiEnv } from './auth.js';
import type { ApiApp, ApiDeps } from './deps.js';
import { errorResponse, onApiError, validationHook } from './errors.js';
import { registerFunctionRoutes } from './routes/functions.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerSystemRoutes, PUBLIC_PATHS } from './routes/system.js';
import { registerUploadRoutes } from './routes/uploads.js';

export type { ApiApp, ApiDeps } from './deps.js';

export const API_TITLE = 'Mosaic Jobs API';

export function createApiApp(deps: ApiDeps): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });
  app.onError(onApiError);
  // Hono hands only Error instances to onError; anything else thrown becomes one here.
  app.use('*', async (_c, next) => {
    try {
      await next();
    } catch (e) {
      throw e instanceof Error ? e : new Error(`non-Error thrown: ${String(e)}`);
    }
  });
  app.use('*', requireApiKey(deps.auth, (path) => PUBLIC_PATHS.has(path)));
  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes ?? 1024 * 1024,
    onError: (c) => errorResponse(c, 413, ApiErrorCodes.PayloadTooLarge, `request body is over ${deps.maxBodyBytes ?? 1024 * 1024} bytes`),
  });
  // GET and HEAD carry no body: skip the check on the hot polling path.
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));
  // Bounded nesting before any parser or schema recurses into the body (the text is cached for them).
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && /json/i.test(c.req.header('content-type') ?? '') && jsonDeeperThan(await c.req.text()))
      return errorResponse(c, 400, ApiErrorCodes.ValidationFailed, `body: JSON nested more than ${MAX_JSON_DEPTH} levels deep`, {
        maxDepth: MAX_JSON_DEPTH,
        issues: [{ path: 'body', message: `nested more than ${MAX_JSON_DEPTH} levels deep`, code: 'too_deep' }],
      });
    return next();
  });
  registerJobRoutes(app, deps);
  registerUploadRoutes(app, deps);
  registerFunctionRoutes(app, deps);
  registerSystemRoutes(app, deps);
  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length) {
      c.header('Allow', allowed.join(', '));
      return errorResponse(c, 405, ApiErrorCodes.MethodNotAllowed, `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allowed.join(', ')}`);
    }
    return errorResponse(c, 404, ApiErrorCodes.NotFound, `no route ${c.req.method} ${c.req.path}`);
  });
  return app;
}

/** Methods of the routes whose path matches (for 405 and `Allow`). */
function allowedMethods(app: ApiApp, path: string): string[] {
  const methods = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const re = new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}$`);
    if (re.test(path)) methods.add(r.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
