/** Rules: validating and loading rule files, evaluating them on events and facts, compiling them to EventBridge. */
export { RuleSchema, EventPatternSchema } from './validate.js';
export { loadRuleSet, compileRuleSet, substitute, formatRuleProblem, RuleSetError, type RuleFile, type RuleProblem, type RuleSet, type CompiledRule, type LoadOptions } from './rule-set.js';
export { evaluate, evaluateRule, firingId, factsQuery, planActions, applyAssertions, type Facts, type FactsBySubject, type Firing, type PlannedAction, type EvaluationProblem, type EvaluateOptions } from './evaluate.js';
export { applyInputMapping, readJsonPath, renderTemplate, renderText, resolveVariables, templateVariables, PREDEFINED_VARIABLES, FACT_PATH_ROOTS, PLACEHOLDER_IN_TEXT, WHOLE_PLACEHOLDER } from './templates.js';
export { fillSubstitutions, substitutionNames } from './substitutions.js';
export { compileToEventBridge, ruleBus, ruleEngineReason, toInputTransformer, RULE_ENGINE_REF, type EventBridgeRuleSpec, type EventBridgeTargetSpec, type InputTransformerSpec } from './compile-eventbridge.js';
export { routeEvent, type Route } from './route.js';
export { testRule, type RuleTest } from './rule-test.js';
