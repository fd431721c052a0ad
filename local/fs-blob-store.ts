/**
 * BlobStore on a folder. Objects are files under the root; writes land by rename so a reader
 * never sees half a file; staging hard-links when it can (no copy of big sources per task).
 */
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputInvalidError } from '../lambdas/contracts/index.js';
import type { BlobHead, BlobStore } from '../lambdas/ports.js';

export class FsBlobStore implements BlobStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file behind a key; keys may not climb out of the root. */
  pathOf(key: string): string {
    const p = resolve(this.root, key);
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new InputInvalidError(`invalid object key: ${key}`);
    return p;
  }

  async download(key: string, destPath: string): Promise<void> {
    const src = this.pathOf(key);
    if (!(await this.head(key))) throw new InputInvalidError(`object not found: ${key}`);
    await mkdir(dirname(destPath), { recursive: true });
    // Staged inputs are read-only by contract, so a hard link is as good as a copy.
    await link(src, destPath).catch(() => copyFile(src, destPath));
  }

  async upload(srcPath: string, key: string, _contentType: string): Promise<BlobHead> {
    const dest = this.pathOf(key);
    await mkdir(dirname(dest), { recursive: true });
    await rename(srcPath, dest).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EXDEV') throw e;
      const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
      await copyFile(srcPath, tmp);
      await rename(tmp, dest);
    });
    return (await this.head(key))!;
  }

  async putBytes(key: string, body: Uint8Array | string, _contentType: string): Promise<BlobHead> {
    const dest = this.pathOf(key);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
    await writeFile(tmp, body);
    await rename(tmp, dest);
    return (await this.head(key))!;
  }

  async getBytes(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key)).catch(() => {
      throw new InputInvalidError(`object not found: ${key}`);
    });
  }

  async head(key: string): Promise<BlobHead | null> {
    try {
      const s = await stat(this.pathOf(key));
      if (!s.isFile()) return null;
      return { size: s.size, etag: `${s.size.toString(16)}-${Math.round(s.mtimeMs).toString(16)}-${s.ino.toString(16)}` };
    } catch {
      return null;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.pathOf(prefix.endsWith('/') ? prefix : dirname(prefix) || '.');
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    await walk(base);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    await Promise.all(keys.map((k) => rm(this.pathOf(k), { force: true })));
    if (prefix.endsWith('/')) await rm(this.pathOf(prefix), { recursive: true, force: true });
    return keys.length;
  }
}
