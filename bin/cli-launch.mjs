/**
 * Starts the `mosaic` CLI fast: runs a JavaScript bundle of bin/mosaic.ts (esbuild, node20 ESM,
 * split so each command's modules load only when it runs) instead of compiling the TypeScript
 * with tsx at every start.
 *
 * The bundle is cached under `node_modules/.cache/mosaic-cli/<hash>/` (MOSAIC_CLI_CACHE to
 * override; it must lie under the package so the bundle finds node_modules), named by the
 * content hash of its inputs: every .ts/.mts/.js/.mjs/.json under bin/, lambdas/, local/ and lib/config/, ui/build.ts,
 * package.json, package-lock.json, tsconfig.json and the package's path. There is no install
 * step that may run our scripts (npm ci with strict-allow-scripts), so the first run builds it
 * and later runs reuse it. Hashing every source at each start would cost tens of ms, so a
 * manifest records each input's (and each folder's) mtime and size with the hash they had: when
 * all match, the bundle is used without reading a source; otherwise the contents are hashed (a
 * touched but unchanged file only refreshes the manifest) and a new hash is built.
 *
 * Packages stay external but zod (better-sqlite3 and the rest load from
 * node_modules as they are). `import.meta.url` (and dirname/filename) in each source becomes that
 * source's own URL, so paths relative to a module (rules/, state-machines/, the UI) are those of
 * the sources. The media functions' handlers, which local/function-registry.ts imports by a
 * computed path, are bundled through a table of literal imports.
 *
 * If esbuild or the build fails, or the cache cannot be written, the CLI runs from the
 * TypeScript sources with tsx, saying so on stderr. MOSAIC_CLI_TSX=1 forces that path;
 * MOSAIC_CLI_DEBUG=1 prints on stderr which path ran and why.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Bump when the way bundles are built changes (this file is an input too; this is explicit). */
