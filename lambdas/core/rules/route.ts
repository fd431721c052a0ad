/**
 * Which rules an event on a bus reaches, and how each runs, as EventBridge routes it: every
 * enabled rule of that bus whose `on` matches; directly (its targets) or, when it needs facts or
 * engine actions, through the rule engine with `{rule, event}`. The embedded engine routes with
 * this; on AWS EventBridge itself does, from the rules compile-eventbridge.ts emits.
 */
import type { RuleBus } from '../../contracts/index.js';
import { ruleBus, ruleEngineReason } from './compile-eventbridge.js';
import type { CompiledRule, RuleSet } from './rule-set.js';

export interface Route {
  compiled: CompiledRule;
  via: 'eventbridge' | 'rule-engine';
}

export function routeEvent(ruleSet: RuleSet, event: unknown, bus: RuleBus): Route[] {
  const routes: Route[] = [];
  for (const c of ruleSet.compiled) {
    if (!c.rule.enabled || ruleBus(c.rule) !== bus || !c.on(event)) continue;
    routes.push({ compiled: c, via: ruleEngineReason(c.rule) ? 'rule-engine' : 'eventbridge' });
  }
  return routes;
}
