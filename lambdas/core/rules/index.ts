/** Rules: loading and validating rule files, evaluating them on events and facts, compiling them to EventBridge. */
export { loadRuleSet, compileRuleSet, substitute, formatRuleProblem, RuleSetError, type RuleFile, type RuleProblem, type RuleSet, type CompiledRule, type LoadOptions } from './rule-set.js';
export { evaluate, firingId, factsQuery, planActions, applyAssertions, type Facts, type FactsBySubject, type Firing, type PlannedAction, type EvaluationProblem, type EvaluateOptions } from './evaluate.js';
export { applyInputMapping, readJsonPath, renderTemplate, renderText, resolveVariables, toInputTransformer } from './templates.js';
export { compileToEventBridge, ruleEngineReason, RULE_ENGINE_REF, type EventBridgeRuleSpec, type EventBridgeTargetSpec, type InputTransformerSpec } from './compile-eventbridge.js';
