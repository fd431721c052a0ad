/**
 * `npm run lint` step: every rule file validates (schema, EventBridge pattern syntax, variables,
 * unique names) and compiles to an EventBridge rule. Prints `<file>: <path>: <message>` for each
 * problem and exits 1. Usage: tsx bin/check-rules.ts [rules-dir]
 */
import { compileToEventBridge, formatRuleProblem, RuleSetError } from '../lambdas/core/rules/index.js';
import { loadRules, RULES_DIR } from '../local/rules-loader.js';

const dir = process.argv[2] ?? RULES_DIR;
try {
  const set = loadRules({ dir });
  for (const rule of set.rules) compileToEventBridge(rule);
  process.stdout.write(`rules: ${set.rules.length} rule files valid\n`);
} catch (e) {
  if (!(e instanceof RuleSetError)) throw e;
  for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
  process.stderr.write(`rules: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}\n`);
  process.exitCode = 1;
}
