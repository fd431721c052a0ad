/**
 * Runs a state-machines/*.asl.json file with aws-local-stepfunctions. Every Task state whose
 * Resource is a `${NameFunctionArn}` placeholder runs the local media function `name`; the
 * placeholders get the same shape of ARN the CDK stack substitutes. A `lambda:invoke` state
 * (whose function is chosen at run time, e.g. the allocator's memory variant) runs the function
 * its FunctionName names and answers in the integration's `{ Payload }` shape. A Distributed Map
 * runs as an in-process map over the items its ItemReader names (local/distributed-map.ts).
 */
import './polyfills.js';
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { localizeDistributedMaps, parseItems, type ItemReaderParameters } from './distributed-map.js';

const PLACEHOLDER = /\$\{([A-Za-z0-9]+)\}/g;

export const functionNameOf = (pascal: string) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
export const pascalOf = (fn: string) => fn.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** Platform functions a workflow may call besides the media functions (only ARNs, no platforms). */
export const PLATFORM_FUNCTIONS: readonly string[] = ['allocator'];
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

export const localFunctionArn = (fn: string) => `arn:aws:lambda:us-east-1:000000000000:function:mosaic-${fn}`;

/** The function a local ARN names (`…:function:mosaic-encode-video`), or null. */
export function functionOfArn(arn: unknown): string | null {
  const m = typeof arn === 'string' ? /:function:mosaic-([a-z0-9-]+)$/.exec(arn) : null;
  return m ? m[1] : null;
}

export interface LoadedWorkflow {
  /** What this engine runs: the substituted definition with its Distributed Maps made local. */
  definition: Record<string, unknown>;
  /** The substituted definition as Step Functions would run it (before the local rewrites). */
  deployed?: Record<string, unknown>;
  /**
   * Task state name → the function it runs, and how: a direct Lambda ARN, an ECS task, a
   * `lambda:invoke` whose function comes from its input, or the items a Distributed Map reads
   * from the blob store (`fn` is then empty).
   */
  taskFunctions: Map<string, { fn: string; kind: 'lambda' | 'ecs' | 'lambda-invoke' | 'item-reader' }>;
}

/**
 * The same substitutions the CDK stack makes, with local stand-ins: ARNs of the right shape,
 * and each function's default platform from its function.json.
 */
export function localSubstitution(name: string, defaults: ReadonlyMap<string, string>): string | null {
  const m = /^([A-Z][A-Za-z0-9]*?)(FunctionArn|TaskDefinitionArn|DefaultPlatform)$/.exec(name);
  if (m) {
    const fn = functionNameOf(m[1]);
    if (m[2] === 'FunctionArn' && PLATFORM_FUNCTIONS.includes(fn)) return localFunctionArn(fn);
    if (!defaults.has(fn)) return null;
    if (m[2] === 'FunctionArn') return localFunctionArn(fn);
    if (m[2] === 'TaskDefinitionArn') return `arn:aws:ecs:us-east-1:000000000000:task-definition/mosaic-${fn}:1`;
    return defaults.get(fn)!;
  }
  const fixed: Record<string, string> = {
    ClusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/mosaic-local',
    FargateSubnet1: 'subnet-00000000000000001',
    FargateSubnet2: 'subnet-00000000000000002',
    FargateSecurityGroup: 'sg-00000000000000001',
    // Distributed Maps read their items from it: locally the blob store, whatever the bucket.
    DerivativeBucket: 'mosaic-local-derivatives',
  };
  return fixed[name] ?? null;
}

/** `defaults`: function name → default platform (function.json). */
export function loadWorkflow(file: string, defaults: ReadonlyMap<string, string>): LoadedWorkflow {
  const text = readFileSync(file, 'utf8');
  const unknown = new Set<string>();
  const substituted = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = localSubstitution(name, defaults);
    if (value === null) unknown.add(name);
    return value ?? whole;
  });
  if (unknown.size) throw new Error(`${file} has placeholders with no function or value behind them: ${[...unknown].join(', ')}`);
  const definition = JSON.parse(substituted) as Record<string, unknown>;
  const deployed = JSON.parse(substituted) as Record<string, unknown>;
  const taskFunctions: LoadedWorkflow['taskFunctions'] = new Map();
  for (const reader of localizeDistributedMaps(definition as never)) taskFunctions.set(reader, { fn: '', kind: 'item-reader' });
  collectTasks(definition, taskFunctions);
  return { definition, deployed, taskFunctions };
}

