/**
 * Runs a state-machines/*.asl.json file with aws-local-stepfunctions. Every Task state whose
 * Resource is a `${NameFunctionArn}` placeholder runs the local media function `name`; the
 * placeholders get the same shape of ARN the CDK stack substitutes.
 */
import './polyfills.js';
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';

const PLACEHOLDER = /\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}/g;

export const functionNameOf = (pascal: string) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
export const placeholderOf = (fn: string) => `${fn.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}FunctionArn`;

export interface LoadedWorkflow {
  definition: Record<string, unknown>;
  /** Task state name → media function name. */
  taskFunctions: Map<string, string>;
}

export function loadWorkflow(file: string, knownFunctions: ReadonlySet<string>): LoadedWorkflow {
  const text = readFileSync(file, 'utf8');
  const missing = new Set<string>();
  const substituted = text.replace(PLACEHOLDER, (_, pascal: string) => {
    const fn = functionNameOf(pascal);
    if (!knownFunctions.has(fn)) missing.add(fn);
    return `arn:aws:lambda:local:000000000000:function:mosaic-${fn}`;
  });
  if (missing.size) throw new Error(`${file} refers to functions that do not exist: ${[...missing].join(', ')}`);
  const definition = JSON.parse(substituted) as Record<string, unknown>;
  const taskFunctions = new Map<string, string>();
  collectTasks(definition, taskFunctions);
  return { definition, taskFunctions };
}

type States = Record<string, Record<string, unknown>>;
function collectTasks(machine: Record<string, unknown>, out: Map<string, string>): void {
  for (const [name, state] of Object.entries(machine.States as States)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      const m = /:function:mosaic-([a-z0-9-]+)$/.exec(state.Resource);
      if (m) out.set(name, m[1]);
    }
    for (const branch of (state.Branches as Record<string, unknown>[] | undefined) ?? []) collectTasks(branch, out);
    const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
    if (processor) collectTasks(processor, out);
  }
}

export type TaskInvoker = (fn: string, input: unknown, stateName: string) => Promise<unknown>;

export interface RunningWorkflow {
  result: Promise<unknown>;
  abort(): void;
}

export function runWorkflow(wf: LoadedWorkflow, input: unknown, invoke: TaskInvoker, opts: { retryIntervalMs?: number } = {}): RunningWorkflow {
  const machine = new StateMachine(wf.definition as never, { validationOptions: { checkPaths: true, checkArn: true } });
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [state, fn] of wf.taskFunctions) {
    handlers[state] = (taskInput) => invoke(fn, taskInput, state);
    if (opts.retryIntervalMs !== undefined) retryIntervalOverrides[state] = opts.retryIntervalMs;
  }
  const execution = machine.run(input as never, { overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides } });
  return { result: execution.result, abort: () => execution.abort() };
}
