/** Health, the OpenAPI document and its docs page. */
import { createRoute } from '@hono/zod-openapi';
import { HealthSchema } from '../../../contracts/index.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { docsPage } from '../docs-page.js';
import { openApiConfig } from '../openapi.js';

/** Reachable without an API key: health for load balancers, and the API's own description. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/v1/health', '/openapi.json', '/docs']);

const health = createRoute({
  method: 'get',
  path: '/v1/health',
  tags: ['system'],
  summary: 'Liveness; needs no API key',
  security: [],
  responses: { 200: { description: 'The API is up', content: { 'application/json': { schema: HealthSchema } } } },
});

export function registerSystemRoutes(app: ApiApp, deps: Pick<ApiDeps, 'engine' | 'version'>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', { type: 'apiKey', in: 'header', name: 'x-api-key' });
  app.openapi(health, (c) => c.json({ status: 'ok' as const, engine: deps.engine, version: deps.version, time: new Date().toISOString() }, 200));
  app.get('/openapi.json', (c) => c.json(app.getOpenAPIDocument(openApiConfig(deps))));
  app.get('/docs', (c) => c.html(docsPage()));
}
