/**
 * BlobStore contract: the same assertions against the folder store and against S3BlobStore
 * talking to an in-process s3rver on 127.0.0.1 through the real AWS SDK.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../lambdas/adapters/aws/index.js';
import type { BlobStore } from '../../lambdas/ports.js';
import { PrefixRoutedBlobStore } from '../../lambdas/runtime/prefix-routed-blob-store.js';
import { FsBlobStore } from '../../local/fs-blob-store.js';

const MiB = 1024 * 1024;
const BUCKETS = ['test', 'test-b', 'test-c'];
const temps: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'mosaic-contract-'));
  temps.push(d);
  return d;
};

let s3rver: S3rver;
let client: S3Client;
let s3Config: S3ClientConfig;

beforeAll(async () => {
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: tempDir(), configureBuckets: BUCKETS.map((name) => ({ name })) });
  const { port } = await s3rver.run();
  s3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  client = new S3Client(s3Config);
});

afterAll(async () => {
  client?.destroy();
  s3rver?.httpServer?.closeAllConnections();
  await s3rver?.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

interface Kind {
  name: string;
  /** A store; `i` picks one of several independent stores (folders or buckets). */
  make(i?: number, multipartThresholdBytes?: number): BlobStore;
}

const kinds: Kind[] = [
  { name: 'FsBlobStore', make: () => new FsBlobStore(tempDir()) },
  { name: 'S3BlobStore', make: (i = 0, multipartThresholdBytes) => new S3BlobStore({ client, bucket: BUCKETS[i]!, multipartThresholdBytes }) },
];

