/**
 * The rules as the web UI shows them: every loaded rule (`GET /v1/rules`), a rule's recorded
 * firings (`GET /v1/rules/{name}/firings`), the facts of a subject (`GET /v1/facts`) and a dry run
 * of one rule on a pasted event (`POST /v1/rules/{name}/test`) — the same core functions the rule
 * engine evaluates with (event-pattern matcher, evaluateRule, planActions), against the current
 * facts; nothing is executed and no firing is recorded.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  ApiErrorCodes,
  FACTS_MATCHES_MAX,
  FactsQuerySchema,
  FactsViewSchema,
  FiringPageSchema,
  FiringsQuerySchema,
  NotFoundError,
  RuleTestRequestSchema,
  RuleTestResultSchema,
  RuleViewSchema,
  subjectWildcard,
  type Rule,
  type RuleTestResult,
  type RuleView,
} from '../../../contracts/index.js';
import { compilePattern } from '../../../core/event-pattern/index.js';
import { factsQuery, ruleBus, ruleEngineReason, testRule, type CompiledRule, type FactsBySubject, type PlannedAction } from '../../../core/rules/index.js';
import type { Facts, JobRepository, LoadedRule, RuleQueries } from '../../../ports.js';
import type { ApiApp } from '../deps.js';
import { ApiHttpError } from '../errors.js';
import { json, jsonBody, pick } from './common.js';
import { nameParams } from './workflow-definitions.js';

const listRules = createRoute({
  method: 'get',
  path: '/v1/rules',
  tags: ['rules'],
  summary: 'Every rule this engine runs: trigger, conditions on facts, actions, and who runs it',
  responses: { 200: json(z.object({ rules: z.array(RuleViewSchema) }), 'The rules, in file order'), ...pick(401) },
});

const listFirings = createRoute({
  method: 'get',
  path: '/v1/rules/{name}/firings',
  tags: ['rules'],
  summary: "A rule's recent firings, newest first",
  description: 'Rules that run through the rule engine (an `if`, a `put-event` or `assert-facts` action) record each firing once per event and subject; for a rule EventBridge runs alone, which records none, the firings are the jobs it started (tagged `rule=<name>`; `note` says so).',
  request: { params: nameParams('a rule name', 'ingest-video'), query: FiringsQuerySchema },
  responses: { 200: json(FiringPageSchema, 'The firings'), ...pick(400, 401, 404) },
});

const getFacts = createRoute({
  method: 'get',
  path: '/v1/facts',
  tags: ['rules'],
  summary: 'The facts the rule engine keeps about a subject (or every subject a wildcard matches)',
  request: { query: FactsQuerySchema },
  responses: { 200: json(FactsViewSchema, 'The subjects and their facts'), ...pick(400, 401) },
});

const testRuleRoute = createRoute({
  method: 'post',
  path: '/v1/rules/{name}/test',
  tags: ['rules'],
  summary: 'Dry run: does the rule match this event, do its conditions hold on the current facts, and what would it do',
  description: 'Nothing is executed and no firing is recorded. `facts` in the body replaces the stored facts for this test. A disabled rule is tested as if enabled (`enabled` says it is not).',
  request: { params: nameParams('a rule name', 'ingest-video'), body: jsonBody(RuleTestRequestSchema) },
  responses: { 200: json(RuleTestResultSchema, 'What the rule would do'), ...pick(400, 401, 404, 413, 415) },
});

/** `on` compiled once per loaded rule. */
const COMPILED = new WeakMap<Rule, CompiledRule>();
const compiled = ({ rule, file }: LoadedRule): CompiledRule => {
  let c = COMPILED.get(rule);
  if (!c) COMPILED.set(rule, (c = { rule, file, on: compilePattern(rule.on) }));
  return c;
};

export function ruleView({ rule, file }: LoadedRule): RuleView {
  const reason = ruleEngineReason(rule);
  return {
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    bus: ruleBus(rule),
    file,
    on: rule.on as Record<string, unknown>,
    if: rule.if ? { subject: rule.if.subject, facts: rule.if.facts } : null,
    paths: rule.paths ?? {},
    input: rule.input ?? null,
    then: rule.then as unknown as Record<string, unknown>[],
    via: reason ? 'rule-engine' : 'eventbridge',
    viaReason: reason,
  };
}

const actionView = (a: PlannedAction): RuleTestResult['firings'][number]['actions'][number] => {
  switch (a.type) {
    case 'start-workflow':
      return { type: a.type, target: a.workflow, payload: a.input };
    case 'invoke-function':
      return { type: a.type, target: a.function, payload: a.input };
    case 'put-event':
      return { type: a.type, target: a.detailType, payload: { source: a.source, detailType: a.detailType, detail: a.detail } };
    case 'assert-facts':
      return { type: a.type, target: a.subject, payload: a.facts };
  }
};

