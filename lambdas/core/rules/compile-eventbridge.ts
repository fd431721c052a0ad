/**
 * A rule as an EventBridge rule: the CDK app deploys exactly what this compiles, and the CLI and
 * the local engine decide from it which rules run directly and which through the rule engine.
 *
 * Rules that only start workflows and invoke functions, on the event alone, become a rule with
 * direct targets, each with the input transformer of its mapping. Rules that need the engine — an
 * `if` over facts, or a `put-event` / `assert-facts` action — become a rule with one target, the
 * rule-engine Lambda, whose input names the rule and carries the event unchanged
 * (RuleEngineInvocation); the engine then evaluates that rule alone, so no rule runs twice.
 *
 * Targets name what they point at; the stack maps names to ARNs:
 * - `workflow:<name>` (kind `workflow-starter`): the workflow's starter Lambda, not the state
 *   machine itself. Starting a workflow records the job and names the execution by an id derived
 *   from the input (one job per upload version, per re-encode), which a Step Functions target
 *   cannot do: EventBridge names executions at random and creates no record.
 * - `function:<name>` (kind `lambda`): the media function's Lambda.
 * - RULE_ENGINE_REF (kind `lambda`): the rule-engine Lambda.
 */
import { isPlainObject, type EventPattern, type InputMapping, type Rule, type RuleBus } from '../../contracts/index.js';
import { templateVariables, WHOLE_PLACEHOLDER } from './templates.js';

export const RULE_ENGINE_REF = 'platform:rule-engine';

export interface InputTransformerSpec {
  inputPathsMap: Record<string, string>;
  inputTemplate: string;
}

export interface EventBridgeTargetSpec {
  kind: 'workflow-starter' | 'lambda';
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

/** The bus a rule listens on (explicit, or inferred from its pattern's `source`: all `aws.*` → default). */
export function ruleBus(rule: Pick<Rule, 'bus' | 'on'>): RuleBus {
  if (rule.bus) return rule.bus;
  const source = rule.on.source;
  const awsOnly = Array.isArray(source) && source.length > 0 && source.every((s) => typeof s === 'string' && s.startsWith('aws.'));
  return awsOnly ? 'default' : 'platform';
}

/** Why `rule` needs the rule engine, or null. */
export function ruleEngineReason(rule: Rule): string | null {
  if (rule.if) return 'its "if" tests facts';
  const action = rule.then.find((a) => a.type === 'put-event' || a.type === 'assert-facts');
  return action ? `its "${action.type}" action runs in the engine` : null;
}

/** The rule as EventBridge will run it. */
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
    const target: EventBridgeTargetSpec = action.type === 'start-workflow' ? { kind: 'workflow-starter', ref: `workflow:${action.workflow}` } : { kind: 'lambda', ref: `function:${action.function}` };
    return mapping ? { ...target, inputTransformer: toInputTransformer(mapping, rule.paths) } : target;
  });
  return { ...base, viaRuleEngine: null, targets };
}

/**
 * The mapping as an EventBridge InputTransformer: the paths of the variables the template uses,
 * and the template serialised with whole-string placeholders unquoted.
 */
export function toInputTransformer(mapping: InputMapping, rulePaths: Readonly<Record<string, string>> = {}): InputTransformerSpec {
  const paths: Record<string, string> = { ...rulePaths, ...mapping.paths };
  const inputPathsMap: Record<string, string> = {};
  for (const name of [...templateVariables(mapping.template)].sort()) if (Object.hasOwn(paths, name)) inputPathsMap[name] = paths[name];
  return { inputPathsMap, inputTemplate: serialiseTemplate(mapping.template) };
}

function serialiseTemplate(template: unknown): string {
  if (typeof template === 'string') return WHOLE_PLACEHOLDER.test(template) ? template : JSON.stringify(template);
  if (Array.isArray(template)) return `[${template.map(serialiseTemplate).join(',')}]`;
  if (isPlainObject(template)) return `{${Object.entries(template).map(([k, v]) => `${JSON.stringify(k)}:${serialiseTemplate(v)}`).join(',')}}`;
  return JSON.stringify(template);
}
