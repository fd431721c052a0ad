/** JobStore on SQLite (WAL): jobs, steps, events and the result cache in one file. */
import { ENCODE_JOB_WORKFLOW, VersionConflictError } from '../lambdas/contracts/index.js';
import Database from 'better-sqlite3';
import { SqliteReadCache } from './sqlite-read-cache.js';
import type { CacheEntry, FiringRecord, JobRecord, JobStatus, StepRecord, StepStatus, StoredDocument, StoredEvent } from '../lambdas/contracts/index.js';
import type { FactStore, Facts, JobPatch, JobStore, NewJob } from '../lambdas/ports.js';
import { factKind, subjectWildcard } from '../lambdas/contracts/index.js';
import { decodeCursor, encodeCursor, type IdempotencyRecord } from '../lambdas/contracts/index.js';
import type { JobPage, JobPageQuery } from '../lambdas/ports.js';

/** Tables of the Jobs API: the first request of each Idempotency-Key. */
const API_SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, job_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs(created_at, id);
`;

/** A page cursor (contracts/page-cursor): the (createdAt, id) of the page's last job. */
const isPosition = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

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
CREATE INDEX IF NOT EXISTS steps_by_function ON steps(function, started_at);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, time TEXT NOT NULL,
  detail_type TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_job ON events(job_id, id);
CREATE TABLE IF NOT EXISTS cache (
  key TEXT PRIMARY KEY, function TEXT NOT NULL, result TEXT NOT NULL, output_keys TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  name TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL);
`;

/** The rule engine's facts (JSON per subject, by kind for wildcard lookups) and the firings it recorded. */
const RULE_SCHEMA = `
CREATE TABLE IF NOT EXISTS facts (
  subject TEXT PRIMARY KEY, kind TEXT NOT NULL, facts TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS facts_by_kind ON facts(kind, subject);
CREATE TABLE IF NOT EXISTS firings (
  id TEXT PRIMARY KEY, rule TEXT NOT NULL, subject TEXT, event_id TEXT, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS firings_by_rule ON firings(rule, created_at, id);
`;

/** Columns added after a table was first created: a state folder from an older Mosaic gets them on open. */
const ADDED_COLUMNS: { table: string; column: string; type: string }[] = [
  { table: 'jobs', column: 'cost', type: 'TEXT' },
  { table: 'steps', column: 'cost_usd', type: 'REAL' },
  { table: 'jobs', column: 'run', type: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'steps', column: 'fraction', type: 'REAL NOT NULL DEFAULT 0' },
  { table: 'steps', column: 'invocation_id', type: 'TEXT' },
  { table: 'steps', column: 'summary', type: 'TEXT' },
  { table: 'steps', column: 'revision', type: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'steps', column: 'platform', type: 'TEXT' },
  { table: 'steps', column: 'size', type: 'TEXT' },
  { table: 'jobs', column: 'workflow', type: 'TEXT' },
];

interface JobRow {
  id: string; status: string; spec: string; source_hash: string | null; created_at: string; updated_at: string;
  started_at: string | null; ended_at: string | null; progress: number; eta_sec: number | null; error: string | null;
  report_key: string | null; output_prefix: string; version: number; cost: string | null; run: number | null; workflow: string | null;
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
  cost: r.cost ? JSON.parse(r.cost) : null,
  run: r.run ?? 0,
  // Jobs written before workflows were recorded are encode jobs.
  workflow: r.workflow ? JSON.parse(r.workflow) : ENCODE_JOB_WORKFLOW,
  version: r.version,
});
/**
 * Steps are read on every job view (thousands of times a second under the API): as value arrays
 * (better-sqlite3 `raw`), a third cheaper than row objects, in this column order.
 */
