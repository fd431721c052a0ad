/**
 * A rule set from `rules/*.json` texts: every file parsed and validated, every problem collected
 * as `<file>: <json path>: <message>` (names must be unique and match the file name), then
 * `${Name}` substitutions filled in and each `on` pattern compiled once.
 */
import type { Rule } from '../../contracts/index.js';
import { compilePattern, formatPatternPath, type EventMatcher } from '../event-pattern/index.js';
import { fillSubstitutions, substitutionNames } from './substitutions.js';
import { RuleSchema } from './validate.js';

export interface RuleFile {
  /** Shown in messages, e.g. "rules/ingest-video.json". */
  path: string;
  text: string;
}

export interface RuleProblem {
  file: string;
  /** JSON path in the file, e.g. "then[0].input.template"; "(root)" for the whole file. */
  path: string;
  message: string;
}

export class RuleSetError extends Error {
  override readonly name = 'RuleSetError';
  constructor(readonly problems: RuleProblem[]) {
    super(problems.map(formatRuleProblem).join('\n'));
  }
}

export const formatRuleProblem = (p: RuleProblem) => `${p.file}: ${p.path}: ${p.message}`;

export interface CompiledRule {
  rule: Rule;
  /** Where the rule came from. */
  file: string;
  on: EventMatcher;
}

export interface RuleSet {
  rules: Rule[];
  compiled: CompiledRule[];
}

export interface LoadOptions {
  /** Values for `${Name}` in patterns; without them, rules keep the placeholders (fine for validation only). */
  substitutions?: Readonly<Record<string, string>>;
  /** Each rule lives in `<name>.json` (default true; off for a single ad-hoc file). */
  requireFileNames?: boolean;
}

/** JSON.parse says "at position N"; people read lines and columns. */
function withLineAndColumn(message: string, text: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1])).split('\n');
  return `${message} (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}

const baseName = (path: string) => path.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');

/** Parses and validates rule files; throws RuleSetError listing every problem. */
export function loadRuleSet(files: readonly RuleFile[], options: LoadOptions = {}): RuleSet {
  const problems: RuleProblem[] = [];
  const loaded: { rule: Rule; file: string }[] = [];
  const byName = new Map<string, string>();
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    let json: unknown;
    try {
      json = JSON.parse(file.text);
    } catch (e) {
      problems.push({ file: file.path, path: '(root)', message: `not valid JSON: ${withLineAndColumn((e as Error).message, file.text)}` });
      continue;
    }
    const parsed = RuleSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ file: file.path, path: formatPatternPath(issue.path as (string | number)[]), message: issue.message });
      continue;
    }
    const rule = parsed.data;
    if (options.requireFileNames !== false && baseName(file.path) !== rule.name) problems.push({ file: file.path, path: 'name', message: `the rule "${rule.name}" belongs in ${rule.name}.json` });
    const other = byName.get(rule.name);
    if (other) problems.push({ file: file.path, path: 'name', message: `the rule name "${rule.name}" is also used by ${other}` });
    else byName.set(rule.name, file.path);
    if (options.substitutions) {
      for (const name of substitutionNames([rule.on, rule.if])) {
        if (!Object.hasOwn(options.substitutions, name)) problems.push({ file: file.path, path: 'on', message: `no value was given for \${${name}}` });
      }
    }
    loaded.push({ rule, file: file.path });
  }
  if (problems.length > 0) throw new RuleSetError(problems);
  const rules = loaded.map(({ rule }) => (options.substitutions ? substitute(rule, options.substitutions) : rule));
  return { rules, compiled: rules.map((rule, i) => ({ rule, file: loaded[i].file, on: compilePattern(rule.on) })) };
}

/** A rule set from rules already validated (tests, the CLI's single-file mode). */
export function compileRuleSet(rules: readonly Rule[]): RuleSet {
  return { rules: [...rules], compiled: rules.map((rule) => ({ rule, file: `${rule.name}.json`, on: compilePattern(rule.on) })) };
}

/** `${Name}` replaced in the strings (keys included) of a rule's patterns. */
export function substitute(rule: Rule, values: Readonly<Record<string, string>>): Rule {
  return { ...rule, on: fillSubstitutions(rule.on, values), ...(rule.if ? { if: fillSubstitutions(rule.if, values) } : {}) };
}
