/** Reads `<functionsDir>/<name>/function.json`: one media function per folder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FunctionConfigSchema, type FunctionConfig } from '../../lambdas/contracts/function-config.js';
import { formatIssues } from '../../lambdas/contracts/zod-issues.js';

export interface MediaFunctionDefinition {
  config: FunctionConfig;
  /** The function.json it came from (for error messages). */
  file: string;
  /** `measure-quality` → `MeasureQuality`: the stem of construct ids and ASL placeholders. */
  pascalName: string;
}

export function pascalCase(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/**
 * Every `function.json` under `functionsDir`, sorted by name. Invalid JSON, a config that fails
 * `FunctionConfigSchema`, or a name that differs from its folder throws an Error naming the file.
 */
export function loadFunctionDefinitions(functionsDir: string): MediaFunctionDefinition[] {
  if (!existsSync(functionsDir)) throw new Error(`media functions folder ${functionsDir} does not exist`);
  const folders = readdirSync(functionsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const definitions: MediaFunctionDefinition[] = [];
  for (const folder of folders) {
    const file = join(functionsDir, folder, 'function.json');
    if (!existsSync(file)) continue;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    const parsed = FunctionConfigSchema.safeParse(json);
    if (!parsed.success) {
      const issues = formatIssues(parsed.error);
      throw new Error(`${file}: invalid function config: ${issues}`);
    }
    if (parsed.data.name !== folder) throw new Error(`${file}: name "${parsed.data.name}" must equal its folder name "${folder}"`);
    definitions.push({ config: parsed.data, file, pascalName: pascalCase(parsed.data.name) });
  }
  if (definitions.length === 0) throw new Error(`no <name>/function.json found under ${functionsDir}`);
  return definitions;
}
