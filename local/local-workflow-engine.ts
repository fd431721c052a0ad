/**
 * WorkflowEngine on the embedded ASL runner: the local counterpart of StepFunctionsEngine, with
 * the same meaning — named executions are idempotent, failures carry the ASL error name and
 * cause, a stopped execution ends as `States.Aborted`.
 */
import type { WorkflowEngine, WorkflowExecution } from '../lambdas/ports.js';
import { runWorkflow, type LoadedWorkflow, type TaskInvoker } from './asl-runner.js';

export interface LocalWorkflow {
  workflow: LoadedWorkflow;
  invoke: TaskInvoker;
}

export class LocalWorkflowEngine implements WorkflowEngine {
  private readonly executions = new Map<string, WorkflowExecution>();

  constructor(private readonly workflows: Record<string, LocalWorkflow>) {}

  async start(workflow: string, input: unknown, executionName: string): Promise<WorkflowExecution> {
    const wf = Object.hasOwn(this.workflows, workflow) ? this.workflows[workflow] : undefined;
    if (!wf) throw new Error(`no state machine for workflow "${workflow}" (known: ${Object.keys(this.workflows).join(', ') || 'none'})`);
    const executionId = `local:${workflow}:${executionName}`;
    const existing = this.executions.get(executionId);
    if (existing) return existing;
    let stopped = false;
    const running = runWorkflow(wf.workflow, input, wf.invoke);
    const result = running.result.catch((e: unknown) => {
      throw workflowError(e, stopped);
    });
    result.catch(() => undefined);
    const execution: WorkflowExecution = {
      executionId,
      result,
      stop: () => {
        stopped = true;
        running.abort();
      },
    };
    this.executions.set(executionId, execution);
    return execution;
  }
}

/** The runner wraps the state's error; unwrap it to the name and cause ASL would report. */
function workflowError(e: unknown, stopped: boolean): Error {
  if (stopped) {
    const err = new Error('execution stopped');
    err.name = 'States.Aborted';
    return err;
  }
  const cause = (e as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : (e as Error);
  const err = new Error(inner.message);
  err.name = inner.name;
  return err;
}
