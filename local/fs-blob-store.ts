/**
 * BlobStore on a folder. Objects are files under the root; writes land by rename so a reader
 * never sees half a file; staging hard-links when it can (no copy of big sources per task).
 * Every key is resolved by `pathOf` alone: normal form (core/object-keys), inside the root, and
 * reached through real directories only — a symbolic link anywhere on the way, or a directory
 * where an object is read, is refused, so a link dropped into the folder cannot expose a file
 * outside it.
 */
import { constants, lstatSync, realpathSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConflictError, InputInvalidError } from '../lambdas/contracts/index.js';
import { normaliseKey } from '../lambdas/core/object-keys.js';
import type { BlobHead, BlobStore } from '../lambdas/ports.js';

/** Opens for reading without following a final symbolic link. */
export const READ_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

export class FsBlobStore implements BlobStore {
  readonly root: string;
  constructor(root: string) {
    const abs = resolve(root);
    // The root's own path may go through links (/tmp on macOS); below it nothing may.
    try {
      this.root = realpathSync(abs);
    } catch {
      this.root = abs;
    }
  }

  /**
   * The file behind a key (or the folder behind a prefix ending in `/`): the key in normal form,
   * and no symbolic link on the way from the root. Throws InputInvalidError otherwise.
   */
  pathOf(key: string): string {
    const prefix = key.endsWith('/');
    const parts = normaliseKey(key, { prefix, field: `object key ${JSON.stringify(key)}` }).split('/').filter(Boolean);
    let p = this.root;
    for (const part of parts) {
      p = join(p, part);
      let isLink: boolean;
      try {
        isLink = lstatSync(p).isSymbolicLink();
      } catch {
        // The rest does not exist (yet): nothing on the way can be a link.
        return join(this.root, ...parts);
      }
      if (isLink) throw new InputInvalidError(`object key ${JSON.stringify(key)} goes through a symbolic link; refused`);
    }
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new InputInvalidError(`invalid object key: ${key}`);
    return p;
  }

  /** The path of an object that exists as a regular file, else InputInvalidError("not found"). */
  private async filePath(key: string): Promise<string> {
    const p = this.pathOf(key);
    const s = await lstat(p).catch(() => null);
    if (!s?.isFile()) throw new InputInvalidError(`object not found: ${key}`);
    return p;
  }

  async download(key: string, destPath: string): Promise<void> {
    const src = await this.filePath(key);
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

  /**
   * Stores a local file under a key that must not exist yet, atomically (a hard link fails if the
   * name is taken): an upload ticket's one PUT. The local file is removed either way; a key
   * already there is a ConflictError.
   */
  async uploadOnce(srcPath: string, key: string): Promise<BlobHead> {
    const dest = this.pathOf(key);
    await mkdir(dirname(dest), { recursive: true });
    try {
      await link(srcPath, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ConflictError(`an object is already stored under ${key}`, { key });
      throw e;
    } finally {
      await rm(srcPath, { force: true });
    }
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
    const path = this.pathOf(key);
    const fh = await open(path, READ_NOFOLLOW).catch(() => {
      throw new InputInvalidError(`object not found: ${key}`);
    });
    try {
      if (!(await fh.stat()).isFile()) throw new InputInvalidError(`object not found: ${key}`);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    let path: string;
    try {
      path = this.pathOf(key);
    } catch {
      return null;
    }
    try {
      const s = await lstat(path);
      if (!s.isFile()) return null;
      return { size: s.size, etag: `${s.size.toString(16)}-${Math.round(s.mtimeMs).toString(16)}-${s.ino.toString(16)}` };
    } catch {
      return null;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix.endsWith('/') ? prefix : prefix.includes('/') ? `${dirname(prefix)}/` : '';
    const base = dir ? this.pathOf(dir) : this.root;
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const p = join(dir, e.name);
        // Links are not followed, nor listed: they are no object of this store.
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    await walk(base);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    await Promise.all(keys.map((k) => rm(this.pathOf(k), { force: true })));
    if (prefix.endsWith('/') && prefix !== '/') await rm(this.pathOf(prefix), { recursive: true, force: true });
    return keys.length;
  }
}
