/**
 * The interfaces runtime and platform code depend on. Local adapters live in `local/`,
 * AWS ones in `lambdas/adapters/aws/`; one contract test suite runs against both.
 */
import type {
  JobPatch as ContractJobPatch,
  CacheEntry,
  FiringRecord,
  FunctionConfig,
  FunctionInfo,
  FunctionRuns,
  IdempotencyRecord,
  MediaInfo,
  SourceLimits,
  UploadRequest,
  UploadTicket,
  WorkflowDefinition,
  WorkflowExecutionRequest,
  WorkflowInfo,
  JobRecord,
  JobSpec,
  JobWorkflow,
  MetricRecord,
  MetricsSeries,
  MetricsSeriesQuery,
  MetricsSummary,
  JobStatus,
  MosaicEvent,
  StepRecord,
  StoredDocument,
  StoredEvent,
  Rule,
} from './contracts/index.js';

export interface BlobHead {
  size: number;
  /** Changes whenever the content changes (S3 ETag; size+mtime+inode locally). */
  etag: string;
  /** The S3 object version (versioned buckets); absent locally. */
  versionId?: string;
}

export interface BlobStore {
  /** Copies (or links) an object to a local file. Throws InputInvalidError if it does not exist. */
  download(key: string, destPath: string): Promise<void>;
  /** Stores a local file as an object; the local file may be moved. */
  upload(srcPath: string, key: string, contentType: string): Promise<BlobHead>;
  putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<BlobHead>;
  getBytes(key: string): Promise<Buffer>;
  head(key: string): Promise<BlobHead | null>;
  list(prefix: string): Promise<string[]>;
  deletePrefix(prefix: string): Promise<number>;
}

export interface NewJob {
  id: string;
  spec: JobSpec;
  sourceHash: string | null;
  outputPrefix: string;
  /** Default: the encode workflow. */
  workflow?: JobWorkflow;
}

/** The fields of a job a write may change (in contracts: the lifecycle decides them in core). */
export type JobPatch = ContractJobPatch;

// ---- Narrow ports, one concern each. Each engine has one adapter implementing all of them
// (SQLite locally, one DynamoDB table on AWS); `JobStore` names that whole adapter.

/** Job records: create, read, conditional update, pages, resumable lookup, idempotency keys. */
export interface JobRepository {
  createJob(job: NewJob): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  /** Optimistic update: fails with VersionConflictError when `expectedVersion` is given and stale. */
  updateJob(id: string, patch: JobPatch, expectedVersion?: number): Promise<JobRecord>;
  listJobs(filter?: { status?: JobStatus; limit?: number }): Promise<JobRecord[]>;
  findResumable(sourceHash: string, preset: string): Promise<JobRecord | null>;
  /**
   * One page of jobs, newest first (createdAt, then id), optionally of one status. `cursor` is
   * the `nextCursor` of the previous page, opaque to callers; `nextCursor` is null on the last
   * page. A cursor this store did not make throws InputInvalidError (the API answers 400).
   */
  listJobPage(query: JobPageQuery): Promise<JobPage>;
  /**
   * Stores `record` unless a record with the same `key` exists, atomically (SQLite: INSERT OR
   * IGNORE; DynamoDB: conditional put). Returns the stored record: `record` itself when it was
   * claimed, else the earlier one (whose `requestHash` and `jobId` the API compares and reuses).
   */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyRecord>;
}

/** The attempts of every step of a job, as the lifecycle records them. */
export interface StepLog {
  listSteps(jobId: string): Promise<StepRecord[]>;
  /** The attempts of one step, by attempt (what each step event reads: not the whole job). */
  listStepAttempts(jobId: string, stepId: string): Promise<StepRecord[]>;
  /**
   * Writes one attempt (key: job, step, attempt) when the stored one is still at `expectedRevision`
   * (null: it must not exist yet), else fails with VersionConflictError; returns the stored record.
   */
  putStep(step: StepRecord, expectedRevision: number | null): Promise<StepRecord>;
  /** Marks steps still RUNNING from a previous (dead) run as ABANDONED. */
  abandonRunningSteps(jobId: string): Promise<number>;
}

/** What happened to a job, in order: status changes, allocations, webhook attempts. */
export interface JobHistory {
  appendEvent(jobId: string, detailType: string, detail: unknown): Promise<void>;
  listEvents(jobId: string, afterId?: number): Promise<StoredEvent[]>;
}

/** Function results by content key. */
export interface ResultCache {
  getCache(key: string): Promise<CacheEntry | null>;
  putCache(entry: CacheEntry): Promise<void>;
}

/** Small named documents with an optimistic version (the allocator's speed table). */
export interface DocumentStore {
  /** The document, or null if never written. */
  getDocument(name: string): Promise<StoredDocument | null>;
  /**
   * Writes a document when its stored version is still `expectedVersion` (null: it must not exist
   * yet), else fails with a `VersionConflict` error, so read-modify-write callers can retry.
   */
  putDocument(name: string, data: unknown, expectedVersion: number | null): Promise<StoredDocument>;
}