// Buckets outlive a test, so every test works under its own key prefix.
let seq = 0;
const namespace = (): string => `t${++seq}-${randomBytes(3).toString('hex')}/`;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** The folder store's etag has millisecond mtime resolution; never write twice in one ms. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe.each(kinds)('BlobStore contract: $name', (kind) => {
  it('round-trips bytes; head gives size and an etag that changes with the content', async () => {
    const b = kind.make();
    const ns = namespace();
    const h1 = await b.putBytes(`${ns}a/b.txt`, 'one', 'text/plain');
    expect(h1.size).toBe(3);
    expect(h1.etag).not.toBe('');
    expect(h1.etag).not.toMatch(/"/);
    expect(await b.head(`${ns}a/b.txt`)).toEqual(h1);
    await tick();
    const h2 = await b.putBytes(`${ns}a/b.txt`, new Uint8Array(Buffer.from('two')), 'text/plain');
    expect(h2.size).toBe(3);
    expect(h2.etag).not.toBe(h1.etag);
    expect((await b.getBytes(`${ns}a/b.txt`)).toString()).toBe('two');
    expect(await b.head(`${ns}a/missing.txt`)).toBeNull();
  });

  it('reports a missing object as Mosaic.InputInvalid on download and getBytes', async () => {
    const b = kind.make();
    const ns = namespace();
    const dest = join(tempDir(), 'x.bin');
    await expect(b.download(`${ns}nope.bin`, dest)).rejects.toMatchObject({
      name: 'Mosaic.InputInvalid',
      message: `object not found: ${ns}nope.bin`,
    });
    await expect(b.getBytes(`${ns}nope.bin`)).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });
    expect(existsSync(dest)).toBe(false);
  });

  it('uploads a file and downloads it into a new folder', async () => {
    const b = kind.make();
    const ns = namespace();
    const src = join(tempDir(), 'f.bin');
    const data = randomBytes(64 * 1024);
    writeFileSync(src, data);
    const h = await b.upload(src, `${ns}jobs/1/f.bin`, 'application/octet-stream');
    expect(h.size).toBe(data.length);
    expect(await b.head(`${ns}jobs/1/f.bin`)).toEqual(h);
    const dest = join(tempDir(), 'deep', 'er', 'f.bin');
    await b.download(`${ns}jobs/1/f.bin`, dest);
    expect(sha(readFileSync(dest))).toBe(sha(data));
  });

  it('uploads a file larger than 16 MiB with a lowered multipart threshold', async () => {
    const b = kind.make(0, 5 * MiB);
    const ns = namespace();
    const src = join(tempDir(), 'big.bin');
    const data = randomBytes(17 * MiB);
    writeFileSync(src, data);
    const h = await b.upload(src, `${ns}big.bin`, 'video/mp4');
    expect(h.size).toBe(17 * MiB);
    expect(await b.head(`${ns}big.bin`)).toEqual(h);
    const dest = join(tempDir(), 'big.bin');
    await b.download(`${ns}big.bin`, dest);
    expect(sha(readFileSync(dest))).toBe(sha(data));
  });

  it('lists sorted keys by prefix (also mid-name) and deletes by prefix', async () => {
    const b = kind.make();
    const ns = namespace();
    for (const k of ['jobs/2/x.bin', 'jobs/1/y/z.bin', 'jobs/10/a.bin', 'jobs/1/x.bin']) await b.putBytes(`${ns}${k}`, k, 'text/plain');
    expect(await b.list(`${ns}jobs/1/`)).toEqual([`${ns}jobs/1/x.bin`, `${ns}jobs/1/y/z.bin`]);
    expect(await b.list(`${ns}jobs/1`)).toEqual([`${ns}jobs/1/x.bin`, `${ns}jobs/1/y/z.bin`, `${ns}jobs/10/a.bin`]);
    expect(await b.list(`${ns}none/`)).toEqual([]);
    // s3rver removes emptied folders racily when one DeleteObjects empties a folder twice over,
    // so each deletion below empties at most one folder.
    expect(await b.deletePrefix(`${ns}jobs/1/y/`)).toBe(1);
    expect(await b.list(`${ns}jobs/`)).toEqual([`${ns}jobs/1/x.bin`, `${ns}jobs/10/a.bin`, `${ns}jobs/2/x.bin`]);
    expect(await b.deletePrefix(`${ns}jobs/1`)).toBe(2);
    expect(await b.list(`${ns}jobs/`)).toEqual([`${ns}jobs/2/x.bin`]);
    expect(await b.head(`${ns}jobs/1/x.bin`)).toBeNull();
    expect(await b.deletePrefix(`${ns}none/`)).toBe(0);
  });

  it('PrefixRoutedBlobStore sends each key to the store of its longest matching prefix', async () => {
    const [main, inbox, special] = [kind.make(0), kind.make(1), kind.make(2)];
    const ns = namespace();
    const r = new PrefixRoutedBlobStore(main, [
      { prefix: `${ns}inbox/`, store: inbox },
      { prefix: `${ns}inbox/special/`, store: special },
    ]);
    await r.putBytes(`${ns}inbox/a.mp4`, 'a', 'video/mp4');
    await r.putBytes(`${ns}inbox/special/s.mp4`, 's', 'video/mp4');
    await r.putBytes(`${ns}out/x.json`, '{}', 'application/json');
    expect(await inbox.head(`${ns}inbox/a.mp4`)).not.toBeNull();
    expect(await main.head(`${ns}inbox/a.mp4`)).toBeNull();
    expect(await special.head(`${ns}inbox/special/s.mp4`)).not.toBeNull();
    expect(await inbox.head(`${ns}inbox/special/s.mp4`)).toBeNull();
    expect(await main.head(`${ns}out/x.json`)).not.toBeNull();
    expect((await r.getBytes(`${ns}inbox/special/s.mp4`)).toString()).toBe('s');
    const dest = join(tempDir(), 'a.mp4');
    await r.download(`${ns}inbox/a.mp4`, dest);
    expect(readFileSync(dest, 'utf8')).toBe('a');
    await expect(r.download(`${ns}inbox/missing.mp4`, dest)).rejects.toMatchObject({ name: 'Mosaic.InputInvalid' });

    expect(await r.list(`${ns}inbox/`)).toEqual([`${ns}inbox/a.mp4`, `${ns}inbox/special/s.mp4`]);
    expect(await r.list(ns)).toEqual([`${ns}inbox/a.mp4`, `${ns}inbox/special/s.mp4`, `${ns}out/x.json`]);
    expect(await r.deletePrefix(`${ns}inbox/`)).toBe(2);
    expect(await r.list(ns)).toEqual([`${ns}out/x.json`]);
    expect(await r.deletePrefix(ns)).toBe(1);
    expect(await main.list(ns)).toEqual([]);
  });
});

