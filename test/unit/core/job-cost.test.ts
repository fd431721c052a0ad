import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostLineSchema, JobCostSchema, JobRecordSchema, type CostLine } from '../../../lambdas/contracts/index.js';
import { PRICES } from '../../../lambdas/core/allocator/prices.js';
import {
  ESCALATING_ERRORS,
  ESCALATION_STATE,
  PROGRESS_INTERVAL_MS,
  RETRIED_IN_PLACE_ERRORS,
  PER_TITLE_FUNCTIONS,
  WORKFLOW_OVERHEAD_STATES,
  WORKFLOW_STATES,
  jobCostBreakdown,
  runUsage,
  type CostedStep,
} from '../../../lambdas/core/job-cost.js';

const root = new URL('../../../', import.meta.url);

describe('jobCostBreakdown: a job worked out by hand (us-east-1)', () => {
  // One run: Inspect; chunk r0-c0 fails out of disk on Lambda and is escalated to Fargate; chunk
  // r0-c1 is a cache hit; the audio track fails transiently and is retried in place; the rung is
  // assembled (its platform not recorded); Publish.
  const steps: CostedStep[] = [
    { function: 'inspect', stepId: 'inspect', attempt: 1, status: 'SUCCEEDED', durationMs: 1500, costUsd: 0.00004, platform: 'lambda' },
    { function: 'encode-video', stepId: 'encode-video:r0-c0', attempt: 1, status: 'FAILED', durationMs: 3000, costUsd: 0.0002, platform: 'lambda', error: 'Mosaic.ResourceExhausted: no space left on device' },
    { function: 'encode-video', stepId: 'encode-video:r0-c0', attempt: 2, status: 'SUCCEEDED', durationMs: 65_000, costUsd: 0.0008, platform: 'fargate' },
    { function: 'encode-video', stepId: 'encode-video:r0-c1', attempt: 1, status: 'CACHED', durationMs: 0, costUsd: 0 },
    { function: 'encode-audio', stepId: 'encode-audio:a0', attempt: 1, status: 'FAILED', durationMs: 1200, costUsd: 0.00002, platform: 'lambda', error: 'Mosaic.Transient: throttled' },
    { function: 'encode-audio', stepId: 'encode-audio:a0', attempt: 2, status: 'SUCCEEDED', durationMs: 2400, costUsd: 0.00004, platform: 'lambda' },
    { function: 'assemble', stepId: 'assemble:r0', attempt: 1, status: 'SUCCEEDED', durationMs: 800, costUsd: 0.00003 },
    { function: 'publish', stepId: 'publish', attempt: 1, status: 'SUCCEEDED', durationMs: 300, costUsd: 0.000003, platform: 'lambda' },
  ];
  const p = PRICES['us-east-1']!;
  const s = p.services;

  // Job item writes: 2 KB × (item + 3 ALL-projected GSIs) = 8 WRU; a status change also moves it in byStatus: 10;
  // a history entry = the counter update on the job item (8) + the entry (1) = 9.
  const JOB_WRITE = 8;
  const STATUS_WRITE = 10;
  const HISTORY = 9;

  // Usage, counted by hand.
  const allocations = 3; // c0 twice (first, then one size up), c1 once
  const progress = (3 + 1) + (65 + 1) + (1 + 1) + (2 + 1); // encode-video 3 s and 65 s, encode-audio 1.2 s and 2.4 s; none for the cache hit
  const stepStatusEvents = 8 * 2; // every attempt ended: RUNNING + its end
  const transitions =
    1 + // Inspect
    (2 + 1) + // c0: AllocateVideoChunk, EncodeVideoChunk, EncodeVideoChunkOnLambda
    (1 + 2 + 1) + // c0 again: EscalateVideoChunk, AllocateVideoChunk, EncodeVideoChunk, EncodeVideoChunkOnFargate
    (2 + 1) + // c1
    (1 + 1) + // audio: EncodeAudioTrack, EncodeAudioTrackOnLambda
    1 + // audio retried in place: the Task again
    (1 + 1) + // AssembleRung, AssembleRungOnLambda
    1 + // Publish
    9; // PlatformDefaults, IsPerTitle, NoAnalysis, Encode, EncodeVideo, EncodeAudio, Assemble, MeasureQuality, HasThumbnails
  const lambdaRequests =
    allocations * 2 + // the allocator, and the lifecycle for its Task Allocated
    1 + // the cache hit's own invocation (not priced in its compute)
    stepStatusEvents + progress + // the lifecycle, per step event
    2 + 2; // the lifecycle per execution status change; the webhook Lambda per Job Status Changed
  const customEvents = allocations + stepStatusEvents + progress + 8 /* Function Result */ + 2 /* Job Status Changed */;
  const wru =
    allocations * HISTORY +
    stepStatusEvents * (1 + HISTORY) + // the attempt and a history entry
    progress * 1 + // the attempt
    8 * JOB_WRITE + // each end refreshes the job's progress
    4 + // putCache: inspect, c0's success, audio's success, assemble (publish is not cacheable)
    JOB_WRITE + // the API created the job
    4 + // the speed table rewritten (4 KB)
    2 * (STATUS_WRITE + HISTORY); // RUNNING and SUCCEEDED of the run
  const rru =
    allocations * (1 + 1) + // speed table; getJob for the history entry
    stepStatusEvents * 1 + progress * 1 + // listStepAttempts
    8 * (1 + 1) + // each end: getJob, listSteps (8 attempts × 0.5 KB ≤ 4 KB)
    7 + // getCache: every cacheable attempt
    1 + // the speed table read at the end
    2 + 1 + // the run's getJob per execution event, listSteps at its end
    2; // the webhook Lambda's getJob
  // Inputs: inspect 1, encode-* 1, assemble its 2 chunks, publish 0; a cacheable attempt HEADs each, a run GETs each,
  // a cache hit HEADs its 1 output instead.
  const gets = 2 /* inspect */ + 2 + 2 /* c0 */ + (1 + 1) /* c1 */ + 2 + 2 /* audio */ + 4 /* assemble */;
  const puts = 1 + 1 + 1 + 1 /* c0, audio, assemble, report.json */ + 1 /* LIST of the work prefix at the end */;
  const logGb = ((8 + allocations + 2) * 1024) / 1024 ** 3;

  const expected: CostLine[] = [
    { service: 'lambda', item: 'compute', quantity: 1.5 + 3 + 1.2 + 2.4 + 0.3, unit: 'seconds', usd: 0.00004 + 0.0002 + 0.00002 + 0.00004 + 0.000003 },
    { service: 'lambda', item: 'compute (platform not recorded)', quantity: 0.8, unit: 'seconds', usd: 0.00003 },
    { service: 'fargate', item: 'compute', quantity: 65, unit: 'seconds', usd: 0.0008 },
    { service: 'lambda', item: 'requests', quantity: lambdaRequests, unit: 'requests', usd: lambdaRequests * p.lambda.x86_64.perRequest },
    { service: 'step-functions', item: 'state transitions', quantity: transitions, unit: 'transitions', usd: transitions * s.stepFunctionsTransition },
    { service: 'eventbridge', item: 'custom events', quantity: customEvents, unit: 'events', usd: customEvents * s.eventBridgeCustomEvent },
    { service: 'dynamodb', item: 'write request units', quantity: wru, unit: 'WRU', usd: wru * s.dynamoWriteRequestUnit },
    { service: 'dynamodb', item: 'read request units', quantity: rru, unit: 'RRU', usd: rru * s.dynamoReadRequestUnit },
    { service: 's3', item: 'PUT/LIST requests', quantity: puts, unit: 'requests', usd: puts * s.s3PutRequest },
    { service: 's3', item: 'GET/HEAD requests', quantity: gets, unit: 'requests', usd: gets * s.s3GetRequest },
    { service: 'cloudwatch', item: 'EMF log ingestion', quantity: logGb, unit: 'GB', usd: logGb * s.logsIngestionGb },
  ];

  it('has the hand-counted numbers', () => {
    expect({ transitions, lambdaRequests, customEvents, wru, rru, gets, puts }).toEqual({
      transitions: 26, lambdaRequests: 102, customEvents: 104, wru: 380, rru: 126, gets: 16, puts: 5,
    });
  });

  it('counts every line as worked out, at the table prices', () => {
    const cost = jobCostBreakdown(steps, 'us-east-1')!;
    expect(cost.pricesTakenOn).toBe(p.takenOn);
    expect(cost.breakdown.map((l) => `${l.service}/${l.item}`)).toEqual(expected.map((l) => `${l.service}/${l.item}`));
    cost.breakdown.forEach((l, i) => {
      const e = expected[i]!;
      expect(l.unit).toBe(e.unit);
      expect(l.quantity).toBeCloseTo(e.quantity, 12);
      expect(l.usd).toBeCloseTo(e.usd, 15);
    });
    expect(cost.actualUsd).toBeCloseTo(expected.reduce((a, l) => a + l.usd, 0), 15);
    // In dollars: compute $0.001133; requests 102 × $0.2/M; 26 transitions × $25/M; 104 events × $1/M; 380 WRU × $0.625/M;
    // 126 RRU × $0.125/M; 5 PUT × $5/M; 16 GET × $0.4/M; 13 KB of logs × $0.50/GB. For so small a job the run costs
    // nearly as much as its compute (Step Functions alone half as much).
    expect(cost.actualUsd).toBeCloseTo(0.001133 + 0.0000204 + 0.00065 + 0.000104 + 0.0002375 + 0.00001575 + 0.000025 + 0.0000064 + ((13 * 1024) / 1024 ** 3) * 0.5, 12);
  });

  it('runUsage reports the same counts', () => {
    const u = runUsage(steps);
    expect(u).toMatchObject({
      runs: 1, allocations: 3, stateTransitions: transitions, lambdaRequests, customEvents,
      dynamoWriteUnits: wru, dynamoReadUnits: rru, s3PutRequests: puts, s3GetRequests: gets, logBytes: 13 * 1024,
    });
    expect(u.compute.fargate).toEqual({ attempts: 1, seconds: 65, usd: 0.0008 });
    expect(u.compute.unrecorded.attempts).toBe(2); // the cache hit (0 s, $0) and assemble
  });

  it('prices the same usage in another region with that region’s table', () => {
    const eu = jobCostBreakdown(steps, 'eu-west-1')!;
    const line = (l: CostLine[], item: string) => l.find((x) => x.item === item)!;
    expect(line(eu.breakdown, 'write request units').usd).toBeCloseTo(wru * PRICES['eu-west-1']!.services.dynamoWriteRequestUnit, 15);
    expect(line(eu.breakdown, 'compute').usd).toBe(line(jobCostBreakdown(steps, 'us-east-1')!.breakdown, 'compute').usd);
  });
});

