/**
 * Rules: data in `rules/*.json`, run by EventBridge on AWS and by the embedded engine locally.
 *
 * A rule says: when an event matches `on` (an EventBridge event pattern), and — optionally — the
 * facts of a subject match `if` (the same pattern language, over facts), run `then` (start a
 * workflow, invoke a function, put an event, assert facts). Inputs are built like EventBridge
 * input transformers: variables are JSONPaths into the event, templates are JSON with `<name>`
 * placeholders. A string that is exactly `"<name>"` becomes the variable's JSON value (a number
 * stays a number); a placeholder inside a longer string is interpolated as text.
 *
 * Strings in `on` and `if` may hold `${Name}` substitutions (see RULE_SUBSTITUTIONS), filled per
 * environment the way state machines get theirs.
 */
import { z } from 'zod';
import { InputInvalidError } from './errors.js';
import { EVENT_PATTERN_MAX_CHARS, eventPatternIssues, isPlainObject, type EventPattern } from './event-pattern.js';

// ---- events the rules follow (published on the platform bus, source `mosaic`)

/** Detail types introduced for rules; the job and step events are in events.ts. */
export const RuleDetailTypes = {
  /** A media function finished: `FunctionResultDetail`. Rules chain functions on these. */
  FunctionResult: 'Function Result',
  /** The rule engine recorded facts about a subject: `FactsAssertedDetail`. */
  FactsAsserted: 'Facts Asserted',
  /** A preset's definition changed version: `PresetVersionChangedDetail`. */
  PresetVersionChanged: 'Preset Version Changed',
  /** Something needs a human: `JobAlertDetail`. */
  JobAlert: 'Job Alert',
} as const;

