/**
 * containers/ffmpeg/bundle.ts makes the single file the Dockerfile copies. The bundle must run on
 * its own (no node_modules beside it), include every media function, and report through Step
 * Functions like the unbundled code (a recording loopback server stands in for it).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntrypoint } from '../../containers/ffmpeg/bundle.js';
import { FFMPEG, FFPROBE, ROOT, tempDir } from '../helpers/media.js';
import { emulatorEnv, startJsonApiFake, type JsonApiFake } from './emulators.js';

let outdir: string;
let outfile: string;
let fake: JsonApiFake;

beforeAll(async () => {
  outdir = tempDir('mosaic-bundle-');
  fake = await startJsonApiFake();
  ({ outfile } = await bundleEntrypoint(outdir));
});

afterAll(async () => {
  await fake?.close();
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

/** Runs the bundle as the container would (`node /app/entrypoint.mjs`), from an empty folder. */
function runBundle(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [outfile], { cwd: outdir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code: code ?? -1, stderr }));
  });
}

const env = (extra: Record<string, string>) => ({
  ...emulatorEnv({ sfn: fake.endpoint }),
  MOSAIC_TASK_TOKEN: 'tok',
  MOSAIC_SOURCE_BUCKET: 'src',
  MOSAIC_DERIVATIVE_BUCKET: 'out',
  MOSAIC_TABLE: 'mosaic',
  MOSAIC_EVENT_BUS: 'bus',
  MOSAIC_FFMPEG: FFMPEG!,
  MOSAIC_FFPROBE: FFPROBE!,
  MOSAIC_VMAF_MODEL: join(outdir, 'absent.pkl'),
  ...extra,
});

describe('container bundle', () => {
  it('is one ESM file holding every media function', () => {
    expect(existsSync(outfile)).toBe(true);
    expect(statSync(outfile).size).toBeGreaterThan(100_000);
  });

  it('runs standalone: loads a bundled function, validates, reports Mosaic.InputInvalid and exits 0', async () => {
    const r = await runBundle(env({ MOSAIC_FUNCTION: 'inspect', MOSAIC_INPUT: '{"jobId":"b1"}' }));
    expect(r.stderr).toMatch(/mosaic task failed \(Mosaic.InputInvalid\)/);
    expect(r.code).toBe(0);
    const failure = fake.of('SendTaskFailure').at(-1)!;
    expect(failure.body).toMatchObject({ taskToken: 'tok', error: 'Mosaic.InputInvalid' });
    expect(String(failure.body.cause)).toMatch(/^inspect: invalid input/);
  });

  it('reports a function the bundle does not hold, and exits 1 when it cannot report at all', async () => {
    const unknown = await runBundle(env({ MOSAIC_FUNCTION: 'nope', MOSAIC_INPUT: '{}' }));
    expect(unknown.code).toBe(0);
    expect(String(fake.of('SendTaskFailure').at(-1)!.body.cause)).toMatch(/cannot load media function "nope"/);
    const orphan = await runBundle(env({ MOSAIC_TASK_TOKEN: '', MOSAIC_FUNCTION: 'inspect', MOSAIC_INPUT: '{}' }));
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toMatch(/MOSAIC_TASK_TOKEN is not set/);
  });
});

describe('container definition (static: no Docker engine here)', () => {
  const dir = join(ROOT, 'containers', 'ffmpeg');
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));

  it('pins the base image, runs as a non-root user and starts the bundle', () => {
    expect(args.NODE_IMAGE).toMatch(/^public\.ecr\.aws\/docker\/library\/node:\d+\.\d+\.\d+-bookworm-slim$/);
    expect(dockerfile).toMatch(/^USER mosaic$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/entrypoint\.mjs"\]$/m);
    expect(dockerfile).toMatch(/^COPY dist\/entrypoint\.mjs /m);
    // The context is this folder: nothing may be copied from outside it.
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) expect(m[1]).not.toMatch(/\.\.\//);
  });

  it('ships the same ffmpeg/ffprobe builds the project uses locally, and the pinned VMAF model', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const version = (pkg: string) => lock.packages[`node_modules/${pkg}`]?.version;
    expect(args.FFMPEG_URL).toBe(`https://registry.npmjs.org/@ffmpeg-installer/linux-x64/-/linux-x64-${version('@ffmpeg-installer/linux-x64')}.tgz`);
    expect(args.FFPROBE_URL).toBe(`https://registry.npmjs.org/@ffprobe-installer/linux-x64/-/linux-x64-${version('@ffprobe-installer/linux-x64')}.tgz`);
    for (const k of ['FFMPEG_SHA256', 'FFPROBE_SHA256', 'VMAF_PKL_SHA256', 'VMAF_MODEL_SHA256']) expect(args[k]).toMatch(/^[0-9a-f]{64}$/);
    // The model hashes are the runtime's own pins (lambdas/runtime/vmaf-model.ts).
    const runtime = readFileSync(join(ROOT, 'lambdas', 'runtime', 'vmaf-model.ts'), 'utf8');
    expect(runtime).toContain(args.VMAF_PKL_SHA256);
    expect(runtime).toContain(args.VMAF_MODEL_SHA256);
    expect(runtime).toContain(args.VMAF_BASE);
    expect(dockerfile).toContain('MOSAIC_VMAF_MODEL=/opt/mosaic/vmaf/vmaf_v0.6.1.pkl');
  });

  it('keeps the build context to the bundle and the fetch helper', () => {
    const ignore = readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore).toEqual(['*', '!dist/entrypoint.mjs', '!dist/entrypoint.mjs.map', '!fetch-verified.mjs']);
  });
});

describe('fetch-verified.mjs (the image build helper)', () => {
  it('keeps a download whose sha256 matches and refuses one that does not', async () => {
    const { createServer } = await import('node:http');
    const { createHash } = await import('node:crypto');
    const body = Buffer.from('pretend this is ffmpeg');
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/ffmpeg.tgz`;
    const helper = join(ROOT, 'containers', 'ffmpeg', 'fetch-verified.mjs');
    const run = (sha: string, dest: string) =>
      new Promise<number>((res) => spawn(process.execPath, [helper, url, sha, dest], { stdio: 'ignore' }).on('close', (c) => res(c ?? -1)));
    try {
      const good = join(outdir, 'good.bin');
      expect(await run(createHash('sha256').update(body).digest('hex'), good)).toBe(0);
      expect(readFileSync(good)).toEqual(body);
      const bad = join(outdir, 'bad.bin');
      expect(await run('0'.repeat(64), bad)).toBe(1);
      expect(existsSync(bad)).toBe(false);
    } finally {
      server.close();
    }
  });
});
