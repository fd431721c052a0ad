/**
 * `npm run lint` step: every `lambdas/functions/<name>/function.json` validates against the function
 * config schema (lambdas/contracts/function-config.ts; name = folder, a valid Fargate size), and
 * schemas/function.schema.json is what bin/gen-function-schema.ts generates from it now.
 * Prints `<file>: <path>: <message>` for each problem and exits 1. Usage: tsx bin/check-functions.ts [functions-dir]
 */
import { readFileSync } from 'node:fs';
import { formatFunctionConfigProblem, functionConfigProblems } from '../lib/constructs/function-configs.js';
import { PATHS } from '../lib/paths.js';
import { FUNCTION_SCHEMA_FILE, functionSchemaText } from './gen-function-schema.js';

const dir = process.argv[2] ?? PATHS.functionsDir;
const problems = functionConfigProblems(dir).map(formatFunctionConfigProblem);
let committed = '';
try {
  committed = readFileSync(FUNCTION_SCHEMA_FILE, 'utf8');
} catch {
  /* reported below */
}
if (committed !== functionSchemaText())
  problems.push('schemas/function.schema.json: (root): out of date with lambdas/contracts/function-config.ts: run npx tsx bin/gen-function-schema.ts');
if (problems.length) {
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stderr.write(`functions: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('functions: every function.json valid, schemas/function.schema.json up to date\n');
}