/** One engine's state adapter: every narrow port above (SqliteJobStore, DynamoJobStore). */
export type JobStore = JobRepository & StepLog & JobHistory & ResultCache & DocumentStore;

/** Where metric records go: EMF on stdout in Lambda (CloudWatch extracts them), SQLite locally. */
export interface MetricsSink {
  record(records: MetricRecord[]): Promise<void>;
}

/** The figures the metrics API answers (locally from SQLite; on AWS the dashboards show them). */
export interface MetricsQuery {
  summary(since: Date, until: Date): Promise<MetricsSummary>;
  series(query: MetricsSeriesQuery & { since: string }, until: Date): Promise<MetricsSeries>;
}

export interface JobPageQuery {
  status?: JobStatus;
  /** Only jobs of this preset. */
  preset?: string;
  /** Only jobs with this tag (and, when given, this value). */
  tag?: { key: string; value?: string };
  /** Only jobs whose id or source key contains this text (case-sensitive, as DynamoDB's `contains`). */
  text?: string;
  /** 1..100 */
  limit: number;
  cursor?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

export type EventHandler = (event: MosaicEvent) => void | Promise<void>;

export interface EventBus {
  put(event: MosaicEvent): Promise<void>;
  subscribe(handler: EventHandler): () => void;
}

/** An event of any source and detail type, as rules put them (`put-event`, `Facts Asserted`). */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** Where the rule engine puts events: the platform bus, so they can fire further rules. */
export interface RuleEventSink {
  putEntry(entry: BusEntry): Promise<void>;
}

/** Facts of one subject ("job:<id>", "preset:<name>"): JSON values by fact name. */
export type Facts = Record<string, unknown>;

/** The rule engine's memory: facts per subject, and which rule firings already happened. */
export interface FactStore {
  /** The subject's facts, or null when none were asserted. */
  getFacts(subject: string): Promise<Facts | null>;
  /**
   * Every subject matching `wildcard` (EventBridge `*` semantics, e.g. "job:*") with its facts.
   * The wildcard starts with a literal kind and ":" (facts are stored by kind); anything else
   * throws InputInvalidError.
   */
  findFacts(wildcard: string): Promise<Record<string, Facts>>;
  /** Merges `facts` into the subject's (later values replace earlier ones); returns the merged set. */
  assertFacts(subject: string, facts: Facts): Promise<Facts>;
  /**
   * Records a firing once, atomically: true when this call recorded it, false when it already was
   * (a duplicate delivery of the event, which must fire nothing).
   */
  claimFiring(firing: { id: string; rule: string; subject: string | null; eventId: string | null }): Promise<boolean>;
  /** Forgets a claimed firing whose actions failed, so a redelivery of the event fires it again. */
  releaseFiring(id: string): Promise<void>;
  /**
   * The firings of one rule recorded by claimFiring, newest first (createdAt, then id), at most
   * `limit` (1..200). Released firings are gone.
   */
  listFirings(rule: string, limit: number): Promise<FiringRecord[]>;
}

export interface WorkflowExecution {
  executionId: string;
  /** Resolves with the workflow output, rejects with the workflow error. */
  result: Promise<unknown>;
  stop(): void;
}

export interface WorkflowEngine {
  start(workflow: string, input: unknown, executionName: string): Promise<WorkflowExecution>;
}

// ---- The Jobs API's ports (lambdas/platform/api). Local: local/job-control.ts; AWS: adapters/bootstrap.

/** What planning a job needs to know about the engine that will run it (preflight). */
export interface PlanContext {
  /** Tasks run at once (cores locally, the Map concurrency on AWS). */
  parallelism: number;
  threadsPerTask: number;
  vmafAvailable: boolean;
  /** Function name → where it runs by default (function.json defaultPlatform). */
  platforms: Record<string, 'lambda' | 'fargate'>;
  limits: SourceLimits;
  /** How the Plan step involves the allocator (region, concurrency, whether it picks the chunk length); default as PlanInputSchema. */
  allocator?: { region: string; maxConcurrency: number; chooseChunks: boolean };
}

// The job control's ports: one concern each. Every method may throw InputInvalidError (→ 400),
// NotFoundError (→ 404) or ConflictError (→ 409) from contracts; anything else is a server fault (→ 500).

/** Records jobs and starts (or enqueues) their workflows: POST /v1/jobs and workflow executions. */
export interface JobLauncher {
  /**
   * Records a job for a validated spec (status QUEUED, `outputPrefix` `<jobId>/`, sourceHash
   * may be null), puts `Job Status Changed` QUEUED on the bus, and starts or enqueues its
   * workflow; resolves once the job is recorded, not when it ends. The API checked that the
   * source object exists and allocated `jobId`. Idempotent per `jobId`: a second call returns
   * the existing record and starts nothing (on AWS the execution is named by the job id).
   */
  submit(spec: JobSpec, opts: { jobId: string }): Promise<JobRecord>;
  /**
   * Records a job for a run of workflow `name` other than encode (encode jobs come through
   * submit) and starts or enqueues it, as submit does: `request.input` is the workflow's input
   * (a derived workflow's `{ of, … }`, checked against job `of` and its report before anything
   * is recorded). Idempotent per `jobId`. Unknown workflow → NotFoundError; a job `of` that does
   * not exist → NotFoundError, that cannot be worked from → ConflictError; a bad input → InputInvalidError.
   */
  startWorkflow(name: string, request: WorkflowExecutionRequest, opts: { jobId: string }): Promise<JobRecord>;
}

/** What a client may ask of a recorded job: cancel it, run it again. */
export interface JobRequests {
  /**
   * Cancels a QUEUED or RUNNING job: stops its execution and the tasks in flight, then sets it
   * CANCELLED (endedAt now, error `{ code: 'Mosaic.Cancelled' }`), deletes its partial outputs
   * (`outputPrefix`) and intermediates, and puts `Job Status Changed` CANCELLED. Resolves with
   * the CANCELLED record; never leaves the job RUNNING. Unknown id → NotFoundError; a job
   * already SUCCEEDED or FAILED → ConflictError; already CANCELLED → returns it unchanged.
   */
  cancel(jobId: string): Promise<JobRecord>;
  /**
   * Runs a FAILED or CANCELLED job again under the same id: it goes back to QUEUED (error
   * cleared) and its workflow starts anew; finished steps come from the result cache (CACHED),
   * so nothing already encoded is redone. Unknown id → NotFoundError; QUEUED, RUNNING or
   * SUCCEEDED → ConflictError. Resolves with the QUEUED record.
   */
  retry(jobId: string): Promise<JobRecord>;
}

/** What preflight asks of the engine: the source probed as Inspect would, the numbers Plan would get. */
export interface SourcePreflight {
  /**
   * Probes a source the way the workflow's Inspect step does (same function, same checks,
   * same limits) without creating a job. A source that would be rejected → InputInvalidError
   * whose message is the reason. May use the result cache.
   */
  inspect(source: { key: string }): Promise<MediaInfo>;
  /** The numbers the Plan step would be given for a job submitted now. */
  planContext(): PlanContext;
}

/** One media function run on its own (POST /v1/functions/{name}/invoke). */
export interface FunctionInvoker {
  /**
   * Runs one media function on its own with `input` (the function validates it; its errors
   * keep their typed names). Unknown function → NotFoundError. `input.jobId` is set by the API.
   */
  invokeFunction(name: string, input: Record<string, unknown>): Promise<unknown>;
}

/** What this engine runs: its media functions and workflows, their definitions and recent runs. */
export interface EngineCatalog {
  /** The media functions (from their function.json files). */
  functions(): Promise<FunctionInfo[]>;
  workflows(): Promise<WorkflowInfo[]>;
  /** One workflow with its ASL definition as this engine runs it. Unknown name → NotFoundError. */
  workflowDefinition(name: string): Promise<WorkflowDefinition>;
  /** A media function's function.json. Unknown name → NotFoundError. */
  functionConfig(name: string): Promise<FunctionConfig>;
  /**
   * The last `limit` attempts of the function's steps across jobs, newest first; an engine whose
   * store cannot list them answers no runs and says why (`unavailableReason`).
   */
  functionRuns(name: string, limit: number): Promise<FunctionRuns>;
}

/** The rules this engine runs, the rule engine's facts and its firings. */
export interface RuleQueries {
  /** Every rule this engine runs (validated, substitutions filled in), with its file, in file order. */
  rules(): Promise<LoadedRule[]>;
  /** The rule engine's facts: of one subject, or of every subject a wildcard (`job:*`) matches; by subject, empty when none. */
  facts(subject: string): Promise<Record<string, Facts>>;
  /** The recorded firings of a rule, newest first (FactStore.listFirings). */
  ruleFirings(rule: string, limit: number): Promise<FiringRecord[]>;
}

/**
 * Runs jobs for the API: every job-control port above, as one engine's adapter implements them
 * (LocalJobControl, StepFunctionsJobControl). For wiring; consumers take the narrow ports.
 */
export type JobControl = JobLauncher & JobRequests & SourcePreflight & FunctionInvoker & EngineCatalog & RuleQueries;

/** A rule as an engine loaded it (RuleQueries.rules). */
export interface LoadedRule {
  rule: Rule;
  /** The file it came from, e.g. `rules/ingest-video.json`. */
  file: string;
}

/** Where clients put sources and fetch outputs. */
export interface UploadTarget {
  /**
   * Where to PUT a source of `bytes` bytes: a presigned S3 PUT on AWS; locally a PUT to the
   * server. The key is new (under API_UPLOAD_PREFIX, ending in the file name's suffix) and
   * becomes `source.key` of a job once the PUT completed. `bytes` above `maxUploadBytes` →
   * InputInvalidError (→ 400) before anything is signed.
   */
  createUpload(req: UploadRequest): Promise<UploadTicket>;
  /**
   * A URL a client can GET `key` from without the API key (presigned on AWS; locally a signed
   * `/files/...` path whose relative neighbours, e.g. HLS segments, resolve too).
   */
  downloadUrl(key: string): Promise<string>;
  readonly maxUploadBytes: number;
}
