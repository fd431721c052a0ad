/** Rule logic: loading (every problem with file and path), evaluation with facts, input mapping, compilation to EventBridge. */
import { describe, expect, it } from 'vitest';
import type { Rule, RuleInput } from '../../../lambdas/contracts/index.js';
import {
  applyInputMapping,
  compileRuleSet,
  compileToEventBridge,
  evaluate,
  evaluateRule,
  factsQuery,
  firingId,
  loadRuleSet,
  RULE_ENGINE_REF,
  RuleSchema,
  RuleSetError,
  routeEvent,
  testRule,
  type EvaluationProblem,
} from '../../../lambdas/core/rules/index.js';
import { busEvent, mosaicEvent, s3ObjectCreated } from '../../helpers/rule-events.js';

const rule = (r: RuleInput): Rule => RuleSchema.parse(r);
const file = (r: unknown, name = (r as { name: string }).name) => ({ path: `rules/${name}.json`, text: JSON.stringify(r, null, 2) });

const JOB_FAILED = (code: string, id?: string) => mosaicEvent('Job Status Changed', { jobId: 'job-1', status: 'FAILED', error: { code, message: 'out of memory at 10240 MiB' } }, id);

describe('loadRuleSet', () => {
  const good = { name: 'good', description: 'd', on: { source: ['mosaic'] }, then: [{ type: 'invoke-function', function: 'inspect' }] };

  it('loads valid files, compiled and sorted by file name', () => {
    const set = loadRuleSet([file({ ...good, name: 'b-rule' }), file({ ...good, name: 'a-rule' })]);
    expect(set.rules.map((r) => r.name)).toEqual(['a-rule', 'b-rule']);
    expect(set.rules[0].enabled).toBe(true);
    expect(set.compiled[0].on({ source: 'mosaic' })).toBe(true);
  });

  it('lists every problem of every file as "<file>: <json path>: <message>"', () => {
    const bad = {
      name: 'bad',
      description: 'd',
      on: { source: 'mosaic', detail: { size: [{ numeric: ['>', 'big'] }] } },
      then: [{ type: 'start-workflow', workflow: 'Encode', input: { template: { key: '<key>' } } }],
    };
    let error: RuleSetError | undefined;
    try {
      loadRuleSet([file(bad), { path: 'rules/broken.json', text: '{\n  "name": "broken",\n  oops\n}' }, file(good), file(good, 'copy')]);
    } catch (e) {
      error = e as RuleSetError;
    }
    expect(error).toBeInstanceOf(RuleSetError);
    const lines = error!.message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\/bad\.json: on\.source: must be an object .*did you mean \["mosaic"\]\?/),
        expect.stringMatching(/^rules\/bad\.json: on\.detail\.size\[0\]\.numeric\[1\]: must be a number, not string "big"/),
        expect.stringMatching(/^rules\/bad\.json: then\[0\]\.workflow: a workflow name must be kebab-case/),
        expect.stringMatching(/^rules\/broken\.json: \(root\): not valid JSON: .*\(line 3, column 3\)/),
        'rules/copy.json: name: the rule "good" belongs in good.json',
        'rules/good.json: name: the rule name "good" is also used by rules/copy.json',
      ]),
    );
    // The unknown placeholder is only reported once the rule's shape is right.
    expect(error!.problems.every((p) => p.file && p.path && p.message)).toBe(true);
  });

  it('checks placeholders, variables and substitutions', () => {
    const r = {
      name: 'vars',
      description: 'd',
      on: { source: ['aws.s3'], detail: { bucket: { name: ['${Bucket}'] } } },
      paths: { key: '$.detail.object.key', f: '$.facts.x' },
      then: [{ type: 'invoke-function', function: 'inspect', input: { template: { key: '<key>', size: '<size>' } } }],
    };
    expect(() => loadRuleSet([file(r)])).toThrow(
      /rules\/vars\.json: on: unknown substitution \$\{Bucket\}[\s\S]*rules\/vars\.json: paths\.f: \$\.facts\.x: only rules with "if"[\s\S]*rules\/vars\.json: then\[0\]\.input\.template: <size> is not a variable of this rule/,
    );
  });

  it('refuses a pattern that would not fit EventBridge once substitutions are filled in', () => {
    const keys = Array.from({ length: 80 }, (_, i) => ({ wildcard: `inbox/*.extension${i}` }));
    const r = { name: 'big', description: 'd', on: { detail: { bucket: { name: ['${SourceBucket}'] }, object: { key: keys } } }, then: [{ type: 'invoke-function', function: 'inspect' }] };
    expect(() => loadRuleSet([file(r)])).toThrow(/rules\/big\.json: on: the pattern is \d+ characters with substitutions filled in; EventBridge allows 2048/);
  });

  it('fills substitutions, and says which have no value', () => {
    const r = { name: 's3', description: 'd', on: { source: ['aws.s3'], detail: { bucket: { name: ['${SourceBucket}'] } } }, then: [{ type: 'invoke-function', function: 'inspect' }] };
    const set = loadRuleSet([file(r)], { substitutions: { SourceBucket: 'my-bucket' } });
    expect(set.rules[0].on).toEqual({ source: ['aws.s3'], detail: { bucket: { name: ['my-bucket'] } } });
    expect(set.compiled[0].on(s3ObjectCreated('inbox/a.mov', { bucket: 'my-bucket' }))).toBe(true);
    expect(() => loadRuleSet([file(r)], { substitutions: {} })).toThrow('rules/s3.json: on: no value was given for ${SourceBucket}');
  });
});