describe('jobCostBreakdown: rules of the count', () => {
  const one = (s: Partial<CostedStep>): CostedStep => ({ function: 'encode-audio', status: 'SUCCEEDED', durationMs: 1000, costUsd: 0.00001, platform: 'lambda', ...s });

  it('gives null for a region without a price table', () => {
    expect(jobCostBreakdown([one({})], 'mars-north-1')).toBeNull();
    expect(jobCostBreakdown([], 'constructor')).toBeNull();
  });

  it('an empty job costs nothing and has no lines', () => {
    expect(jobCostBreakdown([], 'us-east-1')).toEqual({ actualUsd: 0, breakdown: [], pricesTakenOn: PRICES['us-east-1']!.takenOn });
  });

  it('a cache hit costs no compute but still its events, reads and Lambda request', () => {
    const u = runUsage([one({ status: 'CACHED', durationMs: 0, costUsd: 0, platform: null })]);
    expect(u.compute.lambda.usd + u.compute.fargate.usd + u.compute.unrecorded.usd).toBe(0);
    expect(u.customEvents).toBe(3 + 2); // RUNNING, CACHED, Function Result; the run's two Job Status Changed
    expect(u.lambdaRequests).toBe(1 + 2 + 2 + 2); // itself, the lifecycle twice, the run's execution events and webhooks
    expect(u.dynamoReadUnits).toBeGreaterThan(0);
    expect(u.s3PutRequests).toBe(1); // only the run's LIST: a hit uploads nothing
  });

  it('a Fargate attempt is no Lambda request; a priced Lambda attempt has its request in its compute', () => {
    const fargate = runUsage([one({ platform: 'fargate' })]).lambdaRequests;
    const lambda = runUsage([one({ platform: 'lambda' })]).lambdaRequests;
    const unpriced = runUsage([one({ platform: 'lambda', costUsd: null })]).lambdaRequests;
    expect(lambda).toBe(fargate);
    expect(unpriced).toBe(fargate + 1);
  });

  it('attempts without a step id count as steps of their own (entered, not retried in place)', () => {
    const failed = one({ status: 'FAILED', error: 'Mosaic.Transient: x' });
    expect(runUsage([failed, one({})]).stateTransitions).toBe(2 + 2 + 9);
    expect(runUsage([{ ...failed, stepId: 'a', attempt: 1 }, one({ stepId: 'a', attempt: 2 })]).stateTransitions).toBe(2 + 1 + 9);
    // Attempts are ordered by number, whatever order they come in.
    expect(runUsage([one({ stepId: 'a', attempt: 2 }), { ...failed, stepId: 'a', attempt: 1 }]).stateTransitions).toBe(2 + 1 + 9);
  });

  it('an escalation the allocator refuses still passes EscalateVideoChunk and AllocateVideoChunk', () => {
    const failed = { function: 'encode-video', stepId: 'c', attempt: 1, status: 'FAILED' as const, durationMs: 100, costUsd: 0.000001, platform: 'lambda' as const, error: 'Mosaic.ResourceExhausted: oom' };
    const u = runUsage([failed]);
    expect(u.stateTransitions).toBe(3 + 2 + 9);
    expect(u.allocations).toBe(2);
    expect(u.customEvents).toBe(1 /* one Task Allocated */ + 2 + 1 + 1 /* progress */ + 2);
  });

  it('a step of a rule chain (no workflow) has no state transitions and no run overhead', () => {
    const u = runUsage([one({ function: 'normalize-audio' })]);
    expect(u.runs).toBe(0);
    expect(u.stateTransitions).toBe(0);
    expect(u.customEvents).toBe(2 + 1 + 2); // status ×2, Function Result, progress ×2 (1 s)
  });

  it('a retried job runs the workflow again', () => {
    const inspect = (attempt: number, status: CostedStep['status']): CostedStep => ({ function: 'inspect', stepId: 'inspect', attempt, status, durationMs: 500, costUsd: status === 'CACHED' ? 0 : 0.00001 });
    expect(runUsage([inspect(1, 'FAILED'), inspect(2, 'CACHED')]).runs).toBe(2);
  });
});

