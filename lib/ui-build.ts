/**
 * The web UI for the S3 bucket behind CloudFront, built at synth time with esbuild from
 * `ui/src/main.tsx`: the same recipe as `mosaic serve` (local/ui-bundle.ts: minified ES2022 ESM,
 * preact JSX, lazily loaded chunks), laid out as the distribution serves it:
 *
 *   <dir>/site/index.html           the page (no-cache: it names the current build)
 *   <dir>/assets/<hash>.js|.css     the entry, named by its content, served as /ui/<hash>.js (immutable)
 *   <dir>/assets/chunk-<hash>.js    lazily loaded parts, likewise
 *
 * The recipe (esbuild options, the page, the CSP) is ui/build.ts, shared with `mosaic serve`.
 * Built once per process (both environments share it) into a temp folder removed at exit (CDK
 * copies assets into cdk.out during synth). Without `ui/src/main.tsx` there is nothing to build.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { buildSync, type BuildResult } from 'esbuild';
import { uiBuildOptions, uiEntryOf, uiIndexHtml } from '../ui/build.ts';
import { PATHS } from './paths.js';

export interface UiBuild {
  /** The page: `index.html` only (deployed to the bucket's root). */
  siteDir: string;
  /** Everything index.html loads, deployed under `ui/`. */
  assetsDir: string;
  /** The entry's file names, as index.html names them under `/ui/`. */
  entryJs: string;
  entryCss: string | null;
  buildMs: number;
}

/** Where index.html finds the build (the distribution's default behaviour serves the bucket as is). */
export const UI_ASSETS_PREFIX = 'ui/';

export const uiEntry = (root: string = PATHS.root): string => uiEntryOf(root);

const BUILDS = new Map<string, UiBuild>();

/**
 * What a stack deploys: the build when the stack is bundled (`cdk synth`, `cdk deploy`), a stub
 * page when bundling is skipped (`aws:cdk:bundling-stacks`, as the template tests do: like the
 * NodejsFunctions, no esbuild run), null when there is no UI.
 */
export function uiForStack(stack: Stack, root: string = PATHS.root): UiBuild | null {
  if (!existsSync(uiEntry(root))) return null;
  return stack.bundlingRequired ? buildUi(root) : stubUi();
}

let stub: UiBuild | undefined;
function stubUi(): UiBuild {
  if (stub) return stub;
  const dir = tempDir();
  const assetsDir = join(dir, 'assets');
  const siteDir = join(dir, 'site');
  mkdirSync(assetsDir, { recursive: true });
  mkdirSync(siteDir, { recursive: true });
  writeFileSync(join(assetsDir, 'stub.js'), '// bundling skipped\n');
  writeFileSync(join(siteDir, 'index.html'), uiIndexHtml('stub.js', null));
  return (stub = { siteDir, assetsDir, entryJs: 'stub.js', entryCss: null, buildMs: 0 });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-ui-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The UI built from `<root>/ui/src/main.tsx`, or null when that file does not exist (yet). */
export function buildUi(root: string = PATHS.root): UiBuild | null {
  const entry = uiEntry(root);
  if (!existsSync(entry)) return null;
  const known = BUILDS.get(root);
  if (known) return known;
  const started = performance.now();
  const dir = tempDir();
  const assetsDir = join(dir, 'assets');
  const siteDir = join(dir, 'site');
  let result: BuildResult<{ metafile: true }>;
  try {
    result = buildSync({ ...uiBuildOptions(root), outdir: assetsDir, entryNames: '[hash]', metafile: true });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    throw new Error(`the web UI does not build (${relative(root, entry)}): ${first ? `${where}${first.text}` : e instanceof Error ? e.message : String(e)}`);
  }
  // Lazily imported modules are entry points of their own chunks: find main.tsx's.
  const entryPoint = relative(root, entry).split(sep).join('/');
  const [entryOut, meta] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === entryPoint) ?? [];
  if (!entryOut || !meta) throw new Error(`esbuild wrote no entry for ${relative(root, entry)}`);
  const name = (p: string) => relative(assetsDir, join(root, p)).split(sep).join('/');
  const entryJs = name(entryOut);
  const entryCss = meta.cssBundle ? name(meta.cssBundle) : null;
  mkdirSync(siteDir, { recursive: true });
  writeFileSync(join(siteDir, 'index.html'), uiIndexHtml(entryJs, entryCss));
  const build: UiBuild = { siteDir, assetsDir, entryJs: basename(entryJs), entryCss: entryCss && basename(entryCss), buildMs: performance.now() - started };
  BUILDS.set(root, build);
  return build;
}

/** The page, as `mosaic serve` gives it (one definition, in ui/build.ts). */
export { uiIndexHtml };