const FORMAT = 1;
// lib/config: the environments `mosaic encode --estimate --env` plans for (plain data; no CDK).
const SOURCE_DIRS = ['bin', 'lambdas', 'local', 'lib/config'];
const SOURCE_FILE = /\.(ts|mts|js|mjs|json)$/;
const SINGLE_FILES = ['ui/build.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];
const ENTRY = 'mosaic.mjs';
const MARK = Symbol.for('mosaic.cli.bundle');

const env = process.env;
const debugOn = env.MOSAIC_CLI_DEBUG === '1';
const debug = (s) => debugOn && process.stderr.write(`mosaic-cli: ${s}\n`);

export function cacheDir(root = ROOT) {
  return env.MOSAIC_CLI_CACHE ? resolve(env.MOSAIC_CLI_CACHE) : join(root, 'node_modules', '.cache', 'mosaic-cli');
}

/** Every input file and the folders walked (a new file changes its folder's mtime). */
function listInputs(root) {
  const files = [];
  const dirs = [];
  const walk = (rel) => {
    dirs.push(rel);
    for (const e of readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && SOURCE_FILE.test(e.name)) files.push(r);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(d);
  for (const f of SINGLE_FILES) if (existsSync(join(root, f))) files.push(f);
  return { files, dirs };
}

const statOf = (p) => {
  try {
    const s = statSync(p);
    return [s.mtimeMs, s.size];
  } catch {
    return null;
  }
};
const same = (a, b) => a !== null && b !== null && a[0] === b[0] && a[1] === b[1];

/**
 * The content hash of the inputs, with the stats taken before reading (a file changed while it
 * is read then differs from its recorded stat, so the next start hashes again).
 */
export function hashSources(root = ROOT, extras = []) {
  const { files, dirs } = listInputs(root);
  const all = [...new Set([...files, ...extras])];
  const stats = {};
  for (const d of dirs) stats[`${d}/`] = statOf(join(root, d));
  const h = createHash('sha256').update(`mosaic-cli ${FORMAT}\0${root}\0`);
  for (const f of all) {
    const st = statOf(join(root, f));
    if (!st) continue;
    stats[f] = st;
    const body = readFileSync(join(root, f));
    h.update(`${f}\0${body.length}\0`).update(body);
  }
  return { hash: h.digest('hex').slice(0, 20), stats };
}

const manifestPath = (root) => join(cacheDir(root), `manifest-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.json`);

function readManifest(root) {
  try {
    const m = JSON.parse(readFileSync(manifestPath(root), 'utf8'));
    return m && m.format === FORMAT && m.root === root && typeof m.hash === 'string' ? m : null;
  } catch {
    return null;
  }
}

function writeManifest(root, m) {
  const p = manifestPath(root);
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(m));
  renameSync(tmp, p);
}

/** The manifest's hash if every recorded input and folder still has its stat (no source read). */
function fastHash(root, m) {
  for (const [rel, st] of Object.entries(m.stats)) if (!same(statOf(join(root, rel)), st)) return null;
  return m.hash;
}

/** A computed import() cannot be bundled, and in the bundle it would ask plain Node for a .ts file: refuse to build. */
function checkImports(root, path, text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  if (/\bimport\(\s*(?!['"`])/.test(code)) throw new Error(`${relative(root, path)}: import() of a computed path cannot be bundled`);
}

/** esbuild plugin: each source's import.meta.url is its own; the handlers' computed import becomes a table. */
function sourcesPlugin(root) {
  const registry = join(root, 'local', 'function-registry.ts');
  const HANDLER_IMPORT = "await import(pathToFileURL(join(dir, name, 'handler.ts')).href)";
  return {
    name: 'mosaic-sources',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        let text = readFileSync(args.path, 'utf8');
        const url = pathToFileURL(args.path).href;
        text = text
          .replaceAll('import.meta.url', JSON.stringify(url))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        if (args.path === registry) {
          if (!text.includes(HANDLER_IMPORT)) throw new Error(`local/function-registry.ts no longer imports handlers as ${HANDLER_IMPORT}; update bin/cli-launch.mjs`);
          const fnDir = join(root, 'lambdas', 'functions');
          const names = readdirSync(fnDir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(fnDir, d.name, 'handler.ts'))).map((d) => d.name);
          const table = names.map((n) => `  ${JSON.stringify(n)}: () => import(${JSON.stringify(`../lambdas/functions/${n}/handler.ts`)}),`).join('\n');
          text = text.replace(HANDLER_IMPORT, 'await __bundledHandler(dir, name)');
          checkImports(root, args.path, text);
          text += `\nconst __BUNDLED_HANDLERS: Record<string, () => Promise<unknown>> = {\n${table}\n};\n` +
            `async function __bundledHandler(dir: string, name: string): Promise<{ default: AnyMediaFunction }> {\n` +
            `  const bundled = join(dir) === join(FUNCTIONS_DIR) && Object.hasOwn(__BUNDLED_HANDLERS, name) ? __BUNDLED_HANDLERS[name] : undefined;\n` +
            `  return (await (bundled ? bundled() : import(pathToFileURL(join(dir, name, 'handler.ts')).href))) as { default: AnyMediaFunction };\n}\n`;
        } else checkImports(root, args.path, text);
        return { contents: text, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/** Every dependency but zod, as esbuild externals (`name` and `name/*`). */
function externalPackages(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => n !== 'zod');
  return names.flatMap((n) => [n, `${n}/*`]);
}

/** Builds the bundle of `hash` into `<cache>/<hash>/` (atomically); returns the extra inputs esbuild read. */
async function build(root, hash) {
  const esbuild = await import('esbuild');
  const cache = cacheDir(root);
  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `.tmp-${hash}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { mosaic: join(root, 'bin', 'mosaic.ts') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Packages load from node_modules (better-sqlite3 is native), but zod: every command loads
      // its ~70 files at start, which cost more than the rest of a light command.
      external: externalPackages(root),
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      banner: { js: `globalThis[Symbol.for('mosaic.cli.bundle')] = ${JSON.stringify(hash)};` },
      metafile: true,
      logLevel: 'silent',
      plugins: [sourcesPlugin(root)],
    });
    const extras = Object.keys(result.metafile.inputs)
      .map((p) => relative(root, resolve(root, p)).split(sep).join('/'))
      .filter((p) => !p.startsWith('..') && !p.startsWith('node_modules/'));
    try {
      renameSync(tmp, join(cache, hash));
    } catch (e) {
      // Another process built the same hash first: theirs is as good.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    }
    return extras;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const entryOf = (root, hash) => join(cacheDir(root), hash, ENTRY);

async function importBundle(root, hash) {
  await import(pathToFileURL(entryOf(root, hash)).href);
  if (globalThis[MARK] !== hash) throw new Error(`${entryOf(root, hash)} is not the bundle of ${hash}`);
}

/** The bundle's hash, reusing or (re)building it; null (with the reason) when the bundle cannot be had. */
async function ensureBundle(root) {
  const started = performance.now();
  const manifest = readManifest(root);
  let hash = manifest ? fastHash(root, manifest) : null;
  if (hash && existsSync(entryOf(root, hash))) {
    debug(`bundle ${hash} (cached; checked in ${(performance.now() - started).toFixed(1)} ms)`);
    return { hash, manifest };
  }
  const hashed = hashSources(root, manifest?.extras ?? []);
  hash = hashed.hash;
  const entry = entryOf(root, hash);
  if (existsSync(entry)) {
    writeManifest(root, { format: FORMAT, root, hash, extras: manifest?.extras ?? [], stats: { ...hashed.stats, [relative(root, entry)]: statOf(entry) } });
    debug(`bundle ${hash} (cached; sources touched, contents unchanged; hashed in ${(performance.now() - started).toFixed(1)} ms)`);
    return { hash };
  }
  if (process.stderr.isTTY) process.stderr.write('mosaic: building the CLI (once after each source change)…\n');
  const extras = await build(root, hash);
  const missing = extras.filter((p) => !(p in hashed.stats));
  const final = missing.length ? hashSources(root, missing) : hashed;
  if (final.hash !== hash) {
    // An input outside the usual set (recorded from now on): store this build under the full hash.
    renameSync(join(cacheDir(root), hash), join(cacheDir(root), final.hash));
    hash = final.hash;
  }
  writeManifest(root, { format: FORMAT, root, hash, extras: missing, stats: { ...final.stats, [relative(root, entryOf(root, hash))]: statOf(entryOf(root, hash)) } });
  removeOldBundles(root, hash);
  debug(`bundle ${hash} (built in ${(performance.now() - started).toFixed(0)} ms)`);
  return { hash, built: true };
}

/**
 * Bundles of other hashes, once a day old: a running `mosaic serve` of an older bundle may still
 * load one of its chunks, so a bundle is not removed as soon as a newer one is built.
 */
function removeOldBundles(root, keep) {
  const cache = cacheDir(root);
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(cache)) {
    if (name === keep || !/^[0-9a-f]{20}$|^\.tmp-/.test(name)) continue;
    const st = statOf(join(cache, name));
    if (st && st[0] < dayAgo) rmSync(join(cache, name), { recursive: true, force: true });
  }
}

async function runTsx(reason) {
  debug(`tsx (${reason})`);
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(ROOT, 'bin', 'mosaic.ts')).href);
}

export async function launch(root = ROOT) {
  if (env.MOSAIC_CLI_TSX === '1') return runTsx('MOSAIC_CLI_TSX=1');
  let got;
  try {
    got = await ensureBundle(root);
  } catch (e) {
    process.stderr.write(`mosaic: could not build the CLI bundle (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); running the TypeScript sources with tsx (slower start)\n`);
    return runTsx('build failed');
  }
  try {
    await importBundle(root, got.hash);
    return;
  } catch (e) {
    // Nothing of the CLI has run yet (main() is the bundle's last statement): a broken cache is
    // removed and built again once; after that, tsx.
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    rmSync(join(cacheDir(root), got.hash), { recursive: true, force: true });
    if (got.built) {
      process.stderr.write(`mosaic: the CLI bundle failed to load (${why}); running the TypeScript sources with tsx\n`);
      return runTsx('fresh bundle failed to load');
    }
    process.stderr.write(`mosaic: the cached CLI bundle was broken (${why}); building it again\n`);
  }
  try {
    rmSync(manifestPath(root), { force: true });
    got = await ensureBundle(root);
    await importBundle(root, got.hash);
  } catch (e) {
    process.stderr.write(`mosaic: could not rebuild the CLI bundle (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); running the TypeScript sources with tsx\n`);
    return runTsx('rebuild failed');
  }
}
