/**
 * The routes the web UI reads about workflows, functions and rules: each answers 200 with a body
 * its schema accepts, and 404/400 with a reason (never a 5xx for bad input). Through the app with
 * the fixture's stores (SQLite facts, firings and steps; the repository's rules), then the local
 * engine's and the AWS job control's own answers.
 */
import { readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneOffJobId } from '../../../../lambdas/core/job-ids.js';
import { FUNCTION_RUNS_UNAVAILABLE, StepFunctionsJobControl } from '../../../../lambdas/adapters/aws/step-functions-job-control.js';
import { BUNDLED_RULES, bundledRules, encodeDefinition } from '../../../../lambdas/bootstrap/api.js';
import {
  FactsViewSchema,
  FiringPageSchema,
  FunctionDetailSchema,
  LOCAL_RULE_SUBSTITUTIONS,
  RuleTestResultSchema,
  RuleViewSchema,
  WorkflowDefinitionSchema,
  type StepRecord,
} from '../../../../lambdas/contracts/index.js';
import { runDurations } from '../../../../lambdas/platform/api/routes/workflow-definitions.js';
import type { JobStore } from '../../../../lambdas/ports.js';
import type { LocalEngine } from '../../../../local/engine.js';
import { loadWorkflowCatalog } from '../../../../local/workflow-catalog.js';
import { defaultPlatforms } from '../../../../local/function-registry.js';
import { LocalJobControl } from '../../../../local/job-control.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';
import { apiFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await apiFixture({ metrics: false });
});
afterAll(() => f.close());

const expect400 = (res: { status: number; body: any }, path: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('validation_failed');
  expect(res.body.error.message).toContain(path);
  expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
};
const expect404 = (res: { status: number; body: any }, says: RegExp) => {
  expect(res.status, JSON.stringify(res.body)).toBe(404);
  expect(res.body.error.code).toBe('not_found');
  expect(res.body.error.message).toMatch(says);
};

const step = (jobId: string, n: number, over: Partial<StepRecord> = {}): StepRecord => ({
  jobId,
  stepId: 'inspect:source',
  function: 'inspect',
  attempt: 1,
  status: 'SUCCEEDED',
  startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  endedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n + 1)).toISOString(),
  durationMs: n * 10,
  error: null,
  costUsd: 0.0001,
  fraction: 1,
  invocationId: null,
  summary: null,
  revision: 0,
  platform: 'lambda',
  size: '1769MB',
  ...over,
});

/** An S3 `Object Created` event as the local inbox watcher makes it. */
const upload = (key: string) => ({
  version: '0',
  id: `evt-${key}`,
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { bucket: { name: LOCAL_RULE_SUBSTITUTIONS.SourceBucket }, object: { key, size: 10, etag: 'abc' } },
});

/** A job's end recorded as facts: what reencode-outdated-job follows. */
const jobFacts = (preset: string, presetVersion: number) => ({
  id: 'evt-facts-1',
  'detail-type': 'Facts Asserted',
  source: 'mosaic',
  detail: { subject: 'job:j-1', rule: 'record-job-preset-version', facts: { preset, presetVersion, jobId: 'j-1', sourceKey: 'inbox/a.mp4' } },
});

describe('GET /v1/workflows/{name}', () => {
  it('answers the workflow with its definition', async () => {
    const res = await f.req('GET', '/v1/workflows/encode');
    expect(res.status).toBe(200);
    const body = WorkflowDefinitionSchema.parse(res.body);
    expect(body).toMatchObject({ name: 'encode', functions: ['inspect'] });
    expect(body.definition).toHaveProperty('StartAt');
  });

  it('404 for an unknown workflow, 400 for a name that is not kebab-case', async () => {
    expect404(await f.req('GET', '/v1/workflows/transcode'), /no workflow "transcode"; known: encode/);
    expect400(await f.req('GET', '/v1/workflows/Encode_2'), 'path.name');
    expect400(await f.req('GET', `/v1/workflows/${'a'.repeat(65)}`), 'path.name');
  });
});

