/**
 * `npm run bench -- cli`: cold start of the `mosaic` CLI (bin/mosaic.js, the cached bundle of
 * bin/cli-launch.mjs) for `--help`, `jobs list --out <empty tmp>` and `rules list`, next to
 * `node -e 0` (Node's own start) and the tsx path it replaced (MOSAIC_CLI_TSX=1, `--help`).
 *
 * The bundle is built into a fresh cache folder (MOSAIC_CLI_CACHE under node_modules/.cache) so
 * the first, building run is timed and reported on its own; then each command runs N times
 * (default 10), each a new process. Prints median, min and max per command and whether the
 * median meets 300 ms; exit 1 when one does not.
 *
 * Options: --runs N (default 10)   --keep (keep the cache and temp folders)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, run } from './util.js';

const TARGET_MS = 300;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const r = await run(process.execPath, args, { cwd: REPO_ROOT, env });
  if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.seconds * 1000;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  const cache = join(REPO_ROOT, 'node_modules', '.cache', `mosaic-cli-bench-${process.pid}`);
  const out = mkdtempSync(join(tmpdir(), 'mosaic-bench-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MOSAIC_CLI_CACHE: cache, MOSAIC_CLI_DEBUG: '', MOSAIC_CLI_TSX: '', MOSAIC_OFFLINE: '1' };
  const cli = join(REPO_ROOT, 'bin', 'mosaic.js');
  const commands: [string, string[]][] = [
    ['mosaic --help', [cli, '--help']],
    ['mosaic jobs list --out <tmp>', [cli, 'jobs', 'list', '--out', out]],
    ['mosaic rules list', [cli, 'rules', 'list']],
  ];
  try {
    const first = await timed(commands[0][1], env);
    console.log(`first run (builds the bundle into a fresh cache): mosaic --help ${first.toFixed(0)} ms`);
    const tsx: number[] = [];
    for (let i = 0; i < Math.min(3, runs); i++) tsx.push(await timed([cli, '--help'], { ...env, MOSAIC_CLI_TSX: '1' }));
    const rows: { name: string; ms: number[]; target: boolean }[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) base.push(await timed(['-e', '0'], env));
    rows.push({ name: 'node -e 0 (reference)', ms: base, target: false });
    for (const [name, args] of commands) {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await timed(args, env));
      rows.push({ name, ms, target: true });
    }
    rows.push({ name: 'mosaic --help via tsx (before)', ms: tsx, target: false });
    console.log(`\ncold start, ${runs} runs each (wall clock, process start to exit):\n`);
    const width = Math.max(...rows.map((r) => r.name.length));
    console.log(`${'command'.padEnd(width)}  median     min     max  target ${TARGET_MS} ms`);
    let ok = true;
    for (const r of rows) {
      const m = median(r.ms);
      const meets = m <= TARGET_MS;
      if (r.target && !meets) ok = false;
      const f = (n: number) => `${n.toFixed(0)} ms`.padStart(7);
      console.log(`${r.name.padEnd(width)}  ${f(m)} ${f(Math.min(...r.ms))} ${f(Math.max(...r.ms))}  ${r.target ? (meets ? 'met' : 'MISSED') : '-'}`);
    }
    return ok ? 0 : 1;
  } finally {
    if (values.keep) console.log(`\nkept ${cache} and ${out}`);
    else {
      rmSync(cache, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  }
}
