/** `npm run lint` (tsc + the DESIGN.md import rules) passes, and a forbidden import would fail it. */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/media.js';

const depcruise = (paths: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', ...paths], { cwd: ROOT, encoding: 'utf8' });

describe('lint', () => {
  const probe = join(ROOT, 'lambdas/core/zz-lint-probe.ts');
  afterEach(() => rmSync(probe, { force: true }));

  it('npm run lint passes on the tree', () => {
    const r = spawnSync('npm', ['run', 'lint', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('core importing child_process or the runtime is a violation', () => {
    writeFileSync(probe, "import { spawn } from 'node:child_process';\nimport { logger } from '../runtime/observability.js';\nexport const probe = [spawn, logger];\n");
    const r = depcruise(['lambdas']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/core-no-child-process/);
    expect(r.stdout).toMatch(/core-is-pure/);
  });
});
