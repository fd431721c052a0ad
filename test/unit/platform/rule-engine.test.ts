/**
 * The rule-engine handler on real SQLite facts: one rule per invocation, facts loaded for its `if`,
 * each firing recorded once per rule, event and subject, forward chaining through the bus.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_RULE_SUBSTITUTIONS } from '../../../lambdas/contracts/index.js';
import { ruleEngineReason } from '../../../lambdas/core/rules/index.js';
import { reencodeJobId, planWorkflowStart } from '../../../lambdas/core/workflow-start.js';
import { createRuleEngineHandler, type RuleEngineDeps, type RuleEngineResult } from '../../../lambdas/platform/rule-engine/handler.js';
import type { BusEntry } from '../../../lambdas/ports.js';
import { loadRules } from '../../../local/rules-loader.js';
import { toEnvelope } from '../../../local/rule-runtime.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { tempDir } from '../../helpers/media.js';
import { mosaicEvent } from '../../helpers/rule-events.js';

const rules = loadRules({ substitutions: LOCAL_RULE_SUBSTITUTIONS });
let store: SqliteJobStore;
let put: BusEntry[];
let started: { workflow: string; input: unknown }[];
let deps: RuleEngineDeps;
let handler: (invocation: unknown) => Promise<RuleEngineResult>;

beforeEach(() => {
  store = new SqliteJobStore(join(tempDir('mosaic-rule-engine-'), 'm.db'));
  put = [];
  started = [];
  deps = {
    rules,
    facts: store,
    bus: { putEntry: async (e) => void put.push(e) },
    startWorkflow: async (workflow, input) => void started.push({ workflow, input }),
  };
  handler = createRuleEngineHandler(deps);
});
afterEach(() => store.close());

const succeeded = (jobId: string, preset: string, presetVersion: number) =>
  mosaicEvent('Job Status Changed', { jobId, status: 'SUCCEEDED', preset, presetVersion, sourceKey: `inbox/${jobId}.mp4` });
const versionChanged = (preset: string, version: number, id?: string) => mosaicEvent('Preset Version Changed', { preset, version, previousVersion: version - 1 }, id);

/**
 * The platform bus in miniature: an event goes to every matching rule the engine runs (as the
 * EventBridge rules targeting the engine would), and what the engine puts goes around again.
 */
async function chain(first: unknown): Promise<RuleEngineResult[]> {
  const results: RuleEngineResult[] = [];
  const queue: unknown[] = [first];
  for (let e = queue.shift(); e; e = queue.shift()) {
    const before = put.length;
    for (const c of rules.compiled) if (ruleEngineReason(c.rule) && c.on(e)) results.push(await handler({ rule: c.rule.name, event: e }));
    queue.push(...put.slice(before).map((entry) => toEnvelope(entry)));
  }
  return results;
}

