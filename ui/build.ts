/**
 * How the web UI is built, once for both places that build it: `mosaic serve` (local/ui-bundle.ts,
 * into memory and a disk cache) and `cdk synth` (lib/ui-build.ts, into the UI bucket's assets).
 * The same esbuild options, the same page and the same Content-Security-Policy, so the UI on AWS is
 * the UI that the tests drive locally. Node code (esbuild's options), not part of the bundle.
 */
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** The build's options but where it writes and how the entry is named (each caller's own). */
export function uiBuildOptions(root: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [uiEntryOf(root)],
    bundle: true,
    // Pages and the video players are chunks loaded on demand: the first view stays small.
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    chunkNames: 'chunk-[hash]',
    assetNames: 'asset-[hash]',
    tsconfig: join(root, 'ui', 'tsconfig.json'),
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff2': 'dataurl' },
    metafile: true,
    logLevel: 'silent',
  };
}

export const uiEntryOf = (root: string): string => join(root, 'ui', 'src', 'main.tsx');

/** The page: the entry's CSS and script under `/ui/`, and `modulepreload` for the chunks it imports statically. */
export function uiIndexHtml(entryJs: string, entryCss: string | null, preload: string[] = []): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<title>Mosaic</title>',
    '<link rel="icon" href="data:,">',
    ...(entryCss ? [`<link rel="stylesheet" href="/ui/${entryCss}">`] : []),
    ...preload.map((n) => `<link rel="modulepreload" href="/ui/${n}">`),
    `<script type="module" src="/ui/${entryJs}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"><p class="boot">Loading Mosaic…</p></div>',
    '<noscript>The Mosaic web UI needs JavaScript. The API is at <a href="/docs">/docs</a>.</noscript>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The UI pages' Content-Security-Policy: nothing from outside the server; the players use blob: workers and media. */
export function uiContentSecurityPolicy(extraOrigins: string[] = []): string {
  const self = ["'self'", ...extraOrigins].join(' ');
  return [
    "default-src 'self'",
    `img-src ${self} blob: data:`,
    `media-src ${self} blob:`,
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    `connect-src ${self}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
