/**
 * UploadTarget on S3: a client PUTs a source straight to the source bucket with a presigned URL
 * (the bytes never pass through API Gateway or Lambda), and fetches outputs with presigned GETs.
 *
 * The upload URL signs `content-length` and `content-type`: S3 refuses a PUT of any other size
 * or type than the one declared in `POST /v1/uploads`, so the declared size is the limit.
 * Keys are `uploads/<time>-<random>/<file name>` in the source bucket, never `inbox/` (an object
 * there starts a job by itself). Media functions read `uploads/` and `inbox/` from the source
 * bucket (see lambdas/bootstrap/aws-deps.ts), so the key can be submitted as a job's source.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { API_UPLOAD_PREFIX, apiUploadKey, InputInvalidError, type UploadRequest, type UploadTicket } from '../../contracts/index.js';
import type { UploadTarget } from '../../ports.js';

export interface S3UploadTargetOptions {
  /**
   * Signs the URLs. Create it with `requestChecksumCalculation: 'WHEN_REQUIRED'`: by default the SDK
   * adds a CRC32 of the (empty) body to a presigned PUT, and S3 then refuses the real upload.
   */
  client: S3Client;
  sourceBucket: string;
  derivativeBucket: string;
  /** Key prefixes kept in the source bucket (default `uploads/` and `inbox/`); everything else is a derivative. */
  sourcePrefixes?: string[];
  maxUploadBytes: number;
  /** Lifetime of an upload URL (default 1 h). */
  uploadTtlSec?: number;
  /** Lifetime of a download URL (default 1 h; URLs signed with a Lambda role's credentials end with its session anyway). */
  downloadTtlSec?: number;
}

export class S3UploadTarget implements UploadTarget {
  readonly maxUploadBytes: number;
  private readonly sourcePrefixes: string[];

  constructor(private readonly o: S3UploadTargetOptions) {
    this.maxUploadBytes = o.maxUploadBytes;
    this.sourcePrefixes = o.sourcePrefixes ?? [API_UPLOAD_PREFIX, 'inbox/'];
  }

  async createUpload(req: UploadRequest): Promise<UploadTicket> {
    if (!Number.isInteger(req.bytes) || req.bytes <= 0) throw new InputInvalidError('bytes must be a positive integer', { bytes: req.bytes });
    if (req.bytes > this.maxUploadBytes)
      throw new InputInvalidError(`a source may be at most ${this.maxUploadBytes} bytes, not ${req.bytes}`, { maxBytes: this.maxUploadBytes });
    const key = apiUploadKey(req.filename, Date.now(), randomBytes(6).toString('hex'));
    const ttl = this.o.uploadTtlSec ?? 3600;
    const url = await getSignedUrl(
      this.o.client,
      // If-None-Match: * makes the URL single-use: S3 refuses (412) a PUT onto an object that exists.
      new PutObjectCommand({ Bucket: this.o.sourceBucket, Key: key, ContentLength: req.bytes, ContentType: req.contentType, IfNoneMatch: '*' }),
      // Signed, not hoisted into the query: S3 then checks the request's own headers against them.
      { expiresIn: ttl, signableHeaders: new Set(['content-length', 'content-type', 'if-none-match']) },
    );
    return {
      method: 'PUT',
      url,
      headers: { 'content-type': req.contentType, 'content-length': String(req.bytes), 'if-none-match': '*' },
      key,
      maxBytes: req.bytes,
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
    };
  }

  /**
   * A presigned GET of one object. Unlike the local `/files/<token>/` links, it does not cover
   * neighbours: an HLS or DASH player following relative segment URLs needs CloudFront (signed
   * cookies) in front of the derivative bucket; the links here serve downloads and reports.
   */
  downloadUrl(key: string): Promise<string> {
    const bucket = this.sourcePrefixes.some((p) => key.startsWith(p)) ? this.o.sourceBucket : this.o.derivativeBucket;
    return getSignedUrl(this.o.client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: this.o.downloadTtlSec ?? 3600 });
  }
}
