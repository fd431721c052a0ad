/**
 * The API's media-cookie signer on AWS, from its environment (lib/constructs/jobs-api.ts sets it
 * when the environment's config has a CDN signing key):
 *
 *   MOSAIC_CDN_DOMAIN                   the distribution's domain name
 *   MOSAIC_CDN_KEY_PAIR_ID              the CloudFront public key ID
 *   MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN   the Secrets Manager secret holding the private key's PEM
 *   MOSAIC_CDN_COOKIE_TTL_SEC           lifetime of the cookies (default 3600)
 *
 * The private key is read through the AWS Parameters and Secrets Lambda Extension (a layer of the
 * function, listening on localhost): no Secrets Manager client in the bundle. Kept in memory for
 * five minutes (as the extension caches it), so a key put into the secret is used soon after.
 */
import type { MediaCookieSigner } from '../platform/api/deps.js';
import { numberEnv, type Env } from './env.js';

export const PRIVATE_KEY_CACHE_MS = 5 * 60_000;

export interface SecretReader {
  (secretArn: string): Promise<string>;
}

/** GET of the secret's current value from the Parameters and Secrets extension. */
export function extensionSecretReader(env: Env, fetchImpl: typeof fetch = fetch): SecretReader {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT?.trim() || '2773';
  return async (secretArn) => {
    const res = await fetchImpl(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}`, {
      headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
    });
    if (!res.ok) throw new Error(`the Parameters and Secrets extension answered ${res.status} for the CDN signing key secret`);
    const body = (await res.json()) as { SecretString?: unknown };
    if (typeof body.SecretString !== 'string') throw new Error('the CDN signing key secret has no string value');
    return body.SecretString;
  };
}

/** The signer, or undefined when the deployment has no CDN signing key (then the route answers 404). */
export function cdnSignerFromEnv(env: Env, read: SecretReader = extensionSecretReader(env), now: () => number = Date.now): MediaCookieSigner | undefined {
  const names = ['MOSAIC_CDN_DOMAIN', 'MOSAIC_CDN_KEY_PAIR_ID', 'MOSAIC_CDN_PRIVATE_KEY_SECRET_ARN'] as const;
  const [domain, keyPairId, secretArn] = names.map((n) => env[n]?.trim() ?? '');
  if (!domain && !keyPairId && !secretArn) return undefined;
  if (!domain || !keyPairId || !secretArn) throw new Error(`environment variables ${names.join(', ')} are set together or not at all`);
  let cached: { pem: string; at: number } | null = null;
  return {
    domain,
    keyPairId,
    ttlSec: numberEnv(env, 'MOSAIC_CDN_COOKIE_TTL_SEC', 3600, { integer: true }),
    async privateKey() {
      if (cached && now() - cached.at < PRIVATE_KEY_CACHE_MS) return cached.pem;
      const pem = await read(secretArn);
      cached = { pem, at: now() };
      return pem;
    },
  };
}
