/**
 * The fast CLI start (bin/cli-launch.mjs): bin/mosaic.js runs a cached bundle of bin/mosaic.ts,
 * built on the first run; a source change builds a new one; the bundle's output is the tsx
 * path's; a broken cache or a failing build falls back cleanly. MOSAIC_CLI_DEBUG=1 says on stderr
 * which path ran. Each test uses its own cache folder (MOSAIC_CLI_CACHE). No timings here: those
 * are `npm run bench -- cli`.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STATE_DIR as CLI_STATE_DIR } from '../../bin/cli/startup.js';
import { STATE_DIR } from '../../local/engine.js';
import { ROOT } from '../helpers/media.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function node(root: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'mosaic.js'), ...args], {
      cwd: root,
      env: { ...process.env, MOSAIC_OFFLINE: '1', MOSAIC_CLI_DEBUG: '1', MOSAIC_CLI_TSX: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** The bundle's hash and how it was had, from the MOSAIC_CLI_DEBUG line. */
function path(r: Run): { how: 'built' | 'cached' | 'tsx'; hash?: string } {
  const m = /^mosaic-cli: (?:bundle ([0-9a-f]{20}) \((built|cached)|(tsx))/m.exec(r.stderr);
  if (!m) throw new Error(`no mosaic-cli debug line in: ${r.stderr}`);
  return m[3] ? { how: 'tsx' } : { how: m[2] as 'built' | 'cached', hash: m[1] };
}

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function cacheIn(root: string): string {
  const dir = join(root, 'node_modules', '.cache', `mosaic-cli-test-${process.pid}-${cleanup.length}`);
  cleanup.push(dir);
  return dir;
}

describe('bundled CLI start', () => {
  it('the CLI names the engine state folder without loading the engine', () => {
    expect(CLI_STATE_DIR).toBe(STATE_DIR);
  });

  it('builds the bundle once, then runs it from the cache with the same output as the tsx path', async () => {
    const cache = cacheIn(ROOT);
    const first = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: cache });
    expect(first.code, first.stderr).toBe(0);
    const built = path(first);
    expect(built.how).toBe('built');
    expect(existsSync(join(cache, built.hash!, 'mosaic.mjs'))).toBe(true);

    const second = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: cache });
    expect(second.code, second.stderr).toBe(0);
    expect(path(second)).toEqual({ how: 'cached', hash: built.hash });

    const tsx = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: cache, MOSAIC_CLI_TSX: '1' });
    expect(path(tsx).how).toBe('tsx');
    expect(second.stdout).toContain('mosaic rules list');
    expect(second.stdout).toBe(tsx.stdout);
    expect(first.stdout).toBe(tsx.stdout);

    // A light command and one that fails its arguments: the same as tsx (output and exit code).
    for (const args of [['rules', 'list'], ['rules', 'list', '--json'], ['jobs', 'bogus'], ['nonsense']]) {
      const [b, t] = await Promise.all([node(ROOT, args, { MOSAIC_CLI_CACHE: cache }), node(ROOT, args, { MOSAIC_CLI_CACHE: cache, MOSAIC_CLI_TSX: '1' })]);
      expect(path(b).how, args.join(' ')).toBe('cached');
      expect({ code: b.code, stdout: b.stdout }, args.join(' ')).toEqual({ code: t.code, stdout: t.stdout });
      expect(b.stderr.replace(/^mosaic-cli: .*\n/gm, '')).toBe(t.stderr.replace(/^mosaic-cli: .*\n/gm, ''));
    }
  });

  it('a broken cached bundle is rebuilt, and the command still runs', async () => {
    const cache = cacheIn(ROOT);
    const first = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: cache });
    const { hash } = path(first);
    writeFileSync(join(cache, hash!, 'mosaic.mjs'), 'this is not (JavaScript');
    const broken = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: cache });
    expect(broken.code, broken.stderr).toBe(0);
    expect(broken.stdout).toBe(first.stdout);
    expect(broken.stderr).toMatch(/mosaic: the cached CLI bundle was broken \(.*\); building it again/);
    expect(broken.stderr).toContain(`bundle ${hash} (built`);
    const after = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: cache });
    expect(path(after)).toEqual({ how: 'cached', hash });
    expect(after.stdout).toBe(first.stdout);
  });

  it('falls back to tsx with a clear message when the bundle cannot be built', async () => {
    const r = await node(ROOT, ['--help'], { MOSAIC_CLI_CACHE: '/dev/null/mosaic-cli' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mosaic: could not build the CLI bundle \(.*\); running the TypeScript sources with tsx/);
    expect(path(r).how).toBe('tsx');
    expect(r.stdout).toContain('usage:\n  mosaic encode');
  });

  it('a source change makes a new hash; a touched but unchanged source does not', async () => {
    // A copy of the sources (node_modules linked), so the working tree is never edited.
    const copy = mkdtempSync(join(tmpdir(), 'mosaic-cli-start-'));
    cleanup.push(copy);
    for (const p of ['bin', 'lambdas', 'local', 'lib/config', 'rules', 'state-machines', 'ui/build.ts', 'package.json', 'package-lock.json', 'tsconfig.json'])
      cpSync(join(ROOT, p), join(copy, p), { recursive: true, filter: (src) => !src.includes('node_modules') });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const env = { MOSAIC_CLI_CACHE: join(copy, '.mosaic-cli') };

    const a = await node(copy, ['--help'], env);
    expect(a.code, a.stderr).toBe(0);
    expect(path(a).how).toBe('built');

    const file = join(copy, 'bin', 'cli', 'tables.ts');
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    const touched = await node(copy, ['--help'], env);
    expect(path(touched)).toEqual({ how: 'cached', hash: path(a).hash });
    expect(touched.stderr).toContain('contents unchanged');

    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// changed\n`);
    const b = await node(copy, ['--help'], env);
    expect(b.code, b.stderr).toBe(0);
    expect(path(b).how).toBe('built');
    expect(path(b).hash).not.toBe(path(a).hash);
    expect(b.stdout).toBe(a.stdout);
    expect(path(await node(copy, ['--help'], env))).toEqual({ how: 'cached', hash: path(b).hash });

    // A new source file (its folder's mtime changes) is an input too.
    writeFileSync(join(copy, 'local', 'new-module.ts'), 'export const x = 1;\n');
    const c = await node(copy, ['--help'], env);
    expect(path(c).how).toBe('built');
    expect(path(c).hash).not.toBe(path(b).hash);
  });
});
