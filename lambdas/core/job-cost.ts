/**
 * What a job's run cost on AWS, line by line: the compute of every step attempt (as each was
 * priced when it ended) plus what running it took around the compute: Step Functions state
 * transitions, Lambda requests, EventBridge events, DynamoDB request units, S3 requests and
 * CloudWatch Logs ingestion of the metric records.
 *
 * Only the compute is measured; the rest is counted from the job's step attempts with the
 * constants below, each following what Mosaic does for one attempt, allocation or run
 * (state-machines/encode.asl.json, runtime/define-media-function.ts, platform/lifecycle/apply.ts,
 * platform/allocator, adapters/aws). They are estimates of the order of magnitude (a cent of a
 * typical job, next to its compute), not a bill: Lambda-level retries that never reached the
 * runtime, multipart upload parts, items larger than assumed and the platform Lambdas' own
 * duration are not seen. Pure: the lifecycle (and the local engine, which costs what the same run
 * would cost on AWS) call it at a job's end.
 */
import type { CostLine, CostService, Platform, StepStatus } from '../contracts/index.js';
import { PRICES, type PriceTable } from './allocator/prices.js';

/** What the cost needs of a step attempt; a `StepRecord` is one. */
export interface CostedStep {
  function: string;
  status: StepStatus;
  durationMs: number | null;
  /** The attempt's compute as priced when it ended (a Lambda's includes its own request); 0 for a cache hit, null when unknown. */
  costUsd: number | null;
  /** Where it ran (from its end event); absent for cache hits and older records. */
  platform?: Platform | null;
  /** With `attempt`, ties the attempts of one step together (a retry in place re-enters only its Task state). */
  stepId?: string;
  attempt?: number;
  /** `Name: message` of a failed attempt (the runtime's typed error name first). */
  error?: string | null;
}

export interface ComputeUsage {
  attempts: number;
  seconds: number;
  usd: number;
}

/** What a job's runs used, counted from its step attempts. */
export interface RunUsage {
  /** Runs of the encode workflow (a retried job runs it again). */
  runs: number;
  /** Allocator invocations (each encode-video chunk and analysis sample, and each escalation one size up). */
  allocations: number;
  /** Measured compute of the media functions, per platform (`unrecorded`: attempts without a platform, priced as recorded). */
  compute: { lambda: ComputeUsage; fargate: ComputeUsage; unrecorded: ComputeUsage };
  stateTransitions: number;
  /** Lambda requests not already in a step's compute: platform Lambdas, and media functions whose attempt was not priced (cache hits). */
  lambdaRequests: number;
  customEvents: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  s3PutRequests: number;
  s3GetRequests: number;
  logBytes: number;
}

// ---- Step Functions (state-machines/encode.asl.json) -------------------------------------------

/** How a function's attempt passes through the encode workflow (Lambda path; the Fargate path has as many states). */
export interface WorkflowStates {
  /** States passed before the Task state when the step is entered (not when its Task is retried in place). */
  before: readonly string[];
  /** The Task state that invokes it (Lambda variant); every attempt enters it once. */
  task: string;
  /**
   * An allocated step's Pass state back to its Allocate state (the first of `before`): the
   * allocator sizes every entry, and a failure a larger size can fix goes back through here.
   */
  escalation?: string;
}

/**
 * The states each function's attempt passes (test/unit/core/job-cost.test.ts walks the ASL to check
 * them). An encode-video chunk: AllocateVideoChunk (Task, the allocator) → EncodeVideoChunk (Choice)
 * → EncodeVideoChunkOnLambda|OnFargate; an analysis sample: AllocateSample → AnalyzeSample; the
 * other Map-item functions pass their Lambda-or-Fargate Choice;
 * Inspect, Plan, Thumbnails and Publish are a Task each (PublishFailed too, on the failure path).
 */
