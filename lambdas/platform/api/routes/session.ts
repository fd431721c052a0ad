/**
 * /v1/session: browser sessions for the web UI, where the deployment keeps them (`mosaic serve`).
 * `GET /v1/session/signin?token=` takes the one-time URL the server printed; `POST /v1/session`
 * takes a pasted API key; both set the `mosaic_session` cookie (HttpOnly, SameSite=Strict).
 * `DELETE /v1/session` signs out. Without sessions (AWS: API Gateway demands `x-api-key`) the
 * routes need a key like the others and the sign-in ones answer 404: the UI keeps the key instead.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ApiErrorCodes } from '../../../contracts/index.js';
import { csrfProblem, FORBIDDEN, SESSION_COOKIE, SESSION_IDLE_MS, sessionCookie, sessionCookieOf, type ApiEnv } from '../auth.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { errorResponse } from '../errors.js';
import { errorResponses, json, jsonBody, pick } from './common.js';

export const SIGN_IN_PATH = '/v1/session/signin';
export const SESSION_PATH = '/v1/session';

/**
 * Reachable without a key where sessions exist: the sign-in URL, signing in with a key in the
 * body, signing out; and asking how one stands (`optional`: signed out is an answer, not a 401,
 * so the UI's first request on the sign-in screen is no error).
 */
export function isSessionPublic(path: string, method: string): boolean | 'optional' {
  if (path === SIGN_IN_PATH) return method === 'GET' || method === 'HEAD';
  if (path !== SESSION_PATH) return false;
  if (method === 'GET' || method === 'HEAD') return 'optional';
  return method === 'POST' || method === 'DELETE';
}

const SessionSchema = z
  .object({
    signedIn: z.boolean(),
    /** `session`: the cookie; `key`: an API key header; null when signed out. */
    via: z.enum(['session', 'key']).nullable(),
    /** Whether this deployment keeps browser sessions (false on AWS: send the key). */
    sessions: z.boolean(),
    /** A session ends after this long without a request. */
    idleTimeoutSec: z.number().int().nullable(),
  })
  .openapi('Session');

const SignInSchema = z.object({ apiKey: z.string().min(1).max(512) }).strict().openapi('SignIn');

const forbidden = { description: 'A cookie-authenticated change without the `x-mosaic-csrf: 1` header, or from another origin', content: errorResponses[401].content };
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const signInUrl = createRoute({
  method: 'get',
  path: SIGN_IN_PATH,
  tags: ['system'],
  summary: 'Open the one-time sign-in URL `mosaic serve` printed: sets the session cookie and redirects to the UI',
  security: [],
  request: { query: z.object({ token: z.string().max(200).optional().openapi({ description: 'The one-time token (valid 10 minutes)' }) }) },
  responses: {
    303: { description: 'Signed in: `Set-Cookie: mosaic_session=…; HttpOnly; SameSite=Strict; Path=/`, `Location: /`' },
    401: html('The token is unknown, used or expired (an HTML page saying so)'),
    404: errorResponses[404],
  },
});

const signIn = createRoute({
  method: 'post',
  path: SESSION_PATH,
  tags: ['system'],
  summary: 'Sign in with an API key: sets the session cookie (needs `x-mosaic-csrf: 1`)',
  security: [],
  request: { body: jsonBody(SignInSchema) },
  responses: { 200: json(SessionSchema, 'Signed in; the cookie is set'), ...pick(400, 401, 404, 413, 415), 403: forbidden },
});

const whoAmI = createRoute({
  method: 'get',
  path: SESSION_PATH,
  tags: ['system'],
  summary: 'How this request is authenticated (where the deployment keeps sessions, `signedIn: false` rather than a 401)',
  responses: { 200: json(SessionSchema, 'Signed in, or (with sessions) signed out'), ...pick(401) },
});

const signOut = createRoute({
  method: 'delete',
  path: SESSION_PATH,
  tags: ['system'],
  summary: 'Sign out: ends the session and clears its cookie (needs `x-mosaic-csrf: 1`)',
  security: [],
  responses: { 200: json(SessionSchema, 'Signed out'), ...pick(401, 404), 403: forbidden },
});

const NO_SESSIONS = 'this deployment keeps no browser sessions: send the API key as x-api-key with every request';

function page(title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} — Mosaic</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color-scheme:light dark}a{color:inherit}</style></head>
<body><h1>${esc(title)}</h1><p>${esc(text)}</p><p><a href="/">Open Mosaic</a> (you can paste the API key there).</p></body></html>`;
}

const noStore = (c: Context) => {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
};

export function registerSessionRoutes(app: ApiApp, deps: Pick<ApiDeps, 'auth' | 'sessions'>): void {
  const sessions = deps.sessions;
  const idleTimeoutSec = sessions ? Math.round(SESSION_IDLE_MS / 1000) : null;
  app.openAPIRegistry.registerComponent('securitySchemes', 'SessionCookie', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE });

  app.openapi(signInUrl, ((c: Context<ApiEnv>) => {
    if (!sessions) return errorResponse(c, 404, ApiErrorCodes.NotFound, NO_SESSIONS);
    noStore(c);
    const sid = sessions.redeemSignInToken(c.req.query('token') ?? '');
    if (!sid) {
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      return c.html(page('This sign-in link does not work', 'It was already used, has expired (links last 10 minutes) or is not one this server made. Restart `mosaic serve` for a new link, or sign in with the API key.'), 401);
    }
    c.header('Set-Cookie', sessionCookie(c, sid));
    return c.redirect('/', 303);
  }) as never);

  app.openapi(signIn, (async (c: Context<ApiEnv>) => {
    if (!sessions) return errorResponse(c, 404, ApiErrorCodes.NotFound, NO_SESSIONS);
    noStore(c);
    const problem = csrfProblem(c);
    if (problem) return errorResponse(c, 403, FORBIDDEN, problem);
    const { apiKey } = (c.req as unknown as { valid(t: 'json'): z.infer<typeof SignInSchema> }).valid('json');
    const principal = await deps.auth.verify(apiKey.trim());
    if (!principal) return errorResponse(c, 401, ApiErrorCodes.Unauthorized, 'the API key is not valid');
    const old = sessionCookieOf(c);
    if (old) sessions.end(old);
    c.header('Set-Cookie', sessionCookie(c, sessions.create(principal)));
    return c.json({ signedIn: true, via: 'session' as const, sessions: true, idleTimeoutSec }, 200);
  }) as never);

  app.openapi(whoAmI, (c) => {
    // Only reachable signed out where sessions exist (the middleware answered 401 otherwise).
    if (!c.get('principal')) return c.json({ signedIn: false, via: null, sessions: true, idleTimeoutSec }, 200);
    return c.json({ signedIn: true, via: c.get('session') ? ('session' as const) : ('key' as const), sessions: !!sessions, idleTimeoutSec }, 200);
  });

  app.openapi(signOut, ((c: Context<ApiEnv>) => {
    if (!sessions) return errorResponse(c, 404, ApiErrorCodes.NotFound, NO_SESSIONS);
    noStore(c);
    const sid = sessionCookieOf(c);
    if (sid) {
      const problem = csrfProblem(c);
      if (problem) return errorResponse(c, 403, FORBIDDEN, problem);
      sessions.end(sid);
    }
    c.header('Set-Cookie', sessionCookie(c, null));
    return c.json({ signedIn: false, via: null, sessions: true, idleTimeoutSec }, 200);
  }) as never);
}
