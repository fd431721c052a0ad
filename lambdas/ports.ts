/**
 * The interfaces runtime and platform code depend on. Local adapters live in `local/`,
 * AWS ones in `lambdas/adapters/aws/`; one contract test suite runs against both.
 */
import type {
  CacheEntry,
  JobError,
  JobRecord,
  JobSpec,
  JobStatus,
  MosaicEvent,
  StepRecord,
  StepStatus,
  StoredEvent,
} from './contracts/index.js';

export interface BlobHead {
  size: number;
  /** Changes whenever the content changes (S3 ETag; size+mtime+inode locally). */
  etag: string;
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
}

export interface JobPatch {
  status?: JobStatus;
  progress?: number;
  etaSec?: number | null;
  error?: JobError | null;
  reportKey?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
}

export interface StepStart {
  jobId: string;
  stepId: string;
  function: string;
}

export interface JobStore {
  createJob(job: NewJob): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  /** Optimistic update: fails with a conflict when `expectedVersion` is given and stale. */
  updateJob(id: string, patch: JobPatch, expectedVersion?: number): Promise<JobRecord>;
  listJobs(filter?: { status?: JobStatus; limit?: number }): Promise<JobRecord[]>;
  findResumable(sourceHash: string, preset: string): Promise<JobRecord | null>;

  startStep(step: StepStart): Promise<StepRecord>;
  endStep(step: StepRecord, status: Exclude<StepStatus, 'RUNNING'>, error?: string): Promise<StepRecord>;
  listSteps(jobId: string): Promise<StepRecord[]>;
  /** Marks steps still RUNNING from a previous (dead) run as ABANDONED. */
  abandonRunningSteps(jobId: string): Promise<number>;

  appendEvent(jobId: string, detailType: string, detail: unknown): Promise<void>;
  listEvents(jobId: string, afterId?: number): Promise<StoredEvent[]>;

  getCache(key: string): Promise<CacheEntry | null>;
  putCache(entry: CacheEntry): Promise<void>;
}

export type EventHandler = (event: MosaicEvent) => void | Promise<void>;

export interface EventBus {
  put(event: MosaicEvent): Promise<void>;
  subscribe(handler: EventHandler): () => void;
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
