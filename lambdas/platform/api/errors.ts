/**
 * The one error shape, `{ error: { code, message, details } }`, and the mapping of everything a
 * handler may throw onto it. Client mistakes are 4xx with what was wrong (zod issues become
 * field paths); anything else is a 500 that says nothing about the server's insides.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { ApiErrorCodes, ConflictError, ErrorNames, issueEntries, NotFoundError, type ApiErrorBody, type IssueEntry } from '../../contracts/index.js';
import { ObjectKeyError } from '../../core/object-keys.js';
import { logger } from '../../runtime/index.js';

/** An error that already knows its HTTP answer. */
export class ApiHttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ApiErrorBody {
  return { error: { code, message, details } };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, details: Record<string, unknown> = {}): Response {
  return c.json(errorBody(code, message, details), status);
}

/** A request issue: its dotted path inside the request part, e.g. `body.ladder.0.height`, `query.limit`. */
export type FieldIssue = IssueEntry;

/** zod issues → `{ path, message, code }` with the request part (`body`, `query`, `path`, `header`) first. */
export function fieldIssues(error: ZodError, part: string): FieldIssue[] {
  return issueEntries(error, [part]);
}

export function validationError(c: Context, error: ZodError, part: string): Response {
  const issues = fieldIssues(error, part);
  const first = issues[0];
  return errorResponse(c, 400, ApiErrorCodes.ValidationFailed, first ? `${first.path}: ${first.message}` : 'invalid request', { issues });
}

const PARTS: Record<string, string> = { json: 'body', form: 'body', query: 'query', param: 'path', header: 'header', cookie: 'cookie' };

/** The `defaultHook` of the OpenAPIHono app: every failed request validation answers 400 in the one shape. */
export function validationHook(result: { target: string; success: boolean; error?: ZodError }, c: Context): Response | undefined {
  if (result.success || !result.error) return undefined;
  return validationError(c, result.error, PARTS[result.target] ?? result.target);
}

const HTTP_CODES: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: ApiErrorCodes.Unauthorized,
  404: ApiErrorCodes.NotFound,
  405: ApiErrorCodes.MethodNotAllowed,
  409: ApiErrorCodes.Conflict,
  413: ApiErrorCodes.PayloadTooLarge,
  415: ApiErrorCodes.UnsupportedMediaType,
};

/** `app.onError`: typed errors to their status; the rest to a 500 with a reference to the log line. */
export function onApiError(err: Error, c: Context): Response {
  if (err instanceof ApiHttpError) return errorResponse(c, err.status, err.code, err.message, err.details);
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    const message = err.status === 400 && /JSON/i.test(err.message) ? 'request body is not valid JSON' : err.message || 'bad request';
    return errorResponse(c, status, HTTP_CODES[err.status] ?? 'bad_request', message);
  }
  // A refused object key names the request field it came from.
  if (err instanceof ObjectKeyError)
    return errorResponse(c, 400, ApiErrorCodes.ValidationFailed, err.message, { issues: [{ path: err.field, message: err.reason, code: 'invalid_key' }] });
  if (err instanceof NotFoundError) return errorResponse(c, 404, ApiErrorCodes.NotFound, err.message, err.details);
  if (err instanceof ConflictError) return errorResponse(c, 409, ApiErrorCodes.Conflict, err.message, err.details);
  if (err.name === ErrorNames.InputInvalid)
    return errorResponse(c, 400, ApiErrorCodes.InputInvalid, err.message, sanitizeDetails((err as { details?: unknown }).details));
  const ref = Math.random().toString(36).slice(2, 10);
  logger.error('api request failed', { ref, method: c.req.method, path: c.req.path, error: err.name, message: err.message, stack: err.stack });
  return errorResponse(c, 500, ApiErrorCodes.Internal, 'internal error; the server log has the details', { ref });
}

/** Details of an InputInvalidError, minus anything that is not plain data (stderr tails are fine; paths of scratch dirs are not). */
function sanitizeDetails(d: unknown): Record<string, unknown> {
  if (!d || typeof d !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) if (k !== 'stderrTail' && (v === null || ['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v))) out[k] = v;
  return out;
}
