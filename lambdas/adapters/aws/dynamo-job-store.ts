/**
 * JobStore on one DynamoDB table (single-table design). Behaves like the SQLite store in `local/`;
 * the contract suite in test/contract runs the same assertions against both.
 *
 *   job    pk=JOB#<id>    sk=JOB                          (+ byStatus, byCreatedAt, bySource GSI keys)
 *   step   pk=JOB#<id>    sk=STEP#<stepId>#<attempt:4>
 *   event  pk=JOB#<id>    sk=EVENT#<id:12>                (ids from `eventSeq` on the job item)
 *   cache  pk=CACHE#<key> sk=CACHE
 *   doc    pk=DOC#<name>  sk=DOC                          (small versioned documents: the speed table)
 *   facts  pk=FACTS#<kind> sk=<subject>                   (rule facts, one attribute F_<name> per fact; kind = subject before ":")
 *   firing pk=FIRING#<id>  sk=FIRING                       (a rule firing, recorded once per rule, event and subject;
 *                                                          + byCreatedAt keys gsi2pk=FIRINGS#<rule> gsi2sk=<createdAt>#<id>, for listFirings)
 *
 * Length: one file on purpose (≈620 lines): every port's methods read and write the item layout
 * above, and keeping that layout with all its users is what keeps the single-table design
 * consistent.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CacheEntry, FiringRecord, JobRecord, JobStatus, StepRecord, StepStatus, StoredDocument, StoredEvent } from '../../contracts/index.js';
import type { FactStore, Facts, JobPatch, JobStore, NewJob } from '../../ports.js';
import { decodeCursor, encodeCursor, ENCODE_JOB_WORKFLOW, VersionConflictError, type IdempotencyRecord } from '../../contracts/index.js';
import type { JobPage, JobPageQuery } from '../../ports.js';

import { TABLE_KEYS, factKind, subjectWildcard } from '../../contracts/index.js';
export { TABLE_KEYS };

export interface DynamoJobStoreOptions {
  client: DynamoDBClient;
  table: string;
}

const RESUMABLE: readonly JobStatus[] = ['QUEUED', 'RUNNING', 'FAILED'];

const jobPk = (id: string): string => `JOB#${id}`;
// A step id may itself contain '#': the attempt is the fixed-width suffix, so keys never collide.
const stepSk = (stepId: string, attempt: number): string => `STEP#${stepId}#${String(attempt).padStart(4, '0')}`;
const eventSk = (id: number): string => `EVENT#${String(id).padStart(12, '0')}`;
const cachePk = (key: string): string => `CACHE#${key}`;
const idempotencyPk = (key: string): string => `IDEMPOTENCY#${key}`;

/**
 * A page cursor is the index key of the page's last job (an ExclusiveStartKey), base64url JSON.
 * Only a key of the index being queried is accepted, so a client cannot steer the query elsewhere.
 */
/** Only a key of the index being queried (a job's, of the expected partition) is accepted. */
const indexKeyOf = (gsiPk: string, expectedPk: string, gsiSk: string) => (v: unknown): v is Record<string, string> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const keys = ['pk', 'sk', gsiPk, gsiSk];
  return Object.keys(o).length === 4 && keys.every((k) => typeof o[k] === 'string') && o[gsiPk] === expectedPk && String(o.pk).startsWith('JOB#') && o.sk === 'JOB';
};
const docPk = (name: string): string => `DOC#${name}`;
/** The byCreatedAt partition of a rule's firings. */
const firingsPk = (rule: string): string => `FIRINGS#${rule}`;
const factsPk = (subject: string): string => `FACTS#${factKind(subject)}`;
const FACT_ATTR = 'F_';
const factsOf = (i: Item): Facts =>
  Object.fromEntries(Object.entries(i).filter(([k]) => k.startsWith(FACT_ATTR)).map(([k, v]) => [k.slice(FACT_ATTR.length), v]));

/** SQLite keeps JSON text; round-tripping through JSON here gives identical values (dates → strings, no undefined). */
const jsonish = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

const isConditionFailed = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

type Item = Record<string, unknown>;

