/** Every media function folder has a valid function.json whose name and version its handler uses. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionConfigSchema } from '../../../lambdas/contracts/index.js';
import { FUNCTIONS_DIR, functionNames, loadFunctions } from '../../../local/function-registry.js';

describe('lambdas/functions/*/function.json', () => {
  const names = functionNames();

  it('finds all thirteen media functions', () => {
    expect(names).toEqual(['analyze-title', 'assemble', 'encode-audio', 'encode-video', 'inspect', 'measure-quality', 'normalize-audio', 'package', 'plan', 'plan-analysis', 'publish', 'publish-derived', 'thumbnails']);
  });

  it.each(names)('%s: config is valid and matches the handler', async (name) => {
    const config = FunctionConfigSchema.parse(JSON.parse(readFileSync(join(FUNCTIONS_DIR, name, 'function.json'), 'utf8')));
    expect(config.name).toBe(name);
    const fn = (await loadFunctions()).get(name)!;
    expect(fn.name).toBe(config.name);
    expect(fn.version).toBe(config.version);
    expect(fn.definition.cacheable).toBe(config.cacheable);
  });

  it('rejects a config with an unknown field or an impossible size', () => {
    const good = JSON.parse(readFileSync(join(FUNCTIONS_DIR, 'inspect', 'function.json'), 'utf8'));
    expect(FunctionConfigSchema.safeParse({ ...good, memoryMiB: 20_000 }).success).toBe(false);
    expect(FunctionConfigSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
    expect(FunctionConfigSchema.safeParse({ ...good, defaultPlatform: 'fargate', platforms: ['lambda'] }).success).toBe(false);
  });
});