describe('GET /v1/functions/{name}', () => {
  beforeAll(async () => {
    // 55 attempts of inspect across jobs (the newest 50 are listed), one cached, one failed; another function's.
    for (let n = 1; n <= 55; n++) await f.jobs.putStep(step(`job-fn-${String(n).padStart(2, '0')}`, n), null);
    await f.jobs.putStep(step('job-fn-cached', 56, { status: 'CACHED', durationMs: 0, costUsd: 0 }), null);
    await f.jobs.putStep(step('job-fn-failed', 57, { status: 'FAILED', durationMs: 99_999, error: 'ffprobe failed', platform: null, size: null }), null);
    await f.jobs.putStep(step('job-fn-plan', 58, { function: 'plan', stepId: 'plan' }), null);
  });

  it('answers function.json, the last 50 runs newest first and p50/p99 of the succeeded ones', async () => {
    const res = await f.req('GET', '/v1/functions/inspect');
    expect(res.status).toBe(200);
    const body = FunctionDetailSchema.parse(res.body);
    expect(body.config).toMatchObject({ name: 'inspect', version: expect.any(Number), memoryMiB: expect.any(Number), timeoutSec: expect.any(Number) });
    expect(body.recentRuns).toHaveLength(50);
    expect(body.recentRuns.map((r) => r.jobId).slice(0, 3)).toEqual(['job-fn-failed', 'job-fn-cached', 'job-fn-55']);
    expect(body.recentRuns.every((r) => r.jobId !== 'job-fn-plan')).toBe(true);
    expect(body.recentRuns[2]).toEqual({
      jobId: 'job-fn-55',
      stepId: 'inspect:source',
      attempt: 1,
      status: 'SUCCEEDED',
      startedAt: '2025-01-01T00:00:55.000Z',
      endedAt: '2025-01-01T00:00:56.000Z',
      durationMs: 550,
      costUsd: 0.0001,
      platform: 'lambda',
      size: '1769MB',
    });
    expect(body.recentRuns[0]).toMatchObject({ status: 'FAILED', platform: null, size: null });
    // The succeeded runs listed: n = 8..55 (48 runs, 80..550 ms); nearest rank p50 = 24th, p99 = 48th.
    expect(body.durationMs).toEqual({ count: 48, p50: 310, p99: 550 });
    expect(body.recentRunsUnavailableReason).toBeNull();
  });

  it('404 for an unknown function, 400 for a bad name; a function that never ran has no runs', async () => {
    expect404(await f.req('GET', '/v1/functions/transcode'), /no media function "transcode"/);
    expect400(await f.req('GET', '/v1/functions/In%20spect'), 'path.name');
    const publish = await f.req('GET', '/v1/functions/publish');
    expect(publish.status).toBe(200);
    expect(publish.body).toMatchObject({ recentRuns: [], durationMs: { count: 0, p50: null, p99: null } });
  });

  it('percentiles by nearest rank, over succeeded runs only', () => {
    const run = (durationMs: number | null, status: 'SUCCEEDED' | 'CACHED' | 'RUNNING' = 'SUCCEEDED') =>
      ({ jobId: 'j', stepId: 's', attempt: 1, status, startedAt: '', endedAt: null, durationMs, costUsd: null, platform: null, size: null }) as const;
    expect(runDurations([])).toEqual({ count: 0, p50: null, p99: null });
    expect(runDurations([run(5)])).toEqual({ count: 1, p50: 5, p99: 5 });
    expect(runDurations([run(40), run(10), run(30), run(20), run(0, 'CACHED'), run(null, 'RUNNING')])).toEqual({ count: 4, p50: 20, p99: 40 });
  });
});

describe('GET /v1/rules', () => {
  it('lists every rule file with its trigger, conditions, actions and who runs it', async () => {
    const res = await f.req('GET', '/v1/rules');
    expect(res.status).toBe(200);
    const rules = res.body.rules.map((r: unknown) => RuleViewSchema.parse(r));
    const files = readdirSync('rules').filter((n) => n.endsWith('.json')).map((n) => n.replace(/\.json$/, '')).sort();
    expect(rules.map((r: { name: string }) => r.name).sort()).toEqual(files);
    const ingest = rules.find((r: { name: string }) => r.name === 'ingest-video');
    expect(ingest).toMatchObject({ bus: 'default', via: 'eventbridge', viaReason: null, if: null, enabled: true, file: expect.stringMatching(/ingest-video\.json$/) });
    // Substitutions filled in, as the engine runs it.
    expect(ingest.on.detail.bucket.name).toEqual([LOCAL_RULE_SUBSTITUTIONS.SourceBucket]);
    expect(ingest.then[0]).toMatchObject({ type: 'start-workflow', workflow: 'encode' });
    const reencode = rules.find((r: { name: string }) => r.name === 'reencode-outdated-job');
    expect(reencode).toMatchObject({ bus: 'platform', via: 'rule-engine', viaReason: expect.stringContaining('if'), if: { subject: 'preset:<preset>' } });
    expect(reencode.paths).toHaveProperty('oldVersion', '$.detail.facts.presetVersion');
  });
});