type States = Record<string, Record<string, unknown>>;
interface EcsParameters {
  Overrides?: { ContainerOverrides?: { Environment?: { Name: string; Value?: string }[] }[] };
}
const ecsEnv = (p: EcsParameters, name: string) => p.Overrides?.ContainerOverrides?.[0]?.Environment?.find((e) => e.Name === name);

function collectTasks(machine: Record<string, unknown>, out: LoadedWorkflow['taskFunctions']): void {
  for (const [name, state] of Object.entries(machine.States as States)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      const lambda = functionOfArn(state.Resource);
      if (lambda) out.set(name, { fn: lambda, kind: 'lambda' });
      else if (state.Resource === LAMBDA_INVOKE) out.set(name, { fn: '', kind: 'lambda-invoke' });
      else if (state.Resource.startsWith('arn:aws:states:::ecs:runTask')) {
        const fn = ecsEnv(state.Parameters as EcsParameters, 'MOSAIC_FUNCTION')?.Value;
        if (fn) out.set(name, { fn, kind: 'ecs' });
      }
    }
    for (const branch of (state.Branches as Record<string, unknown>[] | undefined) ?? []) collectTasks(branch, out);
    const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
    if (processor) collectTasks(processor, out);
  }
}

/**
 * The payload an ECS task state hands its container, as the container's entrypoint reads it:
 * MOSAIC_INPUT, or the object MOSAIC_INPUT_KEY names (read with `readObject`).
 */
export async function ecsTaskPayload(params: unknown, readObject?: (key: string) => Promise<Buffer>): Promise<unknown> {
  const key = ecsEnv(params as EcsParameters, 'MOSAIC_INPUT_KEY')?.Value;
  if (key !== undefined) {
    if (!readObject) throw new Error(`ECS task state passes its input as ${key}, and this run has no blob store (runWorkflow's readObject)`);
    return JSON.parse((await readObject(key)).toString('utf8'));
  }
  const raw = ecsEnv(params as EcsParameters, 'MOSAIC_INPUT')?.Value;
  if (raw === undefined) throw new Error('ECS task state has no MOSAIC_INPUT or MOSAIC_INPUT_KEY override');
  return JSON.parse(raw);
}

export type TaskInvoker = (fn: string, input: unknown, stateName: string) => Promise<unknown>;

async function invokeByName(invoke: TaskInvoker, params: unknown, state: string): Promise<unknown> {
  const { FunctionName, Payload } = (params ?? {}) as { FunctionName?: unknown; Payload?: unknown };
  const fn = functionOfArn(FunctionName);
  if (!fn) throw new Error(`${state}: FunctionName ${String(FunctionName)} is not a local function ARN`);
  return { Payload: await invoke(fn, Payload, state), StatusCode: 200 };
}

async function readItems(read: RunOptions['readObject'], params: ItemReaderParameters, state: string): Promise<unknown[]> {
  if (!read) throw new Error(`${state}: this run has no blob store to read the Map's items from (runWorkflow's readObject)`);
  return parseItems(params.Key, await read(params.Key));
}

export interface RunningWorkflow {
  result: Promise<unknown>;
  abort(): void;
}

export interface RunOptions {
  retryIntervalMs?: number;
  /** The object a Distributed Map's ItemReader names (the engine's blob store); needed only by workflows with one. */
  readObject?: (key: string) => Promise<Buffer>;
}

export function runWorkflow(wf: LoadedWorkflow, input: unknown, invoke: TaskInvoker, opts: RunOptions = {}): RunningWorkflow {
  const machine = new StateMachine(wf.definition as never, { validationOptions: { checkPaths: true, checkArn: true } });
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [state, { fn, kind }] of wf.taskFunctions) {
    // Locally a Fargate task runs in-process like any other: same function, same payload.
    if (kind === 'lambda-invoke') handlers[state] = (taskInput) => invokeByName(invoke, taskInput, state);
    else if (kind === 'item-reader') handlers[state] = (params) => readItems(opts.readObject, params as ItemReaderParameters, state);
    else handlers[state] = async (taskInput) => invoke(fn, kind === 'ecs' ? await ecsTaskPayload(taskInput, opts.readObject) : taskInput, state);
    if (opts.retryIntervalMs !== undefined) retryIntervalOverrides[state] = opts.retryIntervalMs;
  }
  const context = { Execution: { Input: input, StartTime: new Date().toISOString(), Name: 'local' }, Task: { Token: 'local-task-token' } };
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
    context: context as never,
  });
  return { result: execution.result, abort: () => execution.abort() };
}
