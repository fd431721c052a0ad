/**
 * The wire shapes of the API routes the web UI reads about workflows, functions and rules:
 * `GET /v1/workflows/{name}`, `GET /v1/functions/{name}`, `GET /v1/rules`,
 * `GET /v1/rules/{name}/firings`, `GET /v1/facts` and `POST /v1/rules/{name}/test` (a dry run).
 * The records their ports return (FiringRecord, FunctionRun) are here too.
 */
import { z } from 'zod';
import { FunctionConfigSchema } from './function-config.js';
import { StepStatusSchema } from './status.js';
import { BusEventSchema, RuleBusSchema } from './rules.js';

/** Workflow, function and rule names: kebab-case (as rule files and function.json require), at most 64 characters. */
export const KEBAB_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const KEBAB_NAME_MAX = 64;

// ---- workflows

export const WorkflowDefinitionSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** The media functions its tasks run. */
  functions: z.array(z.string()),
  /**
   * The Amazon States Language definition as this engine runs it: locally with the local runner's
   * substitutions; on AWS the bundled file with the deployment's function ARNs and default
   * platforms filled in (other `${Placeholder}`s are the stack's and stay as written).
   */
  definition: z.record(z.string(), z.unknown()),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;

// ---- functions

/** One attempt of a function's step in some job (the step log's record, as the UI shows it). */
export const FunctionRunSchema = z.object({
  jobId: z.string(),
  stepId: z.string(),
  attempt: z.number().int(),
  status: StepStatusSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  costUsd: z.number().nullable(),
  /** Where it ran, when its end said so. */
  platform: z.string().nullable(),
  size: z.string().nullable(),
});
export type FunctionRun = z.infer<typeof FunctionRunSchema>;

/** A step attempt as a function run. */
export function functionRunOf(s: {
  jobId: string; stepId: string; attempt: number; status: FunctionRun['status']; startedAt: string; endedAt: string | null;
  durationMs: number | null; costUsd: number | null; platform?: string | null; size?: string | null;
}): FunctionRun {
  return {
    jobId: s.jobId, stepId: s.stepId, attempt: s.attempt, status: s.status, startedAt: s.startedAt, endedAt: s.endedAt,
    durationMs: s.durationMs, costUsd: s.costUsd, platform: s.platform ?? null, size: s.size ?? null,
  };
}

/** What a JobControl knows of a function's recent runs; `unavailableReason` when it cannot list them. */
export interface FunctionRuns {
  runs: FunctionRun[];
  unavailableReason: string | null;
}

export const FUNCTION_RUNS_LIMIT = 50;

export const FunctionDetailSchema = z.object({
  /** Its function.json. */
  config: FunctionConfigSchema,
  /** The last attempts of its steps across jobs, newest first (at most 50). */
  recentRuns: z.array(FunctionRunSchema),
  /** Nearest-rank percentiles of `durationMs` of the SUCCEEDED runs among `recentRuns` (cache hits left out); null when none. */
  durationMs: z.object({ count: z.number().int(), p50: z.number().nullable(), p99: z.number().nullable() }),
  /** Why `recentRuns` is empty although runs may exist (on AWS: no index of steps by function). */
  recentRunsUnavailableReason: z.string().nullable(),
});
export type FunctionDetail = z.infer<typeof FunctionDetailSchema>;

// ---- rules

/** A rule as loaded (validated, `${Name}` substitutions filled in), with who runs it. */
export const RuleViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  /** The bus it listens on (explicit or inferred from `on.source`). */
  bus: RuleBusSchema,
  /** The rule file it came from. */
  file: z.string(),
  /** The trigger: an EventBridge event pattern. */
  on: z.record(z.string(), z.unknown()),
  /** The condition on facts: `{ subject, facts }` (a pattern over the subject's facts), or null. */
  if: z.object({ subject: z.string(), facts: z.record(z.string(), z.unknown()) }).nullable(),
  /** Variables of its templates (name → JSONPath). */
  paths: z.record(z.string(), z.string()),
  /** The default input of its start-workflow and invoke-function actions, or null. */
  input: z.unknown(),
  /** Its actions, as written. */
  then: z.array(z.record(z.string(), z.unknown())),
  /** `eventbridge`: EventBridge runs its actions alone; `rule-engine`: through the rule engine (facts, firing records). */
  via: z.enum(['eventbridge', 'rule-engine']),
  /** Why it runs through the rule engine, or null. */
  viaReason: z.string().nullable(),
});
export type RuleView = z.infer<typeof RuleViewSchema>;

