/**
 * Places a WorkflowGraph with dagre (plain JS, no DOM): each Map/Parallel is laid out inside
 * first, then placed as one box in its parent's layout, so nested states sit inside their
 * container and edges never cross a container's border. Coordinates are top-left, in px.
 */
import { graphlib, layout } from '@dagrejs/dagre';
import type { EdgeKind, GraphNode, WorkflowGraph } from './asl-graph.ts';

export interface LaidNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Map/Parallel: drawn as a box around its states. */
  container: boolean;
}

export interface LaidEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string | null;
  points: { x: number; y: number }[];
  /** Where the label goes (its centre), when it has one. */
  labelAt: { x: number; y: number } | null;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

export interface LayoutOptions {
  /** Width of one character of a node label, in px. */
  charWidth?: number;
  nodeHeight?: number;
  /** Space around a container's states and above them for its title. */
  containerPad?: number;
  containerHeader?: number;
  edgeLabels?: boolean;
}

const LABEL_MAX = 28;
/** A long label as it is drawn (graph-layout sizes nodes to it). */
export const shortLabel = (s: string): string => (s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s);

export function layoutGraph(graph: WorkflowGraph, opts: LayoutOptions = {}): GraphLayout {
  const charW = opts.charWidth ?? 7;
  const nodeH = opts.nodeHeight ?? 44;
  const pad = opts.containerPad ?? 16;
  const header = opts.containerHeader ?? 40;
  const withLabels = opts.edgeLabels ?? true;
  const nodes: LaidNode[] = [];
  const edges: LaidEdge[] = [];
  const byParent = new Map<string | null, GraphNode[]>();
  for (const n of graph.nodes) byParent.set(n.parent, [...(byParent.get(n.parent) ?? []), n]);
  const isContainer = (n: GraphNode) => n.kind === 'Map' || n.kind === 'Parallel';
  const sizeOf = (n: GraphNode) => ({ width: Math.max(130, Math.ceil(Math.max(shortLabel(n.label).length, (n.fn ?? '').length + 2) * charW + 28)), height: nodeH });

  /** Lays out one scope at the origin; returns its size and what it placed (relative). */
  const scope = (parent: string | null): { width: number; height: number; nodes: LaidNode[]; edges: LaidEdge[] } => {
    const members = byParent.get(parent) ?? [];
    const ids = new Set(members.map((m) => m.id));
    const inner = new Map<string, ReturnType<typeof scope>>();
    const g = new graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36, edgesep: 12, marginx: 0, marginy: 0 });
    for (const m of members) {
      if (isContainer(m)) {
        const sub = scope(m.id);
        inner.set(m.id, sub);
        const own = sizeOf(m);
        g.setNode(m.id, { width: Math.max(own.width, sub.width + 2 * pad), height: sub.height + header + pad });
      } else g.setNode(m.id, sizeOf(m));
    }
    const mine = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
    mine.forEach((e, i) => {
      const label = withLabels && e.label && e.kind !== 'default' ? e.label : null;
      g.setEdge(e.from, e.to, label ? { width: Math.min(label.length, 32) * 6 + 8, height: 14, labelpos: 'c', weight: e.kind === 'catch' ? 1 : 2 } : { weight: e.kind === 'catch' ? 1 : 2 }, `e${i}`);
    });
    layout(g);
    const placed: LaidNode[] = [];
    const placedEdges: LaidEdge[] = [];
    for (const m of members) {
      const d = g.node(m.id) as { x: number; y: number; width: number; height: number };
      const x = d.x - d.width / 2;
      const y = d.y - d.height / 2;
      placed.push({ id: m.id, x, y, width: d.width, height: d.height, container: isContainer(m) });
      const sub = inner.get(m.id);
      if (sub) {
        const dx = x + (d.width - sub.width) / 2;
        const dy = y + header;
        for (const n of sub.nodes) placed.push({ ...n, x: n.x + dx, y: n.y + dy });
        for (const e of sub.edges) placedEdges.push({ ...e, points: e.points.map((p) => ({ x: p.x + dx, y: p.y + dy })), labelAt: e.labelAt && { x: e.labelAt.x + dx, y: e.labelAt.y + dy } });
      }
    }
    mine.forEach((e, i) => {
      const d = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: { x: number; y: number }[]; x?: number; y?: number };
      const label = withLabels && e.label && e.kind !== 'default' ? e.label : null;
      placedEdges.push({ from: e.from, to: e.to, kind: e.kind, label, points: (d.points ?? []).map((p) => ({ x: p.x, y: p.y })), labelAt: label && d.x !== undefined && d.y !== undefined ? { x: d.x, y: d.y } : null });
    });
    const gg = g.graph() as { width?: number; height?: number };
    const width = gg.width ?? Math.max(0, ...placed.map((n) => n.x + n.width));
    const height = gg.height ?? Math.max(0, ...placed.map((n) => n.y + n.height));
    return { width, height, nodes: placed, edges: placedEdges };
  };

  const top = scope(null);
  const margin = 8;
  for (const n of top.nodes) nodes.push({ ...n, x: n.x + margin, y: n.y + margin });
  for (const e of top.edges) edges.push({ ...e, points: e.points.map((p) => ({ x: p.x + margin, y: p.y + margin })), labelAt: e.labelAt && { x: e.labelAt.x + margin, y: e.labelAt.y + margin } });
  const width = Math.ceil(Math.max(top.width, ...nodes.map((n) => n.x + n.width)) + 2 * margin);
  const height = Math.ceil(Math.max(top.height, ...nodes.map((n) => n.y + n.height)) + 2 * margin);
  return { width, height, nodes, edges };
}

/** An SVG path through an edge's points (straight segments, rounded by the stroke's joins). */
export function edgePath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  if (rest.length >= 2) {
    // A smooth curve through the midpoints.
    let d = `M${r(first!.x)},${r(first!.y)}`;
    for (let i = 0; i < rest.length - 1; i++) {
      const p = rest[i]!;
      const q = rest[i + 1]!;
      d += ` Q${r(p.x)},${r(p.y)} ${r((p.x + q.x) / 2)},${r((p.y + q.y) / 2)}`;
    }
    const last = rest[rest.length - 1]!;
    return `${d} L${r(last.x)},${r(last.y)}`;
  }
  return `M${r(first!.x)},${r(first!.y)}${rest.map((p) => ` L${r(p.x)},${r(p.y)}`).join('')}`;
}
const r = (v: number) => Math.round(v * 10) / 10;
