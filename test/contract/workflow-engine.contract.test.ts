/**
 * WorkflowEngine contract, the same cases for StepFunctionsEngine (against a loopback server that
 * emulates StartExecution, DescribeExecution and StopExecution) and for the local ASL engine.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFunctionsEngine, sanitiseExecutionName } from '../../lambdas/adapters/aws/index.js';
import { InputInvalidError } from '../../lambdas/contracts/index.js';
import { LocalWorkflowEngine } from '../../local/local-workflow-engine.js';
import { FAKE_AWS, startLoopback, type Loopback, type Reply } from './loopback.js';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:mosaic-encode';

interface Execution {
  name: string;
  input: string;
  /** Statuses DescribeExecution reports, one per call; the last one sticks. */
  script: string[];
  output?: string;
  error?: string;
  cause?: string;
}

/** How an execution will go, chosen by the start of its name. */
const scriptFor = (name: string, input: string): Execution =>
  name.startsWith('bad')
    ? { name, input, script: ['RUNNING', 'FAILED'], error: 'Mosaic.InputInvalid', cause: 'source has no video stream' }
    : name.startsWith('slow')
      ? { name, input, script: ['RUNNING'] }
      : { name, input, script: ['RUNNING', 'RUNNING', 'SUCCEEDED'], output: JSON.stringify({ echo: JSON.parse(input), reportKey: 'jobs/1/report.json' }) };

const executions = new Map<string, Execution>();
const now = (): number => Date.now() / 1000;
const fault = (type: string, message: string): Reply => ({ status: 400, body: { __type: type, message } });

