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
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import { ApiErrorCodes } from '../../contracts/index.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../../core/json-depth.js';
import { apiRequestRecord } from '../../core/metric-records.js';
import type { MetricsSink } from '../../ports.js';
import { logger } from '../../runtime/index.js';
import { requireApiKey, type ApiEnv } from './auth.js';
import type { ApiApp, ApiDeps } from './deps.js';
import { errorResponse, onApiError, validationHook } from './errors.js';
import { registerFunctionRoutes } from './routes/functions.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerMediaCookieRoutes } from './routes/media-cookies.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerWorkflowDefinitionRoutes } from './routes/workflow-definitions.js';
import { registerWorkflowExecutionRoutes } from './routes/workflow-executions.js';
import { isSessionPublic, registerSessionRoutes } from './routes/session.js';
import { registerSystemRoutes, PUBLIC_PATHS } from './routes/system.js';
import { registerUploadRoutes } from './routes/uploads.js';

export type { ApiApp, ApiDeps } from './deps.js';

export const API_TITLE = 'Mosaic Jobs API';

export function createApiApp(deps: ApiDeps): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });
  app.onError(onApiError);
  // Outermost, so it sees every answer (401s and errors mapped by onError included).
  if (deps.metrics) {
    const m = requestMetrics(deps.metrics, deps.metricsFlushMs ?? 250);
    FLUSHES.set(app, m.flush);
    app.use('*', m.middleware);
  }
  // Hono hands only Error instances to onError; anything else thrown becomes one here.
  app.use('*', async (_c, next) => {
    try {
      await next();
    } catch (e) {
      throw e instanceof Error ? e : new Error(`non-Error thrown: ${String(e)}`);
    }
  });
  // Browser sessions where the deployment keeps them (mosaic serve); their sign-in routes pass without a key.
  const sessions = deps.sessions;
  app.use('*', requireApiKey(deps.auth, (path, method) => PUBLIC_PATHS.has(path) || (!!sessions && isSessionPublic(path, method)), sessions));
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
  registerMediaCookieRoutes(app, deps);
  registerUploadRoutes(app, deps);
  registerFunctionRoutes(app, deps);
  registerWorkflowDefinitionRoutes(app, deps);
  registerWorkflowExecutionRoutes(app, deps);
  registerRuleRoutes(app, deps);
  registerMetricsRoutes(app, deps);
  registerSessionRoutes(app, deps);
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

/** The route a request matched, as the API documents it (`/v1/jobs/{id}`); `unmatched` for unknown paths (raw paths are never dimensions). */
export function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== 'ALL') return documented(r.path);
  }
  return 'unmatched';
}

const DOCUMENTED = new Map<string, string>();
const documented = (path: string): string => {
  let d = DOCUMENTED.get(path);
  if (d === undefined) DOCUMENTED.set(path, (d = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')));
  return d;
};

const FLUSHES = new WeakMap<ApiApp, () => void>();

/** Hands the request records still waiting to the sink now (before a server closes its stores). */
export function flushRequestMetrics(app: ApiApp): void {
  FLUSHES.get(app)?.();
}

/**
 * One ApiRequests/ApiLatencyMs record per answered request. The hot path only notes five fields;
 * records are built and handed to the sink together, off the request, every `flushMs` (or at
 * MAX_BATCH). A failing sink is logged, never the request's problem.
 */
function requestMetrics(sink: MetricsSink, flushMs: number): { middleware: MiddlewareHandler<ApiEnv>; flush: () => void } {
  const MAX_BATCH = 5000;
  type Noted = [method: string, route: string, status: number, latencyMs: number, atMs: number];
  let batch: Noted[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const noted = batch;
    batch = [];
    if (!noted.length) return;
    void Promise.resolve()
      .then(() => sink.record(noted.map(([m, r, s, l, at]) => apiRequestRecord(m, r, s, l, new Date(at).toISOString()))))
      .catch((e: unknown) => logger.warn('API request metrics not recorded', { records: noted.length, error: e instanceof Error ? e.message : String(e) }));
  };
  const middleware: MiddlewareHandler<ApiEnv> = async (c, next) => {
    const atMs = Date.now();
    const started = performance.now();
    let threw = false;
    try {
      await next();
    } catch (e) {
      threw = true;
      throw e;
    } finally {
      try {
        batch.push([c.req.method, routeOf(c), threw ? 500 : c.res.status, performance.now() - started, atMs]);
        // 0: record with the request (Lambda may freeze before any timer fires).
        if (flushMs <= 0) flush();
        else if (batch.length >= MAX_BATCH) setImmediate(flush);
        else if (!timer) {
          timer = setTimeout(flush, flushMs);
          (timer as { unref?: () => void }).unref?.();
        }
      } catch (e) {
        logger.warn('API request metrics not noted', { error: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  return { middleware, flush };
}
