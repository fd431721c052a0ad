/**
 * `mosaic new` in a temporary copy of the repository (its tracked files, node_modules linked from
 * here, nothing installed): dry runs write nothing; a function, two workflows and a rule workflow
 * are generated; then `npm run lint`, the generated tests and `cdk synth -c env=dev` pass in the
 * copy; the generated workflows are state machines of the synthesised stage and the blank one runs
 * as a job on the local engine (`mosaic workflows run`); a second `new` with the same name and bad
 * names are refused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionDefinitions } from '../../lib/constructs/function-configs.js';
import { makeClip, ROOT, tempDir } from '../helpers/media.js';

const copy = tempDir('mosaic-generators-');
// Under the copy (as the launcher wants: the bundle finds node_modules from there), out of its listing.
const cliCache = join(copy, '.mosaic', 'cli-cache');
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function exec(cmd: string, args: string[], timeoutMs = 100_000): Promise<Ran> {
  const t = Date.now();
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd: copy, env: { ...process.env, MOSAIC_CLI_CACHE: cliCache, MOSAIC_ROOT: copy, NO_COLOR: '1', CI: '1' }, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr, ms: Date.now() - t }));
  });
}
const mosaic = (...args: string[]) => exec(process.execPath, [join(copy, 'bin', 'mosaic.js'), ...args], 30_000);

/** Every file of the copy but node_modules (to show a dry run wrote nothing). */
function listing(dir = copy, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((d) => {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (p === 'node_modules' || p === '.mosaic' || p === 'cdk.out') return [];
    return d.isDirectory() ? listing(dir, p) : [p];
  });
}

