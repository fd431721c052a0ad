/**
 * A workflow's graph as SVG: states laid out by dagre (lib/graph-layout.ts), Map/Parallel states
 * as boxes around their states, Catch edges dashed, and — for a job — each state's status as a
 * colour (CSS classes, light and dark) with Map counts. Nodes are focusable and named for
 * screen readers; `data-state`/`data-status` are there for tests.
 */
import { useMemo } from 'preact/hooks';
import { aslGraph, countsLabel, graphStatus, type GraphNode, type NodeState, type StatusContext, type StepLike } from '../lib/asl-graph.ts';
import { edgePath, layoutGraph, shortLabel, type LaidNode } from '../lib/graph-layout.ts';

let instances = 0;

export interface WorkflowGraphProps {
  /** The ASL definition (GET /v1/workflows/{name}). */
  definition: unknown;
  /** A job's steps: without them the graph shows no statuses. */
  steps?: readonly StepLike[];
  context?: StatusContext;
  title?: string;
}

const STATUS_WORDS: Record<string, string> = { NOT_RUN: 'not run', RUNNING: 'running', SUCCEEDED: 'succeeded', FAILED: 'failed', ABANDONED: 'abandoned' };

function subLabel(n: GraphNode, st: NodeState | undefined): string {
  if (n.kind === 'Task') {
    const fn = n.fn ?? 'task';
    if (!st || st.status === 'NOT_RUN') return fn;
    const extra = st.items > 1 ? ` · ${st.items} items` : st.attempts > st.items && st.items > 0 ? ` · ${st.attempts} attempts` : n.fn === 'allocator' && st.attempts ? ` · ${st.attempts}` : '';
    return `${fn}${st.cached ? ' · cached' : ''}${extra}`;
  }
  return n.kind;
}

export function WorkflowGraph(props: WorkflowGraphProps) {
  const uid = useMemo(() => `m-wf-${++instances}`, []);
  const built = useMemo(() => {
    try {
      const graph = aslGraph(props.definition);
      return { graph, layout: layoutGraph(graph), error: null };
    } catch (e) {
      return { graph: null, layout: null, error: e instanceof Error ? e.message : String(e) };
    }
  }, [props.definition]);
  const statuses = useMemo(
    () => (built.graph && props.steps ? graphStatus(built.graph, props.steps, props.context) : null),
    [built.graph, props.steps, props.context?.jobStatus, props.context?.allocations, JSON.stringify(props.context?.planned ?? null)],
  );
  if (!built.graph || !built.layout) return <p class="m-error" data-testid="workflow-graph">Cannot draw this workflow: {built.error}</p>;
  const { graph, layout } = built;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const depth = (n: GraphNode): number => (n.parent ? 1 + depth(byId.get(n.parent)!) : 0);
  const containers = layout.nodes.filter((l) => l.container).sort((a, b) => depth(byId.get(a.id)!) - depth(byId.get(b.id)!));
  const leaves = layout.nodes.filter((l) => !l.container);
  const statusOf = (id: string) => statuses?.get(id);
  const aria = (n: GraphNode, st: NodeState | undefined) =>
    [`${n.kind} ${n.label}`, n.fn ? `runs ${n.fn}` : null, st ? STATUS_WORDS[st.status] : null, st?.counts ? countsLabel(st.counts) : null, n.comment].filter(Boolean).join(', ');

  const nodeAttrs = (l: LaidNode) => {
    const n = byId.get(l.id)!;
    const st = statusOf(l.id);
    return {
      n,
      st,
      attrs: {
        'data-state': l.id,
        ...(st ? { 'data-status': st.status } : {}),
        tabIndex: 0,
        role: 'listitem' as const,
        'aria-label': aria(n, st),
      },
      cls: `${st ? `m-status-${st.status} m-node-${st.status}` : ''} m-node-${n.kind}`,
    };
  };

  return (
    <div class="m-graph m-scroll-x" data-testid="workflow-graph">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        role="list"
        aria-label={props.title ?? 'Workflow graph'}
        style={{ maxWidth: '100%' }}
      >
        <defs>
          <marker id={`${uid}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="m-arrow" />
          </marker>
        </defs>
        {containers.map((l) => {
          const { n, st, attrs, cls } = nodeAttrs(l);
          return (
            <g key={l.id} class={`m-container ${cls}`} {...attrs}>
              <title>{aria(n, st)}</title>
              <rect x={l.x} y={l.y} width={l.width} height={l.height} rx={8} />
              <text x={l.x + 10} y={l.y + 17}>
                {n.label} <tspan class="m-muted">{n.kind}</tspan>
              </text>
              {st?.counts ? (
                <text x={l.x + 10} y={l.y + 32} class="m-node-sub" data-testid="map-counts">
                  {countsLabel(st.counts)}
                </text>
              ) : null}
            </g>
          );
        })}
        <g aria-hidden="true">
          {layout.edges.map((e, i) => (
            <g key={i}>
              <path d={edgePath(e.points)} class={`m-edge m-edge-${e.kind}`} marker-end={`url(#${uid}-arrow)`} />
              {e.label && e.labelAt ? (
                <text x={e.labelAt.x} y={e.labelAt.y + 3} text-anchor="middle" class="m-edge-label">
                  {shortLabel(e.label)}
                </text>
              ) : null}
            </g>
          ))}
        </g>
        {leaves.map((l) => {
          const { n, st, attrs, cls } = nodeAttrs(l);
          return (
            <g key={l.id} class={`m-node ${cls}`} {...attrs}>
              <title>{aria(n, st)}</title>
              <rect x={l.x} y={l.y} width={l.width} height={l.height} rx={n.kind === 'Choice' ? 16 : 6} />
              {st ? <rect class="m-node-bar" x={l.x} y={l.y} width={5} height={l.height} rx={2} /> : null}
              <text x={l.x + l.width / 2} y={l.y + 18} text-anchor="middle">
                {shortLabel(n.label)}
              </text>
              <text x={l.x + l.width / 2} y={l.y + 34} text-anchor="middle" class="m-node-sub">
                {subLabel(n, st)}
              </text>
            </g>
          );
        })}
      </svg>
      {statuses ? (
        <div class="m-legend" aria-hidden="true">
          <span class="m-status-SUCCEEDED">succeeded</span>
          <span class="m-status-RUNNING">running</span>
          <span class="m-status-FAILED">failed</span>
          <span class="m-status-NOT_RUN">not run</span>
          <span class="m-status-ABANDONED">abandoned</span>
          <span class="m-muted">dashed red: on error (Catch)</span>
        </div>
      ) : null}
    </div>
  );
}
