/**
 * schemas/function.schema.json is generated from the zod schema and committed: it must equal what
 * bin/gen-function-schema.ts produces now, every function.json names it and validates against it,
 * and a bad config is reported `file: path: message` by lint (bin/check-functions.ts) and synth.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// ajv (a dependency of the OpenAPI validator used by the API tests) checks the JSON Schema as editors would.
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTION_SCHEMA_FILE, functionSchemaText } from '../../../bin/gen-function-schema.js';
import { FunctionConfigSchema } from '../../../lambdas/contracts/function-config.js';
import { loadFunctionDefinitions } from '../../../lib/constructs/function-configs.js';
import { PATHS } from '../../../lib/paths.js';

const folders = readdirSync(PATHS.functionsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const read = (folder: string) => JSON.parse(readFileSync(join(PATHS.functionsDir, folder, 'function.json'), 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(FUNCTION_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true });
const validate = ajv.compile(schema);

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));
function fixtureDir(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-fn-schema-'));
  tmp.push(dir);
  mkdirSync(join(dir, String(config.name)));
  writeFileSync(join(dir, String(config.name), 'function.json'), JSON.stringify(config));
  return dir;
}
const valid = { ...read('thumbnails'), name: 'x' };

describe('function.json schema', () => {
  it('the committed schemas/function.schema.json is what the generator produces from the zod schema now', () => {
    // A change of lambdas/contracts/function-config.ts must be followed by: npx tsx bin/gen-function-schema.ts
    expect(readFileSync(FUNCTION_SCHEMA_FILE, 'utf8')).toBe(functionSchemaText());
  });

  it.each(folders)('%s/function.json names the schema and validates against it (and the zod schema)', (folder) => {
    const json = read(folder);
    expect(json.$schema).toBe('../../../schemas/function.schema.json');
    expect(validate(json), ajv.errorsText(validate.errors)).toBe(true);
    expect(FunctionConfigSchema.safeParse(json).success).toBe(true);
  });

  it('the JSON Schema and the zod schema reject the same bad configs', () => {
    const bad = [
      { ...valid, memoryMiB: 64 },
      { ...valid, unknownField: 1 },
      { ...valid, environment: { lower: 'x' } },
      { ...valid, environment: { AWS_REGION: 'x' } },
      { ...valid, environment: { MOSAIC_TABLE: 'x' } },
      { ...valid, secrets: { TOKEN: { ssm: 'no-slash' } } },
      { ...valid, secrets: { TOKEN: { vault: '/x' } } },
      { ...valid, reservedConcurrency: -1 },
    ];
    for (const c of bad) {
      expect(validate(c), JSON.stringify(c)).toBe(false);
      expect(FunctionConfigSchema.safeParse(c).success, JSON.stringify(c)).toBe(false);
    }
    const good = { ...valid, reservedConcurrency: 3, environment: { LOG_FORMAT: 'json' }, secrets: { TOKEN: { ssm: '/a/b' }, KEY: { secretsManager: 'name', key: 'k' } } };
    expect(validate(good), ajv.errorsText(validate.errors)).toBe(true);
    expect(FunctionConfigSchema.safeParse(good).success).toBe(true);
  });

  it('a bad config fails synth with `file: path: message`', () => {
    const dir = fixtureDir({ ...valid, memoryMiB: 64, environment: { AWS_X: 'y' } });
    const file = join(dir, 'x', 'function.json');
    let message = '';
    try {
      loadFunctionDefinitions(dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`${file}: memoryMiB: must be ≥ 128`);
    expect(message).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: environment\\.AWS_X: "AWS_X" must be an environment variable name .*reserved`));
  });

  it('a bad config fails lint (bin/check-functions.ts) with `file: path: message`, and a good one passes', () => {
    const dir = fixtureDir({ ...valid, memoryMiB: 64 });
    const run = (d: string) => {
      try {
        return { code: 0, out: execFileSync('npx', ['tsx', 'bin/check-functions.ts', d], { cwd: PATHS.root, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, out: err.stderr };
      }
    };
    const bad = run(dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${join(dir, 'x', 'function.json')}: memoryMiB: must be ≥ 128`);
    const good = run(PATHS.functionsDir);
    expect(good.code, good.out).toBe(0);
  }, 60_000);
});