export const FunctionResultDetailSchema = z.object({
  function: z.string().min(1),
  jobId: z.string().min(1),
  /** `<function>` or `<function>:<itemId>`. */
  stepId: z.string().min(1).optional(),
  /** The result came from the result cache. */
  cached: z.boolean().optional(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  /** The function's result on success (its own result schema). */
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});
export type FunctionResultDetail = z.infer<typeof FunctionResultDetailSchema>;

export const FactsAssertedDetailSchema = z.object({
  subject: z.string().min(1),
  /** The facts asserted by this firing (not the subject's whole fact set). */
  facts: z.record(z.string(), z.json()),
  rule: z.string().min(1),
});
export type FactsAssertedDetail = z.infer<typeof FactsAssertedDetailSchema>;

export const PresetVersionChangedDetailSchema = z.object({
  preset: z.string().min(1),
  version: z.number().int().positive(),
  previousVersion: z.number().int().positive().nullable().optional(),
});
export type PresetVersionChangedDetail = z.infer<typeof PresetVersionChangedDetailSchema>;

export const JobAlertDetailSchema = z.object({
  jobId: z.string().min(1),
  alert: z.string().min(1),
  message: z.string(),
});
export type JobAlertDetail = z.infer<typeof JobAlertDetailSchema>;

/** An event as EventBridge delivers it. Only `source` and `detail-type` are required to test a rule. */
export const BusEventSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type BusEvent = z.infer<typeof BusEventSchema>;

/** What EventBridge hands the rule-engine Lambda for a rule it runs: the rule's name and the event, unchanged. */
export const RuleEngineInvocationSchema = z.object({ rule: z.string().min(1), event: BusEventSchema });
export type RuleEngineInvocation = z.infer<typeof RuleEngineInvocationSchema>;

/**
 * The input the ingest rules give the `encode` workflow: the uploaded object, as the S3 event names
 * it. An input transformer cannot compute, so whoever starts the workflow derives the job from it
 * with core/upload-trigger.ts: job id from bucket + key + version (or ETag), preset from the folder
 * (`inbox/<preset>/…` when `<preset>` is a known preset, else `default`).
 */
export const UploadStartInputSchema = z.object({
  trigger: z.literal('s3-upload'),
  upload: z.object({
    bucket: z.string().min(1),
    key: z.string().min(1),
    /** null when the event carries none (an unversioned bucket). */
    versionId: z.string().nullable(),
    etag: z.string().nullable(),
    size: z.number().nonnegative().nullable(),
  }),
});
export type UploadStartInput = z.infer<typeof UploadStartInputSchema>;

/** The input the re-encode rules give the `encode` workflow: encode this source again with the preset's current version. */
export const PresetReencodeInputSchema = z.object({
  trigger: z.literal('preset-version'),
  source: z.object({ key: z.string().min(1) }),
  preset: z.string().min(1),
  reencodeOf: z.string().min(1),
  previousPresetVersion: z.number().int().positive(),
  /**
   * The version to encode with. The starter refuses when its preset catalogue has another one
   * (an event ahead of the deployed presets), so facts and encodes never disagree and re-encode
   * rules cannot chase a version nobody can encode with.
   */
  presetVersion: z.number().int().positive(),
});
export type PresetReencodeInput = z.infer<typeof PresetReencodeInputSchema>;

// ---- fact subjects

/** Facts are stored by kind: the part of a subject before its first ":" ("job" of "job:123"), or the whole subject. */
export function factKind(subject: string): string {
  const colon = subject.indexOf(':');
  return colon < 0 ? subject : subject.slice(0, colon);
}

/**
 * A wildcard subject ("job:*", EventBridge `*` semantics: any run of characters) as the kind to
 * look in, the literal prefix before its first `*`, and a test of whole subjects.
 */
export function subjectWildcard(wildcard: string): { kind: string; prefix: string; test: (subject: string) => boolean } {
  const star = wildcard.indexOf('*');
  const prefix = star < 0 ? wildcard : wildcard.slice(0, star);
  if (!/^[A-Za-z0-9_-]+:/.test(prefix)) throw new InputInvalidError(`a wildcard subject starts with a literal kind and ":", e.g. "job:*"; got "${wildcard}"`, { wildcard });
  const re = new RegExp(`^${wildcard.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return { kind: factKind(prefix), prefix, test: (s) => re.test(s) };
}

// ---- substitutions

/** `${Name}` placeholders rule files may use, with what each one stands for. */
export const RULE_SUBSTITUTIONS = {
  SourceBucket: 'the source bucket: uploads land under its inbox/',
} as const;
export type RuleSubstitutions = Record<keyof typeof RULE_SUBSTITUTIONS, string>;
/** The embedded engine's values (its inbox watcher names this bucket in its S3 events). */
export const LOCAL_RULE_SUBSTITUTIONS: RuleSubstitutions = { SourceBucket: 'mosaic-local-sources' };
/** The longest value a substitution may take (S3 bucket names are at most 63 characters): pattern sizes are checked with it. */
const SUBSTITUTION_MAX_CHARS = 63;
export const SUBSTITUTION = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** `${Name}` replaced in the strings (keys included) of a value; unknown names stay as written. */
export function fillSubstitutions<T>(value: T, values: Readonly<Record<string, string>>): T {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(SUBSTITUTION, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
    if (Array.isArray(v)) return v.map(fill);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k) as string, fill(x)]));
    return v;
  };
  return fill(value) as T;
}

// ---- variables and templates

/** Variables every rule has, as in EventBridge input transformers (`aws.events.rule-arn` is a local ARN in the embedded engine). */
export const PREDEFINED_VARIABLES = ['aws.events.rule-name', 'aws.events.rule-arn', 'aws.events.event', 'aws.events.event.json', 'aws.events.event.ingestion-time'] as const;
/** JSONPaths rules with `if` may use besides the event's: the matching subject and its facts. */
export const FACT_PATH_ROOTS = ['$.subject', '$.facts'] as const;
export const PLACEHOLDER_IN_TEXT = /<([A-Za-z0-9_.-]+)>/g;
export const WHOLE_PLACEHOLDER = /^<([A-Za-z0-9_.-]+)>$/;

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const Name = (what: string) => z.string().regex(KEBAB, `${what} must be kebab-case: lower-case letters, digits and single hyphens`);

export const VariableNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'a variable name is letters, digits, "_" and "-"')
  .refine((n) => !n.toLowerCase().startsWith('aws'), 'names starting with "aws" are reserved by EventBridge');
/** The JSONPath subset EventBridge input transformers take: dot notation, with optional array indexes. */
export const JsonPathSchema = z
  .string()
  .regex(/^\$(\.[A-Za-z0-9_@$-]+(\[\d+\])*)*$/, 'a JSONPath in dot notation, e.g. "$.detail.object.key" or "$.resources[0]"');
export const VariablesSchema = z.record(VariableNameSchema, JsonPathSchema).refine((p) => Object.keys(p).length <= 100, 'at most 100 variables (the EventBridge limit)');

export const InputMappingSchema = z.strictObject({
  /** Variables of this input, besides the rule's `paths`. */
  paths: VariablesSchema.optional(),
  /** JSON with `<name>` placeholders. */
  template: z.json(),
});
export type InputMapping = z.infer<typeof InputMappingSchema>;

// ---- patterns

/** An EventBridge event pattern, validated as EventBridge would (every problem, with its path). */
export const EventPatternSchema = z.custom<EventPattern>(() => true).superRefine((value, ctx) => {
  for (const issue of eventPatternIssues(value)) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});

// ---- actions

export const StartWorkflowActionSchema = z.strictObject({
  type: z.literal('start-workflow'),
  workflow: Name('a workflow name'),
  /** Defaults to the rule's `input`, else the whole event. */
  input: InputMappingSchema.optional(),
});
export const InvokeFunctionActionSchema = z.strictObject({
  type: z.literal('invoke-function'),
  function: Name('a function name'),
  input: InputMappingSchema.optional(),
});
export const PutEventActionSchema = z.strictObject({
  type: z.literal('put-event'),
  source: z.string().min(1).max(256).refine((s) => !s.startsWith('aws.'), 'sources starting with "aws." are reserved for AWS services'),
  detailType: z.string().min(1).max(128),
  /** A JSON object template; `{}` when absent. */
  detail: z.record(z.string(), z.json()).optional(),
});
export const AssertFactsActionSchema = z.strictObject({
  type: z.literal('assert-facts'),
  /** Whose facts, e.g. "job:<jobId>" (a text template). */
  subject: z.string().min(1),
  /** Fact name → value template. */
  facts: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a fact name is a letter then letters, digits, "_" or "-"'), z.json()).refine((f) => Object.keys(f).length > 0, 'assert at least one fact'),
});
export const ActionSchema = z.discriminatedUnion('type', [StartWorkflowActionSchema, InvokeFunctionActionSchema, PutEventActionSchema, AssertFactsActionSchema]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action['type'];

// ---- rules

export const FactConditionSchema = z.strictObject({
  /**
   * Whose facts to test: a text template, e.g. "job:<jobId>"; a `*` makes it a wildcard over
   * known subjects ("job:*"), and the rule fires once per matching subject.
   */
  subject: z.string().min(1),
  /** An event pattern over the subject's facts; `"<name>"` strings are filled from the event first. */
  facts: z.record(z.string(), z.unknown()),
});
export type FactCondition = z.infer<typeof FactConditionSchema>;

export const RuleBusSchema = z.enum(['default', 'platform']);
export type RuleBus = z.infer<typeof RuleBusSchema>;

export const RuleSchema = z
  .strictObject({
    name: Name('a rule name').max(64),
    description: z.string().min(1).max(512),
    enabled: z.boolean().default(true),
    /**
     * The bus the rule listens on: AWS services (S3) publish to the `default` bus, Mosaic to its
     * `platform` bus. Inferred from `on.source` when absent (all `aws.*` → default).
     */
    bus: RuleBusSchema.optional(),
    on: EventPatternSchema,
    if: FactConditionSchema.optional(),
    /** Variables usable in every template of the rule (and in `if`). */
    paths: VariablesSchema.optional(),
    /** The input of start-workflow and invoke-function actions that have none of their own. */
    input: InputMappingSchema.optional(),
    /** At most five: an EventBridge rule has at most five targets. */
    then: z.array(ActionSchema).min(1).max(5),
  })
  .superRefine(checkRule);
export type Rule = z.infer<typeof RuleSchema>;
export type RuleInput = z.input<typeof RuleSchema>;

/** The bus a rule listens on (explicit, or inferred from its pattern's `source`). */
export function ruleBus(rule: Pick<Rule, 'bus' | 'on'>): RuleBus {
  if (rule.bus) return rule.bus;
  const source = rule.on.source;
  const awsOnly = Array.isArray(source) && source.length > 0 && source.every((s) => typeof s === 'string' && s.startsWith('aws.'));
  return awsOnly ? 'default' : 'platform';
}

/** The placeholder names a template uses. */
export function templateVariables(template: unknown, out = new Set<string>()): Set<string> {
  if (typeof template === 'string') for (const m of template.matchAll(PLACEHOLDER_IN_TEXT)) out.add(m[1]);
  else if (Array.isArray(template)) for (const t of template) templateVariables(t, out);
  else if (isPlainObject(template)) for (const t of Object.values(template)) templateVariables(t, out);
  return out;
}

/** The `${Name}` substitutions a value uses. */
export function substitutionNames(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(SUBSTITUTION)) out.add(m[1]);
  else if (Array.isArray(value)) for (const v of value) substitutionNames(v, out);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) (substitutionNames(k, out), substitutionNames(v, out));
  return out;
}

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