const toJob = (i: Item): JobRecord => ({
  id: i.id as string,
  status: i.status as JobStatus,
  spec: i.spec as JobRecord['spec'],
  sourceHash: (i.sourceHash as string | null | undefined) ?? null,
  createdAt: i.createdAt as string,
  updatedAt: i.updatedAt as string,
  startedAt: (i.startedAt as string | null | undefined) ?? null,
  endedAt: (i.endedAt as string | null | undefined) ?? null,
  progress: (i.progress as number | undefined) ?? 0,
  etaSec: (i.etaSec as number | null | undefined) ?? null,
  error: (i.error as JobRecord['error'] | undefined) ?? null,
  reportKey: (i.reportKey as string | null | undefined) ?? null,
  outputPrefix: i.outputPrefix as string,
  cost: (i.cost as JobRecord['cost'] | undefined) ?? null,
  // Jobs written before runs were numbered are on their first run.
  run: (i.run as number | undefined) ?? 0,
  // Jobs written before workflows were recorded are encode jobs.
  workflow: (i.workflow as JobRecord['workflow'] | undefined) ?? ENCODE_JOB_WORKFLOW,
  version: i.version as number,
});

const toStep = (i: Item): StepRecord => ({
  jobId: i.jobId as string,
  stepId: i.stepId as string,
  function: i.function as string,
  attempt: i.attempt as number,
  status: i.status as StepStatus,
  startedAt: i.startedAt as string,
  endedAt: (i.endedAt as string | null | undefined) ?? null,
  durationMs: (i.durationMs as number | null | undefined) ?? null,
  costUsd: (i.costUsd as number | null | undefined) ?? null,
  error: (i.error as string | null | undefined) ?? null,
  fraction: (i.fraction as number | undefined) ?? 0,
  invocationId: (i.invocationId as string | null | undefined) ?? null,
  summary: (i.summary as StepRecord['summary'] | undefined) ?? null,
  revision: (i.revision as number | undefined) ?? 0,
  ...(i.platform ? { platform: i.platform as StepRecord['platform'] } : {}),
  ...(i.size ? { size: i.size as string } : {}),
});

/** The step's own fields (no keys), as stored. */
const stepAttrs = (s: StepRecord): StepRecord => ({
  jobId: s.jobId,
  stepId: s.stepId,
  function: s.function,
  attempt: s.attempt,
  status: s.status,
  startedAt: s.startedAt,
  endedAt: s.endedAt,
  durationMs: s.durationMs,
  error: s.error,
  costUsd: s.costUsd,
  fraction: s.fraction,
  invocationId: s.invocationId,
  summary: jsonish(s.summary),
  revision: s.revision,
  ...(s.platform ? { platform: s.platform } : {}),
  ...(s.size ? { size: s.size } : {}),
});

/** The list filters as a DynamoDB FilterExpression on the job item's `spec` map (null: none). */
function jobPageFilter(q: JobPageQuery): { expression: string; names: Record<string, string>; values: Record<string, unknown> } | null {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (q.preset !== undefined) {
    Object.assign(names, { '#spec': 'spec', '#preset': 'preset' });
    values[':preset'] = q.preset;
    parts.push('#spec.#preset = :preset');
  }
  if (q.tag) {
    Object.assign(names, { '#spec': 'spec', '#tags': 'tags', '#tagKey': q.tag.key });
    if (q.tag.value === undefined) parts.push('attribute_exists(#spec.#tags.#tagKey)');
    else {
      values[':tagValue'] = q.tag.value;
      parts.push('#spec.#tags.#tagKey = :tagValue');
    }
  }
  if (q.text) {
    Object.assign(names, { '#id': 'id', '#spec': 'spec', '#source': 'source', '#key': 'key' });
    values[':text'] = q.text;
    parts.push('(contains(#id, :text) OR contains(#spec.#source.#key, :text))');
  }
  return parts.length ? { expression: parts.join(' AND '), names, values } : null;
}

