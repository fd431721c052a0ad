/**
 * A workflow's ASL definition (state-machines/*.asl.json, placeholders as written) as a graph:
 * nodes for states (Map and Parallel states contain their nested states), edges for Next,
 * Choices/Default and Catch; and the status of every node from a job's steps. Pure: no DOM, no
 * layout (graph-layout.ts places the nodes).
 *
 * Which function a Task state runs — the same reading as local/asl-runner.ts and
 * lib/constructs/encode-workflow.ts:
 * - `Resource: "${<Pascal>FunctionArn}"` runs the function `<pascal-kebab>` (`${MeasureQualityFunctionArn}`
 *   → `measure-quality`; `${AllocatorFunctionArn}` → the platform's `allocator`). A substituted
 *   ARN (`…:function:mosaic-<name>`) names it too, and so does `lambda:invoke` with such a FunctionName.
 * - `arn:aws:states:::ecs:runTask…` runs the container with `MOSAIC_FUNCTION=<name>` (or the
 *   `${<Pascal>TaskDefinitionArn}`'s function) on Fargate.
 * - `arn:aws:states:::lambda:invoke` with `FunctionName.$` from the input (`$.allocation.target`)
 *   runs the allocator's Lambda size variant of an `allocated` function: the one its sibling
 *   states under the same Choice run on Fargate (EncodeVideoChunkOnLambda ↔ …OnFargate → encode-video),
 *   or, with no sibling, the one its Map's ItemSelector gives the allocator (AnalyzeSample → analyze-title).
 * Steps record `function` and `stepId` = `<function>:<itemId>`, so a Task's attempts are the
 * steps of its function (Lambda and Fargate siblings split them by the platform each ran on).
 *
 * Length: ≈420 lines: the graph and its per-node status both follow the reading of Task states
 * above and share the node model; split, that reading would be needed on both sides.
 */

export type NodeKind = 'Task' | 'Map' | 'Choice' | 'Pass' | 'Succeed' | 'Fail' | 'Parallel' | 'Wait';
export type Integration = 'lambda' | 'ecs' | 'lambda-invoke';

export interface GraphNode {
  /** The state name (unique in a state machine, nested states included). */
  id: string;
  label: string;
  kind: NodeKind;
  /** The function a Task runs (null for other kinds, or a Task whose function cannot be read). */
  fn: string | null;
  integration: Integration | null;
  /** The Map or Parallel state this state is nested in. */
  parent: string | null;
  /** Reachable from its scope's StartAt only through a Catch (the failure path). */
  errorPath: boolean;
  /** Whether this is its scope's StartAt. */
  start: boolean;
  /** Whether this state ends its scope (End: true, Succeed, Fail). */
  end: boolean;
  comment: string | null;
}

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';
export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** A short label: the Choice's condition or the Catch's errors. */
  label: string | null;
}

export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  startAt: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const KINDS: readonly NodeKind[] = ['Task', 'Map', 'Choice', 'Pass', 'Succeed', 'Fail', 'Parallel', 'Wait'];

/** `MeasureQuality` → `measure-quality` (as local/asl-runner.ts's functionNameOf). */
export const functionNameOf = (pascal: string): string => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const PLACEHOLDER_FN = /^\$\{([A-Z][A-Za-z0-9]*?)(FunctionArn|TaskDefinitionArn)\}$/;
const LOCAL_ARN = /:function:mosaic-([a-z0-9-]+)$/;
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** The function a placeholder or ARN names, or null. */
export function functionOfRef(ref: unknown): string | null {
  if (typeof ref !== 'string') return null;
  const p = PLACEHOLDER_FN.exec(ref);
  if (p) return functionNameOf(p[1]!);
  const a = LOCAL_ARN.exec(ref);
  if (a) return a[1]!;
  // A real Lambda ARN `…:function:<stack>-<Name>…` is not readable: leave it unknown.
  return null;
}

/** What a Task state runs: its function (if readable from the definition) and how. */
export function taskFunction(state: Json): { fn: string | null; integration: Integration | null } {
  const resource = state.Resource;
  if (typeof resource !== 'string') return { fn: null, integration: null };
  const params = isObj(state.Parameters) ? state.Parameters : {};
  if (resource.startsWith('arn:aws:states:::ecs:runTask')) {
    const overrides = isObj(params.Overrides) ? params.Overrides : {};
    const containers = Array.isArray(overrides.ContainerOverrides) ? overrides.ContainerOverrides : [];
    for (const c of containers) {
      const env = isObj(c) && Array.isArray(c.Environment) ? c.Environment : [];
      const fn = env.find((e): e is Json => isObj(e) && e.Name === 'MOSAIC_FUNCTION');
      if (fn && typeof fn.Value === 'string') return { fn: fn.Value, integration: 'ecs' };
    }
    return { fn: functionOfRef(params.TaskDefinition), integration: 'ecs' };
  }
  if (resource.startsWith(LAMBDA_INVOKE)) return { fn: functionOfRef(params.FunctionName), integration: 'lambda-invoke' };
  return { fn: functionOfRef(resource), integration: 'lambda' };
}