function emulate(req: { target: string; body: Record<string, unknown> }): Reply {
  const b = req.body as Record<string, string>;
  switch (req.target) {
    case 'AWSStepFunctions.StartExecution': {
      if (b.stateMachineArn !== SM) return fault('StateMachineDoesNotExist', `State Machine Does Not Exist: '${b.stateMachineArn}'`);
      const arn = `${SM.replace(':stateMachine:', ':execution:')}:${b.name}`;
      if (executions.has(arn)) return fault('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      executions.set(arn, scriptFor(b.name!, b.input ?? '{}'));
      return { body: { executionArn: arn, startDate: now() } };
    }
    case 'AWSStepFunctions.DescribeExecution': {
      const x = executions.get(b.executionArn!);
      if (!x) return fault('ExecutionDoesNotExist', `Execution Does Not Exist: '${b.executionArn}'`);
      const status = x.script.length > 1 ? x.script.shift()! : x.script[0]!;
      const done = status !== 'RUNNING';
      return {
        body: {
          executionArn: b.executionArn,
          stateMachineArn: SM,
          name: x.name,
          status,
          startDate: now(),
          input: x.input,
          ...(done ? { stopDate: now() } : {}),
          ...(status === 'SUCCEEDED' ? { output: x.output } : {}),
          ...(status === 'FAILED' ? { error: x.error, cause: x.cause } : {}),
        },
      };
    }
    case 'AWSStepFunctions.StopExecution': {
      const x = executions.get(b.executionArn!);
      if (!x) return fault('ExecutionDoesNotExist', `Execution Does Not Exist: '${b.executionArn}'`);
      x.script = ['ABORTED'];
      return { body: { stopDate: now() } };
    }
    default:
      return fault('UnknownOperationException', req.target);
  }
}

let server: Loopback;
let client: SFNClient;
let engine: StepFunctionsEngine;
const calls = (target: string): Record<string, unknown>[] =>
  server.requests.filter((r) => r.target === `AWSStepFunctions.${target}`).map((r) => r.body);

beforeAll(async () => {
  server = await startLoopback('application/x-amz-json-1.0', emulate);
  client = new SFNClient({ ...FAKE_AWS, endpoint: server.endpoint, maxAttempts: 1 });
  engine = new StepFunctionsEngine({ client, stateMachineArns: { encode: SM }, pollMs: 5 });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
});

describe('WorkflowEngine contract: StepFunctionsEngine', () => {
  it('starts a named execution and resolves with its output once it succeeds', async () => {
    server.requests.length = 0;
    const x = await engine.start('encode', { jobId: 'j1' }, 'job-j1');
    expect(x.executionId).toBe('arn:aws:states:us-east-1:123456789012:execution:mosaic-encode:job-j1');
    expect(calls('StartExecution')).toEqual([{ stateMachineArn: SM, name: 'job-j1', input: JSON.stringify({ jobId: 'j1' }) }]);
    expect(await x.result).toEqual({ echo: { jobId: 'j1' }, reportKey: 'jobs/1/report.json' });
    // It polled through RUNNING to SUCCEEDED.
    expect(calls('DescribeExecution')).toEqual([1, 2, 3].map(() => ({ executionArn: x.executionId })));
  });

  it('rejects with an error named after the execution error, carrying its cause', async () => {
    const x = await engine.start('encode', { jobId: 'j2' }, 'bad-j2');
    await expect(x.result).rejects.toMatchObject({ name: 'Mosaic.InputInvalid', message: 'source has no video stream' });
  });

  it('attaches to the existing execution when the name was already used (idempotent start)', async () => {
    const first = await engine.start('encode', { jobId: 'j3' }, 'job-j3');
    server.requests.length = 0;
    const again = await engine.start('encode', { jobId: 'j3' }, 'job-j3');
    expect(again.executionId).toBe(first.executionId);
    expect(calls('StartExecution')).toHaveLength(1);
    expect(calls('DescribeExecution')[0]).toEqual({ executionArn: first.executionId });
    const [a, b] = await Promise.all([first.result, again.result]);
    expect(a).toEqual({ echo: { jobId: 'j3' }, reportKey: 'jobs/1/report.json' });
    expect(b).toEqual(a);
  });

  it('stops an execution; its result then rejects as aborted', async () => {
    const x = await engine.start('encode', {}, 'slow-j4');
    x.stop();
    await expect(x.result).rejects.toMatchObject({ name: 'States.Aborted' });
    expect(calls('StopExecution')).toEqual([{ executionArn: x.executionId }]);
  });

  it('sanitises execution names to 80 characters of [A-Za-z0-9-_]', async () => {
    expect(sanitiseExecutionName('job 42/encode:v1.ü')).toBe('job-42-encode-v1--');
    const long = `job-${'a'.repeat(100)}`;
    const s = sanitiseExecutionName(long);
    expect(s).toMatch(/^[A-Za-z0-9_-]{80}$/);
    expect(sanitiseExecutionName(long)).toBe(s);
    expect(sanitiseExecutionName(`${long}-b`)).not.toBe(s);
    const x = await engine.start('encode', null, 'job 5/encode');
    expect(x.executionId.endsWith(':job-5-encode')).toBe(true);
    await x.result;
  });

  it('rejects a workflow it has no state machine for', async () => {
    await expect(engine.start('nope', {}, 'n')).rejects.toThrow(/no state machine for workflow "nope"/);
  });
});

describe('WorkflowEngine contract: LocalWorkflowEngine', () => {
  const definition = {
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:mosaic-work', End: true } },
  };
  const started: string[] = [];
  const local = new LocalWorkflowEngine({
    encode: {
      workflow: { definition, taskFunctions: new Map([['Work', { fn: 'work', kind: 'lambda' as const }]]) },
      invoke: async (_fn, input) => {
        const i = input as { jobId?: string; mode?: string };
        started.push(i.jobId ?? '');
        if (i.mode === 'bad') throw new InputInvalidError('source has no video stream');
        if (i.mode === 'slow') await new Promise((r) => setTimeout(r, 3000));
        return { echo: input, reportKey: 'jobs/1/report.json' };
      },
    },
  });

  it('starts a named execution and resolves with its output once it succeeds', async () => {
    const x = await local.start('encode', { jobId: 'j1' }, 'job-j1');
    expect(await x.result).toEqual({ echo: { jobId: 'j1' }, reportKey: 'jobs/1/report.json' });
  });

  it('rejects with an error named after the execution error, carrying its cause', async () => {
    const x = await local.start('encode', { jobId: 'j2', mode: 'bad' }, 'bad-j2');
    await expect(x.result).rejects.toMatchObject({ name: 'Mosaic.InputInvalid', message: 'source has no video stream' });
  });

  it('attaches to the existing execution when the name was already used (idempotent start)', async () => {
    started.length = 0;
    const first = await local.start('encode', { jobId: 'j3' }, 'job-j3');
    const again = await local.start('encode', { jobId: 'j3' }, 'job-j3');
    expect(again.executionId).toBe(first.executionId);
    expect(await again.result).toEqual(await first.result);
    expect(started).toEqual(['j3']);
  });

  it('stops an execution; its result then rejects as aborted', async () => {
    const x = await local.start('encode', { jobId: 'j4', mode: 'slow' }, 'slow-j4');
    x.stop();
    await expect(x.result).rejects.toMatchObject({ name: 'States.Aborted' });
  });

  it('rejects a workflow it has no state machine for', async () => {
    await expect(local.start('nope', {}, 'n')).rejects.toThrow(/no state machine for workflow "nope"/);
  });
});