describe('GET /v1/rules/{name}/firings', () => {
  it('lists recorded firings newest first, up to `limit`', async () => {
    for (let i = 1; i <= 3; i++) {
      await f.jobs.claimFiring({ id: `firing-${i}`, rule: 'reencode-outdated-job', subject: `preset:p${i}`, eventId: `evt-${i}` });
      await new Promise((r) => setTimeout(r, 3));
    }
    const res = await f.req('GET', '/v1/rules/reencode-outdated-job/firings');
    expect(res.status).toBe(200);
    const body = FiringPageSchema.parse(res.body);
    expect(body.firings.map((x) => x.id)).toEqual(['firing-3', 'firing-2', 'firing-1']);
    expect(body.firings[0]).toEqual({ id: 'firing-3', rule: 'reencode-outdated-job', subject: 'preset:p3', eventId: 'evt-3', createdAt: expect.any(String) });
    expect(body.note).toBeNull();
    expect((await f.req('GET', '/v1/rules/reencode-outdated-job/firings?limit=1')).body.firings.map((x: { id: string }) => x.id)).toEqual(['firing-3']);
  });

  it('gives a rule EventBridge runs alone the jobs it started as its firings (tagged rule=<name>), saying so', async () => {
    const none = await f.req('GET', '/v1/rules/ingest-video/firings');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ rule: 'ingest-video', firings: [], note: expect.stringMatching(/EventBridge alone.*tagged rule=ingest-video; none yet/) });
    const spec = { source: { key: 'inbox/x.mp4' }, preset: 'default', outputs: { hls: true, dash: true, thumbnails: true, quality: true }, priority: 50, tags: { trigger: 's3-upload', rule: 'ingest-video' } };
    await f.jobs.createJob({ id: 'up-started-by-rule', spec, sourceHash: null, outputPrefix: 'up-started-by-rule/' });
    await f.jobs.createJob({ id: 'up-by-hand', spec: { ...spec, tags: {} }, sourceHash: null, outputPrefix: 'up-by-hand/' });
    const some = (await f.req('GET', '/v1/rules/ingest-video/firings')).body;
    expect(some.firings).toEqual([{ id: 'up-started-by-rule', rule: 'ingest-video', subject: 'up-started-by-rule', eventId: null, createdAt: expect.any(String) }]);
    expect(some.note).toMatch(/these are the jobs it started/);
  });

  it('404 for an unknown rule, 400 for a bad name or limit', async () => {
    expect404(await f.req('GET', '/v1/rules/no-such-rule/firings'), /no rule "no-such-rule"; known: .*ingest-video/);
    expect400(await f.req('GET', '/v1/rules/Ingest/firings'), 'path.name');
    expect400(await f.req('GET', '/v1/rules/ingest-video/firings?limit=0'), 'query.limit');
    expect400(await f.req('GET', '/v1/rules/ingest-video/firings?limit=201'), 'query.limit');
    expect400(await f.req('GET', '/v1/rules/ingest-video/firings?limit=ten'), 'query.limit');
  });
});