/** One recorded firing of a rule (rules that run through the rule engine record theirs). */
export const FiringRecordSchema = z.object({
  id: z.string(),
  rule: z.string(),
  subject: z.string().nullable(),
  eventId: z.string().nullable(),
  createdAt: z.string(),
});
export type FiringRecord = z.infer<typeof FiringRecordSchema>;

export const FIRINGS_LIMIT_MAX = 200;

export const FiringsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(FIRINGS_LIMIT_MAX).default(20),
});

export const FiringPageSchema = z.object({
  rule: z.string(),
  /** Newest first. */
  firings: z.array(FiringRecordSchema),
  /** Why there are none to show although the rule may have fired (it runs on EventBridge alone, which records nothing). */
  note: z.string().nullable(),
});

export const FACTS_SUBJECT_MAX = 512;
export const FACTS_MATCHES_MAX = 500;

export const FactsQuerySchema = z.object({
  subject: z
    .string()
    .min(1, 'name a subject, e.g. job:<id> or preset:<name> (a "*" makes it a wildcard: job:*)')
    .max(FACTS_SUBJECT_MAX)
    .refine((s) => !/[\u0000-\u001f]/.test(s), 'a subject has no control characters'),
});

export const FactsViewSchema = z.object({
  /** As asked: one subject, or a wildcard ("job:*"). */
  subject: z.string(),
  /** Each matching subject with its facts (an exact subject: none or one), by subject. */
  subjects: z.array(z.object({ subject: z.string(), facts: z.record(z.string(), z.unknown()) })),
  /** More subjects matched than are listed (at most 500). */
  truncated: z.boolean(),
});
export type FactsView = z.infer<typeof FactsViewSchema>;

export const RuleTestRequestSchema = z
  .object({
    /** An event as EventBridge delivers it (`source` and `detail-type` at least). */
    event: BusEventSchema,
    /** Facts by subject to test `if` against instead of the stored ones (what `mosaic rules test --facts` takes). */
    facts: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
  .strict();

const PlannedActionViewSchema = z.object({
  type: z.enum(['start-workflow', 'invoke-function', 'put-event', 'assert-facts']),
  /** The workflow, function, detail type or subject it addresses. */
  target: z.string(),
  /** The input, event detail or facts it would hand over, every template filled in. */
  payload: z.unknown(),
});

/** A dry run: nothing is executed, no firing is recorded. */
export const RuleTestResultSchema = z.object({
  rule: z.string(),
  enabled: z.boolean(),
  /** Whether the event matches the trigger (`on`). */
  matched: z.boolean(),
  /** The conditions of `on` the event fails (empty when it matches). */
  mismatches: z.array(z.object({ field: z.string(), expected: z.unknown(), actual: z.unknown() })),
  /** The `if` part: whose facts it looked at and whether they hold; null for a rule without `if` (or when `on` did not match). */
  conditions: z
    .object({
      /** The subject (or wildcard) `if` names for this event. */
      subject: z.string(),
      /** Where the facts came from. */
      factsFrom: z.enum(['store', 'request']),
      /** The subjects looked at with their facts. */
      facts: z.record(z.string(), z.record(z.string(), z.unknown())),
      held: z.boolean(),
    })
    .nullable(),
  /** It would fire (matched, conditions held) — whether or not the rule is enabled. */
  wouldFire: z.boolean(),
  /** Each firing (one per matching subject for wildcard conditions) and the actions it would take. */
  firings: z.array(z.object({ id: z.string(), subject: z.string().nullable(), actions: z.array(PlannedActionViewSchema) })),
  /** Why `if` could not be evaluated on this event. */
  problems: z.array(z.string()),
});
export type RuleTestResult = z.infer<typeof RuleTestResultSchema>;
