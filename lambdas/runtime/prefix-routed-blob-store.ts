/**
 * One BlobStore over several: each key goes to the store of its longest matching prefix, else to
 * the default. On AWS, `inbox/` lives in the source bucket and everything else in the derivatives
 * bucket, yet functions see one key space. Keys are passed through unchanged.
 */
import type { BlobHead, BlobStore } from '../ports.js';

export interface BlobRoute {
  prefix: string;
  store: BlobStore;
}

export class PrefixRoutedBlobStore implements BlobStore {
  private readonly routes: BlobRoute[];

  constructor(
    private readonly defaultStore: BlobStore,
    routes: BlobRoute[],
  ) {
    // Longest first, so the first match is the most specific one.
    this.routes = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The store that owns `key`. */
  storeFor(key: string): BlobStore {
    return this.routes.find((r) => key.startsWith(r.prefix))?.store ?? this.defaultStore;
  }

  download(key: string, destPath: string): Promise<void> {
    return this.storeFor(key).download(key, destPath);
  }

  upload(srcPath: string, key: string, contentType: string): Promise<BlobHead> {
    return this.storeFor(key).upload(srcPath, key, contentType);
  }

  putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<BlobHead> {
    return this.storeFor(key).putBytes(key, body, contentType);
  }

  getBytes(key: string): Promise<Buffer> {
    return this.storeFor(key).getBytes(key);
  }

  head(key: string): Promise<BlobHead | null> {
    return this.storeFor(key).head(key);
  }

  /**
   * Routed by the prefix; when routes lie under it (listing '' or 'in'), their stores are asked
   * too, and each store contributes only the keys it owns, so nothing shadowed shows up twice.
   */
  async list(prefix: string): Promise<string[]> {
    const keys = new Set<string>();
    for (const [store, p] of this.storesUnder(prefix)) {
      for (const k of await store.list(p)) if (this.storeFor(k) === store) keys.add(k);
    }
    return [...keys].sort();
  }

  /** Routed like `list`; a store's own deletePrefix also removes keys it holds but does not own. */
  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    for (const [store, p] of this.storesUnder(prefix)) n += await store.deletePrefix(p);
    return n;
  }

  /** (store, narrowest prefix to ask it for) for every store that may own keys under `prefix`. */
  private storesUnder(prefix: string): Map<BlobStore, string> {
    const out = new Map<BlobStore, string>([[this.storeFor(prefix), prefix]]);
    for (const r of this.routes) {
      if (r.prefix.length > prefix.length && r.prefix.startsWith(prefix)) {
        // A store met twice is asked once, for the whole prefix (list filters what it does not own).
        out.set(r.store, out.has(r.store) ? prefix : r.prefix);
      }
    }
    return out;
  }
}