export const WORKFLOW_STATES: Readonly<Record<string, WorkflowStates>> = {
  inspect: { before: [], task: 'Inspect' },
  plan: { before: [], task: 'Plan' },
  'encode-video': { before: ['AllocateVideoChunk', 'EncodeVideoChunk'], task: 'EncodeVideoChunkOnLambda', escalation: 'EscalateVideoChunk' },
  'encode-audio': { before: ['EncodeAudioTrack'], task: 'EncodeAudioTrackOnLambda' },
  assemble: { before: ['AssembleRung'], task: 'AssembleRungOnLambda' },
  'measure-quality': { before: ['MeasureRungQuality'], task: 'MeasureRungQualityOnLambda' },
  package: { before: ['Package'], task: 'PackageOnLambda' },
  thumbnails: { before: [], task: 'Thumbnails' },
  publish: { before: [], task: 'Publish' },
  // A per-title run's analysis (PER_TITLE_FUNCTIONS): a Task, then one Map item per sample, sized by the allocator (Lambda only).
  'plan-analysis': { before: [], task: 'PlanAnalysis' },
  'analyze-title': { before: ['AllocateSample'], task: 'AnalyzeSample', escalation: 'EscalateSample' },
};

/** The functions only a per-title run calls (its fixed-ladder path passes NoAnalysis instead). */
export const PER_TITLE_FUNCTIONS: readonly string[] = ['plan-analysis', 'analyze-title'];

/**
 * The states a run passes besides its steps' (on the success path): PlatformDefaults (Pass),
 * IsPerTitle (Choice), NoAnalysis (Pass; a per-title run passes the AnalyzeSamples Map instead:
 * one state either way), the Encode Parallel, the four Map states and HasThumbnails (Choice). Not
 * counted: NoThumbnails (a run without thumbnails) and JobFailed (a failed run), which the steps
 * cannot tell apart; the execution's start and Map iterations are not state transitions.
 */
export const WORKFLOW_OVERHEAD_STATES: readonly string[] = ['PlatformDefaults', 'IsPerTitle', 'NoAnalysis', 'Encode', 'EncodeVideo', 'EncodeAudio', 'Assemble', 'MeasureQuality', 'HasThumbnails'];

/** An encode-video attempt that failed with one of these goes back to the allocator through this Pass state, for one size up. */
export const ESCALATION_STATE = WORKFLOW_STATES['encode-video']!.escalation!;
/** The Catch of the encode-video Task states: these failures escalate (the rest end the run, or are retried in place). */
export const ESCALATING_ERRORS: readonly string[] = ['States.Timeout', 'States.HeartbeatTimeout', 'Sandbox.Timedout', 'Mosaic.ResourceExhausted', 'Runtime.OutOfMemory', 'Runtime.ExitError'];
/** The Retry of every media Task state: the same Task again, with no state before it. */
export const RETRIED_IN_PLACE_ERRORS: readonly string[] = ['Mosaic.Transient'];

// ---- Events (runtime/define-media-function.ts, platform/allocator, platform/lifecycle) ----------

/** Step Status Changed RUNNING, then its end (SUCCEEDED, FAILED or CACHED). */
export const STEP_STATUS_EVENTS_PER_ENDED_ATTEMPT = 2;
/** A Function Result event per ended attempt (cache hits too; rule chains follow them). */
export const FUNCTION_RESULT_EVENTS_PER_ENDED_ATTEMPT = 1;
/** The runtime puts a Step Progress event at most this often while ffmpeg reports (PROGRESS_INTERVAL_MS there), and once at 100 %. */
export const PROGRESS_INTERVAL_MS = 1000;
/** Functions whose runs report progress (they give ffmpeg a frame or duration total, or step through renditions). */
export const PROGRESS_FUNCTIONS: readonly string[] = ['encode-video', 'encode-audio', 'measure-quality', 'package', 'thumbnails', 'normalize-audio'];
/** Job Status Changed RUNNING and its end, put by the lifecycle per run. */
export const JOB_STATUS_EVENTS_PER_RUN = 2;
/** Step Functions' Execution Status Change RUNNING and its end: AWS service events (free), each a lifecycle invocation. */
export const EXECUTION_EVENTS_PER_RUN = 2;

// ---- DynamoDB (adapters/aws/dynamo-job-store.ts, lib/constructs/job-table.ts) ------------------

