/** JobStore on SQLite (WAL): jobs, steps, events and the result cache in one file. */
import Database from 'better-sqlite3';
import type { CacheEntry, JobRecord, JobStatus, StepRecord, StepStatus, StoredEvent } from '../lambdas/contracts/index.js';
import type { JobPatch, JobStore, NewJob, StepStart } from '../lambdas/ports.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, spec TEXT NOT NULL, source_hash TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, started_at TEXT, ended_at TEXT,
  progress REAL NOT NULL DEFAULT 0, eta_sec REAL, error TEXT, report_key TEXT,
  output_prefix TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs(status, created_at);
CREATE INDEX IF NOT EXISTS jobs_by_source ON jobs(source_hash);
CREATE TABLE IF NOT EXISTS steps (
  job_id TEXT NOT NULL, step_id TEXT NOT NULL, attempt INTEGER NOT NULL, function TEXT NOT NULL,
  status TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, duration_ms INTEGER, error TEXT,
  PRIMARY KEY (job_id, step_id, attempt));
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, time TEXT NOT NULL,
  detail_type TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_job ON events(job_id, id);
CREATE TABLE IF NOT EXISTS cache (
  key TEXT PRIMARY KEY, function TEXT NOT NULL, result TEXT NOT NULL, output_keys TEXT NOT NULL, created_at TEXT NOT NULL);