describe('GET /v1/facts', () => {
  beforeAll(async () => {
    await f.jobs.assertFacts('preset:facts-a', { version: 2 });
    await f.jobs.assertFacts('preset:facts-b', { version: 3, note: 'x' });
    await f.jobs.assertFacts('job:facts-1', { preset: 'facts-a' });
  });

  it("answers a subject's facts, none for an unknown one, and every match of a wildcard", async () => {
    const one = await f.req('GET', '/v1/facts?subject=preset:facts-b');
    expect(one.status).toBe(200);
    expect(FactsViewSchema.parse(one.body)).toEqual({ subject: 'preset:facts-b', subjects: [{ subject: 'preset:facts-b', facts: { version: 3, note: 'x' } }], truncated: false });
    expect((await f.req('GET', '/v1/facts?subject=preset:nobody')).body).toEqual({ subject: 'preset:nobody', subjects: [], truncated: false });
    const many = await f.req('GET', `/v1/facts?subject=${encodeURIComponent('preset:facts-*')}`);
    expect(many.body.subjects.map((s: { subject: string }) => s.subject)).toEqual(['preset:facts-a', 'preset:facts-b']);
  });

  it('400 naming query.subject when it is missing, empty or a wildcard without a kind', async () => {
    expect400(await f.req('GET', '/v1/facts'), 'query.subject');
    expect400(await f.req('GET', '/v1/facts?subject='), 'query.subject');
    expect400(await f.req('GET', `/v1/facts?subject=${encodeURIComponent('*:x')}`), 'query.subject');
    expect400(await f.req('GET', `/v1/facts?subject=${'a'.repeat(513)}`), 'query.subject');
  });
});