describe('rule engine', () => {
  it('records facts, announces them, and a duplicate delivery of the event fires nothing', async () => {
    const event = succeeded('job-a', 'draft', 1);
    const first = await handler({ rule: 'record-job-preset-version', event });
    expect(first).toMatchObject({ status: 'evaluated', firings: [{ duplicate: false, actions: [{ type: 'assert-facts', target: 'job:job-a' }] }] });
    expect(await store.getFacts('job:job-a')).toEqual({ jobId: 'job-a', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/job-a.mp4' });
    expect(put).toEqual([{ source: 'mosaic', detailType: 'Facts Asserted', detail: { subject: 'job:job-a', rule: 'record-job-preset-version', facts: { jobId: 'job-a', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/job-a.mp4' } } }]);

    const again = await handler({ rule: 'record-job-preset-version', event });
    expect(again).toMatchObject({ status: 'evaluated', firings: [{ duplicate: true, actions: [] }] });
    expect(put).toHaveLength(1);
    // Another event (another id) with the same content is another firing.
    await handler({ rule: 'record-job-preset-version', event: { ...event, id: 'other' } });
    expect(put).toHaveLength(2);
  });

  it('fires a wildcard rule once per matching subject: only jobs of the bumped preset with an older version', async () => {
    for (const [id, preset, v] of [['a', 'draft', 1], ['b', 'default', 1], ['c', 'draft', 2]] as const) await chain(succeeded(id, preset, v));
    started = [];
    const event = versionChanged('draft', 2);
    const res = await handler({ rule: 'reencode-on-preset-version', event });
    expect(res.status === 'evaluated' && res.firings.map((f) => f.subject)).toEqual(['job:a']);
    expect(started).toEqual([
      { workflow: 'encode', input: { trigger: 'preset-version', source: { key: 'inbox/a.mp4' }, preset: 'draft', reencodeOf: 'a', previousPresetVersion: 1, presetVersion: 2 } },
    ]);
    // The starter turns it into one job per (job, version): a second firing names the same job.
    const plan = planWorkflowStart(started[0].input, { presetVersion: () => 2 });
    expect(plan).toMatchObject({ action: 'start', jobId: reencodeJobId('a', 'draft', 2), spec: { preset: 'draft', source: { key: 'inbox/a.mp4' }, tags: { reencodeOf: 'a' } } });
    // A catalogue still at version 1 refuses: no encode can honour version 2 there.
    expect(planWorkflowStart(started[0].input, { presetVersion: () => 1 })).toMatchObject({ action: 'ignore', reason: expect.stringMatching(/version 1 here, not 2/) });
    expect((await handler({ rule: 'reencode-on-preset-version', event })).status === 'evaluated' && started).toHaveLength(1);
  });

  it('forward-chains: a job finishing after the bump is re-encoded through its asserted facts', async () => {
    await chain(versionChanged('draft', 2));
    expect(await store.getFacts('preset:draft')).toEqual({ version: 2 });
    const results = await chain(succeeded('late', 'draft', 1));
    // Job Status Changed → record-job-preset-version → Facts Asserted → reencode-outdated-job (if preset:draft is newer).
    expect(results.map((r) => (r.status === 'evaluated' ? `${r.rule}:${r.firings.length}` : r.reason))).toEqual(['record-job-preset-version:1', 'reencode-outdated-job:1']);
    expect(started).toEqual([
      { workflow: 'encode', input: { trigger: 'preset-version', source: { key: 'inbox/late.mp4' }, preset: 'draft', reencodeOf: 'late', previousPresetVersion: 1, presetVersion: 2 } },
    ]);
    // A job encoded with the current version chains to nothing.
    started = [];
    const current = await chain(succeeded('fresh', 'draft', 2));
    expect(current.map((r) => r.status === 'evaluated' && r.firings.length)).toEqual([1, 0]);
    expect(started).toEqual([]);
  });

  it('puts an alert event for a job whose escalations ran out', async () => {
    const event = mosaicEvent('Job Status Changed', { jobId: 'j9', status: 'FAILED', error: { code: 'Mosaic.ResourceExhausted', message: 'out of memory at 10240 MiB' } });
    await handler({ rule: 'alert-escalation-exhausted', event });
    expect(put).toEqual([{ source: 'mosaic', detailType: 'Job Alert', detail: { jobId: 'j9', alert: 'escalation-exhausted', message: 'job j9 failed with Mosaic.ResourceExhausted after the allocator\'s escalations: out of memory at 10240 MiB' } }]);
  });

  it('releases a firing whose action failed, so a redelivery fires it again', async () => {
    await store.assertFacts('job:x', { jobId: 'x', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/x.mp4' });
    const event = versionChanged('draft', 2);
    let fail = true;
    const flaky = createRuleEngineHandler({ ...deps, startWorkflow: async (workflow, input) => {
      if (fail) throw new Error('Step Functions throttled');
      started.push({ workflow, input });
    } });
    await expect(flaky({ rule: 'reencode-on-preset-version', event })).rejects.toThrow(/throttled/);
    fail = false;
    const retried = await flaky({ rule: 'reencode-on-preset-version', event });
    expect(retried).toMatchObject({ status: 'evaluated', firings: [{ subject: 'job:x', duplicate: false }] });
    expect(started).toHaveLength(1);
  });

  it('rejects bad invocations with a reason instead of throwing', async () => {
    expect(await handler({ nope: true })).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/not a rule-engine invocation/) });
    expect(await handler({ rule: 'no-such-rule', event: versionChanged('draft', 2) })).toMatchObject({ status: 'rejected', reason: 'no rule named "no-such-rule" in this deployment' });
    expect(await store.findFacts('job:*')).toEqual({});
    await expect(store.findFacts('*')).rejects.toThrow(/literal kind/);
  });
});
