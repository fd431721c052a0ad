/**
 * StepFunctionsJobControl / StepFunctionsWorkflowRuns: every job's run starts on the state machine
 * of its workflow, named executionNameFor(job, run), with the input the bootstrap builds for it;
 * startWorkflow records a job of a workflow other than encode only after its request was checked,
 * idempotently per job id; cancel and retry use the job's own state machine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { oneOffJobId } from '../../../../lambdas/core/job-ids.js';
import { StepFunctionsJobControl, draftJob, executionNameFor, type WorkflowJobBuilder } from '../../../../lambdas/adapters/aws/step-functions-job-control.js';
import { ConflictError, JobSpecSchema, NotFoundError, type JobRecord } from '../../../../lambdas/contracts/index.js';
import type { EventBus } from '../../../../lambdas/ports.js';
import { SqliteJobStore } from '../../../../local/sqlite-job-store.js';

const SM = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:mosaic-dev-${name}`;
const ARNS = { encode: SM('encode'), measure: SM('measure') };

interface Sent {
  op: 'start' | 'stop';
  input: Record<string, any>;
}

function world(o: { arns?: Record<string, string>; workflowJob?: WorkflowJobBuilder; alreadyExists?: boolean } = {}) {
  const jobs = new SqliteJobStore(join(mkdtempSync(join(tmpdir(), 'mosaic-sfn-control-')), 'jobs.db'));
  const sent: Sent[] = [];
  const started = new Set<string>();
  const sfn = {
    send: async (cmd: unknown) => {
      if (cmd instanceof StartExecutionCommand) {
        const key = `${cmd.input.stateMachineArn}:${cmd.input.name}`;
        sent.push({ op: 'start', input: cmd.input as never });
        if (started.has(key)) throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
        started.add(key);
        return { executionArn: key };
      }
      if (cmd instanceof StopExecutionCommand) {
        sent.push({ op: 'stop', input: cmd.input as never });
        return {};
      }
      throw new Error('unexpected command');
    },
  };
  const put: unknown[] = [];
  const events = { put: async (e: unknown) => void put.push(e), subscribe: () => () => undefined } as unknown as EventBus;
  const inputs: JobRecord[] = [];
  const control = new StepFunctionsJobControl({
    jobs,
    lifecycle: async (jobId, request) => {
      const job = (await jobs.getJob(jobId))!;
      if (request.kind === 'cancel-requested') return { ...job, status: 'CANCELLED' };
      if (request.kind === 'retry-requested') return { ...job, status: 'QUEUED', run: job.run + 1 };
      return job;
    },
    events,
    blobs: { head: async () => null } as never,
    sfn: sfn as never,
    stateMachineArns: o.arns ?? ARNS,
    functions: {} as never,
    executionInput: async (job) => {
      inputs.push(job);
      return { jobId: job.id, workflow: job.workflow.name, request: job.workflow.input };
    },
    ...(o.workflowJob ? { workflowJob: o.workflowJob } : {}),
    planContext: { parallelism: 1, threadsPerTask: 1, vmafAvailable: false, platforms: {}, limits: { maxBytes: 1, maxDurationSec: 1 } },
    catalog: [],
    workflows: [],
    newInvocationId: () => oneOffJobId('preflight'),
  });
  return { jobs, control, sent, put, inputs };
}

const spec = JobSpecSchema.parse({ source: { key: 'inbox/a.mp4' }, preset: 'draft' });
const measureJob: WorkflowJobBuilder = async (name, request) => {
  if (request.input.of === 'missing') throw new NotFoundError(`${name}: no job missing`);
  return { spec: JobSpecSchema.parse({ source: { key: 'inbox/a.mp4' }, tags: { workflow: name, of: String(request.input.of) } }), workflow: { name, input: { ...request.input } }, sourceHash: 'src-hash' };
};

describe('StepFunctionsJobControl on every workflow', () => {
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world({ workflowJob: measureJob });
  });

  it('submits an encode job as before: one record, QUEUED history, an execution of the encode state machine named by the job', async () => {
    const job = await w.control.submit(spec, { jobId: 'job-1' });
    expect(job).toMatchObject({ id: 'job-1', status: 'QUEUED', workflow: { name: 'encode', input: {} } });
    expect(w.sent).toEqual([{ op: 'start', input: { stateMachineArn: ARNS.encode, name: 'job-1', input: JSON.stringify({ jobId: 'job-1', workflow: 'encode', request: {} }) } }]);
    expect((await w.jobs.listEvents('job-1')).map((e) => e.detail)).toEqual([{ jobId: 'job-1', status: 'QUEUED' }]);
    // The input was built before the record existed (a draft of it).
    expect(w.inputs[0]).toMatchObject({ id: 'job-1', status: 'QUEUED', run: 0 });
    // Again: the same record, the same execution name (Step Functions refuses a second one).
    await w.control.submit(spec, { jobId: 'job-1' });
    expect(w.sent.map((s) => s.input.name)).toEqual(['job-1', 'job-1']);
    expect(await w.jobs.listEvents('job-1')).toHaveLength(1);
  });

  it('starts a measure job on the measure state machine, recorded with its workflow, idempotent per job id', async () => {
    const job = await w.control.startWorkflow('measure', { input: { of: 'job-0' } }, { jobId: 'm-1' });
    expect(job).toMatchObject({ id: 'm-1', status: 'QUEUED', sourceHash: 'src-hash', workflow: { name: 'measure', input: { of: 'job-0' } }, outputPrefix: 'm-1/' });
    expect(w.sent).toEqual([{ op: 'start', input: { stateMachineArn: ARNS.measure, name: 'm-1', input: JSON.stringify({ jobId: 'm-1', workflow: 'measure', request: { of: 'job-0' } }) } }]);
    expect((await w.jobs.listEvents('m-1')).map((e) => e.detail)).toEqual([{ jobId: 'm-1', status: 'QUEUED' }]);
    expect(w.put).toEqual([expect.objectContaining({ detailType: 'Job Status Changed', detail: { jobId: 'm-1', status: 'QUEUED' } })]);
    const again = await w.control.startWorkflow('measure', { input: { of: 'job-0' } }, { jobId: 'm-1' });
    expect(again.id).toBe('m-1');
    expect(w.sent.map((s) => [s.input.stateMachineArn, s.input.name])).toEqual([[ARNS.measure, 'm-1'], [ARNS.measure, 'm-1']]);
    expect(await w.jobs.listEvents('m-1')).toHaveLength(1);
    // A job id taken by another workflow's job is a conflict.
    await w.control.submit(spec, { jobId: 'job-2' });
    await expect(w.control.startWorkflow('measure', { input: { of: 'job-0' } }, { jobId: 'job-2' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('records nothing and starts nothing for a workflow not deployed, a refused request, or encode', async () => {
    await expect(w.control.startWorkflow('repackage', { input: { of: 'job-0' } }, { jobId: 'r-1' })).rejects.toMatchObject({ name: 'Mosaic.NotFound', message: expect.stringContaining('known: encode, measure') });
    await expect(w.control.startWorkflow('measure', { input: { of: 'missing' } }, { jobId: 'm-2' })).rejects.toMatchObject({ name: 'Mosaic.NotFound' });
    await expect(w.control.startWorkflow('encode', { input: {} }, { jobId: 'e-1' })).rejects.toBeInstanceOf(ConflictError);
    for (const id of ['r-1', 'm-2', 'e-1']) expect(await w.jobs.getJob(id)).toBeNull();
    expect(w.sent).toEqual([]);
    // Without a way to build workflow jobs, only encode can be started.
    const bare = world();
    await expect(bare.control.startWorkflow('measure', { input: { of: 'job-0' } }, { jobId: 'm-3' })).rejects.toMatchObject({ name: 'Mosaic.NotFound' });
    expect(await bare.jobs.getJob('m-3')).toBeNull();
  });

  it("cancels and retries a measure job on the measure state machine, with the job's execution names", async () => {
    await w.control.startWorkflow('measure', { input: { of: 'job-0' } }, { jobId: 'm-1' });
    await w.control.cancel('m-1');
    expect(w.sent.at(-1)).toEqual({ op: 'stop', input: expect.objectContaining({ executionArn: `${ARNS.measure.replace(':stateMachine:', ':execution:')}:m-1`, error: 'Mosaic.Cancelled' }) });
    const retried = await w.control.retry('m-1');
    expect(retried.run).toBe(1);
    expect(w.sent.at(-1)).toEqual({ op: 'start', input: { stateMachineArn: ARNS.measure, name: executionNameFor('m-1', 1), input: JSON.stringify({ jobId: 'm-1', workflow: 'measure', request: { of: 'job-0' } }) } });
    expect(executionNameFor('m-1', 1)).toBe('m-1-r1');
  });

  it('keeps the encode-only options of earlier callers: stateMachineArn and workflowInput(jobId, spec)', async () => {
    const jobs = new SqliteJobStore(join(mkdtempSync(join(tmpdir(), 'mosaic-sfn-legacy-')), 'jobs.db'));
    const sent: Record<string, unknown>[] = [];
    const control = new StepFunctionsJobControl({
      jobs, lifecycle: async () => null, events: { put: async () => undefined, subscribe: () => () => undefined }, blobs: { head: async () => null } as never,
      sfn: { send: async (c: StartExecutionCommand) => void sent.push(c.input as never) } as never,
      stateMachineArn: ARNS.encode, functions: {} as never, workflowInput: (jobId, s) => ({ jobId, key: s.source.key }),
      planContext: { parallelism: 1, threadsPerTask: 1, vmafAvailable: false, platforms: {}, limits: { maxBytes: 1, maxDurationSec: 1 } }, catalog: [], workflows: [],
      newInvocationId: () => oneOffJobId('preflight'),
    });
    await control.submit(spec, { jobId: 'old-1' });
    expect(sent).toEqual([{ stateMachineArn: ARNS.encode, name: 'old-1', input: JSON.stringify({ jobId: 'old-1', key: 'inbox/a.mp4' }) }]);
  });

  it('drafts the record a job will have (its first run is built from it before the write)', () => {
    const d = draftJob({ id: 'x', spec, sourceHash: null, outputPrefix: 'x/', workflow: { name: 'measure', input: { of: 'y' } } });
    expect(d).toMatchObject({ id: 'x', status: 'QUEUED', run: 0, reportKey: null, workflow: { name: 'measure', input: { of: 'y' } } });
    expect(draftJob({ id: 'x', spec, sourceHash: null, outputPrefix: 'x/' }).workflow).toEqual({ name: 'encode', input: {} });
  });
});