const STEP_COLUMNS = 'job_id, step_id, attempt, function, status, started_at, ended_at, duration_ms, error, cost_usd, fraction, invocation_id, summary, revision, platform, size';
type StepValues = [string, string, number, string, string, string, string | null, number | null, string | null, number | null, number | null, string | null, string | null, number | null, string | null, string | null];
const toStep = ([jobId, stepId, attempt, fn, status, startedAt, endedAt, durationMs, error, costUsd, fraction, invocationId, summary, revision, platform, size]: StepValues): StepRecord => ({
  jobId,
  stepId,
  function: fn,
  attempt,
  status: status as StepStatus,
  startedAt,
  endedAt,
  durationMs,
  costUsd: costUsd ?? null,
  error,
  fraction: fraction ?? 0,
  invocationId,
  summary: summary ? JSON.parse(summary) : null,
  revision: revision ?? 0,
  // Absent, not null, when the attempt's end did not say where it ran (as written).
  ...(platform ? { platform: platform as StepRecord['platform'] } : {}),
  ...(size ? { size } : {}),
});

export class SqliteJobStore implements JobStore, FactStore {
  private readonly db: Database.Database;
  private readonly reads: SqliteReadCache;
  /** Prepared once: the API polls getJob/listSteps/listEvents thousands of times a second. */
  private readonly statements = new Map<string, Database.Statement>();
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
  private rawStmt(sql: string): Database.Statement {
    const key = `raw:${sql}`;
    let s = this.statements.get(key);
    if (!s) this.statements.set(key, (s = this.db.prepare(sql).raw(true)));
    return s;
  }

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Two processes (a killed run and its resume) may meet: wait instead of failing.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.exec(API_SCHEMA);
    this.db.exec(RULE_SCHEMA);
    for (const { table, column, type } of ADDED_COLUMNS) {
      const columns = this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
      if (!columns.some((c) => c.name === column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    this.reads = new SqliteReadCache(this.db);
  }

  close(): void {
    this.db.close();
  }

  async createJob(job: NewJob): Promise<JobRecord> {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO jobs (id, status, spec, source_hash, created_at, updated_at, output_prefix, workflow) VALUES (?, 'QUEUED', ?, ?, ?, ?, ?, ?)`,
      )
      .run(job.id, JSON.stringify(job.spec), job.sourceHash, now, now, job.outputPrefix, JSON.stringify(job.workflow ?? ENCODE_JOB_WORKFLOW));
    return (await this.getJob(job.id))!;
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const row = this.reads.get(`job:${id}`, () => this.stmt('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined);
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
    if (patch.cost !== undefined) cols.cost = patch.cost ? JSON.stringify(patch.cost) : null;
    if (patch.run !== undefined) cols.run = patch.run;
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
    // Only an encode job is resumed by encoding its source again (a measure of it is another job).
    return rows.map(toJob).find((j) => j.workflow.name === ENCODE_JOB_WORKFLOW.name && j.spec.preset === preset && j.error?.code !== 'Mosaic.InputInvalid') ?? null;
  }

  async listJobPage(q: JobPageQuery): Promise<JobPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.preset !== undefined) {
      where.push("json_extract(spec, '$.preset') = ?");
      params.push(q.preset);
    }
    if (q.tag) {
      // The key goes in as a quoted JSON path member (tag keys are checked by the API: no quote).
      where.push(q.tag.value === undefined ? 'json_type(spec, ?) IS NOT NULL' : 'json_extract(spec, ?) = ?');
      params.push(`$.tags."${q.tag.key.replace(/"/g, '')}"`, ...(q.tag.value === undefined ? [] : [q.tag.value]));
    }
    if (q.text) {
      where.push("(instr(id, ?) > 0 OR instr(json_extract(spec, '$.source.key'), ?) > 0)");
      params.push(q.text, q.text);
    }
    if (q.cursor) {
      const [createdAt, id] = decodeCursor(q.cursor, isPosition);
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(createdAt, createdAt, id);
    }
    const limit = Math.max(1, Math.min(100, Math.floor(q.limit)));
    // One extra row tells whether another page exists, so the last page says so.
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...params, limit + 1) as JobRow[];
    const jobs = rows.slice(0, limit).map(toJob);
    const last = jobs[jobs.length - 1];
    return { jobs, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    this.db
      .prepare('INSERT OR IGNORE INTO idempotency (key, request_hash, job_id, created_at) VALUES (?, ?, ?, ?)')
      .run(record.key, record.requestHash, record.jobId, record.createdAt);
    const r = this.db.prepare('SELECT * FROM idempotency WHERE key = ?').get(record.key) as {
      key: string; request_hash: string; job_id: string; created_at: string;
    };
    return { key: r.key, requestHash: r.request_hash, jobId: r.job_id, createdAt: r.created_at };
  }

  async putStep(step: StepRecord, expectedRevision: number | null): Promise<StepRecord> {
    const row = {
      job_id: step.jobId, step_id: step.stepId, attempt: step.attempt, function: step.function, status: step.status,
      started_at: step.startedAt, ended_at: step.endedAt, duration_ms: step.durationMs, error: step.error, cost_usd: step.costUsd,
      fraction: step.fraction, invocation_id: step.invocationId, summary: step.summary ? JSON.stringify(step.summary) : null,
      platform: step.platform ?? null, size: step.size ?? null,
      // The store numbers revisions (as putDocument numbers versions): one more than the one replaced.
      revision: (expectedRevision ?? 0) + 1, expected: expectedRevision,
    };
    const cols = STEP_COLUMNS;
    const res =
      expectedRevision === null
        ? this.stmt(`INSERT OR IGNORE INTO steps (${cols}) VALUES (${cols.split(', ').map((c) => `@${c}`).join(', ')})`).run(row)
        : this.stmt(
            `UPDATE steps SET ${cols.split(', ').slice(3).map((c) => `${c} = @${c}`).join(', ')} WHERE job_id = @job_id AND step_id = @step_id AND attempt = @attempt AND revision = @expected`,
          ).run(row);
    if (res.changes === 0) throw new VersionConflictError(`step ${step.jobId}/${step.stepId}#${step.attempt} changed since revision ${expectedRevision ?? '(none)'}`);
    return { ...step, revision: row.revision };
  }

  async listStepAttempts(jobId: string, stepId: string): Promise<StepRecord[]> {
    return (this.rawStmt(`SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = ? AND step_id = ? ORDER BY attempt`).all(jobId, stepId) as StepValues[]).map(toStep);
  }

  async listSteps(jobId: string): Promise<StepRecord[]> {
    const rows = this.reads.get(`steps:${jobId}`, () => this.rawStmt(`SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = ? ORDER BY started_at, step_id, attempt`).all(jobId) as StepValues[]);
    return rows.map(toStep);
  }

  /** The last `limit` attempts of one function's steps across jobs, newest first (index steps_by_function). */
  listRecentAttempts(fn: string, limit: number): StepRecord[] {
    const n = Math.max(0, Math.min(1000, Math.floor(limit)));
    return (
      this.rawStmt(`SELECT ${STEP_COLUMNS} FROM steps WHERE function = ? ORDER BY started_at DESC, job_id DESC, step_id DESC, attempt DESC LIMIT ?`).all(fn, n) as StepValues[]
    ).map(toStep);
  }

  async abandonRunningSteps(jobId: string): Promise<number> {
    return this.db
      .prepare(`UPDATE steps SET status = 'ABANDONED', ended_at = ?, revision = revision + 1 WHERE job_id = ? AND status = 'RUNNING'`)
      .run(new Date().toISOString(), jobId).changes;
  }

  async appendEvent(jobId: string, detailType: string, detail: unknown): Promise<void> {
    this.db
      .prepare('INSERT INTO events (job_id, time, detail_type, detail) VALUES (?, ?, ?, ?)')
      .run(jobId, new Date().toISOString(), detailType, JSON.stringify(detail));
  }

  async listEvents(jobId: string, afterId = 0): Promise<StoredEvent[]> {
    const rows = this.stmt('SELECT id, job_id, time, detail_type, detail FROM events WHERE job_id = ? AND id > ? ORDER BY id')
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

  async getDocument(name: string): Promise<StoredDocument | null> {
    const r = this.db.prepare('SELECT * FROM documents WHERE name = ?').get(name) as
      | { name: string; data: string; version: number; updated_at: string }
      | undefined;
    return r ? { name: r.name, data: JSON.parse(r.data), version: r.version, updatedAt: r.updated_at } : null;
  }

  async putDocument(name: string, data: unknown, expectedVersion: number | null): Promise<StoredDocument> {
    const updatedAt = new Date().toISOString();
    const text = JSON.stringify(data);
    const res =
      expectedVersion === null
        ? this.db.prepare('INSERT OR IGNORE INTO documents (name, data, version, updated_at) VALUES (?, ?, 1, ?)').run(name, text, updatedAt)
        : this.db
            .prepare('UPDATE documents SET data = ?, version = version + 1, updated_at = ? WHERE name = ? AND version = ?')
            .run(text, updatedAt, name, expectedVersion);
    if (res.changes === 0) throw new VersionConflictError(`document ${name} changed since version ${expectedVersion ?? '(none)'}`);
    return { name, data: JSON.parse(text), version: (expectedVersion ?? 0) + 1, updatedAt };
  }

  // ---- FactStore

  async getFacts(subject: string): Promise<Facts | null> {
    const r = this.db.prepare('SELECT facts FROM facts WHERE subject = ?').get(subject) as { facts: string } | undefined;
    return r ? (JSON.parse(r.facts) as Facts) : null;
  }

  async findFacts(wildcard: string): Promise<Record<string, Facts>> {
    const w = subjectWildcard(wildcard);
    const rows = this.db.prepare('SELECT subject, facts FROM facts WHERE kind = ? AND substr(subject, 1, ?) = ? ORDER BY subject').all(w.kind, w.prefix.length, w.prefix) as { subject: string; facts: string }[];
    return Object.fromEntries(rows.filter((r) => w.test(r.subject)).map((r) => [r.subject, JSON.parse(r.facts) as Facts]));
  }

  async assertFacts(subject: string, facts: Facts): Promise<Facts> {
    // Read-merge-write in one transaction: SQLite serialises writers, so no assertion is lost.
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT facts FROM facts WHERE subject = ?').get(subject) as { facts: string } | undefined;
      const merged = { ...(r ? (JSON.parse(r.facts) as Facts) : {}), ...(JSON.parse(JSON.stringify(facts)) as Facts) };
      this.db
        .prepare('INSERT INTO facts (subject, kind, facts, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(subject) DO UPDATE SET facts = excluded.facts, updated_at = excluded.updated_at')
        .run(subject, factKind(subject), JSON.stringify(merged), new Date().toISOString());
      return merged;
    })();
  }

  async claimFiring(f: { id: string; rule: string; subject: string | null; eventId: string | null }): Promise<boolean> {
    const res = this.db.prepare('INSERT OR IGNORE INTO firings (id, rule, subject, event_id, created_at) VALUES (?, ?, ?, ?, ?)').run(f.id, f.rule, f.subject, f.eventId, new Date().toISOString());
    return res.changes === 1;
  }

  async releaseFiring(id: string): Promise<void> {
    this.db.prepare('DELETE FROM firings WHERE id = ?').run(id);
  }

  async listFirings(rule: string, limit: number): Promise<FiringRecord[]> {
    const n = Math.max(0, Math.min(200, Math.floor(limit)));
    const rows = this.stmt('SELECT id, rule, subject, event_id, created_at FROM firings WHERE rule = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(rule, n) as {
      id: string; rule: string; subject: string | null; event_id: string | null; created_at: string;
    }[];
    return rows.map((r) => ({ id: r.id, rule: r.rule, subject: r.subject, eventId: r.event_id, createdAt: r.created_at }));
  }
}
