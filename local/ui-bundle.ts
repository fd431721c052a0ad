/**
 * The web UI as `mosaic serve` serves it: `ui/src/main.tsx` (with its CSS and uPlot's) bundled by
 * esbuild — minified, ES2022, ESM, players and other heavy parts split into lazily loaded chunks —
 * into memory, once per set of sources. The result is kept on disk under
 * `<out>/.mosaic/ui/<content hash>/`, so a restart with unchanged sources (the UI's own files, the
 * contracts it imports, the lockfile) serves the same files without building.
 *
 * `index.html` names the entry as `/ui/<hash>.js` and `/ui/<hash>.css`: those (and the chunks,
 * named by their own content) never change under a name and are served as immutable.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { uiBuildOptions, uiContentSecurityPolicy, uiIndexHtml } from '../ui/build.ts';

/** The repository (or installed package) root: ui/, lambdas/contracts/ and package-lock.json live under it. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bump when the build options change: a new recipe is a new hash. */
const RECIPE = 'ui-bundle/1 esm es2022 minify splitting preact';

export interface UiAsset {
  body: Buffer;
  contentType: string;
  gzipBytes: number;
}

export interface UiBundle {
  hash: string;
  /** Served under `/ui/<name>`: `<hash>.js`, `<hash>.css` and `chunk-*.js`. */
  assets: Map<string, UiAsset>;
  indexHtml: string;
  /** gzip size of every JS file together: the entry and every chunk any page may load on demand (video players included). */
  jsGzipBytes: number;
  entryJsGzipBytes: number;
  /** gzip size of the JS the first load runs: the entry and the chunks it imports statically. */
  initialJsGzipBytes: number;
  /**
   * gzip size of the JS the heaviest page needs: the first load plus a page's own chunk and its
   * static imports. What a page loads later on demand (a video player when a video plays) is not in it.
   */
  pageJsGzipBytes: number;
  /** Which page that is (its chunk). */
  heaviestPage: string | null;
  /** Each JS file's static and dynamic imports (other files of the bundle). */
  imports: Record<string, { static: string[]; dynamic: string[] }>;
  cssGzipBytes: number;
  /** Whether the files came from the disk cache (no build). */
  fromCache: boolean;
  buildMs: number;
}

export interface UiBundleOptions {
  /** Where the cache lives: `<cacheDir>/<hash>/` (mosaic serve: `<out>/.mosaic/ui`). */
  cacheDir: string;
  /** Default PACKAGE_ROOT. */
  root?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
};

async function filesUnder(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && keep(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/** The hash of everything the bundle is made from: UI sources, the contracts they import, the lockfile, the recipe. */
export async function uiSourceHash(root = PACKAGE_ROOT): Promise<string> {
  const h = createHash('sha256').update(RECIPE);
  const files = [
    ...(await filesUnder(join(root, 'ui'), (n) => /\.(tsx?|css|json|svg)$/.test(n))),
    ...(await filesUnder(join(root, 'lambdas', 'contracts'), (n) => /\.ts$/.test(n))),
    join(root, 'package-lock.json'),
  ];
  for (const f of files) {
    const body = await readFile(f).catch(() => null);
    h.update(`\0${relative(root, f).split(sep).join('/')}\0${body ? body.length : -1}\0`);
    if (body) h.update(body);
  }
  return h.digest('hex').slice(0, 16);
}

/** index.html of a build named `<hash>`, preloading the chunks its entry imports statically (no request waterfall). */
export const indexHtmlFor = (hash: string, preload: string[] = []): string => uiIndexHtml(`${hash}.js`, `${hash}.css`, preload);

const asset = (name: string, body: Buffer): UiAsset => ({
  body,
  contentType: CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
  gzipBytes: gzipSync(body, { level: 9 }).length,
});

type ImportGraph = Record<string, { static: string[]; dynamic: string[] }>;

interface Built {
  files: Map<string, Buffer>;
  imports: ImportGraph;
}

/** `from` and every file it imports statically, transitively. */
function staticClosure(imports: ImportGraph, from: string, into = new Set<string>()): Set<string> {
  if (into.has(from)) return into;
  into.add(from);
  for (const i of imports[from]?.static ?? []) staticClosure(imports, i, into);
  return into;
}

function bundleOf(hash: string, { files, imports }: Built, fromCache: boolean, buildMs: number): UiBundle {
  const assets = new Map<string, UiAsset>();
  for (const [name, body] of files) assets.set(name, asset(name, body));
  if (!assets.has(`${hash}.css`)) assets.set(`${hash}.css`, asset(`${hash}.css`, Buffer.alloc(0)));
  const gz = (names: Iterable<string>) => [...names].reduce((s, n) => s + (assets.get(n)?.gzipBytes ?? 0), 0);
  const entry = `${hash}.js`;
  const initial = staticClosure(imports, entry);
  let heaviestPage: string | null = null;
  let pageJsGzipBytes = gz(initial);
  for (const page of imports[entry]?.dynamic ?? []) {
    const bytes = gz(staticClosure(imports, page, new Set(initial)));
    if (bytes > pageJsGzipBytes) [heaviestPage, pageJsGzipBytes] = [page, bytes];
  }
  return {
    hash,
    assets,
    indexHtml: indexHtmlFor(hash, [...initial].filter((n) => n !== entry)),
    jsGzipBytes: gz([...assets.keys()].filter((n) => n.endsWith('.js'))),
    entryJsGzipBytes: gz([entry]),
    initialJsGzipBytes: gz(initial),
    pageJsGzipBytes,
    heaviestPage,
    imports,
    cssGzipBytes: gz([...assets.keys()].filter((n) => n.endsWith('.css'))),
    fromCache,
    buildMs,
  };
}

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

async function readCache(dir: string, hash: string): Promise<Built | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { hash: string; files: string[]; imports?: ImportGraph };
    if (manifest.hash !== hash || !manifest.files.includes(`${hash}.js`) || !manifest.imports) return null;
    const imports = manifest.imports;
    const known = (n: string) => manifest.files.includes(n);
    if (!Object.entries(imports).every(([n, i]) => known(n) && i.static.every(known) && i.dynamic.every(known))) return null;
    const files = new Map<string, Buffer>();
    for (const name of manifest.files) {
      if (!SAFE_NAME.test(name)) return null;
      files.set(name, await readFile(join(dir, name)));
    }
    return { files, imports };
  } catch {
    return null;
  }
}

