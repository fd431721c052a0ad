/**
 * UploadTarget on the local server: uploads are PUT to `/uploads/<token>` and files fetched from
 * `/files/<token>/<key>`. A token is a short signed claim (HMAC-SHA256 with a server secret),
 * playing the part of an S3 presigned URL: an upload token names one key and its byte limit; a
 * download token names a prefix (a job's outputs), so the relative URLs inside HLS and DASH
 * manifests resolve to files the same token covers.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_UPLOAD_PREFIX, apiUploadKey, type UploadRequest, type UploadTicket } from '../lambdas/contracts/index.js';
import type { UploadTarget } from '../lambdas/ports.js';

export interface FileLinksOptions {
  secret: string;
  /** The server's URL, e.g. `http://127.0.0.1:8787` (known once it listens). */
  baseUrl: () => string;
  maxUploadBytes: number;
  uploadTtlSec?: number;
  downloadTtlSec?: number;
}

interface UploadClaim {
  u: string; // key
  n: number; // max bytes
  e: number; // expiry, unix seconds
}
interface DownloadClaim {
  p: string; // key prefix
  e: number;
}

/** The part of a key a download token covers: a job's folder, or one upload's folder. */
export function scopeOf(key: string): string {
  const parts = key.split('/');
  const depth = key.startsWith(API_UPLOAD_PREFIX) ? 2 : 1;
  return parts.length > depth ? `${parts.slice(0, depth).join('/')}/` : key;
}

export class LocalFileLinks implements UploadTarget {
  readonly maxUploadBytes: number;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly o: FileLinksOptions) {
    this.maxUploadBytes = o.maxUploadBytes;
  }

  async createUpload(req: UploadRequest): Promise<UploadTicket> {
    const key = apiUploadKey(req.filename, Date.now(), randomBytes(6).toString('hex'));
    const e = Math.floor(Date.now() / 1000) + (this.o.uploadTtlSec ?? 3600);
    const token = this.sign({ u: key, n: Math.min(req.bytes, this.maxUploadBytes), e } satisfies UploadClaim);
    return {
      method: 'PUT',
      url: `${this.o.baseUrl()}/uploads/${token}`,
      headers: { 'content-type': req.contentType },
      key,
      maxBytes: Math.min(req.bytes, this.maxUploadBytes),
      expiresAt: new Date(e * 1000).toISOString(),
    };
  }

  async downloadUrl(key: string): Promise<string> {
    const ttl = this.o.downloadTtlSec ?? 24 * 3600;
    // Expiry rounded up to the hour: the same URL for an hour, so players and caches can reuse it.
    const e = Math.ceil((Date.now() / 1000 + ttl) / 3600) * 3600;
    const scope = scopeOf(key);
    const cacheKey = `${e}:${scope}`;
    let token = this.tokens.get(cacheKey);
    if (!token) {
      token = this.sign({ p: scope, e } satisfies DownloadClaim);
      // Tokens are stable for the hour; keep the latest few thousand.
      if (this.tokens.size >= 5000) this.tokens.clear();
      this.tokens.set(cacheKey, token);
    }
    return `${this.o.baseUrl()}/files/${token}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The key and byte limit of a valid, unexpired upload token; null otherwise. */
  verifyUpload(token: string): { key: string; maxBytes: number } | null {
    const c = this.verify(token) as UploadClaim | null;
    if (!c || typeof c.u !== 'string' || typeof c.n !== 'number' || typeof c.e !== 'number' || c.e < Date.now() / 1000) return null;
    return { key: c.u, maxBytes: c.n };
  }

  /** Whether a download token is valid, unexpired and covers `key`. */
  verifyDownload(token: string, key: string): boolean {
    const c = this.verify(token) as DownloadClaim | null;
    if (!c || typeof c.p !== 'string' || typeof c.e !== 'number' || c.e < Date.now() / 1000) return false;
    return c.p.endsWith('/') ? key.startsWith(c.p) : key === c.p;
  }

  private sign(claim: object): string {
    const body = Buffer.from(JSON.stringify(claim)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  private verify(token: string): unknown {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined || token.length > 2048) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.o.secret).update(body).digest('base64url');
  }
}
