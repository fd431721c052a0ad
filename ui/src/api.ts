/**
 * The UI's one way to the Jobs API: same-origin fetch with the session cookie (set by the sign-in
 * URL) or an API key held in memory only (never localStorage). State-changing requests carry the
 * CSRF header the server requires of cookie sessions. Errors come back as ApiError with the API's
 * own code and message, so views can show them as they are.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The header a cookie-authenticated POST/PUT/DELETE must carry (a cross-site form cannot set it). */
export const CSRF_HEADER = 'x-mosaic-csrf';

let apiKey: string | null = null;
/** Use a pasted API key for this page's life (kept in memory only). */
export function useApiKey(key: string | null): void {
  apiKey = key?.trim() || null;
}
export const hasApiKey = (): boolean => apiKey !== null;

async function request<T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers[CSRF_HEADER] = '1';
  if (apiKey) headers['x-api-key'] = apiKey;
  const res = await fetch(path, { ...init, method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `${method} ${path} answered ${res.status}`, err?.details);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, init?: RequestInit) => request<T>('GET', path, undefined, init),
  post: <T>(path: string, body?: unknown, init?: RequestInit) => request<T>('POST', path, body, init),
  del: <T>(path: string, init?: RequestInit) => request<T>('DELETE', path, undefined, init),
};

/** A message for any error a view caught: the API's own for ApiError. */
export const messageOf = (e: unknown): string => (e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e));