const subjectIssue = (message: string) =>
  new ApiHttpError(400, ApiErrorCodes.ValidationFailed, `query.subject: ${message}`, { issues: [{ path: 'query.subject', message, code: 'invalid_subject' }] });

export function registerRuleRoutes(app: ApiApp, deps: { control: RuleQueries; jobs: Pick<JobRepository, 'listJobPage'> }): void {
  const findRule = async (name: string): Promise<LoadedRule> => {
    const rules = await deps.control.rules();
    const found = rules.find((r) => r.rule.name === name);
    if (!found) throw new NotFoundError(`no rule "${name}"; known: ${rules.map((r) => r.rule.name).join(', ') || '(none)'}`, { name });
    return found;
  };

  app.openapi(listRules, async (c) => c.json({ rules: (await deps.control.rules()).map(ruleView) }, 200));

  app.openapi(listFirings, async (c) => {
    const loaded = await findRule(c.req.valid('param').name);
    const name = loaded.rule.name;
    const limit = c.req.valid('query').limit;
    if (ruleEngineReason(loaded.rule)) return c.json({ rule: name, firings: await deps.control.ruleFirings(name, limit), note: null }, 200);
    // EventBridge runs it alone and records nothing; the jobs it started carry its name (tag rule=<name>).
    const started = await deps.jobs.listJobPage({ tag: { key: 'rule', value: name }, limit });
    const firings = started.jobs.map((j) => ({ id: j.id, rule: name, subject: j.id, eventId: null, createdAt: j.createdAt }));
    const note = `this rule runs on EventBridge alone (no "if", put-event or assert-facts), which keeps no firing records: ${
      firings.length ? 'these are the jobs it started (tagged rule=' + name + ')' : 'the jobs it starts are tagged rule=' + name + '; none yet'
    }`;
    return c.json({ rule: name, firings, note }, 200);
  });

  app.openapi(getFacts, async (c) => {
    const { subject } = c.req.valid('query');
    if (subject.includes('*')) {
      try {
        subjectWildcard(subject);
      } catch (e) {
        throw subjectIssue((e as Error).message);
      }
    }
    const found = Object.entries(await deps.control.facts(subject)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return c.json(
      { subject, subjects: found.slice(0, FACTS_MATCHES_MAX).map(([s, facts]) => ({ subject: s, facts })), truncated: found.length > FACTS_MATCHES_MAX },
      200,
    );
  });

  app.openapi(testRuleRoute, async (c) => {
    const loaded = await findRule(c.req.valid('param').name);
    const body = c.req.valid('json');
    const rule = compiled(loaded);
    const event = body.event;
    const onMatched = rule.on(event);
    // The facts `if` names for this event, from the request or the store (only when `on` matched: the engine loads none otherwise).
    let facts: FactsBySubject = {};
    let conditions: RuleTestResult['conditions'] = null;
    const problems: string[] = [];
    const q = onMatched ? factsQuery(loaded.rule, event) : null;
    if (q) {
      const asked = 'subject' in q ? q.subject : q.wildcard;
      try {
        facts = body.facts ? pickFacts(body.facts, asked) : await deps.control.facts(asked);
      } catch (e) {
        // A wildcard the rule builds from this event that names no kind: the engine would reject it too.
        if ((e as Error).name !== 'Mosaic.InputInvalid') throw e;
        problems.push(`rule ${loaded.rule.name}: ${(e as Error).message}`);
      }
      conditions = { subject: asked, factsFrom: body.facts ? 'request' : 'store', facts: facts as Record<string, Record<string, unknown>>, held: false };
    }
    const t = testRule(rule, event, facts);
    if (conditions) conditions.held = t.firings.length > 0;
    const result: RuleTestResult = {
      rule: loaded.rule.name,
      enabled: loaded.rule.enabled,
      matched: t.onMatched,
      mismatches: t.mismatches.map((m) => ({ field: m.field, expected: m.expected, actual: m.actual })),
      conditions,
      wouldFire: t.firings.length > 0,
      firings: t.firings.map((f) => ({ id: f.id, subject: f.subject, actions: f.actions.map(actionView) })),
      problems: [...problems, ...t.problems.map((p) => p.message)],
    };
    return c.json(result, 200);
  });
}

/** The request's facts that `asked` (a subject or a wildcard) names. */
function pickFacts(given: Record<string, Facts>, asked: string): FactsBySubject {
  if (!asked.includes('*')) return Object.hasOwn(given, asked) ? { [asked]: given[asked]! } : {};
  const w = subjectWildcard(asked);
  return Object.fromEntries(Object.entries(given).filter(([s]) => w.test(s)));
}
