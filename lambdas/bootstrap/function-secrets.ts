/**
 * A media function's secrets on AWS, resolved once per cold start. CDK sets MOSAIC_SECRET_REFS
 * (JSON of NAME → { ssm } | { secretsManager, key? }) from function.json's `secrets`; values never
 * travel in the environment of a Lambda:
 *
 * - Lambda: each is read through the AWS Parameters and Secrets Lambda Extension (a layer of the
 *   function, on localhost; the role may call ssm:GetParameter / secretsmanager:GetSecretValue on
 *   exactly these resources), as cdn-signer.ts reads the CDN key.
 * - Fargate: ECS puts each value into the container as MOSAIC_SECRET_VALUE_<NAME> when the task
 *   starts (the template holds only its valueFrom); it is taken from there and removed from the
 *   environment, so ffmpeg children do not inherit it.
 *
 * Errors name the secret and its reference, never a value.
 */
import { z } from 'zod';
import { SECRET_REFS_ENV, SECRET_VALUE_ENV_PREFIX, SecretRefSchema, type SecretRef } from '../contracts/function-config.js';
import type { Env } from './env.js';

export { SECRET_REFS_ENV, SECRET_VALUE_ENV_PREFIX };

const RefsSchema = z.record(z.string(), SecretRefSchema);

const describe = (ref: SecretRef): string => ('ssm' in ref ? `SSM parameter ${ref.ssm}` : `Secrets Manager secret ${ref.secretsManager}${ref.key ? ` key "${ref.key}"` : ''}`);

/** Reads one reference's value through the Parameters and Secrets extension. */
export type SecretFetcher = (ref: SecretRef) => Promise<string>;

export function extensionSecretFetcher(env: Env, fetchImpl: typeof fetch = fetch): SecretFetcher {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT?.trim() || '2773';
  const headers = { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' };
  return async (ref) => {
    const url =
      'ssm' in ref
        ? `http://localhost:${port}/systemsmanager/parameters/get?name=${encodeURIComponent(ref.ssm)}&withDecryption=true`
        : `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(ref.secretsManager)}`;
    const res = await fetchImpl(url, { headers });
    if (!res.ok) throw new Error(`the Parameters and Secrets extension answered ${res.status} for ${describe(ref)}`);
    const body = (await res.json()) as { Parameter?: { Value?: unknown }; SecretString?: unknown };
    const value = 'ssm' in ref ? body.Parameter?.Value : body.SecretString;
    if (typeof value !== 'string') throw new Error(`${describe(ref)} has no string value`);
    return value;
  };
}

/** A JSON key of a secret string (Secrets Manager's key/value secrets), or the whole string. */
function pick(ref: SecretRef, value: string): string {
  if (!('secretsManager' in ref) || !ref.key) return value;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error(`${describe(ref)} is not a JSON object, so it has no key "${ref.key}"`);
  }
  const v = json && typeof json === 'object' ? (json as Record<string, unknown>)[ref.key] : undefined;
  if (v === undefined || v === null) throw new Error(`${describe(ref)} has no key "${ref.key}"`);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * NAME → value of every secret MOSAIC_SECRET_REFS names ({} when it is unset). `env` is the
 * process environment in production: the Fargate MOSAIC_SECRET_VALUE_* variables are deleted from it.
 */
export async function resolveFunctionSecrets(env: Env, fetchSecret: SecretFetcher = extensionSecretFetcher(env)): Promise<Record<string, string>> {
  const raw = env[SECRET_REFS_ENV]?.trim();
  if (!raw) return {};
  let refs: Record<string, SecretRef>;
  try {
    refs = RefsSchema.parse(JSON.parse(raw));
  } catch (e) {
    throw new Error(`${SECRET_REFS_ENV} is not a JSON object of secret references: ${(e as Error).message}`);
  }
  const out: Record<string, string> = {};
  await Promise.all(
    Object.entries(refs).map(async ([name, ref]) => {
      const injected = env[`${SECRET_VALUE_ENV_PREFIX}${name}`];
      if (injected !== undefined) {
        out[name] = injected;
        delete (env as Record<string, string | undefined>)[`${SECRET_VALUE_ENV_PREFIX}${name}`];
        return;
      }
      try {
        out[name] = pick(ref, await fetchSecret(ref));
      } catch (e) {
        throw new Error(`secret ${name} (${describe(ref)}) could not be read: ${(e as Error).message}`, { cause: e });
      }
    }),
  );
  return out;
}
