/**
 * The composition root's view of the environment. `lambdas/bootstrap/` is the only code under
 * `lambdas/` that reads `process.env`; everything below it receives plain values.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A required variable, or an Error naming it. */
export function requireEnv(env: Env, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

/** A positive number, or the default when unset; anything else is an Error naming the variable. */
export function numberEnv(env: Env, name: string, fallback: number, opts: { integer?: boolean } = {}): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (opts.integer && !Number.isInteger(n)))
    throw new Error(`environment variable ${name} must be a positive ${opts.integer ? 'integer' : 'number'}, got "${raw}"`);
  return n;
}

/** `true` or `false` (unset: the default); anything else is an Error naming the variable. */
export function booleanEnv(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new Error(`environment variable ${name} must be true or false, got "${env[name]}"`);
}
