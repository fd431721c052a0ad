/**
 * A rule as an EventBridge rule. Rules that only start workflows and invoke functions, on the
 * event alone, become a rule with direct targets (a Step Functions state machine, a Lambda), each
 * with the input transformer of its mapping. Rules that need the engine — an `if` over facts, or
 * a `put-event` / `assert-facts` action — become a rule with one target, the rule-engine Lambda,
 * whose input names the rule and carries the event unchanged (RuleEngineInvocation); the engine
 * then evaluates that rule alone, so no rule is evaluated twice.
 *
 * Targets name what they point at (`workflow:encode`, `function:normalize-audio`,
 * `platform:rule-engine`); the CDK stack maps those names to ARNs.
 */
import { ruleBus, type EventPattern, type Rule, type RuleBus } from '../../contracts/index.js';
import { toInputTransformer } from './templates.js';

export const RULE_ENGINE_REF = 'platform:rule-engine';

export interface InputTransformerSpec {
  inputPathsMap: Record<string, string>;
  inputTemplate: string;
}

export interface EventBridgeTargetSpec {
  kind: 'state-machine' | 'lambda';
  /** `workflow:<name>`, `function:<name>` or RULE_ENGINE_REF. */
  ref: string;
  /** Absent: the target receives the whole event. */
  inputTransformer?: InputTransformerSpec;
}

export interface EventBridgeRuleSpec {
  name: string;
  description: string;
  enabled: boolean;
  bus: RuleBus;
  eventPattern: EventPattern;
  targets: EventBridgeTargetSpec[];
  /** Why the rule runs through the rule engine, or null when EventBridge runs its actions directly. */
  viaRuleEngine: string | null;
}

/** Why `rule` needs the rule engine, or null. */
export function ruleEngineReason(rule: Rule): string | null {
  if (rule.if) return 'its "if" tests facts';
  const action = rule.then.find((a) => a.type === 'put-event' || a.type === 'assert-facts');
  return action ? `its "${action.type}" action runs in the engine` : null;
}

export function compileToEventBridge(rule: Rule): EventBridgeRuleSpec {
  const base = { name: rule.name, description: rule.description, enabled: rule.enabled, bus: ruleBus(rule), eventPattern: rule.on };
  const reason = ruleEngineReason(rule);
  if (reason) {
    return {
      ...base,
      viaRuleEngine: reason,
      targets: [{ kind: 'lambda', ref: RULE_ENGINE_REF, inputTransformer: { inputPathsMap: {}, inputTemplate: `{"rule":${JSON.stringify(rule.name)},"event":<aws.events.event>}` } }],
    };
  }
  const targets = rule.then.map((action): EventBridgeTargetSpec => {
    if (action.type !== 'start-workflow' && action.type !== 'invoke-function') throw new Error(`unreachable: ${action.type} runs in the engine`);
    const mapping = action.input ?? rule.input;
    const target: EventBridgeTargetSpec = action.type === 'start-workflow' ? { kind: 'state-machine', ref: `workflow:${action.workflow}` } : { kind: 'lambda', ref: `function:${action.function}` };
    return mapping ? { ...target, inputTransformer: toInputTransformer(mapping, rule.paths) } : target;
  });
  return { ...base, viaRuleEngine: null, targets };
}
