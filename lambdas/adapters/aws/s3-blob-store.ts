/**
 * BlobStore on one S3 bucket. Same contract as the folder store in `local/`: a missing object is
 * an InputInvalidError (the request named something that is not there), `head` is null instead.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InputInvalidError, parseVersionedKey } from '../../contracts/index.js';
import type { BlobHead, BlobStore } from '../../ports.js';

const MiB = 1024 * 1024;
/** S3's smallest allowed part (all but the last). */
const MIN_PART_BYTES = 5 * MiB;
/** S3's largest number of parts in one multipart upload. */
const MAX_PARTS = 10_000;
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Files larger than this go up as a multipart upload (default 16 MiB). */
  multipartThresholdBytes?: number;
}

/** S3 quotes ETags (`"abc"`); the contract wants an opaque token, so drop the quotes. */
const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

/** Bucket key and version of a key: a pinned `.mosaic/versions/…` key reads one version of its object. */
const located = (key: string): { Key: string; VersionId?: string } => {
  const v = parseVersionedKey(key);
  return v ? { Key: v.key, VersionId: v.versionId } : { Key: key };
};

/** Pinned version keys are read-only. */
const writable = (key: string): void => {
  if (parseVersionedKey(key)) throw new InputInvalidError(`cannot write to a pinned object version: ${key}`);
};

const isNotFound = (e: unknown): boolean => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
};

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly threshold: number;

  constructor(opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.threshold = opts.multipartThresholdBytes ?? 16 * MiB;
  }

  async download(key: string, destPath: string): Promise<void> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, ...located(key) })).catch((e: unknown) => {
      throw isNotFound(e) ? new InputInvalidError(`object not found: ${key}`) : e;
    });
    await mkdir(dirname(destPath), { recursive: true });
    // Stream to a side file and rename, so a reader never sees half an object (as locally).
    const tmp = `${destPath}.${randomBytes(4).toString('hex')}.part`;
    try {
      await pipeline(res.Body as Readable, createWriteStream(tmp));
      await rename(tmp, destPath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async upload(srcPath: string, key: string, contentType: string): Promise<BlobHead> {
    writable(key);
    const { size } = await stat(srcPath);
    // lib-storage sends one PutObject when the whole body fits in the first part, so the part size
    // doubles as the threshold: small files go in one request, big ones in parts of >= 5 MiB
    // (and few enough to stay under S3's 10 000-part limit).
    const partSize =
      size <= this.threshold
        ? Math.max(MIN_PART_BYTES, size + 1)
        : Math.max(MIN_PART_BYTES, Math.min(this.threshold, 64 * MiB), Math.ceil(size / MAX_PARTS));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: createReadStream(srcPath), ContentType: contentType },
      partSize,
      queueSize: 4,
      leavePartsOnError: false,
    });
    const out = await upload.done();
    const etag = unquote(out.ETag);
    // Some S3-compatible servers omit the ETag on completion; ask for it then.
    return etag ? { size, etag } : ((await this.head(key)) ?? { size, etag });
  }

  async putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<BlobHead> {
    writable(key);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const out = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
    return { size: bytes.byteLength, etag: unquote(out.ETag) };
  }

  async getBytes(key: string): Promise<Buffer> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, ...located(key) }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (e) {
      throw isNotFound(e) ? new InputInvalidError(`object not found: ${key}`) : e;
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, ...located(key) }));
      return { size: res.ContentLength ?? 0, etag: unquote(res.ETag), ...(res.VersionId && res.VersionId !== 'null' ? { versionId: res.VersionId } : {}) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    // S3 lists in UTF-8 byte order; sort anyway so both stores agree on JS string order.
    return keys.sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const res = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      // DeleteObjects answers 200 even when single keys fail; surface those.
      if (res.Errors?.length) {
        const first = res.Errors[0]!;
        throw new Error(`failed to delete ${res.Errors.length} object(s) under ${prefix}: ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim());
      }
    }
    return keys.length;
  }
}
