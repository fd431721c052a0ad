/**
 * Which rules fire for an event, given facts, and what each firing does — pure, so the AWS
 * rule-engine Lambda and the embedded engine share it and differ only in where facts live and how
 * actions run.
 *
 * Facts are JSON values grouped by subject ("job:<id>", "preset:<name>"). A rule's `if` names a
 * subject (a text template, `*` for any) and a pattern over its facts; the pattern's `"<name>"`
 * strings are first filled from the event, so facts can be compared with the event. A rule with
 * `if` fires once per matching subject, and its templates also see `$.subject` and `$.facts`.
 */
import { createHash } from 'node:crypto';
import { formatIssues, isPlainObject, type Rule } from '../../contracts/index.js';
import { canonicalJson } from '../cache-key.js';
import { compilePattern, eventPatternIssues, wildcardTest as wildcard, type PatternIssue } from '../event-pattern/index.js';
import type { CompiledRule, RuleSet } from './rule-set.js';
import { WHOLE_PLACEHOLDER, renderTemplate, renderText, resolveVariables, templateVariables, type VariableContext } from './templates.js';

export type Facts = Record<string, unknown>;
export type FactsBySubject = Readonly<Record<string, Facts>>;

export type PlannedAction =
  | { type: 'start-workflow'; workflow: string; input: unknown }
  | { type: 'invoke-function'; function: string; input: unknown }
  | { type: 'put-event'; source: string; detailType: string; detail: Record<string, unknown> }
  | { type: 'assert-facts'; subject: string; facts: Facts };

export interface Firing {
  rule: string;
  /** Once per rule, event (and subject): a second delivery of the event fires nothing. */
  id: string;
  subject: string | null;
  actions: PlannedAction[];
}

export interface EvaluationProblem {
  rule: string;
  message: string;
}

export interface EvaluateOptions {
  ruleArn?: (ruleName: string) => string;
  /** Collects rules that could not be evaluated (their facts pattern, filled from this event, is invalid). */
  problems?: EvaluationProblem[];
}

/** A stable id of a rule firing on an event: the event's `id` when it has one, else its content. */
export function firingId(rule: string | Pick<Rule, 'name'>, event: unknown, subject: string | null = null): string {
  const name = typeof rule === 'string' ? rule : rule.name;
  const eventKey = isPlainObject(event) && typeof event.id === 'string' && event.id !== '' ? `id:${event.id}` : `json:${canonicalJson(event)}`;
  return createHash('sha256').update(JSON.stringify([name, eventKey, subject])).digest('hex').slice(0, 40);
}

/** The facts a rule's `if` needs for this event: one subject, or every subject matching a wildcard. */
export function factsQuery(rule: Rule, event: unknown): { subject: string } | { wildcard: string } | null {
  if (!rule.if) return null;
  const subject = renderText(rule.if.subject, eventVariables(rule, event));
  return subject.includes('*') ? { wildcard: subject } : { subject };
}

function eventVariables(rule: Rule, event: unknown): Map<string, unknown> {
  const names = new Set([...templateVariables(rule.if?.facts), ...templateVariables(rule.if?.subject)]);
  return resolveVariables(names, rule.paths ?? {}, event, { ruleName: rule.name });
}

/** The `if` pattern with its `"<name>"` strings replaced by the event's values. */
function fillFactsPattern(pattern: unknown, vars: Map<string, unknown>): unknown {
  if (typeof pattern === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(pattern);
    return whole && vars.has(whole[1]) ? (vars.get(whole[1]) ?? null) : pattern;
  }
  if (Array.isArray(pattern)) return pattern.map((p) => fillFactsPattern(p, vars));
  if (isPlainObject(pattern)) return Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, fillFactsPattern(v, vars)]));
  return pattern;
}

/** Every firing of `ruleSet` for `event`, in rule-file order. */
export function evaluate(ruleSet: RuleSet, event: unknown, facts: FactsBySubject = {}, options: EvaluateOptions = {}): Firing[] {
  return ruleSet.compiled.flatMap((c) => evaluateRule(c, event, facts, options));
}

/** The firings of one rule for `event` (none when it is disabled or `on` does not match). */
export function evaluateRule({ rule, on }: CompiledRule, event: unknown, facts: FactsBySubject = {}, options: EvaluateOptions = {}): Firing[] {
  if (!rule.enabled || !on(event)) return [];
  const ctx: VariableContext = { ruleName: rule.name, ruleArn: options.ruleArn?.(rule.name), event };
  if (!rule.if) return [{ rule: rule.name, id: firingId(rule, event), subject: null, actions: planActions(rule, event, ctx) }];
  const vars = eventVariables(rule, event);
  const pattern = fillFactsPattern(rule.if.facts, vars);
  const issues: PatternIssue[] = eventPatternIssues(pattern);
  if (issues.length > 0) {
    options.problems?.push({ rule: rule.name, message: `its "if" pattern, filled from this event, is invalid: ${formatIssues({ issues })}` });
    return [];
  }
  const test = compilePattern(pattern);
  const subject = renderText(rule.if.subject, vars);
  const subjects = subject.includes('*') ? Object.keys(facts).filter(wildcard(subject)).sort() : [subject];
  const firings: Firing[] = [];
  for (const s of subjects) {
    const own = facts[s] ?? {};
    if (!test(own)) continue;
    const doc = { ...(isPlainObject(event) ? event : {}), subject: s, facts: own };
    firings.push({ rule: rule.name, id: firingId(rule, event, s), subject: s, actions: planActions(rule, doc, ctx) });
  }
  return firings;
}

/** What a firing does, with every template filled in from `doc` (the event, plus subject and facts for rules with `if`). */
export function planActions(rule: Rule, doc: unknown, ctx: VariableContext): PlannedAction[] {
  const rulePaths = rule.paths ?? {};
  const vars = (template: unknown, ownPaths: Record<string, string> = {}) => resolveVariables(templateVariables(template), { ...rulePaths, ...ownPaths }, doc, ctx);
  const render = (template: unknown, ownPaths?: Record<string, string>) => renderTemplate(template, vars(template, ownPaths));
  const inputOf = (mapping: Rule['input']) => (mapping ? render(mapping.template, mapping.paths) : (ctx.event ?? doc));
  return rule.then.map((action): PlannedAction => {
    switch (action.type) {
      case 'start-workflow':
        return { type: 'start-workflow', workflow: action.workflow, input: inputOf(action.input ?? rule.input) };
      case 'invoke-function':
        return { type: 'invoke-function', function: action.function, input: inputOf(action.input ?? rule.input) };
      case 'put-event':
        return { type: 'put-event', source: action.source, detailType: action.detailType, detail: render(action.detail ?? {}) as Record<string, unknown> };
      case 'assert-facts':
        return { type: 'assert-facts', subject: renderText(action.subject, vars(action.subject)), facts: render(action.facts) as Facts };
    }
  });
}

/** Facts after a firing's assertions (later values replace earlier ones), for engines that keep facts in memory. */
export function applyAssertions(facts: FactsBySubject, actions: readonly PlannedAction[]): Record<string, Facts> {
  const out: Record<string, Facts> = { ...facts };
  for (const a of actions) if (a.type === 'assert-facts') out[a.subject] = { ...out[a.subject], ...a.facts };
  return out;
}
