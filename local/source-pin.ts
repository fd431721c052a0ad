/**
 * A job pins its source's content: at submit the source is copied (a reflink where the file
 * system can, else a real copy) under `.mosaic/sources/<sha256><ext>` — a key no caller can name
 * or write — and the job's workflow reads that copy. Replacing, rewriting in place or deleting
 * the object under the job's `source.key` afterwards changes nothing for the job, its retries
 * or its resumes. Content-addressed, so a source submitted twice is stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { JobRecord } from '../lambdas/contracts/index.js';
import { PRIVATE_PREFIX } from '../lambdas/core/object-keys.js';
import type { FsBlobStore } from './fs-blob-store.js';

export const PINNED_SOURCES_PREFIX = `${PRIVATE_PREFIX}sources/`;

/** The key of the pinned copy of content `sha256` whose name (or key) is `name`. */
export function pinnedKey(sha256: string, name: string): string {
  return `${PINNED_SOURCES_PREFIX}${sha256}${extname(name).toLowerCase()}`;
}

/** The key a job's workflow reads its source from: the pinned copy when it has one (jobs of older versions may not). */
export function sourceKeyOf(job: Pick<JobRecord, 'sourceHash' | 'spec'>): string {
  return job.sourceHash ? pinnedKey(job.sourceHash, job.spec.source.key) : job.spec.source.key;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Pins the file at `path` (named `name`, for its extension) into the store; returns the content
 * hash and the pinned key. The hash is taken of the copy, so what is pinned is what is hashed
 * even if the original changes meanwhile.
 */
export async function pinFile(blobs: FsBlobStore, path: string, name: string): Promise<{ hash: string; key: string }> {
  // Already pinned (a resume, a second job on the same file): no copy.
  const before = await sha256File(path);
  if (await blobs.head(pinnedKey(before, name))) return { hash: before, key: pinnedKey(before, name) };
  const tmp = blobs.pathOf(`${PINNED_SOURCES_PREFIX}.${randomBytes(6).toString('hex')}.part`);
  await mkdir(dirname(tmp), { recursive: true });
  try {
    await copyFile(path, tmp, constants.COPYFILE_FICLONE);
    const hash = await sha256File(tmp);
    await chmod(tmp, 0o444);
    await rename(tmp, blobs.pathOf(pinnedKey(hash, name)));
    return { hash, key: pinnedKey(hash, name) };
  } finally {
    await rm(tmp, { force: true });
  }
}
