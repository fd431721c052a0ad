/** CloudFront signed cookies (lambdas/core/cdn-cookies.ts): policy, RSA-SHA1 signature, CloudFront's base64. */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CDN_COOKIE_NAMES,
  cdnPolicy,
  cloudFrontBase64,
  isCookieJobId,
  mediaBaseUrl,
  mediaSetCookieHeaders,
  signMediaCookies,
} from '../../../lambdas/core/cdn-cookies.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const DOMAIN = 'd111111abcdef8.cloudfront.net';
const JOB = '20250101120000-a1b2c3d4e5f6';
const EXPIRES = new Date('2030-01-02T03:04:05.678Z');

/** CloudFront's alphabet back to standard base64. */
const fromCloudFront = (s: string) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

describe('cloudFrontBase64', () => {
  it('replaces + = / with - _ ~ and nothing else', () => {
    // 0xfb 0xff → "+/8=" in standard base64: every replaced character at once.
    expect(Buffer.from([0xfb, 0xff]).toString('base64')).toBe('+/8=');
    expect(cloudFrontBase64(Buffer.from([0xfb, 0xff]))).toBe('-~8_');
    expect(cloudFrontBase64('Mosaic')).toBe(Buffer.from('Mosaic').toString('base64'));
  });
});

describe('cdnPolicy', () => {
  it('is the custom policy JSON without whitespace, expiring at the whole second', () => {
    expect(cdnPolicy(`https://${DOMAIN}/media/${JOB}/*`, EXPIRES)).toBe(
      `{"Statement":[{"Resource":"https://${DOMAIN}/media/${JOB}/*","Condition":{"DateLessThan":{"AWS:EpochTime":1893553445}}}]}`,
    );
    expect(Math.floor(EXPIRES.getTime() / 1000)).toBe(1893553445);
  });
});

describe('signMediaCookies', () => {
  const signed = signMediaCookies({ domain: DOMAIN, jobId: JOB, keyPairId: 'K2JCJMDEHXQW5F', privateKeyPem, expiresAt: EXPIRES });

  it("covers exactly the job's folder on the distribution", () => {
    expect(signed.baseUrl).toBe(`https://${DOMAIN}/media/${JOB}/`);
    expect(signed.path).toBe(`/media/${JOB}/`);
    expect(JSON.parse(signed.policy)).toEqual({
      Statement: [{ Resource: `https://${DOMAIN}/media/${JOB}/*`, Condition: { DateLessThan: { 'AWS:EpochTime': 1893553445 } } }],
    });
    expect(Object.keys(signed.cookies)).toEqual([...CDN_COOKIE_NAMES]);
    expect(signed.cookies['CloudFront-Key-Pair-Id']).toBe('K2JCJMDEHXQW5F');
  });

  it('carries the policy and an RSA-SHA1 signature over its exact bytes, verifiable with the public key', () => {
    const policyBytes = fromCloudFront(signed.cookies['CloudFront-Policy']);
    expect(policyBytes.toString('utf8')).toBe(signed.policy);
    const signature = fromCloudFront(signed.cookies['CloudFront-Signature']);
    expect(signature).toHaveLength(256);
    expect(createVerify('RSA-SHA1').update(policyBytes).verify(publicKey, signature)).toBe(true);
    // Not over anything else: one byte off fails.
    expect(createVerify('RSA-SHA1').update(Buffer.concat([policyBytes, Buffer.from(' ')])).verify(publicKey, signature)).toBe(false);
    // And with the key that made it only.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(createVerify('RSA-SHA1').update(policyBytes).verify(other, signature)).toBe(false);
  });

  it("uses CloudFront's alphabet only (no + = /)", () => {
    for (const name of ['CloudFront-Policy', 'CloudFront-Signature'] as const) {
      expect(signed.cookies[name]).toMatch(/^[A-Za-z0-9~_-]+$/);
      expect(signed.cookies[name]).not.toMatch(/[+=/]/);
    }
  });

  it('is deterministic for the same inputs (PKCS#1 v1.5)', () => {
    const again = signMediaCookies({ domain: `https://${DOMAIN.toUpperCase()}/`, jobId: JOB, keyPairId: 'K2JCJMDEHXQW5F', privateKeyPem, expiresAt: EXPIRES });
    expect(again.cookies).toEqual(signed.cookies);
  });

  it('sets host-only cookies for the folder: Secure, HttpOnly, SameSite=Strict, expiring with the policy', () => {
    const headers = mediaSetCookieHeaders(signed);
    expect(headers).toHaveLength(3);
    for (const [i, h] of headers.entries()) {
      const name = CDN_COOKIE_NAMES[i]!;
      expect(h).toBe(`${name}=${signed.cookies[name]}; Path=/media/${JOB}/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; HttpOnly; SameSite=Strict`);
      expect(h).not.toMatch(/Domain=/);
    }
  });

  it('refuses job ids a policy could be widened by (wildcards, dots first, slashes) and odd key ids or domains', () => {
    for (const id of ['*', 'a*', 'a?b', '.mosaic', '../x', 'a/b', '', 'a b']) {
      expect(isCookieJobId(id), id).toBe(false);
      expect(() => mediaBaseUrl(DOMAIN, id), id).toThrow(/cannot be named in a CDN policy/);
    }
    expect(isCookieJobId(JOB)).toBe(true);
    expect(isCookieJobId('upload-3f2a.v2_1')).toBe(true);
    expect(() => signMediaCookies({ domain: DOMAIN, jobId: JOB, keyPairId: 'k*', privateKeyPem, expiresAt: EXPIRES })).toThrow(/public key ID/);
    expect(() => mediaBaseUrl('d1.cloudfront.net/media', JOB)).toThrow(/not a CDN domain name/);
  });
});
