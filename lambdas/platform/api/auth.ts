/**
 * Who is calling. Every route but health (and the API's own documentation) needs an API key, sent
 * as `x-api-key: <key>` (API Gateway's header) or `Authorization: Bearer <key>` — or, where the
 * deployment keeps browser sessions (`mosaic serve`), the `mosaic_session` cookie the web UI gets
 * from a one-time sign-in URL or a pasted key. A request the cookie authenticates that changes
 * state (anything but GET/HEAD/OPTIONS) must carry `x-mosaic-csrf: 1` and, when the browser sends
 * an Origin, a same-origin one: a cross-site page can make a browser send the cookie, never that
 * header.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiErrorCodes } from '../../contracts/index.js';
import { errorResponse } from './errors.js';

export interface ApiAuth {
  /**
   * The caller's identity for a presented key (scopes its Idempotency-Keys), or null to refuse.
   * On AWS, API Gateway has already refused unknown keys before the Lambda runs.
   */
  verify(key: string): Promise<string | null> | string | null;
}

/** `principal` scopes Idempotency-Keys; `session` is the id of the cookie session that authenticated the request, if one did. */
export type ApiEnv = { Variables: { principal: string; session?: string } };

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

// ---- browser sessions

export const SESSION_COOKIE = 'mosaic_session';
/** The header a cookie-authenticated state change must carry, with the value `1`. */
export const CSRF_HEADER = 'x-mosaic-csrf';
export const SIGN_IN_TOKEN_TTL_MS = 10 * 60_000;
export const SESSION_IDLE_MS = 12 * 3_600_000;

/**
 * Browser sessions of one server, in its memory (a restart signs everyone out). Optional in the
 * app's deps: on AWS API Gateway demands `x-api-key` of every request, so the UI sends the key
 * it was given instead.
 */
export interface ApiSessions {
  /** A new one-time sign-in token for `principal` (valid SIGN_IN_TOKEN_TTL_MS, or until used). */
  issueSignInToken(principal: string): string;
  /** Uses up a sign-in token: a new session id, or null if the token is unknown, used or expired. */
  redeemSignInToken(token: string): string | null;
  /** A new session for a principal whose key was just verified. */
  create(principal: string): string;
  /** The principal of a live session (its idle clock starts again), or null. */
  principalOf(sessionId: string): string | null;
  end(sessionId: string): void;
}

export interface MemorySessionOptions {
  now?: () => number;
  signInTtlMs?: number;
  idleMs?: number;
  /** Most live sessions kept (the least recently used goes first); default 10,000. */
  maxSessions?: number;
}

/** Sessions and sign-in tokens in a Map, looked up by a hash of the secret (never the secret itself). */
export function memorySessions(o: MemorySessionOptions = {}): ApiSessions {
  const now = o.now ?? Date.now;
  const signInTtl = o.signInTtlMs ?? SIGN_IN_TOKEN_TTL_MS;
  const idle = o.idleMs ?? SESSION_IDLE_MS;
  const max = o.maxSessions ?? 10_000;
  const tokens = new Map<string, { principal: string; expires: number }>();
  const sessions = new Map<string, { principal: string; seen: number }>();
  const digest = (s: string) => createHash('sha256').update(s).digest('base64url');
  const secret = () => randomBytes(32).toString('base64url');
  const sweepTokens = () => {
    for (const [k, t] of tokens) if (t.expires <= now()) tokens.delete(k);
  };
  const create = (principal: string) => {
    const id = secret();
    if (sessions.size >= max) {
      const t = now();
      for (const [k, s] of sessions) if (t - s.seen >= idle) sessions.delete(k);
      // Map order is least recently used first (a use re-inserts).
      while (sessions.size >= max) sessions.delete(sessions.keys().next().value!);
    }
    sessions.set(digest(id), { principal, seen: now() });
    return id;
  };
  return {
    issueSignInToken(principal) {
      sweepTokens();
      const token = secret();
      tokens.set(digest(token), { principal, expires: now() + signInTtl });
      return token;
    },
    redeemSignInToken(token) {
      if (!token || token.length > 200) return null;
      const k = digest(token);
      const t = tokens.get(k);
      tokens.delete(k);
      if (!t || t.expires <= now()) return null;
      return create(t.principal);
    },
    create,
    principalOf(sessionId) {
      if (!sessionId || sessionId.length > 200) return null;
      const k = digest(sessionId);
      const s = sessions.get(k);
      if (!s) return null;
      if (now() - s.seen >= idle) {
        sessions.delete(k);
        return null;
      }
      sessions.delete(k);
      sessions.set(k, { principal: s.principal, seen: now() });
      return s.principal;
    },
    end(sessionId) {
      sessions.delete(digest(sessionId));
    },
  };
}