async function writeCache(cacheDir: string, hash: string, { files, imports }: Built): Promise<void> {
  const dir = join(cacheDir, hash);
  const tmp = join(cacheDir, `.tmp-${hash}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  try {
    for (const [name, body] of files) await writeFile(join(tmp, name), body);
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify({ hash, files: [...files.keys()].sort(), imports }));
    await rename(tmp, dir).catch(async (e: NodeJS.ErrnoException) => {
      // Another process cached the same hash first: theirs is as good.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  // Older builds are of no use to anyone: keep only this one.
  for (const e of await readdir(cacheDir).catch(() => [] as string[]))
    if (e !== hash && /^[0-9a-f]{16}$/.test(e)) await rm(join(cacheDir, e), { recursive: true, force: true });
}

/** Runs esbuild on ui/src/main.tsx; the entry is named `<hash>.js`/`<hash>.css`, chunks by their content. */
async function build(root: string, hash: string): Promise<Built> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    throw new Error(`the web UI needs esbuild to be built (npm install esbuild): ${e instanceof Error ? e.message : String(e)}`);
  }
  const outdir = join(root, 'ui', '.out');
  const result = await esbuild.build({ ...uiBuildOptions(root), write: false, outdir, entryNames: hash, metafile: true });
  const files = new Map<string, Buffer>();
  const name = (p: string) => relative(outdir, resolve(root, p)).split(sep).join('/');
  for (const f of result.outputFiles) files.set(relative(outdir, f.path).split(sep).join('/'), Buffer.from(f.contents));
  const imports: ImportGraph = {};
  for (const [p, out] of Object.entries(result.metafile.outputs)) {
    const n = name(p);
    if (!n.endsWith('.js') || !files.has(n)) continue;
    const of = (kind: string) => out.imports.filter((i) => i.kind === kind && !i.external).map((i) => name(i.path)).filter((x) => files.has(x));
    imports[n] = { static: of('import-statement'), dynamic: of('dynamic-import') };
  }
  return { files, imports };
}

/** Builds the UI, or takes the cached build of the same sources (in this process, then on disk). */
export async function loadUiBundle(o: UiBundleOptions): Promise<UiBundle> {
  const root = o.root ?? PACKAGE_ROOT;
  const started = performance.now();
  const hash = await uiSourceHash(root);
  const id = `${root}\0${hash}`;
  let loading = MEMORY.get(id);
  if (!loading) {
    loading = (async () => {
      const cached = await readCache(join(o.cacheDir, hash), hash);
      if (cached) return bundleOf(hash, cached, true, performance.now() - started);
      const built = await build(root, hash);
      await mkdir(o.cacheDir, { recursive: true, mode: 0o700 });
      await writeCache(o.cacheDir, hash, built);
      return bundleOf(hash, built, false, performance.now() - started);
    })();
    MEMORY.set(id, loading);
    // A failed build is tried again on the next call (the sources may be fixed by then).
    loading.catch(() => MEMORY.delete(id));
  }
  return loading;
}

/** Builds of this process by root and hash, finished or under way (many test servers, one build). */
const MEMORY = new Map<string, Promise<UiBundle>>();
/** Forgets this process's builds (tests of the disk cache). */
export function forgetUiBundles(): void {
  MEMORY.clear();
}

/** The Content-Security-Policy of the UI's pages (one definition, in ui/build.ts). */
export { uiContentSecurityPolicy };