`;

interface JobRow {
  id: string; status: string; spec: string; source_hash: string | null; created_at: string; updated_at: string;
  started_at: string | null; ended_at: string | null; progress: number; eta_sec: number | null; error: string | null;
  report_key: string | null; output_prefix: string; version: number;
}
interface StepRow {
  job_id: string; step_id: string; attempt: number; function: string; status: string; started_at: string;
  ended_at: string | null; duration_ms: number | null; error: string | null;
}

export class VersionConflictError extends Error {
  override readonly name = 'VersionConflict';
}

const toJob = (r: JobRow): JobRecord => ({
  id: r.id,
  status: r.status as JobStatus,
  spec: JSON.parse(r.spec),
  sourceHash: r.source_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  progress: r.progress,
  etaSec: r.eta_sec,
  error: r.error ? JSON.parse(r.error) : null,
  reportKey: r.report_key,
  outputPrefix: r.output_prefix,
  version: r.version,
});
const toStep = (r: StepRow): StepRecord => ({
  jobId: r.job_id,
  stepId: r.step_id,
  function: r.function,
  attempt: r.attempt,
  status: r.status as StepStatus,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  durationMs: r.duration_ms,
  error: r.error,
});

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Two processes (a killed run and its resume) may meet: wait instead of failing.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  async createJob(job: NewJob): Promise<JobRecord> {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO jobs (id, status, spec, source_hash, created_at, updated_at, output_prefix) VALUES (?, 'QUEUED', ?, ?, ?, ?, ?)`,
      )
      .run(job.id, JSON.stringify(job.spec), job.sourceHash, now, now, job.outputPrefix);
    return (await this.getJob(job.id))!;
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  async updateJob(id: string, patch: JobPatch, expectedVersion?: number): Promise<JobRecord> {
    const cols: Record<string, unknown> = {};
    if (patch.status !== undefined) cols.status = patch.status;
    if (patch.progress !== undefined) cols.progress = patch.progress;
    if (patch.etaSec !== undefined) cols.eta_sec = patch.etaSec;
    if (patch.error !== undefined) cols.error = patch.error ? JSON.stringify(patch.error) : null;
    if (patch.reportKey !== undefined) cols.report_key = patch.reportKey;
    if (patch.startedAt !== undefined) cols.started_at = patch.startedAt;
    if (patch.endedAt !== undefined) cols.ended_at = patch.endedAt;
    cols.updated_at = new Date().toISOString();
    const sets = Object.keys(cols).map((c) => `${c} = @${c}`);
    const where = expectedVersion === undefined ? 'id = @id' : 'id = @id AND version = @expectedVersion';
    const res = this.db
      .prepare(`UPDATE jobs SET ${sets.join(', ')}, version = version + 1 WHERE ${where}`)
      .run({ ...cols, id, expectedVersion });
    if (res.changes === 0) {
      if (!(await this.getJob(id))) throw new Error(`no job ${id}`);
      throw new VersionConflictError(`job ${id} changed since version ${expectedVersion}`);
    }
    return (await this.getJob(id))!;
  }

  async listJobs(filter: { status?: JobStatus; limit?: number } = {}): Promise<JobRecord[]> {
    const rows = filter.status
      ? this.db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY created_at DESC LIMIT ?').all(filter.status, filter.limit ?? 100)
      : this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(filter.limit ?? 100);
    return (rows as JobRow[]).map(toJob);
  }

  async findResumable(sourceHash: string, preset: string): Promise<JobRecord | null> {
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE source_hash = ? AND status IN ('QUEUED', 'RUNNING', 'FAILED') ORDER BY created_at DESC`)
      .all(sourceHash) as JobRow[];
    // A job that failed on bad input will fail again; only interrupted or transient failures resume.
    return rows.map(toJob).find((j) => j.spec.preset === preset && j.error?.code !== 'Mosaic.InputInvalid') ?? null;
  }

  async startStep(step: StepStart): Promise<StepRecord> {
    const startedAt = new Date().toISOString();
    const insert = this.db.transaction(() => {
      const { n } = this.db
        .prepare('SELECT COALESCE(MAX(attempt), 0) AS n FROM steps WHERE job_id = ? AND step_id = ?')
        .get(step.jobId, step.stepId) as { n: number };
      this.db
        .prepare(`INSERT INTO steps (job_id, step_id, attempt, function, status, started_at) VALUES (?, ?, ?, ?, 'RUNNING', ?)`)
        .run(step.jobId, step.stepId, n + 1, step.function, startedAt);
      return n + 1;
    });
    const attempt = insert();
    return { ...step, attempt, status: 'RUNNING', startedAt, endedAt: null, durationMs: null, error: null };
  }

  async endStep(step: StepRecord, status: Exclude<StepStatus, 'RUNNING'>, error?: string): Promise<StepRecord> {
    const endedAt = new Date().toISOString();
    const durationMs = Date.parse(endedAt) - Date.parse(step.startedAt);
    this.db
      .prepare('UPDATE steps SET status = ?, ended_at = ?, duration_ms = ?, error = ? WHERE job_id = ? AND step_id = ? AND attempt = ?')
      .run(status, endedAt, durationMs, error ?? null, step.jobId, step.stepId, step.attempt);
    return { ...step, status, endedAt, durationMs, error: error ?? null };
  }

  async listSteps(jobId: string): Promise<StepRecord[]> {
    return (this.db.prepare('SELECT * FROM steps WHERE job_id = ? ORDER BY started_at, step_id, attempt').all(jobId) as StepRow[]).map(toStep);
  }

  async abandonRunningSteps(jobId: string): Promise<number> {
    return this.db
      .prepare(`UPDATE steps SET status = 'ABANDONED', ended_at = ? WHERE job_id = ? AND status = 'RUNNING'`)
      .run(new Date().toISOString(), jobId).changes;
  }

  async appendEvent(jobId: string, detailType: string, detail: unknown): Promise<void> {
    this.db
      .prepare('INSERT INTO events (job_id, time, detail_type, detail) VALUES (?, ?, ?, ?)')
      .run(jobId, new Date().toISOString(), detailType, JSON.stringify(detail));
  }

  async listEvents(jobId: string, afterId = 0): Promise<StoredEvent[]> {
    const rows = this.db
      .prepare('SELECT id, job_id, time, detail_type, detail FROM events WHERE job_id = ? AND id > ? ORDER BY id')
      .all(jobId, afterId) as { id: number; job_id: string; time: string; detail_type: string; detail: string }[];
    return rows.map((r) => ({ id: r.id, time: r.time, jobId: r.job_id, detailType: r.detail_type, detail: JSON.parse(r.detail) }));
  }

  async getCache(key: string): Promise<CacheEntry | null> {
    const r = this.db.prepare('SELECT * FROM cache WHERE key = ?').get(key) as
      | { key: string; function: string; result: string; output_keys: string; created_at: string }
      | undefined;
    return r ? { key: r.key, function: r.function, result: JSON.parse(r.result), outputKeys: JSON.parse(r.output_keys), createdAt: r.created_at } : null;
  }

  async putCache(entry: CacheEntry): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO cache (key, function, result, output_keys, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(entry.key, entry.function, JSON.stringify(entry.result), JSON.stringify(entry.outputKeys), entry.createdAt);
  }
}
