/**
 * Issue 10, "Must show": the source corpus through the real CLI (draft preset). One test per
 * case, named after it; a failure is one line: what was expected, what happened, why.
 * Cases that must succeed get a complete, frame-exact ladder (test/helpers/verify-ladder.ts);
 * cases that must fail exit non-zero with one line of reason and publish nothing.
 * The same cases run in `npm run bench -- corpus`, which prints them as a table.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CASES, runCase, startCorpusRun } from '../helpers/source-corpus.js';

const run = startCorpusRun();
afterAll(() => rmSync(run.dir, { recursive: true, force: true }));

describe('source corpus (issue 10)', () => {
  it('has at least 40 cases, both outcomes, and the shared camera clip', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => c.expect === 'ok').length).toBeGreaterThan(20);
    expect(CASES.filter((c) => c.expect === 'refused').length).toBeGreaterThan(10);
    expect(CASES.some((c) => c.name.startsWith('city-720x405-cc0.mpg'))).toBe(true);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(`${c.name} → ${c.expect}`, { timeout: ((c.timeoutSec ?? 120) + 120) * 1000 }, async () => {
      const r = await runCase(c, run);
      if (r.outcome === 'skipped') {
        console.warn(`skipping ${c.name}: ${r.reason}`);
        return;
      }
      if (!r.passed) {
        const more = r.problems.length > 1 ? ` (+${r.problems.length - 1} more: ${r.problems.slice(1).join('; ')})` : '';
        expect.fail(`expected ${c.expect}, got ${r.outcome} in ${r.seconds} s: ${r.reason}${more}`);
      }
      expect(r.outcome).toBe(c.expect);
    });
  }
});