describe('applyInputMapping', () => {
  const event = busEvent('mosaic', 'Function Result', { jobId: 'j1', result: { key: 'j1/a.wav', durationSec: 12.5, tags: ['x'] }, list: [{ v: 'first' }, { v: 'second' }] });

  it('keeps the JSON type of whole-string placeholders and interpolates text', () => {
    const input = applyInputMapping(
      {
        paths: { job: '$.detail.jobId', key: '$.detail.result.key', d: '$.detail.result.durationSec', result: '$.detail.result', second: '$.detail.list[1].v' },
        template: { jobId: '<job>', duration: '<d>', result: '<result>', text: 'job <job> lasted <d>s: <result>', second: '<second>', literal: 5, list: ['<key>', true] },
      },
      event,
    );
    expect(input).toEqual({
      jobId: 'j1',
      duration: 12.5,
      result: { key: 'j1/a.wav', durationSec: 12.5, tags: ['x'] },
      text: 'job j1 lasted 12.5s: {"key":"j1/a.wav","durationSec":12.5,"tags":["x"]}',
      second: 'second',
      literal: 5,
      list: ['j1/a.wav', true],
    });
  });

  it('a path the event lacks gives null as a value and "" in text', () => {
    expect(applyInputMapping({ paths: { v: '$.detail.nope' }, template: { whole: '<v>', text: 'v=<v>' } }, event)).toEqual({ whole: null, text: 'v=' });
  });

  it('has the predefined aws.events variables, and the mapping\'s paths override the rule\'s', () => {
    const input = applyInputMapping({ paths: { job: '$.id' }, template: { rule: '<aws.events.rule-name>', event: '<aws.events.event>', job: '<job>' } }, event, { ruleName: 'r1', rulePaths: { job: '$.detail.jobId' } });
    expect(input).toEqual({ rule: 'r1', event, job: event.id });
  });
});

