/** The document-level parts of the OpenAPI description (paths come from the routes). */
import type { ApiDeps } from './deps.js';

export function openApiConfig(deps: Pick<ApiDeps, 'version' | 'engine'>) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Mosaic Jobs API',
      version: deps.version,
      description: [
        'Submit, watch, cancel and retry encoding jobs; upload sources; run single media functions.',
        'Every route but `/v1/health` needs an API key (`x-api-key` header or `Authorization: Bearer`).',
        'Errors always have the shape `{ "error": { "code", "message", "details" } }`; validation failures are 400 with the field paths in `details.issues`.',
        'Webhooks: a job may name `webhook.url`; each state change is POSTed with a `Mosaic-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` header, keyed with the deployment\'s webhook secret.',
      ].join('\n\n'),
    },
    security: [{ ApiKey: [] }],
    tags: [
      { name: 'jobs', description: 'Encoding jobs' },
      { name: 'uploads', description: 'Where to put sources' },
      { name: 'functions', description: 'Media functions and workflows' },
      { name: 'metrics', description: 'Jobs, cost and latency figures (the local engine; on AWS the CloudWatch dashboards)' },
      { name: 'system', description: 'Health and this document' },
    ],
  };
}