/** A job item (spec, estimate, cost breakdown, counters) is about 2 KB: 2 write units, 1 strongly consistent read unit. */
export const JOB_ITEM_KB = 2;
/** The job item is in three GSIs (byStatus, byCreatedAt, bySource) projecting ALL attributes: each write to it is written to each again. */
export const JOB_ITEM_GSIS = 3;
/** A step attempt's item (pk JOB#id, no GSI) and a history entry's are under 1 KB. */
export const STEP_ITEM_KB = 0.5;
export const WRITE_UNIT_KB = 1;
export const READ_UNIT_KB = 4;
/** Any write of the job item (progress, cost, the history's event counter): the item and its three index copies. */
export const JOB_ITEM_WRITE_WRU = Math.ceil(JOB_ITEM_KB / WRITE_UNIT_KB) * (1 + JOB_ITEM_GSIS);
/** A status change also moves the item within byStatus (its key changes: a delete and a put there). */
export const JOB_STATUS_WRITE_WRU = JOB_ITEM_WRITE_WRU + Math.ceil(JOB_ITEM_KB / WRITE_UNIT_KB);
/** appendEvent: `ADD eventSeq` on the job item, then a put of the entry. */
export const HISTORY_ENTRY_WRU = JOB_ITEM_WRITE_WRU + 1;
/** putStep (a conditional put), putCache, an abandoned step's update. */
export const ITEM_WRU = 1;
/** A consistent GetItem or a one-page Query under 4 KB: getJob, getCache, listStepAttempts. */
export const ITEM_RRU = 1;
/** The stored speed table (only its measured entries) is taken as about 4 KB: the allocator and Plan read it, a job's end rewrites it. */
export const SPEED_TABLE_KB = 4;
export const SPEED_TABLE_RRU = Math.ceil(SPEED_TABLE_KB / READ_UNIT_KB);
export const SPEED_TABLE_WRU = Math.ceil(SPEED_TABLE_KB / WRITE_UNIT_KB);

// ---- S3 and CloudWatch --------------------------------------------------------------------------

/** Both built-in presets cut 3 segments per chunk (12 s / 4 s, 4 s / 2 s); planChunks may cut shorter chunks. */
export const SEGMENTS_PER_CHUNK = 3;
/** One EMF record (a step attempt's end, an allocation, each of a job's two end records) is about 1 KB of log. */
export const EMF_RECORD_BYTES = 1024;
/** jobEndRecords: the outcome record and the cost/time record. */
export const JOB_END_RECORDS = 2;
/** CloudWatch bills ingestion per GB (2^30 bytes, as AWS bills data). */
export const BYTES_PER_GB = 1024 ** 3;

/** What a run looks like, as far as the counts depend on it. */
interface RunShape {
  /** Chunks of one rung (assemble stages them). */
  chunksPerRung: number;
  rungs: number;
  audioTracks: number;
}

interface FunctionProfile {
  /** Objects staged (a GET each, and a HEAD each for the result cache's key when cacheable). */
  inputs: (s: RunShape) => number;
  /** Objects uploaded on success (a PUT each); a cache hit checks each with a HEAD. */
  outputs: (s: RunShape) => number;
  cacheable: boolean;
  /** Consistent reads of its own (Plan reads the speed table). */
  reads: number;
}

const fixed = (n: number) => () => n;
/** package: per rendition its playlist, init segment and media segments, then the HLS master and the DASH manifest. */
const packageOutputs = (s: RunShape) => (s.rungs + s.audioTracks) * (2 + s.chunksPerRung * SEGMENTS_PER_CHUNK) + 2;

/** From each function's `stage`, `ctx.output` calls and function.json `cacheable`. */
export const FUNCTION_PROFILES: Readonly<Record<string, FunctionProfile>> = {
  inspect: { inputs: fixed(1), outputs: fixed(0), cacheable: true, reads: 0 },
  plan: { inputs: fixed(0), outputs: fixed(0), cacheable: false, reads: SPEED_TABLE_RRU },
  'encode-video': { inputs: fixed(1), outputs: fixed(1), cacheable: true, reads: 0 },
  'encode-audio': { inputs: fixed(1), outputs: fixed(1), cacheable: true, reads: 0 },
  assemble: { inputs: (s) => s.chunksPerRung, outputs: fixed(1), cacheable: true, reads: 0 },
  'measure-quality': { inputs: fixed(2), outputs: fixed(0), cacheable: true, reads: 0 },
  package: { inputs: (s) => s.rungs + s.audioTracks, outputs: packageOutputs, cacheable: true, reads: 0 },
  thumbnails: { inputs: fixed(1), outputs: fixed(3), cacheable: true, reads: 0 },
  publish: { inputs: fixed(0), outputs: fixed(1), cacheable: false, reads: 0 },
};
/** Any other function (normalize-audio of a rule chain): one input, one output, cached. */
const DEFAULT_PROFILE: FunctionProfile = { inputs: fixed(1), outputs: fixed(1), cacheable: true, reads: 0 };

