/** `bin/check-workflows.ts` (a `npm run lint` step): every state-machines/*.asl.json loads with known placeholders and passes asl-validator; a bad file fails naming it. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/media.js';

const check = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/check-workflows.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('workflow files', () => {
  it('the shipped ones are valid', () => {
    const ok = check();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^workflows: \d+ state machines valid \(.*encode.*measure.*repackage.*\)/);
  });

  it('an unknown placeholder and an unreachable state fail, each line naming its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-wf-files-'));
    copyFileSync(join(ROOT, 'state-machines', 'measure.asl.json'), join(dir, 'measure.asl.json'));
    writeFileSync(join(dir, 'no-such-fn.asl.json'), JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: '${NopeFunctionArn}', End: true } } }));
    writeFileSync(join(dir, 'broken.asl.json'), JSON.stringify({ StartAt: 'B', States: { A: { Type: 'Pass', End: true } } }));
    const bad = check(dir);
    expect(bad.status).toBe(1);
    const lines = bad.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes('no-such-fn.asl.json: ')).join('\n')).toContain('NopeFunctionArn');
    expect(lines.filter((l) => l.includes('broken.asl.json: ')).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('measure.asl.json'))).toBe(false);
    expect(lines.at(-1)).toMatch(/^workflows: \d+ problems$/);
  });
});