beforeAll(() => {
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout.split('\0').filter(Boolean);
  // Tracked files, plus the generator's own sources if they are not committed yet.
  const files = new Set([...git(['ls-files', '-z']), ...git(['ls-files', '-z', '--others', '--exclude-standard', '--', 'bin/cli'])]);
  for (const f of files) {
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(copy, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
});

const FUNCTION = ['lambdas/functions/frame-grab/handler.ts', 'lambdas/functions/frame-grab/function.json', 'lambdas/functions/frame-grab/README.md', 'test/unit/functions/frame-grab.test.ts'];
const WORKFLOW = ['state-machines/my-flow.asl.json', 'test/state-machines/my-flow.test.ts'];
const ENCODE_COPY = ['state-machines/my-encode.asl.json', 'test/state-machines/my-encode.test.ts'];
const RULES = ['rules/audio-chain-start.json', 'rules/audio-chain-next.json', 'test/unit/rules/audio-chain.test.ts'];

describe('mosaic new', () => {
  it('dry runs print the plan and write nothing', async () => {
    const before = listing();
    for (const [args, paths] of [
      [['function', 'frame-grab', '--fargate'], FUNCTION],
      [['workflow', 'my-flow'], WORKFLOW],
      [['workflow', 'my-encode', '--from', 'encode'], ENCODE_COPY],
      [['rule-workflow', 'audio-chain'], RULES],
    ] as const) {
      const r = await mosaic('new', ...args, '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('nothing written');
      for (const p of paths) expect(r.stdout).toMatch(new RegExp(`^  ${p.replace(/[.]/g, '[.]')}  \\S`, 'm'));
    }
    expect(listing()).toEqual(before);
  }, 60_000);

  it('generates a function, a workflow, a copy of encode and a rule workflow; lint, their tests and synth pass in the copy', async () => {
    for (const args of [['function', 'frame-grab', '--fargate', '--description', 'A still frame as JPEG'], ['workflow', 'my-flow'], ['workflow', 'my-encode', '--from', 'encode'], ['rule-workflow', 'audio-chain']]) {
      const r = await mosaic('new', ...args);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const p of [...FUNCTION, ...WORKFLOW, ...ENCODE_COPY, ...RULES]) expect(existsSync(join(copy, p)), p).toBe(true);

    const tests = [FUNCTION[3], WORKFLOW[1], ENCODE_COPY[1], RULES[2]];
    const [lint, vitest, synth] = await Promise.all([
      exec('npm', ['run', 'lint']),
      exec('npx', ['vitest', 'run', ...tests]),
      exec('npx', ['cdk', 'synth', '-q', '-c', 'env=dev', '-o', join(copy, 'cdk.out.generators')], 90_000),
    ]);
    console.log(`in the copy: lint ${(lint.ms / 1000).toFixed(1)} s, generated tests ${(vitest.ms / 1000).toFixed(1)} s, synth (dev) ${(synth.ms / 1000).toFixed(1)} s`);
    expect(lint.code, `${lint.stdout}\n${lint.stderr}`).toBe(0);
    expect(lint.stdout).toContain('no dependency violations');
    expect(vitest.code, `${vitest.stdout}\n${vitest.stderr}`).toBe(0);
    expect(vitest.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Test Files\s+4 passed/);
    expect(synth.code, `${synth.stdout}\n${synth.stderr}`.slice(-4000)).toBe(0);
    // Every workflow is deployed: the generated ones get their own state machines.
    const templates = readdirSync(join(copy, 'cdk.out.generators'), { recursive: true }).map(String).filter((f) => f.endsWith('.template.json'));
    const machines = templates.flatMap((f) =>
      Object.values(JSON.parse(readFileSync(join(copy, 'cdk.out.generators', f), 'utf8')).Resources as Record<string, { Type: string; Properties: { StateMachineName?: string } }>)
        .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
        .map((r) => r.Properties.StateMachineName),
    );
    expect(machines).toEqual(expect.arrayContaining(['mosaic-dev-my-flow', 'mosaic-dev-my-encode', 'mosaic-dev-encode']));

    // And runs on the local engine as a job, from the CLI.
    const out = join(copy, 'wf-out');
    mkdirSync(join(out, 'inbox'), { recursive: true });
    makeClip(join(out, 'inbox', 'c.mp4'), { width: 160, height: 90, seconds: 1 });
    writeFileSync(join(copy, 'my-flow-input.json'), JSON.stringify({ source: { key: 'inbox/c.mp4' } }));
    const ran = await mosaic('workflows', 'run', 'my-flow', '--input', join(copy, 'my-flow-input.json'), '--out', out, '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const result = JSON.parse(ran.stdout.trim().split('\n').at(-1)!);
    expect(result.job).toMatchObject({ status: 'SUCCEEDED', workflow: { name: 'my-flow', input: { source: { key: 'inbox/c.mp4' } } } });
    const shown = await mosaic('jobs', 'show', result.job.id, '--out', out, '--json');
    expect(JSON.parse(shown.stdout).steps.map((st: { function: string; status: string }) => `${st.function} ${st.status}`)).toEqual(['inspect SUCCEEDED']);

    expect(loadFunctionDefinitions(join(copy, 'lambdas', 'functions')).find((d) => d.config.name === 'frame-grab')?.config).toMatchObject({
      platforms: ['lambda', 'fargate'],
      defaultPlatform: 'fargate',
      description: 'A still frame as JPEG',
    });
  }, 110_000);

  it('refuses a second new with the same name, naming the files, and replaces them with --force', async () => {
    const again = await mosaic('new', 'function', 'frame-grab');
    expect(again.code).toBe(1);
    for (const p of FUNCTION) expect(again.stderr).toContain(p);
    expect(again.stderr).toContain('--force');
    const rules = await mosaic('new', 'rule-workflow', 'audio-chain');
    expect(rules.code).toBe(1);
    for (const p of RULES) expect(rules.stderr).toContain(p);
    // An existing workflow's name is taken too.
    const encode = await mosaic('new', 'workflow', 'encode');
    expect(encode.code).toBe(1);
    expect(encode.stderr).toContain('state-machines/encode.asl.json');
    const forced = await mosaic('new', 'workflow', 'my-flow', '--force');
    expect(forced.code, forced.stderr).toBe(0);
  }, 60_000);

  it('refuses bad names with the rule, writing nothing', async () => {
    const before = listing();
    for (const bad of ['Frame', 'frame_grab', '1frame', 'frame--grab', 'a'.repeat(41)]) {
      const r = await mosaic('new', 'function', bad);
      expect(r.code, bad).toBe(1);
      expect(r.stderr).toContain('kebab-case');
      expect(r.stderr).toContain('at most 40 characters');
    }
    expect(listing()).toEqual(before);
  }, 60_000);
});
