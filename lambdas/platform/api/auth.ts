/**
 * API keys: every route but health (and the API's own documentation) needs one, sent as
 * `x-api-key: <key>` (API Gateway's header) or `Authorization: Bearer <key>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiErrorCodes } from '../../contracts/index.js';
import { errorResponse } from './errors.js';

export interface ApiAuth {
  /**
   * The caller's identity for a presented key (scopes its Idempotency-Keys), or null to refuse.
   * On AWS, API Gateway has already refused unknown keys before the Lambda runs.
   */
  verify(key: string): Promise<string | null> | string | null;
}

export type ApiEnv = { Variables: { principal: string } };

/** Accepts exactly the given keys (compared in constant time); the principal is a hash of the key. */
export function staticKeys(keys: string[]): ApiAuth {
  const digests = keys.map((k) => createHash('sha256').update(k).digest());
  return {
    verify(key) {
      const d = createHash('sha256').update(key).digest();
      return digests.some((x) => timingSafeEqual(x, d)) ? `key:${d.toString('hex').slice(0, 16)}` : null;
    },
  };
}

export function presentedKey(headers: { header(name: string): string | undefined }): string | null {
  const x = headers.header('x-api-key');
  if (x) return x.trim() || null;
  const m = /^Bearer\s+(.+)$/i.exec(headers.header('authorization') ?? '');
  return m ? m[1]!.trim() || null : null;
}

export function requireApiKey(auth: ApiAuth, isPublic: (path: string) => boolean): MiddlewareHandler<ApiEnv> {
  // Keys already verified, so a client polling thousands of times a second is not re-hashed each
  // time; only accepted keys are kept (a guessed key is verified, and refused, every time).
  const accepted = new Map<string, string>();
  return async (c, next) => {
    if (isPublic(c.req.path)) return next();
    const key = presentedKey(c.req);
    if (!key) return errorResponse(c, 401, ApiErrorCodes.Unauthorized, 'an API key is required: send it as x-api-key or Authorization: Bearer');
    const principal = accepted.get(key) ?? (key.length <= 512 ? await auth.verify(key) : null);
    if (principal && !accepted.has(key)) {
      if (accepted.size >= 1000) accepted.clear();
      accepted.set(key, principal);
    }
    if (!principal) return errorResponse(c, 401, ApiErrorCodes.Unauthorized, 'the API key is not valid');
    c.set('principal', principal);
    return next();
  };
}