export class DynamoJobStore implements JobStore, FactStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(opts: DynamoJobStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(opts.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = opts.table;
  }

  async createJob(job: NewJob): Promise<JobRecord> {
    const now = new Date().toISOString();
    const record: JobRecord = {
      id: job.id,
      status: 'QUEUED',
      spec: jsonish(job.spec),
      sourceHash: job.sourceHash,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      endedAt: null,
      progress: 0,
      etaSec: null,
      error: null,
      reportKey: null,
      cost: null,
      outputPrefix: job.outputPrefix,
      run: 0,
      workflow: jsonish(job.workflow ?? ENCODE_JOB_WORKFLOW),
      version: 0,
    };
    const attrs: Item = {
      ...record,
      gsi1pk: `STATUS#${record.status}`,
      gsi1sk: now,
      gsi2pk: 'JOBS',
      gsi2sk: now,
      ...(job.sourceHash !== null ? { gsi3pk: `SOURCE#${job.sourceHash}`, gsi3sk: now } : {}),
    };
    // An update, not a put: appendEvent may already have created the item for its event counter,
    // and a put would reset that counter. "No status yet" means "no job yet".
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(attrs).map(([k, v]) => {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      return `#${k} = :${k}`;
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobPk(job.id), sk: 'JOB' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(#status)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      if (isConditionFailed(e)) throw new Error(`job ${job.id} already exists`);
      throw e;
    }
    return record;
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: jobPk(id), sk: 'JOB' }, ConsistentRead: true }));
    // An item with only the event counter is not a job.
    return res.Item && res.Item.status !== undefined ? toJob(res.Item) : null;
  }

  async updateJob(id: string, patch: JobPatch, expectedVersion?: number): Promise<JobRecord> {
    const fields: Item = {};
    if (patch.status !== undefined) {
      fields.status = patch.status;
      fields.gsi1pk = `STATUS#${patch.status}`; // keeps the byStatus index in step
    }
    if (patch.run !== undefined) fields.run = patch.run;
    if (patch.progress !== undefined) fields.progress = patch.progress;
    if (patch.etaSec !== undefined) fields.etaSec = patch.etaSec;
    if (patch.error !== undefined) fields.error = jsonish(patch.error);
    if (patch.reportKey !== undefined) fields.reportKey = patch.reportKey;
    if (patch.startedAt !== undefined) fields.startedAt = patch.startedAt;
    if (patch.endedAt !== undefined) fields.endedAt = patch.endedAt;
    if (patch.cost !== undefined) fields.cost = jsonish(patch.cost);
    fields.updatedAt = new Date().toISOString();

    const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
    const values: Record<string, unknown> = { ':one': 1 };
    const sets = Object.entries(fields).map(([k, v]) => {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      return `#${k} = :${k}`;
    });
    sets.push('#version = #version + :one');
    let condition = 'attribute_exists(#status)';
    if (expectedVersion !== undefined) {
      condition += ' AND #version = :expected';
      values[':expected'] = expectedVersion;
    }
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobPk(id), sk: 'JOB' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toJob(res.Attributes!);
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
      if (!(await this.getJob(id))) throw new Error(`no job ${id}`);
      throw new VersionConflictError(`job ${id} changed since version ${expectedVersion}`);
    }
  }

  async listJobs(filter: { status?: JobStatus; limit?: number } = {}): Promise<JobRecord[]> {
    const limit = filter.limit ?? 100;
    const query: QueryCommandInput = filter.status
      ? {
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `STATUS#${filter.status}` },
        }
      : {
          TableName: this.table,
          IndexName: 'byCreatedAt',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': 'JOBS' },
        };
    return (await this.queryAll({ ...query, ScanIndexForward: false }, limit)).map(toJob);
  }

  async findResumable(sourceHash: string, preset: string): Promise<JobRecord | null> {
    const items = await this.queryAll({
      TableName: this.table,
      IndexName: 'bySource',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': `SOURCE#${sourceHash}` },
      ScanIndexForward: false,
    });
    // A job that failed on bad input will fail again; only interrupted or transient failures resume.
    return (
      items
        .map(toJob)
        .find((j) => RESUMABLE.includes(j.status) && j.workflow.name === ENCODE_JOB_WORKFLOW.name && j.spec.preset === preset && j.error?.code !== 'Mosaic.InputInvalid') ?? null
    );
  }

  async listJobPage(q: JobPageQuery): Promise<JobPage> {
    const [index, gsiPk, gsiSk, pkValue] = q.status
      ? (['byStatus', 'gsi1pk', 'gsi1sk', `STATUS#${q.status}`] as const)
      : (['byCreatedAt', 'gsi2pk', 'gsi2sk', 'JOBS'] as const);
    const limit = Math.max(1, Math.min(100, Math.floor(q.limit)));
    const start = q.cursor ? decodeCursor(q.cursor, indexKeyOf(gsiPk, pkValue, gsiSk)) : undefined;
    // One extra item tells whether another page exists, so the last page says so.
    const items: Item[] = [];
    let next: Record<string, unknown> | undefined = start;
    const filter = jobPageFilter(q);
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: `${gsiPk} = :pk`,
          ExpressionAttributeValues: { ':pk': pkValue, ...filter?.values },
          ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
          ScanIndexForward: false,
          ExclusiveStartKey: next,
          // A filter drops items after the read: read a page's worth each time until the page is full.
          Limit: filter ? Math.max(limit + 1, 100) : limit + 1 - items.length,
        }),
      );
      items.push(...(res.Items ?? []));
      next = res.LastEvaluatedKey;
    } while (next && items.length <= limit);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toJob),
      nextCursor: items.length > limit && last ? encodeCursor({ pk: last.pk, sk: last.sk, [gsiPk]: last[gsiPk], [gsiSk]: last[gsiSk] }) : null,
    };
  }

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: idempotencyPk(record.key), sk: 'IDEMPOTENCY', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
    }
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: idempotencyPk(record.key), sk: 'IDEMPOTENCY' }, ConsistentRead: true }),
    );
    const i = res.Item!;
    return { key: i.key as string, requestHash: i.requestHash as string, jobId: i.jobId as string, createdAt: i.createdAt as string };
  }

  async putStep(step: StepRecord, expectedRevision: number | null): Promise<StepRecord> {
    // The store numbers revisions, as putDocument numbers versions: one more than the one replaced.
    const record = stepAttrs({ ...step, revision: (expectedRevision ?? 0) + 1 });
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: jobPk(step.jobId), sk: stepSk(step.stepId, step.attempt), ...record },
          ...(expectedRevision === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#revision = :expected', ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':expected': expectedRevision } }),
        }),
      );
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
      throw new VersionConflictError(`step ${step.stepId} attempt ${step.attempt} of job ${step.jobId} changed since revision ${expectedRevision ?? '(none)'}`);
    }
    return record;
  }

  async listStepAttempts(jobId: string, stepId: string): Promise<StepRecord[]> {
    // Step ids may contain '#' (`encode-video:r1-c1#b`): keep only this exact id's attempts.
    return (await this.stepItems(jobId, stepId)).map(toStep).filter((s) => s.stepId === stepId).sort((a, b) => a.attempt - b.attempt);
  }

  async listSteps(jobId: string): Promise<StepRecord[]> {
    const steps = (await this.stepItems(jobId)).map(toStep);
    // Same order as SQLite's `ORDER BY started_at, step_id, attempt` (ISO timestamps sort as strings).
    return steps.sort(
      (a, b) => cmp(a.startedAt, b.startedAt) || cmp(a.stepId, b.stepId) || a.attempt - b.attempt,
    );
  }

  async abandonRunningSteps(jobId: string): Promise<number> {
    const running = (await this.stepItems(jobId)).filter((i) => i.status === 'RUNNING');
    const endedAt = new Date().toISOString();
    let n = 0;
    for (const i of running) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: i.pk, sk: i.sk },
            // A write like any other: the revision moves, so a lifecycle write from before it conflicts.
            UpdateExpression: 'SET #status = :abandoned, endedAt = :e, #revision = if_not_exists(#revision, :zero) + :one',
            // Only count steps that were still running when we got to them.
            ConditionExpression: '#status = :running',
            ExpressionAttributeNames: { '#status': 'status', '#revision': 'revision' },
            ExpressionAttributeValues: { ':abandoned': 'ABANDONED', ':running': 'RUNNING', ':e': endedAt, ':zero': 0, ':one': 1 },
          }),
        );
        n++;
      } catch (e) {
        if (!isConditionFailed(e)) throw e;
      }
    }
    return n;
  }

  async appendEvent(jobId: string, detailType: string, detail: unknown): Promise<void> {
    // An atomic counter on the job item gives per-job, strictly increasing event ids;
    // ADD creates the item (counter only) if the job is not there yet.
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: 'JOB' },
        UpdateExpression: 'ADD eventSeq :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const id = res.Attributes!.eventSeq as number;
    const event: StoredEvent = { id, time: new Date().toISOString(), jobId, detailType, detail: jsonish(detail) };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: jobPk(jobId), sk: eventSk(id), ...event } }));
  }

  async listEvents(jobId: string, afterId = 0): Promise<StoredEvent[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // 'EVENT$' sorts after every 'EVENT#…' key.
      ExpressionAttributeValues: { ':pk': jobPk(jobId), ':from': eventSk(Math.max(0, Math.floor(afterId)) + 1), ':to': 'EVENT$' },
      ConsistentRead: true,
    });
    return items.map((i) => ({
      id: i.id as number,
      time: i.time as string,
      jobId: i.jobId as string,
      detailType: i.detailType as string,
      detail: i.detail,
    }));
  }

  async getCache(key: string): Promise<CacheEntry | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: cachePk(key), sk: 'CACHE' }, ConsistentRead: true }));
    if (!res.Item) return null;
    const i = res.Item;
    return { key: i.key as string, function: i.function as string, result: i.result, outputKeys: i.outputKeys as string[], createdAt: i.createdAt as string };
  }

  async putCache(entry: CacheEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: cachePk(entry.key),
          sk: 'CACHE',
          key: entry.key,
          function: entry.function,
          result: jsonish(entry.result),
          outputKeys: [...entry.outputKeys],
          createdAt: entry.createdAt,
        },
      }),
    );
  }

  async getDocument(name: string): Promise<StoredDocument | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: docPk(name), sk: 'DOC' }, ConsistentRead: true }));
    const i = res.Item;
    return i ? { name: i.name as string, data: i.data, version: i.version as number, updatedAt: i.updatedAt as string } : null;
  }

  async putDocument(name: string, data: unknown, expectedVersion: number | null): Promise<StoredDocument> {
    const doc: StoredDocument = { name, data: jsonish(data), version: (expectedVersion ?? 0) + 1, updatedAt: new Date().toISOString() };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: docPk(name), sk: 'DOC', ...doc },
          ConditionExpression: expectedVersion === null ? 'attribute_not_exists(pk)' : '#version = :expected',
          ...(expectedVersion === null ? {} : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      );
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
      throw new VersionConflictError(`document ${name} changed since version ${expectedVersion ?? '(none)'}`);
    }
    return doc;
  }

  // ---- FactStore

  async getFacts(subject: string): Promise<Facts | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: factsPk(subject), sk: subject }, ConsistentRead: true }));
    return res.Item ? factsOf(res.Item) : null;
  }

  async findFacts(wildcard: string): Promise<Record<string, Facts>> {
    const w = subjectWildcard(wildcard);
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `FACTS#${w.kind}`, ':prefix': w.prefix },
      ConsistentRead: true,
    });
    return Object.fromEntries(items.filter((i) => w.test(i.sk as string)).map((i) => [i.sk as string, factsOf(i)]));
  }

  async assertFacts(subject: string, facts: Facts): Promise<Facts> {
    // One attribute per fact, so a single update merges atomically (no read-modify-write race).
    const names: Record<string, string> = { '#subject': 'subject', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':subject': subject, ':updatedAt': new Date().toISOString() };
    const sets = ['#subject = :subject', '#updatedAt = :updatedAt'];
    Object.entries(jsonish(facts)).forEach(([name, value], i) => {
      names[`#f${i}`] = `${FACT_ATTR}${name}`;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: factsPk(subject), sk: subject },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return factsOf(res.Attributes ?? {});
  }

  async claimFiring(f: { id: string; rule: string; subject: string | null; eventId: string | null }): Promise<boolean> {
    const createdAt = new Date().toISOString();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `FIRING#${f.id}`, sk: 'FIRING', rule: f.rule, subject: f.subject, eventId: f.eventId, createdAt, gsi2pk: firingsPk(f.rule), gsi2sk: `${createdAt}#${f.id}` },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  async releaseFiring(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: `FIRING#${id}`, sk: 'FIRING' } }));
  }

  /**
   * A rule's firings through the byCreatedAt index (its partition `FIRINGS#<rule>`; jobs are in
   * `JOBS`), newest first. Eventually consistent, as every GSI read: a firing just claimed may
   * take a moment to show. Firings recorded before the index keys were written are not listed.
   */
  async listFirings(rule: string, limit: number): Promise<FiringRecord[]> {
    const n = Math.max(0, Math.min(200, Math.floor(limit)));
    const items = await this.queryAll(
      {
        TableName: this.table,
        IndexName: 'byCreatedAt',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': firingsPk(rule) },
        ScanIndexForward: false,
      },
      n,
    );
    return items.map((i) => ({
      id: (i.pk as string).slice('FIRING#'.length),
      rule: i.rule as string,
      subject: (i.subject as string | null | undefined) ?? null,
      eventId: (i.eventId as string | null | undefined) ?? null,
      createdAt: i.createdAt as string,
    }));
  }

  /** Every step attempt of one job. */
  /** The job's step items, or one step's (`STEP#<stepId>#` also keeps `plan` apart from `plan2`). */
  private async stepItems(jobId: string, stepId?: string): Promise<Item[]> {
    return this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': stepId === undefined ? 'STEP#' : `STEP#${stepId}#` },
      ConsistentRead: true,
    });
  }

  /** Follows LastEvaluatedKey until `limit` items (or the end). */
  private async queryAll(input: QueryCommandInput, limit = Infinity): Promise<Item[]> {
    const out: Item[] = [];
    if (limit <= 0) return out;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ ...input, ExclusiveStartKey: start, ...(Number.isFinite(limit) ? { Limit: limit - out.length } : {}) }),
      );
      out.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