describe('jobCostBreakdown: properties', () => {
  const statuses = ['RUNNING', 'SUCCEEDED', 'CACHED', 'FAILED', 'ABANDONED'] as const;
  const fns = [...Object.keys(WORKFLOW_STATES), 'normalize-audio', 'something-else'];
  const stepArb: fc.Arbitrary<CostedStep> = fc.record({
    function: fc.constantFrom(...fns),
    status: fc.constantFrom(...statuses),
    durationMs: fc.option(fc.integer({ min: 0, max: 4 * 3_600_000 }), { nil: null }),
    costUsd: fc.option(fc.double({ min: 0, max: 5, noNaN: true }).map(Math.abs), { nil: null }),
    platform: fc.constantFrom('lambda' as const, 'fargate' as const, null, undefined),
    stepId: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
    attempt: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    error: fc.option(fc.constantFrom('Mosaic.Transient: t', 'Mosaic.ResourceExhausted: r', 'Mosaic.InputInvalid: i', 'weird'), { nil: null }),
  });
  const region = fc.constantFrom(...Object.keys(PRICES));

  it('the lines add up to actualUsd, compute lines to Σ costUsd, and every line is a valid CostLine', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), region, fc.constantFrom('x86_64' as const, 'arm64' as const), (steps, r, arch) => {
        const cost = jobCostBreakdown(steps, r, arch)!;
        const sum = cost.breakdown.reduce((a, l) => a + l.usd, 0);
        expect(Math.abs(sum - cost.actualUsd)).toBeLessThanOrEqual(1e-12);
        const compute = cost.breakdown.filter((l) => l.item.startsWith('compute')).reduce((a, l) => a + l.usd, 0);
        const measured = steps.reduce((a, s) => a + (s.costUsd ?? 0), 0);
        expect(Math.abs(compute - measured)).toBeLessThanOrEqual(1e-12 * Math.max(1, measured));
        for (const l of cost.breakdown) {
          expect(CostLineSchema.safeParse(l).success).toBe(true);
          expect(Number.isFinite(l.usd) && Number.isFinite(l.quantity)).toBe(true);
        }
        expect(new Set(cost.breakdown.map((l) => `${l.service}/${l.item}`)).size).toBe(cost.breakdown.length);
        expect(cost.pricesTakenOn).toBe(PRICES[r]!.takenOn);
        expect(JobCostSchema.safeParse({ region: r, pricesTakenOn: cost.pricesTakenOn, estimatedUsd: null, actualUsd: cost.actualUsd, breakdown: cost.breakdown }).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('one more attempt never makes the job cheaper', () => {
    // (Not one of the functions whose count shapes the others' objects: another rung shares out the chunks.)
    const extraArb = stepArb.filter((s) => !['encode-video', 'encode-audio', 'assemble'].includes(s.function));
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), extraArb, (steps, extra) => {
        const before = jobCostBreakdown(steps, 'us-east-1')!.actualUsd;
        // Appended as its own step, so it cannot turn another attempt into a retry in place.
        const after = jobCostBreakdown([...steps, { ...extra, stepId: undefined }], 'us-east-1')!.actualUsd;
        expect(after).toBeGreaterThanOrEqual(before - 1e-12);
      }),
      { numRuns: 200 },
    );
  });
});