function choiceLabel(rule: Json): string | null {
  const variable = typeof rule.Variable === 'string' ? rule.Variable.replace(/^\$\./, '') : null;
  for (const [k, v] of Object.entries(rule)) {
    if (k === 'Variable' || k === 'Next') continue;
    if (k === 'And' || k === 'Or') {
      const parts = (Array.isArray(v) ? v : []).filter(isObj).map(choiceLabel).filter((s): s is string => !!s);
      // `IsPresent` guards add nothing to read: keep the comparisons.
      const useful = parts.filter((p) => !/ is present$/.test(p));
      return (useful.length ? useful : parts).join(k === 'And' ? ' and ' : ' or ');
    }
    if (k === 'Not' && isObj(v)) return `not (${choiceLabel(v) ?? '?'})`;
    const op = k.replace(/Path$/, '');
    const words: Record<string, string> = { StringEquals: '=', NumericEquals: '=', BooleanEquals: '=', IsNull: 'is null', IsPresent: 'is present', NumericGreaterThan: '>', NumericLessThan: '<', NumericGreaterThanEquals: '≥', NumericLessThanEquals: '≤' };
    const w = words[op] ?? op;
    if (op === 'IsNull' || op === 'IsPresent') return `${variable} ${v === true ? w : `not ${w.replace(/^is /, '')}`}`.replace(' not null', ' is not null').replace(' not present', ' is not present');
    return `${variable} ${w} ${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }
  return variable;
}

/** The graph of an ASL definition (nested states included, each with its parent). */
export function aslGraph(definition: unknown): WorkflowGraph {
  if (!isObj(definition) || !isObj(definition.States) || typeof definition.StartAt !== 'string') throw new Error('not an ASL definition: it needs StartAt and States');
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  // The function the ItemSelector of each Map names (`function`: what its Allocate state sizes).
  const mapFunction = new Map<string, string>();
  const walk = (machine: Json, parent: string | null) => {
    const states = isObj(machine.States) ? machine.States : {};
    const startAt = typeof machine.StartAt === 'string' ? machine.StartAt : null;
    const scope: GraphEdge[] = [];
    const scopeNodes: GraphNode[] = [];
    for (const [name, raw] of Object.entries(states)) {
      if (!isObj(raw)) continue;
      const kind = (KINDS as readonly string[]).includes(String(raw.Type)) ? (raw.Type as NodeKind) : 'Pass';
      const t = kind === 'Task' ? taskFunction(raw) : { fn: null, integration: null };
      const node: GraphNode = {
        id: name,
        label: name,
        kind,
        fn: t.fn,
        integration: t.integration,
        parent,
        errorPath: false,
        start: name === startAt,
        end: raw.End === true || kind === 'Succeed' || kind === 'Fail',
        comment: typeof raw.Comment === 'string' ? raw.Comment : null,
      };
      nodes.push(node);
      scopeNodes.push(node);
      if (typeof raw.Next === 'string') scope.push({ from: name, to: raw.Next, kind: 'next', label: null });
      if (kind === 'Choice') {
        for (const c of Array.isArray(raw.Choices) ? raw.Choices : []) if (isObj(c) && typeof c.Next === 'string') scope.push({ from: name, to: c.Next, kind: 'choice', label: choiceLabel(c) });
        if (typeof raw.Default === 'string') scope.push({ from: name, to: raw.Default, kind: 'default', label: 'default' });
      }
      for (const c of Array.isArray(raw.Catch) ? raw.Catch : []) {
        if (!isObj(c) || typeof c.Next !== 'string') continue;
        const errs = Array.isArray(c.ErrorEquals) ? c.ErrorEquals.map(String) : [];
        scope.push({ from: name, to: c.Next, kind: 'catch', label: errs.includes('States.ALL') ? 'on error' : errs.length > 2 ? `${errs.slice(0, 2).join(', ')}, …` : errs.join(', ') });
      }
      if (kind === 'Map') {
        const processor = isObj(raw.ItemProcessor) ? raw.ItemProcessor : isObj(raw.Iterator) ? raw.Iterator : null;
        if (isObj(raw.ItemSelector) && typeof raw.ItemSelector.function === 'string') mapFunction.set(name, raw.ItemSelector.function);
        if (processor) walk(processor, name);
      }
      if (kind === 'Parallel') for (const b of Array.isArray(raw.Branches) ? raw.Branches : []) if (isObj(b)) walk(b, name);
    }
    // The failure path: states not reachable from StartAt without a Catch.
    const normal = new Set<string>();
    const queue = startAt ? [startAt] : [];
    while (queue.length) {
      const n = queue.shift()!;
      if (normal.has(n)) continue;
      normal.add(n);
      for (const e of scope) if (e.from === n && e.kind !== 'catch') queue.push(e.to);
    }
    for (const n of scopeNodes) n.errorPath = !normal.has(n.id);
    edges.push(...scope);
  };
  walk(definition, null);
  // A dynamic lambda:invoke runs the function of its siblings under the same Choice, else the one its Map's ItemSelector names (see the header).
  for (const n of nodes) {
    if (n.kind !== 'Task' || n.fn || n.integration !== 'lambda-invoke') continue;
    const choices = edges.filter((e) => e.to === n.id && (e.kind === 'choice' || e.kind === 'default')).map((e) => e.from);
    const siblings = edges.filter((e) => choices.includes(e.from) && e.to !== n.id).map((e) => nodes.find((m) => m.id === e.to)?.fn).filter((f): f is string => !!f);
    const named = n.parent ? mapFunction.get(n.parent) : undefined;
    if (siblings.length) n.fn = siblings[0]!;
    else if (named) n.fn = named;
  }
  return { nodes, edges, startAt: definition.StartAt };
}

/** The functions a workflow's Tasks run, sorted. */
export const graphFunctions = (g: WorkflowGraph): string[] => [...new Set(g.nodes.map((n) => n.fn).filter((f): f is string => !!f))].sort();

// ---- statuses from a job's steps

export type NodeStatus = 'NOT_RUN' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABANDONED';

/** What the graph needs of a step attempt (JobView.steps). */
export interface StepLike {
  stepId: string;
  function: string;
  attempt: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'CACHED' | 'FAILED' | 'ABANDONED';
  startedAt: string;
  platform?: 'lambda' | 'fargate' | null;
}

export interface NodeCounts {
  /** Items planned (from the plan, when known) or else seen. */
  total: number;
  done: number;
  running: number;
  failed: number;
  /** Items that took more than one attempt. */
  retried: number;
  cached: number;
}

export interface NodeState {
  status: NodeStatus;
  /** Attempts of this Task's function attributed to this node. */
  attempts: number;
  /** Distinct items (step ids) seen. */
  items: number;
  /** Every item served from the cache. */
  cached: boolean;
  /** Map and Parallel: the items of the Tasks inside. */
  counts: NodeCounts | null;
}

export interface StatusContext {
  /** The job's status: on a FAILED job a function shared with the failure path (publish) counts there. */
  jobStatus?: string;
  /** Items planned per function (from the plan's progress weights), for Map totals. */
  planned?: Record<string, number>;
  /** Allocations seen (Task Allocated events): the allocator's Tasks write no steps of their own. */
  allocations?: number;
}

/** The last attempt of each step id. */
function lastAttempts(steps: readonly StepLike[]): Map<string, StepLike> {
  const out = new Map<string, StepLike>();
  for (const s of steps) {
    const prev = out.get(s.stepId);
    if (!prev || s.attempt > prev.attempt || (s.attempt === prev.attempt && s.startedAt >= prev.startedAt)) out.set(s.stepId, s);
  }
  return out;
}

/** A Task's status from its attempts: RUNNING if any runs, FAILED if an item's last attempt failed, SUCCEEDED when every item succeeded or came from the cache. */
export function taskStatus(steps: readonly StepLike[], finalOf?: ReadonlyMap<string, StepLike>): NodeStatus {
  if (steps.length === 0) return 'NOT_RUN';
  if (steps.some((s) => s.status === 'RUNNING')) return 'RUNNING';
  // An item that failed here but went on elsewhere (escalated from Lambda to Fargate) did not fail.
  const last = [...lastAttempts(steps).values()].map((s) => (s.status === 'FAILED' && finalOf?.get(s.stepId) && finalOf.get(s.stepId)!.status !== 'FAILED' ? 'SUCCEEDED' : s.status));
  if (last.includes('FAILED')) return 'FAILED';
  if (last.every((s) => s === 'SUCCEEDED' || s === 'CACHED')) return 'SUCCEEDED';
  return 'ABANDONED';
}

function countsOf(steps: readonly StepLike[], planned: number | null): NodeCounts {
  const last = lastAttempts(steps);
  const attempts = new Map<string, number>();
  for (const s of steps) attempts.set(s.stepId, (attempts.get(s.stepId) ?? 0) + 1);
  let done = 0;
  let running = 0;
  let failed = 0;
  let cached = 0;
  for (const s of last.values()) {
    if (s.status === 'SUCCEEDED' || s.status === 'CACHED') done++;
    if (s.status === 'CACHED') cached++;
    if (s.status === 'RUNNING') running++;
    if (s.status === 'FAILED') failed++;
  }
  const retried = [...attempts.values()].filter((n) => n > 1).length;
  return { total: Math.max(planned ?? 0, last.size), done, running, failed, retried, cached };
}

/** `12/20 done, 1 running, 2 retried` */
export function countsLabel(c: NodeCounts): string {
  const parts = [`${c.done}/${c.total} done`];
  if (c.running) parts.push(`${c.running} running`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.retried) parts.push(`${c.retried} retried`);
  if (c.cached) parts.push(`${c.cached} cached`);
  return parts.join(', ');
}

/**
 * Every node's status for a job. Tasks from their function's attempts (a function run by a Lambda
 * and a Fargate sibling: each gets the attempts that ran on its platform; a function on both the
 * normal and the failure path: the failure path's on a FAILED job). Map/Parallel from the Tasks
 * inside (with counts). Choice/Pass when a state after them ran because of them; Succeed/Fail
 * when a state before them finished.
 */
export function graphStatus(graph: WorkflowGraph, steps: readonly StepLike[], ctx: StatusContext = {}): Map<string, NodeState> {
  const out = new Map<string, NodeState>();
  const byFn = new Map<string, StepLike[]>();
  for (const s of steps) byFn.set(s.function, [...(byFn.get(s.function) ?? []), s]);
  const tasks = graph.nodes.filter((n) => n.kind === 'Task');
  const owners = new Map<string, GraphNode[]>();
  for (const t of tasks) if (t.fn) owners.set(t.fn, [...(owners.get(t.fn) ?? []), t]);

  const attemptsOf = (t: GraphNode): StepLike[] => {
    if (!t.fn) return [];
    if (t.fn === 'allocator' && !byFn.has('allocator')) return [];
    let mine = byFn.get(t.fn) ?? [];
    let peers = owners.get(t.fn) ?? [t];
    if (peers.length > 1) {
      // Normal vs failure path.
      const failedJob = ctx.jobStatus === 'FAILED';
      const onPath = peers.filter((p) => p.errorPath === failedJob);
      if (onPath.length && onPath.length < peers.length) {
        if (!onPath.includes(t)) return [];
        peers = onPath;
      }
    }
    if (peers.length > 1 && peers.some((p) => p.integration === 'ecs') && peers.some((p) => p.integration !== 'ecs')) {
      mine = t.integration === 'ecs' ? mine.filter((s) => s.platform === 'fargate') : mine.filter((s) => s.platform !== 'fargate');
    }
    return mine;
  };

  for (const t of tasks) {
    const mine = attemptsOf(t);
    let status = taskStatus(mine, t.fn ? lastAttempts(byFn.get(t.fn) ?? []) : undefined);
    let attempts = mine.length;
    if (t.fn === 'allocator' && !byFn.has('allocator') && (ctx.allocations ?? 0) > 0) {
      status = 'SUCCEEDED';
      attempts = ctx.allocations!;
    }
    out.set(t.id, { status, attempts, items: lastAttempts(mine).size, cached: mine.length > 0 && [...lastAttempts(mine).values()].every((s) => s.status === 'CACHED'), counts: null });
  }

  // Containers, innermost first.
  const depth = (n: GraphNode): number => (n.parent ? 1 + depth(graph.nodes.find((m) => m.id === n.parent)!) : 0);
  const containers = graph.nodes.filter((n) => n.kind === 'Map' || n.kind === 'Parallel').sort((a, b) => depth(b) - depth(a));
  const descendants = (id: string): GraphNode[] => graph.nodes.filter((n) => n.parent === id).flatMap((n) => [n, ...descendants(n.id)]);
  for (const c of containers) {
    const inner = descendants(c.id).filter((n) => n.kind === 'Task' && n.fn !== 'allocator');
    const fns = [...new Set(inner.map((n) => n.fn).filter((f): f is string => !!f))];
    const mine = inner.flatMap((n) => attemptsOf(n));
    const unique = [...new Map(mine.map((s) => [`${s.stepId}#${s.attempt}`, s])).values()];
    const planned = fns.length && ctx.planned && fns.every((f) => ctx.planned![f] !== undefined) ? fns.reduce((n, f) => n + ctx.planned![f]!, 0) : null;
    const counts = countsOf(unique, planned);
    let status: NodeStatus;
    if (unique.some((s) => s.status === 'RUNNING')) status = 'RUNNING';
    else if (counts.failed > 0) status = 'FAILED';
    else if (counts.total > 0 && counts.done === counts.total) status = 'SUCCEEDED';
    else if (counts.done > 0) status = ctx.jobStatus === 'RUNNING' ? 'RUNNING' : 'ABANDONED';
    else if (planned === 0 && ctx.planned) status = 'SUCCEEDED';
    else status = 'NOT_RUN';
    // A Parallel: its branches' containers say more than its own Tasks (it may have none directly).
    if (c.kind === 'Parallel') {
      const kids = graph.nodes.filter((n) => n.parent === c.id).map((n) => out.get(n.id)?.status ?? 'NOT_RUN');
      if (kids.includes('RUNNING')) status = 'RUNNING';
      else if (kids.includes('FAILED')) status = 'FAILED';
      else if (kids.length && kids.every((k) => k === 'SUCCEEDED')) status = 'SUCCEEDED';
    }
    out.set(c.id, { status, attempts: unique.length, items: counts.total, cached: counts.total > 0 && counts.cached === counts.total, counts });
  }

  // Choice, Pass, Wait: ran if a successor ran because of them; Succeed/Fail: if a predecessor finished.
  const ran = (id: string) => (out.get(id)?.status ?? 'NOT_RUN') !== 'NOT_RUN';
  const flow = graph.edges;
  const others = graph.nodes.filter((n) => n.kind === 'Choice' || n.kind === 'Pass' || n.kind === 'Wait');
  for (const n of others) out.set(n.id, { status: 'NOT_RUN', attempts: 0, items: 0, cached: false, counts: null });
  const parentRan = (n: GraphNode) => !n.parent || ran(n.parent);
  for (let pass = 0; pass < graph.nodes.length; pass++) {
    let changed = false;
    for (const n of others) {
      if (ran(n.id)) continue;
      let yes = false;
      const inbound = flow.filter((e) => e.to === n.id);
      // Reached through a Catch: ran if the state it catches failed at least once.
      const caught = inbound.filter((e) => e.kind === 'catch');
      if (caught.length && caught.some((e) => attemptsOfNode(e.from).some((s) => s.status === 'FAILED'))) yes = true;
      // The workflow's first state ran once the job started.
      if (!yes && n.start && !n.parent) yes = steps.length > 0 || ctx.jobStatus === 'RUNNING' || ctx.jobStatus === 'SUCCEEDED' || ctx.jobStatus === 'FAILED';
      if (!yes && parentRan(n)) {
        for (const e of flow.filter((x) => x.from === n.id && x.kind !== 'catch')) {
          const target = graph.nodes.find((m) => m.id === e.to);
          // A scope's StartAt runs because the scope started, not because of a loop back to it.
          if (!target || !ran(target.id) || target.start) continue;
          // Another way into the target that ran explains it instead (Thumbnails, not NoThumbnails, before Publish).
          const otherWays = flow.filter((x) => x.to === target.id && x.from !== n.id && x.kind !== 'catch' && ran(x.from));
          if (otherWays.length === 0) {
            yes = true;
            break;
          }
        }
      }
      if (yes) {
        out.set(n.id, { status: 'SUCCEEDED', attempts: 0, items: 0, cached: false, counts: null });
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const n of graph.nodes.filter((m) => m.kind === 'Succeed' || m.kind === 'Fail')) {
    const before = flow.filter((e) => e.to === n.id).map((e) => out.get(e.from)?.status);
    const reached = before.some((s) => s === 'SUCCEEDED' || s === 'FAILED');
    out.set(n.id, { status: reached ? (n.kind === 'Fail' ? 'FAILED' : 'SUCCEEDED') : 'NOT_RUN', attempts: 0, items: 0, cached: false, counts: null });
  }
  return out;

  function attemptsOfNode(id: string): StepLike[] {
    const n = graph.nodes.find((m) => m.id === id);
    return n && n.kind === 'Task' ? attemptsOf(n) : [];
  }
}

