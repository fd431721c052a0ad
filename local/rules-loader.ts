/** Reads `rules/*.json` from disk into a validated, compiled rule set (core/rules does the rest). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRuleSet, type LoadOptions, type RuleFile, type RuleSet } from '../lambdas/core/rules/index.js';

/** The repository's rules folder. */
export const RULES_DIR = resolve(fileURLToPath(new URL('../rules', import.meta.url)));

/** The `*.json` files of `dir`, named relative to the working directory in messages. */
export function readRuleFiles(dir: string = RULES_DIR): RuleFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const full = join(dir, name);
      return { path: relative(process.cwd(), full) || full, text: readFileSync(full, 'utf8') };
    });
}

/** Loads and validates every rule of `dir`; throws RuleSetError listing every problem. */
export function loadRules(options: LoadOptions & { dir?: string } = {}): RuleSet {
  return loadRuleSet(readRuleFiles(options.dir), options);
}
