/**
 * CloudFront signed cookies (custom policy) for a job's renditions: one policy allowing
 * `https://<domain>/media/<jobId>/*` until an expiry, signed with the private key of a public key
 * in the distribution's trusted key group. A cookie scope covers a whole folder, so an HLS or DASH
 * player following relative segment URLs needs nothing else (a presigned GET covers one object).
 *
 * Pure: the private key is given (the API reads it from Secrets Manager); node:crypto only
 * computes. CloudFront verifies RSA-SHA1 signatures over the exact policy bytes, and reads policy
 * and signature in its URL-safe base64: `+` → `-`, `=` → `_`, `/` → `~`.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-setting-signed-cookie-custom-policy.html
 */
import { createSign } from 'node:crypto';

/** Where the distribution serves the derivative bucket: `/media/<key>` is the object `<key>`. */
export const CDN_MEDIA_PATH = '/media/';

/** The cookies CloudFront reads, in the order they are set. */
export const CDN_COOKIE_NAMES = ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id'] as const;
export type CdnCookieName = (typeof CDN_COOKIE_NAMES)[number];

/** Job ids a cookie may name: no CloudFront wildcards (`*`, `?`), no dots first, nothing a path could escape with. */
const COOKIE_JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Whether a job id can be named in a CDN policy (every id Mosaic makes can). */
export const isCookieJobId = (jobId: string): boolean => COOKIE_JOB_ID.test(jobId);

/** CloudFront's URL-safe base64 of bytes (or of a string's UTF-8). */
export function cloudFrontBase64(data: Buffer | string): string {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/** A CloudFront domain name as the policy and URLs use it (no scheme, no path, lower case). */
export function cdnDomain(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/^https:\/\//, '').replace(/\/+$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(d)) throw new Error(`not a CDN domain name: "${domain}"`);
  return d;
}

/** The URL under which a job's outputs are served: `https://<domain>/media/<jobId>/`. */
export function mediaBaseUrl(domain: string, jobId: string): string {
  if (!COOKIE_JOB_ID.test(jobId)) throw new Error(`job id "${jobId}" cannot be named in a CDN policy (letters, digits, '.', '_' and '-' only, not first '.')`);
  return `https://${cdnDomain(domain)}${CDN_MEDIA_PATH}${jobId}/`;
}

/** The custom policy JSON (no whitespace) allowing `resource` until `expiresAt` (whole seconds, rounded down). */
export function cdnPolicy(resource: string, expiresAt: Date): string {
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(expiresAt.getTime() / 1000) } } }] });
}

export interface MediaCookieRequest {
  /** The distribution's domain name, e.g. `d111111abcdef8.cloudfront.net`. */
  domain: string;
  jobId: string;
  /** The CloudFront public key ID (of the key group's public key). */
  keyPairId: string;
  /** PEM of the RSA private key of that public key. */
  privateKeyPem: string;
  expiresAt: Date;
}

export interface SignedMediaCookies {
  /** The exact policy that was signed. */
  policy: string;
  /** Cookie name → value, in CDN_COOKIE_NAMES order. */
  cookies: Record<CdnCookieName, string>;
  /** The path the cookies are scoped to: `/media/<jobId>/`. */
  path: string;
  baseUrl: string;
  expiresAt: Date;
}

/** The three signed cookies for `/media/<jobId>/*` on the distribution. */
export function signMediaCookies(req: MediaCookieRequest): SignedMediaCookies {
  if (!/^[A-Z0-9]{1,128}$/.test(req.keyPairId)) throw new Error(`not a CloudFront public key ID: "${req.keyPairId}"`);
  const baseUrl = mediaBaseUrl(req.domain, req.jobId);
  const policy = cdnPolicy(`${baseUrl}*`, req.expiresAt);
  const signature = createSign('RSA-SHA1').update(policy, 'utf8').sign(req.privateKeyPem);
  return {
    policy,
    cookies: { 'CloudFront-Policy': cloudFrontBase64(policy), 'CloudFront-Signature': cloudFrontBase64(signature), 'CloudFront-Key-Pair-Id': req.keyPairId },
    path: `${CDN_MEDIA_PATH}${req.jobId}/`,
    baseUrl,
    expiresAt: req.expiresAt,
  };
}

/** `Set-Cookie` values: host-only, `Path=/media/<jobId>/`, Secure, HttpOnly, SameSite=Strict, expiring with the policy. */
export function mediaSetCookieHeaders(signed: SignedMediaCookies): string[] {
  const attributes = `Path=${signed.path}; Expires=${signed.expiresAt.toUTCString()}; Secure; HttpOnly; SameSite=Strict`;
  return CDN_COOKIE_NAMES.map((name) => `${name}=${signed.cookies[name]}; ${attributes}`);
}
