/**
 * A rule file's content checked as deployment needs it: the shape (contracts), the `on` pattern
 * as EventBridge checks it, sizes as deployed (substitutions filled in), known substitutions, and
 * that every template names a variable of the rule; for `if`, that its placeholders come from the
 * event and a wildcard subject names a kind. CDK synth, `npm run lint`, the CLI and both engines
 * load rules through this one schema.
 */
import { z } from 'zod';
import { EVENT_PATTERN_MAX_CHARS, RULE_SUBSTITUTIONS, RuleShapeSchema, type EventPattern, type InputMapping, type Rule } from '../../contracts/index.js';
import { eventPatternIssues } from '../event-pattern/index.js';
import { SUBSTITUTION, SUBSTITUTION_MAX_CHARS, substitutionNames } from './substitutions.js';
import { FACT_PATH_ROOTS, PREDEFINED_VARIABLES, templateVariables } from './templates.js';

/** An EventBridge event pattern, validated as EventBridge would (every problem, with its path). */
export const EventPatternSchema = z.custom<EventPattern>(() => true).superRefine((value, ctx) => {
  for (const issue of eventPatternIssues(value)) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});

/** A rule, validated: parse rule files with this. */
export const RuleSchema = z.strictObject({ ...RuleShapeSchema.shape, on: EventPatternSchema }).superRefine(checkRule);

type RuleShape = Omit<Rule, 'enabled'> & { enabled?: boolean };

function checkRule(rule: RuleShape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const rulePaths = rule.paths ?? {};
  const isFactPath = (p: string) => FACT_PATH_ROOTS.some((root) => p === root || p.startsWith(`${root}.`) || p.startsWith(`${root}[`));

  // `on`: size as deployed, and only known substitutions.
  const chars = JSON.stringify(rule.on).replace(SUBSTITUTION, 'x'.repeat(SUBSTITUTION_MAX_CHARS)).length;
  if (chars > EVENT_PATTERN_MAX_CHARS) issue(['on'], `the pattern is ${chars} characters with substitutions filled in; EventBridge allows ${EVENT_PATTERN_MAX_CHARS}`);
  for (const [where, value] of [['on', rule.on], ['if', rule.if]] as const) {
    for (const name of substitutionNames(value)) {
      if (!Object.hasOwn(RULE_SUBSTITUTIONS, name)) issue([where], `unknown substitution \${${name}}; known: ${Object.keys(RULE_SUBSTITUTIONS).map((n) => `\${${n}}`).join(', ')}`);
    }
  }

  // Variables: every placeholder names a variable; only rules with `if` may read facts.
  for (const [name, path] of Object.entries(rulePaths)) {
    if (!rule.if && isFactPath(path)) issue(['paths', name], `${path}: only rules with "if" see a subject and its facts`);
  }
  const defined = (own: Record<string, string> | undefined) => (name: string) =>
    (PREDEFINED_VARIABLES as readonly string[]).includes(name) || Object.hasOwn(own ?? {}, name) || Object.hasOwn(rulePaths, name);
  const checkTemplate = (template: unknown, path: (string | number)[], own?: Record<string, string>) => {
    for (const name of templateVariables(template)) {
      if (!defined(own)(name)) issue(path, `<${name}> is not a variable of this rule: define it in "paths" (or the input's "paths"), e.g. "${name}": "$.detail.${name}"`);
    }
  };
  const checkMapping = (m: InputMapping | undefined, path: (string | number)[]) => {
    if (!m) return;
    for (const [name, p] of Object.entries(m.paths ?? {})) {
      if (!rule.if && isFactPath(p)) issue([...path, 'paths', name], `${p}: only rules with "if" see a subject and its facts`);
    }
    checkTemplate(m.template, [...path, 'template'], m.paths);
    const template = JSON.stringify(m.template);
    if (template.length > 8192) issue([...path, 'template'], `the template is ${template.length} characters; EventBridge allows 8192`);
  };
  checkMapping(rule.input, ['input']);
  rule.then.forEach((action, i) => {
    const at = ['then', i];
    if (action.type === 'start-workflow' || action.type === 'invoke-function') checkMapping(action.input, [...at, 'input']);
    else if (action.type === 'put-event') checkTemplate(action.detail ?? {}, [...at, 'detail']);
    else {
      checkTemplate(action.subject, [...at, 'subject']);
      checkTemplate(action.facts, [...at, 'facts']);
    }
  });

  // `if`: a pattern over facts, whose placeholders come from the event (not from facts).
  if (rule.if) {
    const fromEvent = (name: string) => Object.hasOwn(rulePaths, name) && !isFactPath(rulePaths[name]);
    for (const p of eventPatternIssues(rule.if.facts, { placeholder: fromEvent })) issue(['if', 'facts', ...p.path], p.message);
    for (const name of templateVariables(rule.if.facts)) {
      if (!fromEvent(name)) issue(['if', 'facts'], `<${name}> must be a rule variable ("paths") read from the event`);
    }
    for (const name of templateVariables(rule.if.subject)) {
      if (!fromEvent(name)) issue(['if', 'subject'], `<${name}> must be a rule variable ("paths") read from the event`);
    }
    // Facts are stored by kind (the part before ":"), so a wildcard needs a literal kind to look in.
    const star = rule.if.subject.indexOf('*');
    if (star >= 0 && !/^[A-Za-z0-9_-]+:/.test(rule.if.subject.slice(0, star))) {
      issue(['if', 'subject'], `a wildcard subject starts with a literal kind and ":", e.g. "job:*"`);
    }
  }
}
