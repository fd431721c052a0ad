/**
 * One rule tried on one event, as EventBridge's TestEventPattern would answer (does `on` match,
 * and if not, which conditions fail), plus what the rule would do with these facts — whether or
 * not it is enabled. For `mosaic rules test`.
 */
import { explainMismatch, type Mismatch } from '../event-pattern/index.js';
import { evaluateRule, factsQuery, type EvaluationProblem, type FactsBySubject, type Firing } from './evaluate.js';
import type { CompiledRule } from './rule-set.js';

export interface RuleTest {
  onMatched: boolean;
  /** The conditions of `on` the event fails; empty when it matches. */
  mismatches: Mismatch[];
  firings: Firing[];
  /** Why the rule's `if` could not be evaluated on this event. */
  problems: EvaluationProblem[];
  /** Whose facts `if` looked at, when `on` matched but nothing fired. */
  factsLookedAt: ReturnType<typeof factsQuery>;
}

export function testRule(c: CompiledRule, event: unknown, facts: FactsBySubject = {}): RuleTest {
  const onMatched = c.on(event);
  const problems: EvaluationProblem[] = [];
  const firings = onMatched ? evaluateRule({ ...c, rule: { ...c.rule, enabled: true } }, event, facts, { problems }) : [];
  return {
    onMatched,
    mismatches: onMatched ? [] : explainMismatch(c.rule.on, event),
    firings,
    problems,
    factsLookedAt: onMatched && firings.length === 0 ? factsQuery(c.rule, event) : null,
  };
}
