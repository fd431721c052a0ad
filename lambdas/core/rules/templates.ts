/**
 * Input transformation with EventBridge's meaning: variables are JSONPaths into the event, and a
 * template is JSON with `<name>` placeholders. A string that is exactly `"<name>"` is an unquoted
 * placeholder (the variable's JSON value: numbers stay numbers, objects stay objects); a
 * placeholder inside a longer string is interpolated as text (strings raw, other values as JSON).
 *
 * Where EventBridge leaves things undefined we choose, and say so: a variable whose path is not in
 * the event is null as a whole value and "" inside text; interpolated text is escaped, so the
 * result is always valid JSON (EventBridge inserts text unescaped).
 */
import { isPlainObject, type InputMapping } from '../../contracts/index.js';

/** Variables every rule has, as in EventBridge input transformers (`aws.events.rule-arn` is a local ARN in the embedded engine). */
export const PREDEFINED_VARIABLES = ['aws.events.rule-name', 'aws.events.rule-arn', 'aws.events.event', 'aws.events.event.json', 'aws.events.event.ingestion-time'] as const;
/** JSONPaths rules with `if` may use besides the event's: the matching subject and its facts. */
export const FACT_PATH_ROOTS = ['$.subject', '$.facts'] as const;
export const PLACEHOLDER_IN_TEXT = /<([A-Za-z0-9_.-]+)>/g;
export const WHOLE_PLACEHOLDER = /^<([A-Za-z0-9_.-]+)>$/;

/** The placeholder names a template uses. */
export function templateVariables(template: unknown, out = new Set<string>()): Set<string> {
  if (typeof template === 'string') for (const m of template.matchAll(PLACEHOLDER_IN_TEXT)) out.add(m[1]);
  else if (Array.isArray(template)) for (const t of template) templateVariables(t, out);
  else if (isPlainObject(template)) for (const t of Object.values(template)) templateVariables(t, out);
  return out;
}

export type Variables = ReadonlyMap<string, unknown>;

/** The value at a JSONPath in EventBridge's dot notation (`$.detail.object.key`, `$.resources[0]`), or undefined. */
export function readJsonPath(doc: unknown, path: string): unknown {
  if (path === '$') return doc;
  let current: unknown = doc;
  for (const step of path.slice(2).split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(step);
    if (!m) return undefined;
    current = isPlainObject(current) && Object.hasOwn(current, m[1]) ? current[m[1]] : undefined;
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

export interface VariableContext {
  ruleName: string;
  /** The rule's ARN for `<aws.events.rule-arn>`; the embedded engine has none on AWS. */
  ruleArn?: string;
  /** The event as delivered (for the `aws.events.*` variables), when `doc` is more than the event. */
  event?: unknown;
}

/** Values of the variables `names` (only those, so unused paths cost nothing): the event's, then predefined ones. */
export function resolveVariables(names: Iterable<string>, paths: Readonly<Record<string, string>>, doc: unknown, ctx: VariableContext): Map<string, unknown> {
  const event = ctx.event ?? doc;
  const out = new Map<string, unknown>();
  for (const name of names) {
    if (Object.hasOwn(paths, name)) out.set(name, readJsonPath(doc, paths[name]));
    else if (name === 'aws.events.rule-name') out.set(name, ctx.ruleName);
    else if (name === 'aws.events.rule-arn') out.set(name, ctx.ruleArn ?? `arn:mosaic:events:local:rule/${ctx.ruleName}`);
    else if (name === 'aws.events.event') out.set(name, event);
    else if (name === 'aws.events.event.json') out.set(name, JSON.stringify(event));
    else if (name === 'aws.events.event.ingestion-time') out.set(name, isPlainObject(event) && typeof event.time === 'string' ? event.time : '');
  }
  return out;
}

const asText = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** A text template: every `<name>` replaced by the variable's text. */
export function renderText(text: string, vars: Variables): string {
  return text.replace(PLACEHOLDER_IN_TEXT, (whole, name: string) => (vars.has(name) ? asText(vars.get(name)) : whole));
}

/** A JSON template filled in with `vars`. */
export function renderTemplate(template: unknown, vars: Variables): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(template);
    if (whole && vars.has(whole[1])) return vars.get(whole[1]) ?? null;
    return renderText(template, vars);
  }
  if (Array.isArray(template)) return template.map((t) => renderTemplate(t, vars));
  if (isPlainObject(template)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = renderTemplate(v, vars);
    return out;
  }
  return template;
}

/**
 * An input mapping applied to an event, as an EventBridge input transformer would (`rulePaths`:
 * the rule's variables, which the mapping's own `paths` extend or override).
 */
export function applyInputMapping(mapping: InputMapping, event: unknown, options: { rulePaths?: Readonly<Record<string, string>>; ruleName?: string; ruleArn?: string; doc?: unknown } = {}): unknown {
  const paths = { ...options.rulePaths, ...mapping.paths };
  const vars = resolveVariables(templateVariables(mapping.template), paths, options.doc ?? event, { ruleName: options.ruleName ?? '', ruleArn: options.ruleArn, event });
  return renderTemplate(mapping.template, vars);
}