describe('evaluate', () => {
  const alert = rule({
    name: 'alert',
    description: 'd',
    on: { source: ['mosaic'], 'detail-type': ['Job Status Changed'], detail: { status: ['FAILED'], error: { code: ['Mosaic.ResourceExhausted'] } } },
    paths: { jobId: '$.detail.jobId', message: '$.detail.error.message' },
    then: [{ type: 'put-event', source: 'mosaic', detailType: 'Job Alert', detail: { jobId: '<jobId>', message: 'job <jobId>: <message>' } }],
  });
  const reencode = rule({
    name: 'reencode',
    description: 'd',
    on: { source: ['mosaic'], 'detail-type': ['Preset Version Changed'] },
    paths: { preset: '$.detail.preset', version: '$.detail.version', jobId: '$.facts.jobId', old: '$.facts.presetVersion' },
    if: { subject: 'job:*', facts: { preset: ['<preset>'], presetVersion: [{ numeric: ['<', '<version>'] }] } },
    then: [{ type: 'start-workflow', workflow: 'encode', input: { template: { reencodeOf: '<jobId>', was: '<old>', subject: '<aws.events.rule-name>' } } }],
  });
  const firstTime = rule({
    name: 'first-time',
    description: 'd',
    on: { source: ['mosaic'], 'detail-type': ['Job Status Changed'], detail: { status: ['SUCCEEDED'] } },
    paths: { jobId: '$.detail.jobId' },
    if: { subject: 'job:<jobId>', facts: { notified: [{ exists: false }] } },
    then: [{ type: 'assert-facts', subject: 'job:<jobId>', facts: { notified: true, jobId: '<jobId>' } }],
  });
  const set = compileRuleSet([alert, reencode, firstTime]);

  it('fires a rule without "if" on its pattern alone, with its actions planned', () => {
    const event = JOB_FAILED('Mosaic.ResourceExhausted');
    const firings = evaluate(set, event);
    expect(firings).toEqual([{ rule: 'alert', id: firingId('alert', event), subject: null, actions: [{ type: 'put-event', source: 'mosaic', detailType: 'Job Alert', detail: { jobId: 'job-1', message: 'job job-1: out of memory at 10240 MiB' } }] }]);
    expect(evaluate(set, JOB_FAILED('Mosaic.InputInvalid'))).toEqual([]);
  });

  it('skips disabled rules', () => {
    const off = compileRuleSet([{ ...alert, enabled: false }]);
    expect(evaluate(off, JOB_FAILED('Mosaic.ResourceExhausted'))).toEqual([]);
  });

  it('tests "if" against each subject\'s facts, filled from the event, firing once per matching subject', () => {
    const facts = {
      'job:a': { jobId: 'a', preset: 'default', presetVersion: 1 },
      'job:b': { jobId: 'b', preset: 'default', presetVersion: 2 },
      'job:c': { jobId: 'c', preset: 'draft', presetVersion: 1 },
      'job:d': { jobId: 'd', preset: 'default', presetVersion: 1 },
      'preset:default': { version: 2 },
    };
    const event = mosaicEvent('Preset Version Changed', { preset: 'default', version: 2 });
    const firings = evaluate(set, event, facts);
    expect(firings.map((f) => [f.rule, f.subject])).toEqual([['reencode', 'job:a'], ['reencode', 'job:d']]);
    expect(firings[0].actions).toEqual([{ type: 'start-workflow', workflow: 'encode', input: { reencodeOf: 'a', was: 1, subject: 'reencode' } }]);
    expect(new Set(firings.map((f) => f.id)).size).toBe(2);
    expect(factsQuery(reencode, event)).toEqual({ wildcard: 'job:*' });
  });

  it('a subject without facts is tested as {} (so exists:false holds), and facts decide', () => {
    const done = mosaicEvent('Job Status Changed', { jobId: 'j9', status: 'SUCCEEDED' });
    expect(factsQuery(firstTime, done)).toEqual({ subject: 'job:j9' });
    const [firing] = evaluate(set, done);
    expect(firing).toMatchObject({ rule: 'first-time', subject: 'job:j9', actions: [{ type: 'assert-facts', subject: 'job:j9', facts: { notified: true, jobId: 'j9' } }] });
    expect(evaluate(set, done, { 'job:j9': { notified: true } })).toEqual([]);
  });

  it('reports a rule whose "if", filled from the event, is invalid, and fires the others', () => {
    const problems: EvaluationProblem[] = [];
    const event = mosaicEvent('Preset Version Changed', { preset: 'default', version: 'two' });
    expect(evaluate(set, event, { 'job:a': { preset: 'default', presetVersion: 1 } }, { problems })).toEqual([]);
    expect(problems).toEqual([{ rule: 'reencode', message: expect.stringMatching(/presetVersion\.0\.numeric\.1: must be a number, not string "two"/) }]);
  });

  it('firing ids: one per rule, event and subject; the event id when there is one, else its content', () => {
    const e = JOB_FAILED('x', 'event-1');
    expect(firingId('alert', e)).toBe(firingId('alert', { ...JOB_FAILED('y', 'event-1') }));
    expect(firingId('alert', e)).not.toBe(firingId('other', e));
    expect(firingId('alert', e, 'job:a')).not.toBe(firingId('alert', e, 'job:b'));
    const { id: _drop, ...noId } = e;
    expect(firingId('alert', noId)).toBe(firingId('alert', { ...noId }));
    expect(firingId('alert', noId)).not.toBe(firingId('alert', { ...noId, time: 'later' }));
  });
});