describe('JobCost.breakdown', () => {
  it('defaults to [] for records stored before it existed', () => {
    const old = { region: 'us-east-1', pricesTakenOn: '2025-01-01', estimatedUsd: 0.01, actualUsd: 0.012 };
    expect(JobCostSchema.parse(old)).toEqual({ ...old, breakdown: [] });
  });

  it('keeps a breakdown through a job record and rejects a negative or unknown line', () => {
    const line: CostLine = { service: 'step-functions', item: 'state transitions', quantity: 24, unit: 'transitions', usd: 0.0006 };
    const cost = JobCostSchema.parse({ region: 'us-east-1', pricesTakenOn: '2025-01-01', estimatedUsd: null, actualUsd: 0.0006, breakdown: [line] });
    expect(JobRecordSchema.shape.cost.parse(cost)).toEqual(cost);
    expect(CostLineSchema.safeParse({ ...line, usd: -1 }).success).toBe(false);
    expect(CostLineSchema.safeParse({ ...line, service: 'ec2' }).success).toBe(false);
  });
});

describe('the constants follow the workflow and the runtime', () => {
  type State = {
    Type: string; Next?: string; End?: boolean; Default?: string; Choices?: { Next: string }[];
    Branches?: { StartAt: string; States: Record<string, State> }[];
    ItemProcessor?: { StartAt: string; States: Record<string, State> };
    Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string }[];
  };
  const asl = JSON.parse(readFileSync(new URL('state-machines/encode.asl.json', root), 'utf8')) as { StartAt: string; States: Record<string, State> };

  /** The states one run passes on the success path (Choice defaults: Lambda, thumbnails), one item per Map. */
  function walk(states: Record<string, State>, start: string): string[] {
    const seen: string[] = [];
    for (let name: string | undefined = start; name !== undefined; ) {
      const s: State = states[name]!;
      seen.push(name);
      for (const b of s.Branches ?? []) seen.push(...walk(b.States, b.StartAt));
      if (s.ItemProcessor) seen.push(...walk(s.ItemProcessor.States, s.ItemProcessor.StartAt));
      if (s.End || s.Type === 'Fail' || s.Type === 'Succeed') break;
      name = s.Type === 'Choice' ? s.Default : s.Next;
    }
    return seen;
  }
  const allStates = (states: Record<string, State>): Record<string, State> =>
    Object.assign(
      {},
      states,
      ...Object.values(states).flatMap((s) => [...(s.Branches ?? []), ...(s.ItemProcessor ? [s.ItemProcessor] : [])].map((b) => allStates(b.States))),
    );
  const states = allStates(asl.States);

  it('an encode-video chunk passes exactly the states WORKFLOW_STATES names', () => {
    const map = states['EncodeVideo']!.ItemProcessor!;
    const ev = WORKFLOW_STATES['encode-video']!;
    expect(walk(map.States, map.StartAt)).toEqual([...ev.before, ev.task]);
  });

  it('a run passes its steps’ states plus WORKFLOW_OVERHEAD_STATES, nothing else', () => {
    const path = walk(asl.States, asl.StartAt);
    const fixedLadder = Object.entries(WORKFLOW_STATES).filter(([fn]) => !PER_TITLE_FUNCTIONS.includes(fn));
    const counted = [...WORKFLOW_OVERHEAD_STATES, ...fixedLadder.flatMap(([, w]) => [...w.before, w.task])];
    expect([...path].sort()).toEqual([...counted].sort());
  });

  it('a per-title run passes as many overhead states: the AnalyzeSamples Map instead of NoAnalysis, then its analysis steps', () => {
    const choice = states.IsPerTitle!;
    expect(choice.Choices).toEqual([{ Variable: '$.spec.preset', StringMatches: 'per-title*', Next: 'PlanAnalysis' }]);
    expect(choice.Default).toBe('NoAnalysis');
    expect(states.NoAnalysis!.Next).toBe('Plan');
    expect(states.PlanAnalysis!.Next).toBe('AnalyzeSamples');
    expect(states.AnalyzeSamples).toMatchObject({ Type: 'Map', Next: 'Plan' });
    const at = WORKFLOW_STATES['analyze-title']!;
    expect(walk(states.AnalyzeSamples!.ItemProcessor!.States, states.AnalyzeSamples!.ItemProcessor!.StartAt)).toEqual([...at.before, at.task]);
  });

  it('the Fargate path of every step passes as many states as its Lambda path', () => {
    for (const w of Object.values(WORKFLOW_STATES)) {
      const choice = w.before.map((n) => states[n]!).find((s) => s.Type === 'Choice');
      if (!choice) continue;
      for (const c of choice.Choices!) {
        const alt = states[c.Next]!;
        const task = states[w.task]!;
        expect(alt.Type).toBe('Task');
        expect(alt.End ?? false).toBe(task.End ?? false);
        expect(alt.Next).toBe(task.Next);
      }
    }
  });

  it('an escalation passes its Pass state back to the allocator, the first state of the chunk or sample, on the errors named', () => {
    expect(WORKFLOW_STATES['encode-video']!.escalation).toBe(ESCALATION_STATE);
    const tasks: Record<string, string[]> = { 'encode-video': ['EncodeVideoChunkOnLambda', 'EncodeVideoChunkOnFargate'], 'analyze-title': ['AnalyzeSample'] };
    const allocated = Object.entries(WORKFLOW_STATES).filter(([, w]) => w.escalation);
    expect(allocated.map(([fn]) => fn).sort()).toEqual(Object.keys(tasks).sort());
    for (const [fn, w] of allocated) {
      for (const name of tasks[fn]!) {
        const catches = states[name]!.Catch!;
        expect(catches).toHaveLength(1);
        expect(catches[0]!.Next).toBe(w.escalation);
        expect([...catches[0]!.ErrorEquals].sort()).toEqual([...ESCALATING_ERRORS].sort());
      }
      expect(states[w.escalation!]!.Type).toBe('Pass');
      expect(states[w.escalation!]!.Next).toBe(w.before[0]);
      expect((states[w.before[0]!] as { Resource?: string }).Resource).toBe('${AllocatorFunctionArn}');
    }
  });

  it('every step’s Task retries in place on the errors named, never on an escalating one', () => {
    for (const w of Object.values(WORKFLOW_STATES)) {
      const retried = (states[w.task]!.Retry ?? []).flatMap((r) => r.ErrorEquals);
      for (const e of RETRIED_IN_PLACE_ERRORS) expect(retried).toContain(e);
      for (const e of ESCALATING_ERRORS) expect(retried).not.toContain(e);
    }
    // On the failure path Publish is PublishFailed: one Task too.
    expect(states['PublishFailed']!.Type).toBe('Task');
  });

  it('the progress interval is the runtime’s', () => {
    const src = readFileSync(new URL('lambdas/runtime/define-media-function.ts', root), 'utf8');
    expect(Number(/const PROGRESS_INTERVAL_MS = (\d[\d_]*);/.exec(src)?.[1]?.replace(/_/g, ''))).toBe(PROGRESS_INTERVAL_MS);
  });
});
