/**
 * Bundles the container's entry point (and every media function it can load) into one ESM file,
 * `containers/ffmpeg/dist/entrypoint.mjs`, which the Dockerfile copies. The Docker build context
 * is this folder only, so this must run before `cdk deploy` builds the image:
 *
 *   npx tsx containers/ffmpeg/bundle.ts [outdir]
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const DEFAULT_OUTDIR = join(HERE, 'dist');

export interface BundleResult {
  outfile: string;
  bytes: number;
  metafile: Metafile;
}

export async function bundleEntrypoint(outdir = DEFAULT_OUTDIR): Promise<BundleResult> {
  await mkdir(outdir, { recursive: true });
  const outfile = join(resolve(outdir), 'entrypoint.mjs');
  const result = await build({
    entryPoints: [join(HERE, 'entrypoint.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies (the AWS SDK, Powertools) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __mosaicCreateRequire } from 'node:module'; const require = __mosaicCreateRequire(import.meta.url);" },
  });
  const out = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => resolve(k) === outfile) ?? ''];
  return { outfile, bytes: out?.bytes ?? 0, metafile: result.metafile };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { outfile, bytes } = await bundleEntrypoint(process.argv[2]);
  process.stdout.write(`${outfile} (${(bytes / 1024 / 1024).toFixed(1)} MiB) in ${Date.now() - started} ms\n`);
}