/** The session id the request's cookie names, if any. */
export function sessionCookieOf(c: Context): string | null {
  const header = c.req.header('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** Whether the request came over https (directly, or as a proxy in front says). */
export const isHttps = (c: Context): boolean => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';

/** `Set-Cookie` for a session id (`null`: clears it). Session cookie: the server's idle limit ends it. */
export function sessionCookie(c: Context, id: string | null): string {
  const flags = ['HttpOnly', 'SameSite=Strict', 'Path=/', ...(isHttps(c) ? ['Secure'] : []), ...(id === null ? ['Max-Age=0'] : [])];
  return [`${SESSION_COOKIE}=${id ?? ''}`, ...flags].join('; ');
}

/** The code of a refused (403) request, as the local file routes answer it too. */
export const FORBIDDEN = 'forbidden';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a state-changing browser request must be refused (null: it may pass): it lacks the CSRF
 * header, or its Origin (or Sec-Fetch-Site) says another site sent it.
 */
export function csrfProblem(c: Context): string | null {
  if (SAFE_METHODS.has(c.req.method)) return null;
  if (c.req.header(CSRF_HEADER) !== '1') return `a request authenticated by the session cookie that changes state must carry the ${CSRF_HEADER}: 1 header`;
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    const url = new URL(c.req.url);
    const own = new Set([url.origin, `${isHttps(c) ? 'https' : url.protocol.slice(0, -1)}://${c.req.header('host') ?? url.host}`]);
    if (!own.has(origin)) return `cross-origin request refused: Origin ${origin.slice(0, 200)} is not this server's`;
  }
  if (c.req.header('sec-fetch-site') === 'cross-site') return 'cross-site request refused (Sec-Fetch-Site: cross-site)';
  return null;
}

/**
 * The API's authentication: a presented key first (as before), else a live session cookie (with
 * the CSRF checks on state changes). `isPublic` paths pass without either; `optional` ones pass
 * too, authenticated when the request shows valid credentials (a wrong key is still a 401).
 */
export function requireApiKey(auth: ApiAuth, isPublic: (path: string, method: string) => boolean | 'optional', sessions?: ApiSessions): MiddlewareHandler<ApiEnv> {
  // Keys already verified, so a client polling thousands of times a second is not re-hashed each
  // time; only accepted keys are kept (a guessed key is verified, and refused, every time).
  const accepted = new Map<string, string>();
  return async (c, next) => {
    const open = isPublic(c.req.path, c.req.method);
    if (open === true) return next();
    const key = presentedKey(c.req);
    if (!key) {
      const sid = sessions ? sessionCookieOf(c) : null;
      if (sid) {
        const principal = sessions!.principalOf(sid);
        if (!principal) return open ? next() : errorResponse(c, 401, ApiErrorCodes.Unauthorized, 'the session has expired or ended: sign in again');
        const problem = csrfProblem(c);
        if (problem) return errorResponse(c, 403, FORBIDDEN, problem);
        c.set('principal', principal);
        c.set('session', sid);
        return next();
      }
      if (open) return next();
      return errorResponse(c, 401, ApiErrorCodes.Unauthorized, 'an API key is required: send it as x-api-key or Authorization: Bearer');
    }
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
