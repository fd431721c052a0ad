/**
 * EventBridge event patterns: their JSON shape and a validator that reports every problem with
 * the path to it. The rules follow EventBridge's pattern compiler (aws/event-ruler), so a pattern
 * this accepts is one EventBridge accepts, and CDK synth and `npm run lint` can both use it
 * (lib/ may import contracts only). Matching lives in core/event-pattern.
 */

/** A value in a pattern's value list: a literal to match, or one operator object. */
export type PatternValue = string | number | boolean | null | { [operator: string]: unknown };
export interface EventPattern {
  [field: string]: PatternValue[] | EventPattern | EventPattern[];
}

export type PatternPath = (string | number)[];
export interface PatternIssue {
  path: PatternPath;
  message: string;
}

export const OR_KEY = '$or';
/** EventBridge compares numbers between -5e9 and 5e9, to six decimal places. */
export const NUMERIC_LIMIT = 5e9;
/** EventBridge's default limit on the size of a rule's event pattern, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;

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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

// ---- IP addresses (the `cidr` operator; EventBridge also compares IP-like literals as addresses)

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** The bytes of an IPv4 (4) or IPv6 (16) address literal, or null. IPv6 is hexadecimal groups with optional `::`. */
export function parseIpAddress(s: string): Uint8Array | null {
  const v4 = IPV4.exec(s);
  if (v4) {
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(v4[i + 1]);
      if (n > 255) return null;
      out[i] = n;
    }
    return out;
  }
  if (!IPV6_CHARS.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i];
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

export interface CidrRange {
  low: Uint8Array;
  high: Uint8Array;
}

/**
 * The addresses `cidr` covers. As in EventBridge, the range runs from the address as written to
 * the top of its block (host bits are not cleared), and the mask is below the address width
 * (EventBridge refuses /32 and /128: match one address with the address itself).
 */
export function parseCidr(cidr: string): CidrRange | string {
  const parts = cidr.split('/');
  if (parts.length !== 2) return `"${cidr}" is not a CIDR block: write an address, one "/" and the mask bits, e.g. "10.0.0.0/24"`;
  const low = parseIpAddress(parts[0]);
  if (!low) return `"${parts[0]}" is not an IPv4 or IPv6 address`;
  if (!/^\d+$/.test(parts[1])) return `the mask bits "${parts[1]}" must be a whole number`;
  const bits = Number(parts[1]);
  const width = low.length * 8;
  if (bits >= width) return `mask bits must be below ${width} for ${low.length === 4 ? 'IPv4' : 'IPv6'} (EventBridge refuses /${width}: to match one address, give the address as a plain string)`;
  const high = low.slice();
  for (let bit = bits; bit < width; bit++) high[bit >> 3] |= 0x80 >> (bit & 7);
  return { low, high };
}

export function cidrSyntaxError(cidr: string): string | null {
  const r = parseCidr(cidr);
  return typeof r === 'string' ? r : null;
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