describe('POST /v1/rules/{name}/test (dry run)', () => {
  it('a matching event: the actions it would take, and nothing is run or recorded', async () => {
    const before = await f.jobs.listFirings('ingest-video', 10);
    const res = await f.req('POST', '/v1/rules/ingest-video/test', { event: upload('inbox/draft/clip.mp4') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = RuleTestResultSchema.parse(res.body);
    expect(body).toMatchObject({ rule: 'ingest-video', enabled: true, matched: true, mismatches: [], conditions: null, wouldFire: true, problems: [] });
    expect(body.firings).toHaveLength(1);
    expect(body.firings[0]!.actions).toEqual([
      { type: 'start-workflow', target: 'encode', payload: expect.objectContaining({ trigger: 's3-upload', upload: expect.objectContaining({ key: 'inbox/draft/clip.mp4' }) }) },
    ]);
    expect(f.control.submitted).toEqual([]);
    expect(await f.jobs.listFirings('ingest-video', 10)).toEqual(before);
  });

  it('an event that does not match: which conditions of the trigger fail', async () => {
    const res = await f.req('POST', '/v1/rules/ingest-video/test', { event: upload('inbox/draft/notes.txt') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: false, wouldFire: false, firings: [], conditions: null });
    expect(res.body.mismatches.map((m: { field: string }) => m.field)).toContain('detail.object.key');
  });

  it('conditions on facts: held against the stored facts, or against facts given in the request', async () => {
    await f.jobs.assertFacts('preset:dry-run', { version: 2 });
    const firingsBefore = await f.jobs.listFirings('reencode-outdated-job', 50);
    const held = await f.req('POST', '/v1/rules/reencode-outdated-job/test', { event: jobFacts('dry-run', 1) });
    expect(held.status, JSON.stringify(held.body)).toBe(200);
    expect(RuleTestResultSchema.parse(held.body)).toMatchObject({
      matched: true,
      wouldFire: true,
      conditions: { subject: 'preset:dry-run', factsFrom: 'store', facts: { 'preset:dry-run': { version: 2 } }, held: true },
    });
    expect(held.body.firings[0]).toMatchObject({
      subject: 'preset:dry-run',
      actions: [{ type: 'start-workflow', target: 'encode', payload: { trigger: 'preset-version', preset: 'dry-run', reencodeOf: 'j-1', previousPresetVersion: 1, presetVersion: 2 } }],
    });
    // The same version: nothing to re-encode.
    const same = await f.req('POST', '/v1/rules/reencode-outdated-job/test', { event: jobFacts('dry-run', 2) });
    expect(same.body).toMatchObject({ matched: true, wouldFire: false, firings: [], conditions: { held: false } });
    // Facts from the request replace the stored ones.
    const given = await f.req('POST', '/v1/rules/reencode-outdated-job/test', { event: jobFacts('dry-run', 1), facts: { 'preset:dry-run': { version: 1 } } });
    expect(given.body).toMatchObject({ wouldFire: false, conditions: { factsFrom: 'request', facts: { 'preset:dry-run': { version: 1 } }, held: false } });
    const none = await f.req('POST', '/v1/rules/reencode-outdated-job/test', { event: jobFacts('never-recorded', 1) });
    expect(none.body).toMatchObject({ matched: true, wouldFire: false, conditions: { subject: 'preset:never-recorded', facts: {}, held: false } });
    expect(await f.jobs.listFirings('reencode-outdated-job', 50)).toEqual(firingsBefore);
  });

  it('404 for an unknown rule; 400 naming the field for a bad body or name', async () => {
    expect404(await f.req('POST', '/v1/rules/no-such-rule/test', { event: upload('inbox/a.mp4') }), /no rule "no-such-rule"/);
    expect400(await f.req('POST', '/v1/rules/ingest-video/test', {}), 'body.event');
    expect400(await f.req('POST', '/v1/rules/ingest-video/test', { event: { 'detail-type': 'Object Created' } }), 'body.event.source');
    expect400(await f.req('POST', '/v1/rules/ingest-video/test', { event: { ...upload('inbox/a.mp4'), detail: 'text' } }), 'body.event.detail');
    expect400(await f.req('POST', '/v1/rules/ingest-video/test', { event: upload('inbox/a.mp4'), extra: 1 }), 'body');
    expect400(await f.req('POST', '/v1/rules/ingest-video/test', { event: upload('inbox/a.mp4'), facts: { 'preset:x': 3 } }), 'body.facts.preset:x');
    expect400(await f.req('POST', '/v1/rules/Ingest_Video/test', { event: upload('inbox/a.mp4') }), 'path.name');
    const notJson = await f.req('POST', '/v1/rules/ingest-video/test', '{"event":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
  });
});

describe('the local engine\'s job control', () => {
  let dir: string;
  let jobs: SqliteJobStore;
  let control: LocalJobControl;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mosaic-ui-routes-'));
    jobs = new SqliteJobStore(join(dir, 'mosaic.db'));
    // What the control reads of the engine: its loaded workflow and its store.
    const engine = { jobs, workflows: loadWorkflowCatalog(defaultPlatforms()) } as unknown as LocalEngine;
    control = new LocalJobControl(engine);
  });
  afterAll(() => jobs.close());

  it('answers every workflow of state-machines/ as loaded (placeholders substituted) and 404 for others', async () => {
    const wf = await control.workflowDefinition('encode');
    expect(wf.functions).toContain('encode-video');
    expect(JSON.stringify(wf.definition)).not.toMatch(/\$\{[A-Za-z0-9]+\}/);
    expect(JSON.stringify(wf.definition)).toContain('arn:aws:lambda:us-east-1:000000000000:function:mosaic-inspect');
    const measure = await control.workflowDefinition('measure');
    expect(measure.functions).toEqual(['measure-quality', 'publish-derived']);
    expect(JSON.stringify(measure.definition)).toContain('arn:aws:lambda:us-east-1:000000000000:function:mosaic-publish-derived');
    await expect(control.workflowDefinition('transcode')).rejects.toMatchObject({ name: 'Mosaic.NotFound', message: expect.stringContaining('known: encode, measure, repackage') });
  });

  it('answers function.json and the runs from SQLite; the rules of rules/; facts and firings of the store', async () => {
    expect(await control.functionConfig('package')).toMatchObject({ name: 'package' });
    await expect(control.functionConfig('nope')).rejects.toMatchObject({ name: 'Mosaic.NotFound' });
    await jobs.putStep(step('job-local', 1), null);
    expect(await control.functionRuns('inspect', 50)).toEqual({ runs: [expect.objectContaining({ jobId: 'job-local', durationMs: 10 })], unavailableReason: null });
    expect((await control.rules()).map((r) => r.rule.name)).toContain('ingest-video');
    await jobs.assertFacts('job:local-1', { a: 1 });
    expect(await control.facts('job:local-1')).toEqual({ 'job:local-1': { a: 1 } });
    expect(await control.facts('job:*')).toEqual({ 'job:local-1': { a: 1 } });
    expect(await control.facts('job:none')).toEqual({});
    await jobs.claimFiring({ id: 'lf-1', rule: 'r', subject: null, eventId: null });
    expect(await control.ruleFirings('r', 5)).toEqual([{ id: 'lf-1', rule: 'r', subject: null, eventId: null, createdAt: expect.any(String) }]);
  });
});

describe("the AWS job control and the API Lambda's bundled files", () => {
  it('bundles every rule file, loaded with the deployment\'s source bucket', () => {
    const files = readdirSync('rules').filter((n) => n.endsWith('.json')).map((n) => n.replace(/\.json$/, '')).sort();
    expect(Object.keys(BUNDLED_RULES).sort()).toEqual(files);
    const rules = bundledRules('my-sources');
    expect(rules.map((r) => r.file)).toEqual(files.map((n) => `rules/${n}.json`));
    const ingest = rules.find((r) => r.rule.name === 'ingest-video')!;
    expect((ingest.rule.on as { detail: { bucket: { name: string[] } } }).detail.bucket.name).toEqual(['my-sources']);
  });

  it("fills the encode ASL's function ARNs and default platforms it knows, and leaves the stack's other placeholders", () => {
    const def = JSON.stringify(encodeDefinition({ inspect: 'arn:aws:lambda:eu-west-1:1:function:insp' }, [{ name: 'plan', defaultPlatform: 'lambda' } as never]));
    expect(def).toContain('"Resource":"arn:aws:lambda:eu-west-1:1:function:insp"');
    expect(def).not.toContain('${InspectFunctionArn}');
    expect(def).not.toContain('${PlanDefaultPlatform}');
    expect(def).toContain('${ClusterArn}');
  });

  it('answers config, workflow, rules, facts and firings from what it was given; recent runs unavailable with the reason', async () => {
    const facts = new SqliteJobStore(join(mkdtempSync(join(tmpdir(), 'mosaic-ui-aws-')), 'facts.db'));
    await facts.assertFacts('preset:default', { version: 4 });
    await facts.claimFiring({ id: 'af-1', rule: 'record-preset-version', subject: 'preset:default', eventId: 'e' });
    const control = new StepFunctionsJobControl({
      jobs: {} as JobStore,
      lifecycle: async () => null,
      events: { put: async () => undefined, subscribe: () => () => undefined },
      blobs: {} as never,
      sfn: {} as never,
      stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:m',
      functions: {} as never,
      workflowInput: () => ({}),
      planContext: { parallelism: 1, threadsPerTask: 1, vmafAvailable: false, platforms: {}, limits: { maxBytes: 1, maxDurationSec: 1 } },
      catalog: [],
      workflows: [{ name: 'encode', description: 'd', functions: ['inspect'] }],
      configs: [{ name: 'inspect', description: 'probes', version: 1, memoryMiB: 1024, timeoutSec: 60, ephemeralStorageMiB: 512, architecture: 'arm64', platforms: ['lambda'], defaultPlatform: 'lambda', cacheable: true, allocated: false }],
      definitions: { encode: { StartAt: 'A', States: {} } },
      rules: bundledRules('src'),
      facts,
      newInvocationId: () => oneOffJobId('preflight'),
    });
    expect(await control.workflowDefinition('encode')).toEqual({ name: 'encode', description: 'd', functions: ['inspect'], definition: { StartAt: 'A', States: {} } });
    await expect(control.workflowDefinition('other')).rejects.toMatchObject({ name: 'Mosaic.NotFound' });
    expect(await control.functionConfig('inspect')).toMatchObject({ name: 'inspect' });
    await expect(control.functionConfig('plan')).rejects.toMatchObject({ name: 'Mosaic.NotFound', message: expect.stringContaining('known: inspect') });
    expect(await control.functionRuns('inspect', 50)).toEqual({ runs: [], unavailableReason: FUNCTION_RUNS_UNAVAILABLE });
    expect(FUNCTION_RUNS_UNAVAILABLE).toMatch(/no index by function/);
    expect((await control.rules()).length).toBe(Object.keys(BUNDLED_RULES).length);
    expect(await control.facts('preset:*')).toEqual({ 'preset:default': { version: 4 } });
    expect(await control.ruleFirings('record-preset-version', 10)).toMatchObject([{ id: 'af-1', subject: 'preset:default' }]);
    facts.close();
  });
});
