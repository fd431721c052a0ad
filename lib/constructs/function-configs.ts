/** Reads `<functionsDir>/<name>/function.json`: one media function per folder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { FunctionConfigSchema, type FunctionConfig } from '../../lambdas/contracts/function-config.js';
import { issueEntries, joinIssues } from '../../lambdas/contracts/zod-issues.js';
import { fargateSize, isValidFargateSize } from './fargate-size.js';

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

/** A file as messages show it: relative to the working directory when below it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** One problem of a function.json: printed `file: path: message` (lint, synth). */
export interface FunctionConfigProblem {
  file: string;
  path: string;
  message: string;
}

export const formatFunctionConfigProblem = (p: FunctionConfigProblem): string => `${displayPath(p.file)}: ${p.path}: ${p.message}`;

/** Checks one function.json's parsed JSON: the schema, the folder name and the Fargate size. */
export function checkFunctionConfig(file: string, folder: string, json: unknown): { config?: FunctionConfig; problems: FunctionConfigProblem[] } {
  const parsed = FunctionConfigSchema.safeParse(json);
  if (!parsed.success) {
    return { problems: issueEntries(parsed.error).map(({ path, message }) => ({ file, path, message })) };
  }
  const c = parsed.data;
  const problems: FunctionConfigProblem[] = [];
  if (c.name !== folder) problems.push({ file, path: 'name', message: `"${c.name}" must equal its folder name "${folder}"` });
  if (c.fargate && !isValidFargateSize({ cpu: c.fargate.cpu, memoryLimitMiB: c.fargate.memoryMiB }))
    problems.push({ file, path: 'fargate', message: `cpu ${c.fargate.cpu} with memoryMiB ${c.fargate.memoryMiB} is not a Fargate size` });
  if (c.fargate && !c.platforms.includes('fargate')) problems.push({ file, path: 'fargate', message: 'is given but platforms do not include "fargate"' });
  return problems.length ? { problems } : { config: c, problems };
}

/** The Fargate task size of a function: its `fargate`, or derived from memoryMiB. */
export function fargateSizeOf(c: FunctionConfig): { cpu: number; memoryLimitMiB: number } {
  return c.fargate ? { cpu: c.fargate.cpu, memoryLimitMiB: c.fargate.memoryMiB } : fargateSize(c.memoryMiB);
}

/** Every problem of every `<functionsDir>/<name>/function.json` (empty when all are valid). */
export function functionConfigProblems(functionsDir: string): FunctionConfigProblem[] {
  const problems: FunctionConfigProblem[] = [];
  for (const folder of functionFolders(functionsDir)) {
    const file = join(functionsDir, folder, 'function.json');
    const read = readJson(file);
    if ('error' in read) {
      problems.push({ file, path: '(root)', message: read.error });
      continue;
    }
    problems.push(...checkFunctionConfig(file, folder, read.json).problems);
  }
  return problems;
}

function readJson(file: string): { json: unknown } | { error: string } {
  try {
    return { json: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
}

function functionFolders(functionsDir: string): string[] {
  if (!existsSync(functionsDir)) throw new Error(`media functions folder ${functionsDir} does not exist`);
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(functionsDir, d.name, 'function.json')))
    .map((d) => d.name)
    .sort();
}

/**
 * Every `function.json` under `functionsDir`, sorted by name. Invalid JSON, a config that fails
 * `FunctionConfigSchema`, or a name that differs from its folder throws an Error naming the file,
 * one `file: path: message` line per problem.
 */
export function loadFunctionDefinitions(functionsDir: string): MediaFunctionDefinition[] {
  const definitions: MediaFunctionDefinition[] = [];
  for (const folder of functionFolders(functionsDir)) {
    const file = join(functionsDir, folder, 'function.json');
    const read = readJson(file);
    if ('error' in read) throw new Error(`${file}: ${read.error}`);
    const { config, problems } = checkFunctionConfig(file, folder, read.json);
    if (!config) {
      const schemaOnly = problems.every((p) => p.path !== 'name' && p.path !== 'fargate');
      const head = schemaOnly
        ? `${file}: invalid function config: ${joinIssues(problems)}`
        : `${file}: ${joinIssues(problems)}`;
      throw new Error([head, ...problems.map(formatFunctionConfigProblem)].join('\n'));
    }
    definitions.push({ config, file, pascalName: pascalCase(config.name) });
  }
  if (definitions.length === 0) throw new Error(`no <name>/function.json found under ${functionsDir}`);
  return definitions;
}
