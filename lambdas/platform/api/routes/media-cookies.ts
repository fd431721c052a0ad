/**
 * POST /v1/jobs/{id}/media-cookies: CloudFront signed cookies for a job's outputs, so a browser
 * (the UI served by the same distribution) plays its HLS and DASH renditions from `/media/<jobId>/`
 * without an API key: the cookies cover the folder, segments included. Only a key holder gets them
 * (the route needs the API key like every other), only for a job that exists, and only for an hour
 * (`cdn.ttlSec`). Without a CDN (the local engine, or AWS without a signing key) the route answers
 * 404 and says where outputs are served instead.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiErrorCodes, NotFoundError } from '../../../contracts/index.js';
import { isCookieJobId, mediaSetCookieHeaders, signMediaCookies } from '../../../core/cdn-cookies.js';
import type { JobRepository } from '../../../ports.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { ApiHttpError } from '../errors.js';
import { JobIdParams, json, pick } from './common.js';

export const DEFAULT_MEDIA_COOKIE_TTL_SEC = 3600;

export const NO_CDN_MESSAGE = 'no CDN on the local engine: outputs are served by /files/… (the links in the job view)';
const NO_CDN_ON_AWS_MESSAGE = 'this deployment has no CDN signing key (set cdn.publicKeyPem in its config): use the presigned links in the job view';

export const MediaCookiesSchema = z
  .object({
    expiresAt: z.string().openapi({ description: 'When the cookies (and the policy they carry) expire (ISO 8601)' }),
    baseUrl: z.string().openapi({
      description: "Where the job's outputs are served: the object `<jobId>/<path>` is at `<baseUrl><path>`",
      example: 'https://d111111abcdef8.cloudfront.net/media/20250101120000-a1b2c3d4e5f6/',
    }),
  })
  .openapi('MediaCookies');

const route = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/media-cookies',
  tags: ['jobs'],
  summary: "Signed CloudFront cookies for the job's outputs (`Set-Cookie` for `/media/<jobId>/`); 404 without a CDN",
  request: { params: JobIdParams },
  responses: {
    200: {
      ...json(MediaCookiesSchema, 'Cookies set (CloudFront-Policy, CloudFront-Signature, CloudFront-Key-Pair-Id; Path=/media/<jobId>/, Secure, HttpOnly, SameSite=Strict)'),
      headers: { 'Set-Cookie': { description: 'The three CloudFront cookies', schema: { type: 'string' as const } } },
    },
    ...pick(400, 401, 404),
  },
});

export function registerMediaCookieRoutes(app: ApiApp, deps: Pick<ApiDeps, 'cdn' | 'engine'> & { jobs: Pick<JobRepository, 'getJob'> }): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const cdn = deps.cdn;
    if (!cdn) throw new ApiHttpError(404, ApiErrorCodes.NotFound, deps.engine === 'local' ? NO_CDN_MESSAGE : NO_CDN_ON_AWS_MESSAGE);
    const job = await deps.jobs.getJob(id);
    if (!job) throw new NotFoundError(`no job ${id}`, { id });
    if (!isCookieJobId(job.id))
      throw new ApiHttpError(400, ApiErrorCodes.ValidationFailed, `job id "${job.id}" cannot be named in a CDN policy`, {
        issues: [{ path: 'params.id', message: "letters, digits, '.', '_' and '-' only, not first '.'", code: 'invalid_string' }],
      });
    const privateKeyPem = await cdn.privateKey();
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKeyPem))
      // The deployment created the secret; the operator has not put the key pair's private key in it yet.
      throw new ApiHttpError(500, ApiErrorCodes.Internal, 'the CDN signing key is not installed: put the private key PEM in the secret named by MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN (README, Deploy)');
    const signed = signMediaCookies({
      domain: cdn.domain,
      jobId: job.id,
      keyPairId: cdn.keyPairId,
      privateKeyPem,
      expiresAt: new Date(Date.now() + (cdn.ttlSec ?? DEFAULT_MEDIA_COOKIE_TTL_SEC) * 1000),
    });
    for (const cookie of mediaSetCookieHeaders(signed)) c.header('Set-Cookie', cookie, { append: true });
    c.header('Cache-Control', 'no-store');
    return c.json({ expiresAt: signed.expiresAt.toISOString(), baseUrl: signed.baseUrl }, 200);
  });
}
