/** /v1/uploads: where to PUT a source (presigned S3 PUT on AWS; the local server's PUT locally). */
import { createRoute } from '@hono/zod-openapi';
import { ApiErrorCodes, UploadRequestSchema, UploadTicketSchema } from '../../../contracts/index.js';
import { callerKey } from '../../../core/object-keys.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { ApiHttpError } from '../errors.js';
import { json, jsonBody, pick } from './common.js';

const create = createRoute({
  method: 'post',
  path: '/v1/uploads',
  tags: ['uploads'],
  summary: 'Get a URL to PUT a source to; then submit a job with `source.key`',
  request: { body: jsonBody(UploadRequestSchema) },
  responses: { 201: json(UploadTicketSchema, 'Where and how to send the bytes'), ...pick(400, 401, 413, 415) },
});

export function registerUploadRoutes(app: ApiApp, deps: Pick<ApiDeps, 'uploads'>): void {
  app.openapi(create, async (c) => {
    const req = c.req.valid('json');
    if (req.bytes > deps.uploads.maxUploadBytes)
      throw new ApiHttpError(413, ApiErrorCodes.PayloadTooLarge, `a source may be at most ${deps.uploads.maxUploadBytes} bytes`, {
        maxBytes: deps.uploads.maxUploadBytes,
        issues: [{ path: 'body.bytes', message: `at most ${deps.uploads.maxUploadBytes}`, code: 'too_big' }],
      });
    const ticket = await deps.uploads.createUpload(req);
    // The key made from the file name goes through the same choke point as every caller key.
    callerKey(ticket.key, { field: 'body.filename' });
    return c.json(ticket, 201);
  });
}