const errorName = (s: CostedStep) => (s.error ?? '').split(':')[0]!.trim();
const allocated = (fn: string) => Object.hasOwn(WORKFLOW_STATES, fn) && WORKFLOW_STATES[fn]!.escalation !== undefined;
const escalates = (s: CostedStep) => allocated(s.function) && s.status === 'FAILED' && ESCALATING_ERRORS.includes(errorName(s));
const retriedInPlace = (s: CostedStep) => s.status === 'FAILED' && RETRIED_IN_PLACE_ERRORS.includes(errorName(s));
const ended = (s: CostedStep) => s.status === 'SUCCEEDED' || s.status === 'FAILED' || s.status === 'CACHED';
const onFargate = (s: CostedStep) => s.platform === 'fargate';

/** A step's attempts in order: by stepId when given (else each attempt is its own step), then by attempt number. */
function stepsOf(attempts: CostedStep[]): CostedStep[][] {
  const groups = new Map<string, CostedStep[]>();
  attempts.forEach((a, i) => {
    const key = a.stepId !== undefined ? `s:${a.stepId}` : `i:${i}`;
    const g = groups.get(key);
    if (g) g.push(a);
    else groups.set(key, [a]);
  });
  return [...groups.values()].map((g) => g.map((a, i) => ({ a, i })).sort((x, y) => (x.a.attempt ?? 0) - (y.a.attempt ?? 0) || x.i - y.i).map((x) => x.a));
}

const emptyCompute = (): ComputeUsage => ({ attempts: 0, seconds: 0, usd: 0 });