/** What EventBridge does with an input transformer: placeholders in JSON replaced by the values' JSON, inside strings by their text. */
function simulateInputTransformer(t: { inputPathsMap: Record<string, string>; inputTemplate: string }, event: unknown, ruleName: string): unknown {
  const read = (path: string) => path.slice(2).split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event);
  let out = '';
  let inString = false;
  const template = t.inputTemplate;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\' && inString) {
      out += c + template[++i];
      continue;
    }
    if (c === '"') inString = !inString;
    const m = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (!m) {
      out += c;
      continue;
    }
    const name = m[1];
    const value = name === 'aws.events.event' ? event : name === 'aws.events.rule-name' ? ruleName : read(t.inputPathsMap[name]);
    out += inString ? JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1) : JSON.stringify(value);
    i += m[0].length - 1;
  }
  return JSON.parse(out);
}

describe('compileToEventBridge', () => {
  it('a rule of workflows and functions becomes direct targets with input transformers that mean what the engine does', () => {
    const r = rule({
      name: 'direct',
      description: 'd',
      on: { source: ['aws.s3'], 'detail-type': ['Object Created'] },
      paths: { key: '$.detail.object.key', size: '$.detail.object.size' },
      input: { template: { source: { key: '<key>' }, bytes: '<size>', note: 'uploaded <key> (<size> bytes)' } },
      then: [
        { type: 'start-workflow', workflow: 'encode' },
        { type: 'invoke-function', function: 'inspect', input: { paths: { bucket: '$.detail.bucket.name' }, template: { bucket: '<bucket>', key: '<key>' } } },
        { type: 'invoke-function', function: 'thumbnails' },
      ],
    });
    const spec = compileToEventBridge({ ...r, enabled: false });
    expect(spec).toMatchObject({ name: 'direct', enabled: false, bus: 'default', viaRuleEngine: null, eventPattern: r.on });
    expect(spec.targets).toEqual([
      { kind: 'workflow-starter', ref: 'workflow:encode', inputTransformer: { inputPathsMap: { key: '$.detail.object.key', size: '$.detail.object.size' }, inputTemplate: '{"source":{"key":<key>},"bytes":<size>,"note":"uploaded <key> (<size> bytes)"}' } },
      { kind: 'lambda', ref: 'function:inspect', inputTransformer: { inputPathsMap: { bucket: '$.detail.bucket.name', key: '$.detail.object.key' }, inputTemplate: '{"bucket":<bucket>,"key":<key>}' } },
      { kind: 'lambda', ref: 'function:thumbnails', inputTransformer: { inputPathsMap: { key: '$.detail.object.key', size: '$.detail.object.size' }, inputTemplate: '{"source":{"key":<key>},"bytes":<size>,"note":"uploaded <key> (<size> bytes)"}' } },
    ]);
    // EventBridge, given the compiled transformer, delivers what the local engine computes.
    const event = s3ObjectCreated('inbox/my movie.mov', { size: 2048 });
    const [firing] = evaluate(compileRuleSet([r]), event);
    spec.targets.forEach((t, i) => {
      const local = firing.actions[i] as { input: unknown };
      expect(simulateInputTransformer(t.inputTransformer!, event, r.name)).toEqual(local.input);
    });
  });

  it('without a mapping the target gets the whole event', () => {
    const r = rule({ name: 'whole', description: 'd', on: { source: ['mosaic'] }, then: [{ type: 'invoke-function', function: 'inspect' }] });
    expect(compileToEventBridge(r).targets).toEqual([{ kind: 'lambda', ref: 'function:inspect' }]);
    expect(compileToEventBridge(r).bus).toBe('platform');
  });

  it.each([
    ['an "if" over facts', { if: { subject: 'job:1', facts: { a: ['b'] } }, then: [{ type: 'invoke-function', function: 'inspect' }] }, 'its "if" tests facts'],
    ['a put-event action', { then: [{ type: 'put-event', source: 'mosaic', detailType: 'X' }] }, 'its "put-event" action runs in the engine'],
    ['an assert-facts action', { then: [{ type: 'invoke-function', function: 'inspect' }, { type: 'assert-facts', subject: 's', facts: { a: 1 } }] }, 'its "assert-facts" action runs in the engine'],
  ])('a rule with %s targets the rule-engine Lambda with its name and the event unchanged', (_what, extra, reason) => {
    const r = rule({ name: 'via-engine', description: 'd', on: { source: ['mosaic'] }, ...extra } as RuleInput);
    const spec = compileToEventBridge(r);
    expect(spec.viaRuleEngine).toBe(reason);
    expect(spec.targets).toEqual([{ kind: 'lambda', ref: RULE_ENGINE_REF, inputTransformer: { inputPathsMap: {}, inputTemplate: '{"rule":"via-engine","event":<aws.events.event>}' } }]);
    const event = mosaicEvent('Anything', { a: 1 });
    expect(simulateInputTransformer(spec.targets[0].inputTransformer!, event, r.name)).toEqual({ rule: 'via-engine', event });
  });
});

