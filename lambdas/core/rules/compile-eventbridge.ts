/** Compiling rules to EventBridge lives in contracts (pure, so the CDK app deploys the very same specs); re-exported here. */
export { compileToEventBridge, ruleEngineReason, toInputTransformer, RULE_ENGINE_REF, type EventBridgeRuleSpec, type EventBridgeTargetSpec, type InputTransformerSpec } from '../../contracts/rules-eventbridge.js';