/** What the job's runs used, counted from its step attempts (every run's, in any order). */
export function runUsage(steps: CostedStep[]): RunUsage {
  const u: RunUsage = {
    runs: 0, allocations: 0,
    compute: { lambda: emptyCompute(), fargate: emptyCompute(), unrecorded: emptyCompute() },
    stateTransitions: 0, lambdaRequests: 0, customEvents: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0,
    s3PutRequests: 0, s3GetRequests: 0, logBytes: 0,
  };
  const grouped = stepsOf(steps);
  const count = (fn: string) => grouped.filter((g) => g[0]!.function === fn).length;
  const rungs = count('assemble');
  const shape: RunShape = { rungs: Math.max(1, rungs), chunksPerRung: Math.max(1, Math.ceil(count('encode-video') / Math.max(1, rungs))), audioTracks: count('encode-audio') };
  const attempts = steps.length;
  /** A refresh reads every stored attempt of the job (listSteps); on average half of them are stored by then. */
  const refreshReadUnits = Math.max(ITEM_RRU, Math.ceil((attempts / 2) * STEP_ITEM_KB / READ_UNIT_KB));
  const fullListReadUnits = Math.max(ITEM_RRU, Math.ceil(attempts * STEP_ITEM_KB / READ_UNIT_KB));

  /** The allocator sizes a chunk or a sample: its request and speed-table read, its Task Allocated event, which the lifecycle records. */
  const allocate = (put: boolean) => {
    u.allocations++;
    u.lambdaRequests++;
    u.dynamoReadUnits += SPEED_TABLE_RRU;
    if (!put) return; // an exhausted escalation throws before announcing anything
    u.customEvents++;
    u.lambdaRequests++; // the lifecycle, for the event
    u.dynamoReadUnits += ITEM_RRU; // getJob
    u.dynamoWriteUnits += HISTORY_ENTRY_WRU;
    u.logBytes += EMF_RECORD_BYTES;
  };
  /** The lifecycle receives a step event: reads the step's attempts, writes the attempt (and, for a status, a history entry). */
  const lifecycleStepEvent = (status: boolean) => {
    u.lambdaRequests++;
    u.customEvents++;
    u.dynamoReadUnits += ITEM_RRU;
    u.dynamoWriteUnits += ITEM_WRU + (status ? HISTORY_ENTRY_WRU : 0);
  };

  let inspectEntries = 0;
  let workflowSteps = 0;
  for (const attemptsOfStep of grouped) {
    const fn = attemptsOfStep[0]!.function;
    const states = Object.hasOwn(WORKFLOW_STATES, fn) ? WORKFLOW_STATES[fn]! : null;
    const profile = Object.hasOwn(FUNCTION_PROFILES, fn) ? FUNCTION_PROFILES[fn]! : DEFAULT_PROFILE;
    if (states) workflowSteps++;
    attemptsOfStep.forEach((s, i) => {
      const prev = i > 0 ? attemptsOfStep[i - 1]! : null;
      // Entered (first attempt, an escalation, or a later run) or retried in place by the Task's Retry.
      const entered = !prev || !retriedInPlace(prev);
      if (states) {
        u.stateTransitions += (entered ? states.before.length : 0) + 1;
        if (prev && escalates(prev)) u.stateTransitions++; // its escalation Pass state
        if (fn === 'inspect' && entered) inspectEntries++;
      }
      if (allocated(fn) && entered) allocate(true);

      // Compute, as priced per attempt; a priced Lambda attempt's request is in it.
      if (s.costUsd !== null) {
        const c = onFargate(s) ? u.compute.fargate : s.platform === 'lambda' ? u.compute.lambda : u.compute.unrecorded;
        c.attempts++;
        c.seconds += Math.max(0, s.durationMs ?? 0) / 1000;
        c.usd += s.costUsd;
      }
      if (!onFargate(s) && !(s.costUsd !== null && s.costUsd > 0)) u.lambdaRequests++;

      // Its events, each received by the lifecycle but Function Result (rules follow that one).
      const cached = s.status === 'CACHED';
      const done = ended(s);
      lifecycleStepEvent(true); // RUNNING
      if (done) {
        lifecycleStepEvent(true);
        // The end refreshes the job: getJob, listSteps, a progress write.
        u.dynamoReadUnits += ITEM_RRU + refreshReadUnits;
        u.dynamoWriteUnits += JOB_ITEM_WRITE_WRU;
        u.customEvents += FUNCTION_RESULT_EVENTS_PER_ENDED_ATTEMPT;
        u.logBytes += EMF_RECORD_BYTES;
      }
      if (!cached && s.durationMs !== null && PROGRESS_FUNCTIONS.includes(fn)) {
        const progressEvents = Math.floor(Math.max(0, s.durationMs) / PROGRESS_INTERVAL_MS) + 1;
        for (let n = 0; n < progressEvents; n++) lifecycleStepEvent(false);
      }
      if (s.status === 'ABANDONED') u.dynamoWriteUnits += ITEM_WRU;

      // The result cache and staging.
      const inputs = profile.inputs(shape);
      const outputs = profile.outputs(shape);
      u.dynamoReadUnits += profile.reads;
      if (profile.cacheable) {
        u.s3GetRequests += inputs; // HEADs for the cache key
        u.dynamoReadUnits += ITEM_RRU; // getCache
      }
      if (cached) {
        u.s3GetRequests += outputs; // the cached outputs still exist
      } else {
        u.s3GetRequests += inputs; // downloads
        if (s.status === 'SUCCEEDED') {
          u.s3PutRequests += outputs;
          if (profile.cacheable) u.dynamoWriteUnits += ITEM_WRU; // putCache
        }
      }
    });
    const last = attemptsOfStep[attemptsOfStep.length - 1]!;
    // A last escalation the allocator refused: the escalation Pass and the Allocate state, then the Map fails.
    if (escalates(last)) {
      u.stateTransitions += 2;
      allocate(false);
    }
  }

  u.runs = inspectEntries > 0 ? inspectEntries : workflowSteps > 0 ? 1 : 0;
  u.stateTransitions += u.runs * WORKFLOW_OVERHEAD_STATES.length;
  if (u.runs > 0) {
    // The API created the job item.
    u.dynamoWriteUnits += JOB_ITEM_WRITE_WRU;
    // The speed table learns from the job's chunks, once (read, then the document rewritten).
    if (steps.some((s) => s.function === 'encode-video' && s.status === 'SUCCEEDED')) {
      u.dynamoReadUnits += SPEED_TABLE_RRU;
      u.dynamoWriteUnits += SPEED_TABLE_WRU;
    }
  }
  for (let r = 0; r < u.runs; r++) {
    // Execution RUNNING and its end: the lifecycle reads the job, writes its status and a history entry, and announces it.
    u.lambdaRequests += EXECUTION_EVENTS_PER_RUN;
    u.dynamoReadUnits += EXECUTION_EVENTS_PER_RUN * ITEM_RRU + fullListReadUnits; // getJob each; listSteps at the end
    u.dynamoWriteUnits += EXECUTION_EVENTS_PER_RUN * (JOB_STATUS_WRITE_WRU + HISTORY_ENTRY_WRU);
    // Job Status Changed: each to the webhook Lambda, which reads the job.
    u.customEvents += JOB_STATUS_EVENTS_PER_RUN;
    u.lambdaRequests += JOB_STATUS_EVENTS_PER_RUN;
    u.dynamoReadUnits += JOB_STATUS_EVENTS_PER_RUN * ITEM_RRU;
    // The job's end: its intermediates' prefix is listed for removal (a LIST, billed with PUTs; DELETE is free), its end metrics emitted.
    u.s3PutRequests += 1;
    u.logBytes += JOB_END_RECORDS * EMF_RECORD_BYTES;
  }
  return u;
}