describe('routeEvent', () => {
  const base = { description: 'd', then: [{ type: 'invoke-function' as const, function: 'inspect' }] };
  const set = compileRuleSet([
    rule({ ...base, name: 'uploads', on: { source: ['aws.s3'] } }),
    rule({ ...base, name: 'failures', on: { source: ['mosaic'], 'detail-type': ['Job Status Changed'] } }),
    rule({ ...base, name: 'alerts', on: { source: ['mosaic'] }, then: [{ type: 'put-event', source: 'mosaic', detailType: 'Job Alert' }] }),
    rule({ ...base, name: 'off', enabled: false, on: { source: ['mosaic'] } }),
  ]);

  it('reaches the enabled rules of the event bus whose pattern matches, each run directly or by the rule engine', () => {
    const routes = routeEvent(set, JOB_FAILED('Mosaic.Transient'), 'platform');
    expect(routes.map((r) => [r.compiled.rule.name, r.via])).toEqual([['failures', 'eventbridge'], ['alerts', 'rule-engine']]);
    expect(routeEvent(set, JOB_FAILED('Mosaic.Transient'), 'default')).toEqual([]);
    expect(routeEvent(set, s3ObjectCreated('inbox/a.mov'), 'default').map((r) => r.compiled.rule.name)).toEqual(['uploads']);
  });
});

describe('testRule', () => {
  it('names the failing conditions of "on", and shows what a disabled rule would do', () => {
    const [c] = compileRuleSet([rule({ name: 'off', description: 'd', enabled: false, on: { source: ['mosaic'], detail: { status: ['FAILED'] } }, then: [{ type: 'invoke-function', function: 'inspect' }] })]).compiled;
    const miss = testRule(c, mosaicEvent('Job Status Changed', { status: 'RUNNING' }));
    expect(miss.onMatched).toBe(false);
    expect(miss.mismatches).toEqual([{ field: 'detail.status', expected: ['FAILED'], actual: 'RUNNING' }]);
    expect(miss.firings).toEqual([]);
    const hit = testRule(c, JOB_FAILED('Mosaic.Transient'));
    expect(hit.onMatched).toBe(true);
    expect(hit.firings.map((f) => f.actions.map((a) => a.type))).toEqual([['invoke-function']]);
    expect(evaluateRule(c, JOB_FAILED('Mosaic.Transient'))).toEqual([]);
  });
});
