/**
 * Rules: data in `rules/*.json`, run by EventBridge on AWS and by the embedded engine locally.
 * This file holds their shapes and the events they follow; validating, compiling to EventBridge
 * and evaluating rules is logic, in core/rules.
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
import { isPlainObject, type EventPattern } from './event-pattern.js';

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
  /** The rule that started it: the job is tagged `rule=<name>` (its firings, for a rule EventBridge runs alone). */
  rule: z.string().min(1).max(64).optional(),
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

// ---- variables and templates

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

/** An EventBridge event pattern's shape; core/rules validates it as EventBridge would. */
export const EventPatternShapeSchema = z.custom<EventPattern>((v) => isPlainObject(v), 'an event pattern is a JSON object');

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

/**
 * A rule's shape. core/rules' RuleSchema adds what needs logic: the pattern as EventBridge checks
 * it, sizes, substitutions, and that every template names a variable of the rule.
 */
export const RuleShapeSchema = z.strictObject({
  name: Name('a rule name').max(64),
  description: z.string().min(1).max(512),
  enabled: z.boolean().default(true),
  /**
   * The bus the rule listens on: AWS services (S3) publish to the `default` bus, Mosaic to its
   * `platform` bus. Inferred from `on.source` when absent (all `aws.*` → default).
   */
  bus: RuleBusSchema.optional(),
  on: EventPatternShapeSchema,
  if: FactConditionSchema.optional(),
  /** Variables usable in every template of the rule (and in `if`). */
  paths: VariablesSchema.optional(),
  /** The input of start-workflow and invoke-function actions that have none of their own. */
  input: InputMappingSchema.optional(),
  /** At most five: an EventBridge rule has at most five targets. */
  then: z.array(ActionSchema).min(1).max(5),
});
export type Rule = z.infer<typeof RuleShapeSchema>;
export type RuleInput = z.input<typeof RuleShapeSchema>;
