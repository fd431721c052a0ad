/**
 * `mosaic rules …`: the rules in `rules/*.json`, and testing one against an event the way
 * EventBridge's TestEventPattern does (plus what the rule would do).
 *
 *   mosaic rules list [--dir DIR] [--json]
 *   mosaic rules test <rule-name | rule.json> <event.json> [--facts facts.json] [--set Name=value]… [--dir DIR] [--json]
 *
 * `rules test` exits 0 on a match, 1 on no match, 2 on bad input (with one line saying why).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BusEventSchema, formatIssues, LOCAL_RULE_SUBSTITUTIONS, OR_KEY, isPlainObject, type Rule } from '../../lambdas/contracts/index.js';
import { formatRuleProblem, loadRuleSet, ruleBus, ruleEngineReason, RuleSetError, testRule, type CompiledRule, type FactsBySubject, type PlannedAction, type RuleSet } from '../../lambdas/core/rules/index.js';
import { RULES_DIR, readRuleFiles } from '../../local/rules-loader.js';

import { RULES_USAGE } from './startup.js';

export { RULES_USAGE };

/** Bad input: printed as one line, exit 2. */
class InputError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}
const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function rulesCommand(args: string[], io: Io = stdio): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'list') return list(rest, io);
    if (sub === 'test') return test(rest, io);
    throw new InputError(`unknown rules command "${sub ?? ''}"\nusage:\n${RULES_USAGE}`);
  } catch (e) {
    if (e instanceof RuleSetError) {
      io.err(`${e.problems.map((p) => `mosaic: ${formatRuleProblem(p)}`).join('\n')}\n`);
      return 2;
    }
    if (e instanceof InputError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`mosaic: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

function substitutions(sets: string[] = []): Record<string, string> {
  const out: Record<string, string> = { ...LOCAL_RULE_SUBSTITUTIONS };
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new InputError(`--set takes Name=value, not "${s}"`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

function loadDir(dir: string | undefined, sets?: string[]): RuleSet {
  const folder = resolve(dir ?? RULES_DIR);
  if (!existsSync(folder)) throw new InputError(`no rules folder at ${folder}`);
  return loadRuleSet(readRuleFiles(folder), { substitutions: substitutions(sets) });
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

// ---- list

function onSummary(rule: Rule): string {
  const values = (field: unknown) => (Array.isArray(field) ? field.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('|') : '');
  const count = (node: unknown): number =>
    isPlainObject(node) ? Object.entries(node).reduce((n, [k, v]) => n + (k === OR_KEY ? 1 : Array.isArray(v) ? 1 : count(v)), 0) : 0;
  const others = count(rule.on) - (rule.on.source ? 1 : 0) - (rule.on['detail-type'] ? 1 : 0);
  return [values(rule.on.source), values(rule.on['detail-type'])].filter(Boolean).join(' · ') + (others > 0 ? ` +${others}` : '');
}

function actionSummary(rule: Rule): string {
  return rule.then
    .map((a) => (a.type === 'start-workflow' ? `start ${a.workflow}` : a.type === 'invoke-function' ? `invoke ${a.function}` : a.type === 'put-event' ? `put "${a.detailType}"` : `assert ${a.subject}`))
    .join(', ');
}

function leftTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function list(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const set = loadDir(values.dir);
  if (values.json) {
    io.out(`${JSON.stringify(set.rules.map((r) => ({ name: r.name, enabled: r.enabled, bus: ruleBus(r), on: r.on, if: r.if ?? null, actions: r.then.map((a) => a.type), via: ruleEngineReason(r) ? 'rule-engine' : 'eventbridge' })))}\n`);
    return 0;
  }
  const rows = set.rules.map((r) => [r.name, onSummary(r), r.if ? `${r.if.subject}` : '-', actionSummary(r), r.enabled ? 'yes' : 'no', ruleEngineReason(r) ? 'rule engine' : 'EventBridge']);
  io.out(`${leftTable(['rule', 'on', 'if (facts of)', 'then', 'enabled', 'run by'], rows)}\n`);
  return 0;
}

// ---- test

/** TestEventPattern's mandatory event fields. */
const MANDATORY = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

function describeAction(a: PlannedAction): [string, unknown] {
  switch (a.type) {
    case 'start-workflow':
      return [`start-workflow ${a.workflow}`, a.input];
    case 'invoke-function':
      return [`invoke-function ${a.function}`, a.input];
    case 'put-event':
      return [`put-event ${a.source} "${a.detailType}"`, a.detail];
    case 'assert-facts':
      return [`assert-facts ${a.subject}`, a.facts];
  }
}

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => by + l).join('\n');
}

function test(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dir: { type: 'string' }, facts: { type: 'string' }, set: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 2) throw new InputError(`rules test takes a rule (name or .json file) and an event file\nusage:\n${RULES_USAGE}`);
  const [ruleArg, eventPath] = positionals;

  let compiled: CompiledRule;
  if (ruleArg.endsWith('.json')) {
    if (!existsSync(ruleArg)) throw new InputError(`no rule file ${ruleArg}`);
    compiled = loadRuleSet([{ path: ruleArg, text: readFileSync(ruleArg, 'utf8') }], { substitutions: substitutions(values.set), requireFileNames: false }).compiled[0];
  } else {
    const all = loadDir(values.dir, values.set);
    const found = all.compiled.find((c) => c.rule.name === ruleArg);
    if (!found) throw new InputError(`no rule named "${ruleArg}"; rules: ${all.rules.map((r) => r.name).join(', ')}`);
    compiled = found;
  }
  const { rule } = compiled;

  const event = readJson(eventPath, 'event file');
  if (!isPlainObject(event)) throw new InputError(`event file ${eventPath} must hold a JSON object (one event)`);
  const missing = MANDATORY.filter((f) => !(f in event));
  if (missing.length > 0) throw new InputError(`event file ${eventPath} lacks ${missing.map((f) => `"${f}"`).join(', ')} (TestEventPattern requires ${MANDATORY.join(', ')})`);
  const shape = BusEventSchema.safeParse(event);
  if (!shape.success) throw new InputError(`event file ${eventPath}: ${formatIssues(shape.error)}`);

  let facts: FactsBySubject = {};
  if (values.facts) {
    const f = readJson(values.facts, 'facts file');
    if (!isPlainObject(f) || !Object.values(f).every(isPlainObject)) throw new InputError(`facts file ${values.facts} must map subjects to objects of facts, e.g. {"job:123": {"preset": "default"}}`);
    facts = f as FactsBySubject;
  }

  const { onMatched, mismatches, firings, problems, factsLookedAt: q } = testRule(compiled, event, facts);
  const label = `${rule.name} (${compiled.file})`;

  if (values.json) {
    io.out(`${JSON.stringify({ rule: rule.name, match: firings.length > 0, onMatched, mismatches, firings, problems })}\n`);
    return firings.length > 0 ? 0 : 1;
  }
  if (!onMatched) {
    io.out(`NO MATCH ${label}\n`);
    for (const m of mismatches) {
      const expected = Array.isArray(m.expected) && m.expected.length > 4 ? `[${m.expected.slice(0, 3).map((v) => JSON.stringify(v)).join(', ')}, … ${m.expected.length} in all]` : JSON.stringify(m.expected);
      const actual = m.field.endsWith('$or') ? 'no alternative matches' : m.actual === undefined ? 'the event has no such field' : `the event has ${JSON.stringify(m.actual)}`;
      io.out(`  ${m.field}: ${actual}; the rule wants ${expected}\n`);
    }
    return 1;
  }
  if (firings.length === 0) {
    io.out(`NO MATCH ${label}\n  the event matches "on", but no facts of ${q && 'wildcard' in q ? `a subject matching ${q.wildcard}` : `subject ${q && 'subject' in q ? q.subject : '?'}`} match "if"\n`);
    for (const p of problems) io.out(`  ${p.message}\n`);
    return 1;
  }
  io.out(`MATCH ${label}${rule.enabled ? '' : ' (the rule is disabled: it would not fire)'}\n`);
  for (const f of firings) {
    if (f.subject) io.out(`  for ${f.subject}\n`);
    f.actions.forEach((a, i) => {
      const [title, input] = describeAction(a);
      io.out(`  then[${i}] ${title}\n${indent(JSON.stringify(input, null, 2), '    ')}\n`);
    });
  }
  return 0;
}
