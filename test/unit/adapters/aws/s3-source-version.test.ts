/** On AWS a job reads the source version it was submitted with: pinned keys → GetObject/HeadObject with VersionId; the upload trigger's and API's workflow input use them. */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../../../lambdas/adapters/aws/s3-blob-store.js';
import { JobSpecSchema, parseVersionedKey, versionedKey } from '../../../../lambdas/contracts/index.js';
import { callerKey } from '../../../../lambdas/core/object-keys.js';
import { uploadWorkflowInput } from '../../../../lambdas/core/upload-trigger.js';

/** An S3 client that records commands and answers HeadObject/GetObject for one versioned object. */
function fakeS3() {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      if (cmd instanceof HeadObjectCommand) return { ContentLength: 5, ETag: '"e1"', VersionId: cmd.input.VersionId ?? 'v-latest' };
      if (cmd instanceof GetObjectCommand) return { Body: { transformToByteArray: async () => new TextEncoder().encode(`body of ${String(cmd.input.VersionId ?? 'latest')}`) } };
      throw new Error(`unexpected ${cmd.constructor.name}`);
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe('pinned source versions', () => {
  it('round-trip any version id, and are private keys no caller can name', () => {
    for (const v of ['3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY', 'null', 'a/b=c', 'ü']) {
      const k = versionedKey('uploads/x/movie.mov', v);
      expect(k).toMatch(/^\.mosaic\/versions\/[A-Za-z0-9_-]+\/uploads\/x\/movie\.mov$/);
      expect(parseVersionedKey(k)).toEqual({ key: 'uploads/x/movie.mov', versionId: v });
      expect(() => callerKey(k)).toThrow(/platform's own/);
    }
    expect(parseVersionedKey('uploads/x.mov')).toBeNull();
  });

  it('S3BlobStore reads the pinned version and refuses to write one', async () => {
    const { client, sent } = fakeS3();
    const store = new S3BlobStore({ client, bucket: 'src' });
    expect(await store.head('uploads/x.mov')).toEqual({ size: 5, etag: 'e1', versionId: 'v-latest' });
    const pinned = versionedKey('uploads/x.mov', 'v1');
    expect((await store.getBytes(pinned)).toString()).toBe('body of v1');
    expect(await store.head(pinned)).toMatchObject({ versionId: 'v1' });
    expect(sent.slice(1).map((s) => [s.name, s.input.Key, s.input.VersionId])).toEqual([
      ['GetObjectCommand', 'uploads/x.mov', 'v1'],
      ['HeadObjectCommand', 'uploads/x.mov', 'v1'],
    ]);
    await expect(store.putBytes(pinned, 'x', 'text/plain')).rejects.toThrow(/pinned object version/);
  });

  it('a job with a recorded version reads it through the workflow input', () => {
    const o = { parallelism: 2, threadsPerTask: 1, vmafAvailable: false, region: 'us-east-1' };
    const pinned = uploadWorkflowInput('j1', JobSpecSchema.parse({ source: { key: 'uploads/x.mov', versionId: 'v1' } }), o);
    expect(pinned.source.key).toBe(versionedKey('uploads/x.mov', 'v1'));
    expect(uploadWorkflowInput('j2', JobSpecSchema.parse({ source: { key: 'uploads/x.mov' } }), o).source.key).toBe('uploads/x.mov');
  });
});
