/**
 * Source corpus benchmark (issue 10): every case of test/helpers/source-corpus.ts through the real
 * CLI, one after the other, then a table of case, expected, outcome, seconds and the reason
 * printed, with totals. The same cases and checks as test/e2e/source-corpus.test.ts.
 *
 *   npm run bench -- corpus [--only TEXT] [--keep] [--json]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CASES, runCase, startCorpusRun, type CaseResult } from '../test/helpers/source-corpus.js';

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { only: { type: 'string' }, keep: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const cases = CASES.filter((c) => !values.only || c.name.toLowerCase().includes(values.only.toLowerCase()));
  const run = startCorpusRun('mosaic-bench-corpus-');
  const results: CaseResult[] = [];
  const t0 = Date.now();
  for (const c of cases) {
    const r = await runCase(c, run);
    results.push(r);
    process.stderr.write(`${r.passed ? 'pass' : 'FAIL'}  ${c.name}  (${r.seconds} s)${r.passed ? '' : `: ${r.reason}`}\n`);
  }
  const total = (Date.now() - t0) / 1000;

  if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  const header = `${pad('case', 48)} ${pad('expected', 8)} ${pad('outcome', 9)} ${'seconds'.padStart(7)}  pass  reason`;
  const rows = results.map((r) => `${pad(r.name, 48)} ${pad(r.expected, 8)} ${pad(r.outcome, 9)} ${r.seconds.toFixed(1).padStart(7)}  ${r.passed ? 'yes ' : 'NO  '}  ${r.reason.slice(0, 140)}`);
  const passed = results.filter((r) => r.passed && r.outcome !== 'skipped').length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const failed = results.filter((r) => !r.passed).length;
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  process.stdout.write(
    [
      header,
      '-'.repeat(header.length + 40),
      ...rows,
      '',
      `${results.length} cases: ${passed} passed, ${failed} failed, ${skipped} skipped | outcomes: ${count('ok')} ok, ${count('refused')} refused, ${count('timeout')} timeout, ${count('memory')} memory, ${count('no-source')} no-source | ${results.reduce((t, r) => t + r.seconds, 0).toFixed(1)} s in the CLI, ${total.toFixed(1)} s in all`,
    ].join('\n') + '\n',
  );
  if (values.keep) process.stdout.write(`kept ${run.dir}\n`);
  else rmSync(run.dir, { recursive: true, force: true });
  return failed === 0 ? 0 : 1;
}
