/** Reading an Amazon States Language file: its `${Placeholder}` names and its Task states. */

/** `${Name}` as CloudFormation's DefinitionSubstitutions replaces it. */
const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Every placeholder name used in `text`, sorted and de-duplicated. */
export function aslPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

export interface AslTask {
  /** The state's name (unique within its States block). */
  name: string;
  resource: string;
  /** The state's JSON text, to find the placeholders it uses. */
  text: string;
}

type StatesBlock = Record<string, Record<string, unknown>>;

/** Every Task state, including those inside Parallel branches and Map item processors. */
export function aslTasks(definition: { States?: StatesBlock }): AslTask[] {
  const tasks: AslTask[] = [];
  const visit = (states: StatesBlock | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task') tasks.push({ name, resource: String(state.Resource), text: JSON.stringify(state) });
      for (const branch of (state.Branches as { States?: StatesBlock }[] | undefined) ?? []) visit(branch.States);
      visit((state.ItemProcessor as { States?: StatesBlock } | undefined)?.States);
      visit((state.Iterator as { States?: StatesBlock } | undefined)?.States);
    }
  };
  visit(definition.States);
  return tasks;
}

/** How a Task state's Resource calls the platform. */
export type TaskIntegration = 'lambda' | 'lambda-dynamic' | 'ecs-run-task-token' | 'ecs-run-task-sync';

/**
 * The integration of a Task resource. The workflow may only call Lambda functions (directly by
 * `${…FunctionArn}` or through `lambda:invoke`) and Fargate tasks (`ecs:runTask`); anything else
 * would need permissions this stack does not grant, so it is an error naming the state.
 */
export function taskIntegration(task: AslTask): TaskIntegration {
  const r = task.resource;
  if (/^\$\{[A-Za-z0-9_]+FunctionArn\}$/.test(r)) return 'lambda';
  // The function is chosen at run time (the allocator's size variant): `"FunctionName.$"`.
  if (/^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(r)) return task.text.includes('"FunctionName.$"') ? 'lambda-dynamic' : 'lambda';
  if (r === 'arn:aws:states:::ecs:runTask.waitForTaskToken') return 'ecs-run-task-token';
  if (r === 'arn:aws:states:::ecs:runTask.sync') return 'ecs-run-task-sync';
  throw new Error(`Task state "${task.name}" uses Resource "${r}": a workflow may call only Lambda functions (\${<Name>FunctionArn} or lambda:invoke) and Fargate tasks (ecs:runTask.waitForTaskToken or .sync)`);
}

/** A Distributed Map state: where it reads its items and writes its results (ItemReader / ResultWriter Parameters). */
export interface AslDistributedMap {
  name: string;
  /** The child executions' label (`Label`, else the state's name): their state machine is `<machine>/<label>`. */
  label: string;
  itemReader: { Bucket?: string; Key?: string; 'Key.$'?: string } | null;
  resultWriter: { Bucket?: string; Prefix?: string } | null;
}

/** Every Map with `ProcessorConfig.Mode` DISTRIBUTED, including those inside branches and processors. */
export function aslDistributedMaps(definition: { States?: StatesBlock }): AslDistributedMap[] {
  const maps: AslDistributedMap[] = [];
  const visit = (states: StatesBlock | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string }; States?: StatesBlock } | undefined;
      if (state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        const params = (field: string) => ((state[field] as { Parameters?: Record<string, string> } | undefined)?.Parameters ?? null);
        maps.push({ name, label: typeof state.Label === 'string' ? state.Label : name, itemReader: params('ItemReader'), resultWriter: params('ResultWriter') });
      }
      for (const branch of (state.Branches as { States?: StatesBlock }[] | undefined) ?? []) visit(branch.States);
      visit(processor?.States);
      visit((state.Iterator as { States?: StatesBlock } | undefined)?.States);
    }
  };
  visit(definition.States);
  return maps;
}
