/**
 * EventBridge event patterns checked as EventBridge's pattern compiler (aws/event-ruler) checks
 * them: every problem, with the path to it. A pattern this accepts is one EventBridge accepts, so
 * CDK synth, `npm run lint` and both engines use this one validator. Matching is in matcher.ts.
 */
import { OR_KEY, NUMERIC_LIMIT, isPlainObject } from '../../contracts/index.js';
import { cidrSyntaxError } from './ip.js';

export type PatternPath = (string | number)[];
export interface PatternIssue {
  path: PatternPath;
  message: string;
}

export const PATTERN_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'] as const;
const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'wildcard', 'equals-ignore-case'] as const;
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];
/** Names EventBridge refuses as field names inside `$or` (operators and words it reserves). */
const RESERVED_IN_OR = new Set([
  ...PATTERN_OPERATORS, 'exactly', '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

export interface PatternValidationOptions {
  /**
   * Accept `"<name>"` strings where a number is expected (fact patterns whose values come from the
   * event); the predicate says which names are defined.
   */
  placeholder?: (name: string) => boolean;
}

const PLACEHOLDER = /^<([A-Za-z0-9_.-]+)>$/;

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;

/** Every problem in `pattern`, each with its path; empty when EventBridge would accept it. */
export function eventPatternIssues(pattern: unknown, options: PatternValidationOptions = {}): PatternIssue[] {
  const issues: PatternIssue[] = [];
  if (!isPlainObject(pattern)) {
    issues.push({ path: [], message: `an event pattern must be a JSON object, not ${describe(pattern)}` });
    return issues;
  }
  checkObject(pattern, [], false, issues, options);
  if (issues.length === 0) checkOneConditionPerField(pattern, issues);
  return issues;
}

function checkObject(obj: Record<string, unknown>, path: PatternPath, inOr: boolean, issues: PatternIssue[], o: PatternValidationOptions): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) issues.push({ path, message: 'empty objects are not allowed: name at least one field to match' });
  for (const key of keys) {
    const value = obj[key];
    const at = [...path, key];
    if (key === OR_KEY) {
      if (!Array.isArray(value) || value.length < 2) {
        issues.push({ path: at, message: '$or must be an array of at least two objects (each one alternative set of fields)' });
        continue;
      }
      value.forEach((alt, i) => {
        if (isPlainObject(alt)) checkObject(alt, [...at, i], true, issues, o);
        else issues.push({ path: [...at, i], message: `each $or alternative must be an object of fields, not ${describe(alt)}` });
      });
      continue;
    }
    if (inOr && RESERVED_IN_OR.has(key)) {
      issues.push({ path: at, message: `"${key}" is an operator, not a field name: inside $or each alternative is an object of fields, e.g. { "field": [ { "${key}": … } ] }` });
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) issues.push({ path: at, message: 'empty arrays are not allowed: list at least one value to match' });
      value.forEach((v, i) => checkValue(v, [...at, i], issues, o));
    } else if (isPlainObject(value)) {
      checkObject(value, at, inOr, issues, o);
    } else {
      issues.push({ path: at, message: `must be an object (nested fields) or an array of values to match, not ${describe(value)}${typeof value === 'string' || typeof value === 'number' ? ` (did you mean [${JSON.stringify(value)}]?)` : ''}` });
    }
  }
}

function checkValue(v: unknown, path: PatternPath, issues: PatternIssue[], o: PatternValidationOptions): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') return; // literal numbers of any size are allowed (matched exactly)
  if (Array.isArray(v)) {
    issues.push({ path, message: 'a value to match cannot be an array' });
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length !== 1) {
    issues.push({ path, message: `an operator object has exactly one key, e.g. { "prefix": "inbox/" }; found ${keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ')}` });
    return;
  }
  const op = keys[0];
  const arg = obj[op];
  const at = [...path, op];
  const bad = (message: string, where: PatternPath = at): void => void issues.push({ path: where, message });
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof arg === 'string') return;
      if (isPlainObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') return;
      return bad(`"${op}" takes a string or { "equals-ignore-case": string }, not ${describe(arg)}`);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') bad(`"equals-ignore-case" takes a string, not ${describe(arg)}`);
      return;
    case 'wildcard': {
      if (typeof arg !== 'string') return bad(`"wildcard" takes a string, not ${describe(arg)}`);
      const problem = wildcardSyntaxError(arg);
      if (problem) bad(problem);
      return;
    }
    case 'exists':
      if (typeof arg !== 'boolean') bad(`"exists" takes true or false, not ${describe(arg)}`);
      return;
    case 'cidr': {
      if (typeof arg !== 'string') return bad(`"cidr" takes a string such as "10.0.0.0/24", not ${describe(arg)}`);
      const problem = cidrSyntaxError(arg);
      if (problem) bad(problem);
      return;
    }
    case 'numeric':
      return checkNumeric(arg, at, issues, o);
    case 'anything-but':
      return checkAnythingBut(arg, at, issues);
    default:
      bad(`unknown operator "${op}"; EventBridge knows ${PATTERN_OPERATORS.map((p) => `"${p}"`).join(', ')}`, path);
  }
}