const line = (service: CostService, item: string, quantity: number, unit: string, usd: number): CostLine => ({ service, item, quantity, unit, usd });

/**
 * The job's actual cost in `region`, line by line, or null when the region has no price table.
 * Compute lines sum the attempts' own `costUsd` (quantity: seconds); every other line is usage ×
 * the region's price. Lines with nothing on them are left out; `actualUsd` is the sum of the lines.
 * `architecture` is the platform Lambdas' (their request price).
 */
export function jobCostBreakdown(
  steps: CostedStep[],
  region: string,
  architecture: 'x86_64' | 'arm64' = 'x86_64',
): { actualUsd: number; breakdown: CostLine[]; pricesTakenOn: string } | null {
  if (!Object.hasOwn(PRICES, region)) return null;
  const prices: PriceTable = PRICES[region]!;
  const p = prices.services;
  const u = runUsage(steps);
  const lines: CostLine[] = [
    line('lambda', 'compute', u.compute.lambda.seconds, 'seconds', u.compute.lambda.usd),
    line('lambda', 'compute (platform not recorded)', u.compute.unrecorded.seconds, 'seconds', u.compute.unrecorded.usd),
    line('fargate', 'compute', u.compute.fargate.seconds, 'seconds', u.compute.fargate.usd),
    line('lambda', 'requests', u.lambdaRequests, 'requests', u.lambdaRequests * prices.lambda[architecture].perRequest),
    line('step-functions', 'state transitions', u.stateTransitions, 'transitions', u.stateTransitions * p.stepFunctionsTransition),
    line('eventbridge', 'custom events', u.customEvents, 'events', u.customEvents * p.eventBridgeCustomEvent),
    line('dynamodb', 'write request units', u.dynamoWriteUnits, 'WRU', u.dynamoWriteUnits * p.dynamoWriteRequestUnit),
    line('dynamodb', 'read request units', u.dynamoReadUnits, 'RRU', u.dynamoReadUnits * p.dynamoReadRequestUnit),
    line('s3', 'PUT/LIST requests', u.s3PutRequests, 'requests', u.s3PutRequests * p.s3PutRequest),
    line('s3', 'GET/HEAD requests', u.s3GetRequests, 'requests', u.s3GetRequests * p.s3GetRequest),
    line('cloudwatch', 'EMF log ingestion', u.logBytes / BYTES_PER_GB, 'GB', (u.logBytes / BYTES_PER_GB) * p.logsIngestionGb),
  ];
  const breakdown = lines.filter((l) => l.quantity > 0 || l.usd > 0);
  let actualUsd = 0;
  for (const l of breakdown) actualUsd += l.usd;
  return { actualUsd, breakdown, pricesTakenOn: prices.takenOn };
}
