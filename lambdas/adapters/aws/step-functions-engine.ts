/**
 * WorkflowEngine on Step Functions: one state machine per workflow name, executions named by the
 * caller so a repeated start (retry, redelivered trigger) finds the same execution.
 */
import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { WorkflowEngine, WorkflowExecution } from '../../ports.js';

export interface StepFunctionsEngineOptions {
  client: SFNClient;
  /** Workflow name → state machine ARN. */
  stateMachineArns: Record<string, string>;
  /** How often `result` polls DescribeExecution (default 5 s). */
  pollMs?: number;
}

const MAX_NAME = 80;

/**
 * Step Functions names: 1–80 characters; we keep to `[A-Za-z0-9-_]` (safe for CloudWatch too).
 * Over-long names keep a hash of the original so two long names cannot collapse into one.
 */
export function sanitiseExecutionName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_-]/g, '-') || 'execution';
  if (clean.length <= MAX_NAME) return clean;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${clean.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

/** arn:…:stateMachine:<sm> → arn:…:execution:<sm>:<name> (what StartExecution would have returned). */
const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class StepFunctionsEngine implements WorkflowEngine {
  private readonly client: SFNClient;
  private readonly arns: Record<string, string>;
  private readonly pollMs: number;

  constructor(opts: StepFunctionsEngineOptions) {
    this.client = opts.client;
    this.arns = opts.stateMachineArns;
    this.pollMs = opts.pollMs ?? 5000;
  }

  async start(workflow: string, input: unknown, executionName: string): Promise<WorkflowExecution> {
    const stateMachineArn = this.arns[workflow];
    if (!stateMachineArn) throw new Error(`no state machine for workflow "${workflow}" (known: ${Object.keys(this.arns).join(', ') || 'none'})`);
    const name = sanitiseExecutionName(executionName);
    let executionArn: string;
    try {
      const res = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input ?? {}) }));
      executionArn = res.executionArn!;
    } catch (e) {
      if ((e as { name?: string }).name !== 'ExecutionAlreadyExists') throw e;
      // Same name already used (a retried start): attach to that execution instead of failing.
      const existing = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, name) }));
      executionArn = existing.executionArn!;
    }
    // Polling starts only when someone reads `result`: a Lambda that just starts an execution
    // must not leave a polling loop running across warm invocations.
    let result: Promise<unknown> | null = null;
    const poll = () => (result ??= this.poll(executionArn));
    return {
      executionId: executionArn,
      get result() {
        return poll();
      },
      stop: () => {
        this.client.send(new StopExecutionCommand({ executionArn })).catch((e: Error) => {
          process.emitWarning(`StopExecution ${executionArn} failed: ${e.message}`);
        });
      },
    };
  }

  private async poll(executionArn: string): Promise<unknown> {
    let d: DescribeExecutionCommandOutput;
    for (;;) {
      d = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') break;
      await sleep(this.pollMs);
    }
    if (d.status === 'SUCCEEDED') return d.output === undefined ? null : JSON.parse(d.output);
    // The error name is what ASL Catch would match (e.g. Mosaic.InputInvalid, States.Timeout).
    const err = new Error(d.cause ?? `execution ${d.status?.toLowerCase() ?? 'ended'}`);
    err.name = d.error ?? `States.${d.status === 'ABORTED' ? 'Aborted' : d.status === 'TIMED_OUT' ? 'Timeout' : 'ExecutionFailed'}`;
    throw err;
  }
}