describe('S3BlobStore specifics', () => {
  /** Command names the client sends, to see how an upload was made. */
  const recording = (): { client: S3Client; commands: string[] } => {
    const commands: string[] = [];
    const c = new S3Client(s3Config);
    c.middlewareStack.add((next, ctx) => (args) => (commands.push(ctx.commandName as string), next(args)), { step: 'initialize' });
    return { client: c, commands };
  };

  it('uses multipart above the threshold (parts >= 5 MiB) and a single PutObject below it', async () => {
    const ns = namespace();
    const src = join(tempDir(), 'big.bin');
    const { client: c, commands } = recording();
    const count = (name: string): number => commands.filter((x) => x === name).length;
    try {
      writeFileSync(src, randomBytes(17 * MiB));
      await new S3BlobStore({ client: c, bucket: 'test', multipartThresholdBytes: 5 * MiB }).upload(src, `${ns}a.bin`, 'video/mp4');
      // 17 MiB in 5 MiB parts.
      expect(count('UploadPartCommand')).toBe(4);
      expect(count('CompleteMultipartUploadCommand')).toBe(1);
      commands.length = 0;
      await new S3BlobStore({ client: c, bucket: 'test' }).upload(src, `${ns}b.bin`, 'video/mp4');
      // The default 16 MiB threshold: 17 MiB goes in two parts.
      expect(count('UploadPartCommand')).toBe(2);
      commands.length = 0;
      writeFileSync(src, randomBytes(5 * MiB));
      const h = await new S3BlobStore({ client: c, bucket: 'test', multipartThresholdBytes: 5 * MiB }).upload(src, `${ns}c.bin`, 'video/mp4');
      expect(commands).toEqual(['PutObjectCommand']);
      expect(h).toEqual(await new S3BlobStore({ client, bucket: 'test' }).head(`${ns}c.bin`));
    } finally {
      c.destroy();
    }
  });

  /**
   * s3rver cannot continue a listing on Node 20 (its continuation tokens use DES, which OpenSSL 3
   * disables), so paging and batching are checked against a loopback server speaking S3's XML.
   */
  it('follows ListObjectsV2 pages and deletes in DeleteObjects batches of 1000', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => `p/${String(i).padStart(4, '0')}`);
    const tokens: (string | null)[] = [];
    const deleteBatches: number[] = [];
    let failDeletes = false;
    const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>${body}`;
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/xml');
        if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
          const token = url.searchParams.get('continuation-token');
          tokens.push(token);
          const from = Number(token ?? 0);
          const page = all.filter((k) => k.startsWith(url.searchParams.get('prefix') ?? '')).slice(from, from + 1000);
          const more = from + 1000 < all.length;
          res.end(
            xml(
              `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>test</Name><KeyCount>${page.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
                `<IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${from + 1000}</NextContinuationToken>` : ''}` +
                page.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('') +
                '</ListBucketResult>',
            ),
          );
        } else if (req.method === 'POST' && url.searchParams.has('delete')) {
          const keys = [...Buffer.concat(chunks).toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
          deleteBatches.push(keys.length);
          const errors = failDeletes ? `<Error><Key>${keys[0]}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>` : '';
          res.end(xml(`<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${errors}</DeleteResult>`));
        } else {
          res.statusCode = 501;
          res.end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new S3Client({ ...s3Config, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      const b = new S3BlobStore({ client: c, bucket: 'test' });
      expect(await b.list('p/')).toEqual(all);
      expect(tokens).toEqual([null, '1000', '2000']);
      expect(await b.deletePrefix('p/')).toBe(2500);
      expect(deleteBatches).toEqual([1000, 1000, 500]);
      failDeletes = true;
      await expect(b.deletePrefix('p/')).rejects.toThrow(/AccessDenied/);
    } finally {
      c.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
