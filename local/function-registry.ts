/** Finds every media function (lambdas/functions/<name>/handler.ts) and loads it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FunctionConfigSchema, formatIssues, type FunctionConfig } from '../lambdas/contracts/index.js';
import type { MediaFunction } from '../lambdas/runtime/index.js';

export const FUNCTIONS_DIR = fileURLToPath(new URL('../lambdas/functions/', import.meta.url));

export type AnyMediaFunction = MediaFunction<{ jobId: string; itemId?: string }, unknown>;

/** Every function.json, validated. */
export function functionConfigs(dir = FUNCTIONS_DIR): Map<string, FunctionConfig> {
  return new Map(
    functionNames(dir).map((name) => {
      const file = join(dir, name, 'function.json');
      const parsed = FunctionConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(`${file}: ${formatIssues(parsed.error)}`);
      return [name, parsed.data];
    }),
  );
}

/** Function name → its function.json defaultPlatform. */
export function defaultPlatforms(dir = FUNCTIONS_DIR): Map<string, string> {
  return new Map([...functionConfigs(dir)].map(([name, c]) => [name, c.defaultPlatform]));
}

export function functionNames(dir = FUNCTIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'function.json')))
    .map((d) => d.name)
    .sort();
}

export async function loadFunctions(dir = FUNCTIONS_DIR): Promise<Map<string, AnyMediaFunction>> {
  const out = new Map<string, AnyMediaFunction>();
  for (const name of functionNames(dir)) {
    const mod = (await import(pathToFileURL(join(dir, name, 'handler.ts')).href)) as { default: AnyMediaFunction };
    if (mod.default?.name !== name) throw new Error(`lambdas/functions/${name}/handler.ts must default-export the function named "${name}"`);
    out.set(name, mod.default);
  }
  return out;
}