function checkAnythingBut(arg: unknown, at: PatternPath, issues: PatternIssue[]): void {
  const bad = (message: string, where: PatternPath = at): void => void issues.push({ path: where, message });
  if (typeof arg === 'string' || typeof arg === 'number') return;
  if (Array.isArray(arg)) {
    if (arg.length === 0) return bad('"anything-but" needs at least one value');
    const strings = arg.every((x) => typeof x === 'string');
    const numbers = arg.every((x) => typeof x === 'number');
    if (!strings && !numbers) bad('an "anything-but" list holds only strings or only numbers (no mixing, no null or booleans)');
    return;
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || !(ANYTHING_BUT_OPERATORS as readonly string[]).includes(keys[0])) {
      return bad(`"anything-but" takes a value, a list, or one of ${ANYTHING_BUT_OPERATORS.map((k) => `{ "${k}": … }`).join(', ')}`);
    }
    const op = keys[0];
    const inner = arg[op];
    const list = Array.isArray(inner) ? inner : [inner];
    if (Array.isArray(inner) && inner.length === 0) return bad(`"anything-but" "${op}" needs at least one string`, [...at, op]);
    list.forEach((s, i) => {
      const where = Array.isArray(inner) ? [...at, op, i] : [...at, op];
      if (typeof s !== 'string') return bad(`"anything-but" "${op}" takes strings, not ${describe(s)}`, where);
      if ((op === 'prefix' || op === 'suffix') && s === '') return bad(`an empty "anything-but" ${op} is not allowed`, where);
      if (op === 'wildcard') {
        const problem = wildcardSyntaxError(s);
        if (problem) bad(problem, where);
      }
    });
    return;
  }
  bad(`"anything-but" takes a string, a number, a list or an operator object, not ${describe(arg)}`);
}

function checkNumeric(arg: unknown, at: PatternPath, issues: PatternIssue[], o: PatternValidationOptions): void {
  const bad = (message: string, where: PatternPath = at): void => void issues.push({ path: where, message });
  const shape = 'e.g. [">", 0, "<=", 5], ["=", 301.8] or ["<", 10]';
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) return bad(`"numeric" takes an operator and a number, or a lower and an upper bound: ${shape}`);
  const operand = (i: number): number | 'placeholder' | null => {
    const n = arg[i];
    if (typeof n === 'string' && o.placeholder) {
      const m = PLACEHOLDER.exec(n);
      if (m) {
        if (!o.placeholder(m[1])) bad(`"${n}" names no variable of this rule`, [...at, i]);
        return 'placeholder';
      }
    }
    if (typeof n !== 'number') {
      bad(`must be a number, not ${describe(n)}`, [...at, i]);
      return null;
    }
    if (Math.abs(n) > NUMERIC_LIMIT) bad(`${n} is out of range: EventBridge compares numbers between -5e9 and 5e9`, [...at, i]);
    else if (Math.round(n * 1e6) / 1e6 !== n) bad(`${n} has more than six decimal places, which EventBridge does not support`, [...at, i]);
    return n;
  };
  const op1 = arg[0];
  if (typeof op1 !== 'string' || !NUMERIC_OPERATORS.includes(op1)) return bad(`unknown numeric operator ${JSON.stringify(op1)}; use one of ${NUMERIC_OPERATORS.join(' ')}`, [...at, 0]);
  const low = operand(1);
  if (arg.length === 2) return;
  if (op1 !== '>' && op1 !== '>=') return bad(`a numeric range starts with ">" or ">=", not "${op1}": ${shape}`, [...at, 0]);
  const op2 = arg[2];
  if (op2 !== '<' && op2 !== '<=') return bad(`a numeric range ends with "<" or "<=", not ${JSON.stringify(op2)}`, [...at, 2]);
  const high = operand(3);
  if (typeof low === 'number' && typeof high === 'number' && !(low < high)) bad(`the range is empty: the lower bound ${low} is not below the upper bound ${high}`);
}

/** Why `pattern` is not a valid EventBridge wildcard, or null: `**` and escapes other than `\*` and `\\` are refused. */
export function wildcardSyntaxError(pattern: string): string | null {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') return `consecutive wildcard characters at position ${i} are not allowed`;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') return `invalid escape at position ${i}: only \\* (a literal *) and \\\\ (a literal \\) are allowed`;
      i++;
    }
  }
  return null;
}

// ---- one condition per field

/**
 * EventBridge expands `$or` into alternative patterns; a field named both outside a `$or` and in one
 * of its alternatives (or in two `$or`s) then holds two conditions, and EventBridge keeps only one
 * of them (or refuses the pattern). It cannot AND two conditions on one field, so this is an error.
 */
function checkOneConditionPerField(pattern: Record<string, unknown>, issues: PatternIssue[]): void {
  const LIMIT = 4096;
  let tooMany = false;
  const cross = (a: string[][], b: string[][]): string[][] => {
    if (a.length * b.length > LIMIT) {
      tooMany = true;
      return a;
    }
    return a.flatMap((x) => b.map((y) => [...x, ...y]));
  };
  const branches = (obj: Record<string, unknown>, prefix: string): string[][] => {
    let out: string[][] = [[]];
    for (const [key, value] of Object.entries(obj)) {
      if (key === OR_KEY && Array.isArray(value)) out = cross(out, value.flatMap((alt) => branches(alt as Record<string, unknown>, prefix)));
      else if (Array.isArray(value)) out = out.map((b) => [...b, prefix + key]);
      else if (isPlainObject(value)) out = cross(out, branches(value, `${prefix}${key}.`));
    }
    return out;
  };
  const all = branches(pattern, '');
  if (tooMany) return;
  const reported = new Set<string>();
  for (const branch of all) {
    const seen = new Set<string>();
    for (const field of branch) {
      if (seen.has(field) && !reported.has(field)) {
        reported.add(field);
        issues.push({
          path: field.split('.'),
          message: `"${field}" is matched both inside and outside a $or (or in two $or's): EventBridge keeps only one condition per field, it cannot AND two conditions on one field`,
        });
      }
      seen.add(field);
    }
  }
}

/** "detail.object.key", "then[0].input" — for messages. */
export function formatPatternPath(path: PatternPath): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
