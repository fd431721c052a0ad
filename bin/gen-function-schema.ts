/**
 * Writes `schemas/function.schema.json`, the JSON Schema of `lambdas/functions/<name>/function.json`,
 * from the zod schema in lambdas/contracts/function-config.ts (each function.json names it in
 * "$schema", so editors complete and check it). Run after changing the zod schema:
 *   npx tsx bin/gen-function-schema.ts          (write)
 *   npx tsx bin/gen-function-schema.ts --check  (exit 1 when the committed file is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { functionConfigJsonSchema } from '../lambdas/contracts/function-config.js';

export const FUNCTION_SCHEMA_FILE = fileURLToPath(new URL('../schemas/function.schema.json', import.meta.url));

/** The file's text as the generator writes it now. */
export function functionSchemaText(): string {
  return `${JSON.stringify(functionConfigJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = functionSchemaText();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(FUNCTION_SCHEMA_FILE, 'utf8');
    } catch {
      /* missing: stale */
    }
    if (current !== text) {
      process.stderr.write('schemas/function.schema.json is out of date with lambdas/contracts/function-config.ts: run npx tsx bin/gen-function-schema.ts\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(FUNCTION_SCHEMA_FILE, text);
    process.stdout.write('wrote schemas/function.schema.json\n');
  }
}
