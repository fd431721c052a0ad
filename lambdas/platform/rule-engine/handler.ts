/**
 * The rule engine: runs one rule on one event for the rules EventBridge cannot run alone (those
 * with `if` over facts, or a `put-event` / `assert-facts` action). Thin: parse → load the facts
 * the rule's `if` names → evaluate (core/rules) → for each firing, claim it once per rule, event
 * and subject (a duplicate delivery fires nothing) → run its actions through the ports.
 *
 * Forward chaining goes through the bus: asserted facts are announced as `Facts Asserted` and
 * `put-event` events are put on the platform bus, where they may match further rules (on AWS
 * each rule is its own EventBridge rule; locally the rule runtime subscribes to the bus). The
 * engine never evaluates other rules itself, so no rule runs twice. The AWS wiring is
 * `lambdas/bootstrap/rule-engine.ts`; the local one `local/rule-runtime.ts`.
 */
import {
  formatIssues,
  EVENT_SOURCE,
  InputInvalidError,
  RuleDetailTypes,
  RuleEngineInvocationSchema,
  isPlainObject,
  type FactsAssertedDetail,
  type Rule,
} from '../../contracts/index.js';
import { evaluateRule, factsQuery, type CompiledRule, type EvaluationProblem, type FactsBySubject, type Firing, type PlannedAction, type RuleSet } from '../../core/rules/index.js';
import type { FactStore, RuleEventSink } from '../../ports.js';
import { logger } from '../../runtime/index.js';

export interface RuleActionDeps {
  facts: FactStore;
  bus: RuleEventSink;
  /** Starts a workflow with the input a rule built (the workflow's starter: job record, then execution). */
  startWorkflow(workflow: string, input: unknown): Promise<unknown>;
  /** Invokes a media function with the input a rule built; its result follows as a `Function Result` event. */
  invokeFunction?(fn: string, input: unknown): Promise<unknown>;
}

export interface RuleEngineDeps extends RuleActionDeps {
  rules: RuleSet;
  /** `<aws.events.rule-arn>` of a rule (the deployed EventBridge rule's ARN). */
  ruleArn?: (ruleName: string) => string;
}

export interface ActionOutcome {
  type: PlannedAction['type'];
  /** The workflow, function, detail type or subject the action addressed. */
  target: string;
  result?: unknown;
}

export interface FiringOutcome {
  rule: string;
  id: string;
  subject: string | null;
  /** Recorded before (a duplicate delivery): nothing was done. */
  duplicate: boolean;
  actions: ActionOutcome[];
}

export type RuleEngineResult =
  | { status: 'rejected'; reason: string }
  | { status: 'evaluated'; rule: string; firings: FiringOutcome[]; problems: string[] };

/** Runs one planned action; the same code serves rules fired by the engine and rules fired directly. */
export async function runAction(deps: RuleActionDeps, action: PlannedAction, rule: string): Promise<ActionOutcome> {
  switch (action.type) {
    case 'start-workflow':
      return { type: action.type, target: action.workflow, result: await deps.startWorkflow(action.workflow, action.input) };
    case 'invoke-function': {
      if (!deps.invokeFunction) throw new InputInvalidError(`rule ${rule}: this engine cannot invoke functions from the rule engine`);
      return { type: action.type, target: action.function, result: await deps.invokeFunction(action.function, action.input) };
    }
    case 'put-event':
      await deps.bus.putEntry({ source: action.source, detailType: action.detailType, detail: action.detail });
      return { type: action.type, target: action.detailType };
    case 'assert-facts': {
      const merged = await deps.facts.assertFacts(action.subject, action.facts);
      const detail: FactsAssertedDetail = { subject: action.subject, facts: action.facts as FactsAssertedDetail['facts'], rule };
      await deps.bus.putEntry({ source: EVENT_SOURCE, detailType: RuleDetailTypes.FactsAsserted, detail });
      return { type: action.type, target: action.subject, result: merged };
    }
  }
}

/** The facts a rule's `if` needs for this event. */
export async function loadFacts(facts: FactStore, rule: Rule, event: unknown): Promise<FactsBySubject> {
  const q = factsQuery(rule, event);
  if (!q) return {};
  if ('wildcard' in q) return facts.findFacts(q.wildcard);
  const own = await facts.getFacts(q.subject);
  return own ? { [q.subject]: own } : {};
}

/**
 * Claims a firing and runs its actions in order. If an action fails the claim is released and the
 * error thrown, so a redelivery of the event (EventBridge retries a failed invocation) fires it
 * again; actions are idempotent where it matters (a workflow start names its job by the input).
 */
export async function fire(deps: RuleActionDeps, firing: Firing, event: unknown): Promise<FiringOutcome> {
  const eventId = isPlainObject(event) && typeof event.id === 'string' ? event.id : null;
  const claimed = await deps.facts.claimFiring({ id: firing.id, rule: firing.rule, subject: firing.subject, eventId });
  if (!claimed) return { rule: firing.rule, id: firing.id, subject: firing.subject, duplicate: true, actions: [] };
  const actions: ActionOutcome[] = [];
  try {
    for (const a of firing.actions) actions.push(await runAction(deps, a, firing.rule));
  } catch (e) {
    await deps.facts.releaseFiring(firing.id);
    throw e;
  }
  return { rule: firing.rule, id: firing.id, subject: firing.subject, duplicate: false, actions };
}

export function createRuleEngineHandler(deps: RuleEngineDeps): (invocation: unknown) => Promise<RuleEngineResult> {
  const byName = new Map<string, CompiledRule>(deps.rules.compiled.map((c) => [c.rule.name, c]));
  return async (invocation) => {
    const parsed = RuleEngineInvocationSchema.safeParse(invocation);
    if (!parsed.success) {
      const reason = `not a rule-engine invocation ({"rule": name, "event": event}): ${formatIssues(parsed.error)}`;
      logger.warn('rule engine: rejected', { reason });
      return { status: 'rejected', reason };
    }
    const { rule: name, event } = parsed.data;
    const compiled = byName.get(name);
    if (!compiled) {
      const reason = `no rule named "${name}" in this deployment`;
      logger.warn('rule engine: rejected', { reason });
      return { status: 'rejected', reason };
    }
    let facts: FactsBySubject;
    try {
      facts = await loadFacts(deps.facts, compiled.rule, event);
    } catch (e) {
      if (!(e instanceof InputInvalidError)) throw e;
      return { status: 'rejected', reason: `rule ${name}: ${e.message}` };
    }
    const problems: EvaluationProblem[] = [];
    const firings = evaluateRule(compiled, event, facts, { ruleArn: deps.ruleArn, problems });
    const outcomes: FiringOutcome[] = [];
    for (const f of firings) outcomes.push(await fire(deps, f, event));
    const log = logger.createChild({ persistentKeys: { rule: name, eventId: (event as { id?: string }).id } });
    for (const p of problems) log.warn('rule not evaluated', { message: p.message });
    log.info('rule evaluated', { firings: outcomes.length, duplicates: outcomes.filter((o) => o.duplicate).length });
    return { status: 'evaluated', rule: name, firings: outcomes, problems: problems.map((p) => p.message) };
  };
}
