// Layout of a lineage graph with dagre (no layout code of our own): left to right, parents
// before children, node boxes sized to their labels. Each edge gets an SVG path through
// dagre's bend points, ending where its arrowhead starts.
import dagre from "@dagrejs/dagre";
import type { EdgeKind, Graph } from "./graph";

export interface Point {
  x: number;
  y: number;
}

export interface LayoutNode {
  path: string;
  /** Top-left corner and size of the node's box. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** The label as drawn (shortened with "…" when too long). */
  text: string;
}

export interface LayoutEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  d: string;
}

export interface Layout {
  nodes: Map<string, LayoutNode>;
  edges: LayoutEdge[];
  width: number;
  height: number;
}

export const NODE_H = 30;
const CHAR_W = 7.2; // average width of a 12px system-ui character
const PAD = 12;
const MAX_CHARS = 36;

/** shorten cuts a label to at most max characters, keeping its end (the column name). */
export function shorten(label: string, max = MAX_CHARS): string {
  if (label.length <= max) return label;
  return "…" + label.slice(label.length - max + 1);
}

/** nodeWidth is the width of the box that holds text (bold for datasets and featuresets). */
export function nodeWidth(text: string, bold = false): number {
  return Math.round(Math.max(60, text.length * CHAR_W * (bold ? 1.12 : 1) + 2 * PAD));
}

/** pathOf turns bend points into a smooth SVG path (straight ends, rounded bends). */
export function pathOf(points: Point[]): string {
  if (points.length === 0) return "";
  const f = (n: number) => Math.round(n * 10) / 10;
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  if (points.length === 2) return d + `L${f(points[1].x)},${f(points[1].y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    const mx = i === points.length - 2 ? q.x : (p.x + q.x) / 2;
    const my = i === points.length - 2 ? q.y : (p.y + q.y) / 2;
    d += `Q${f(p.x)},${f(p.y)} ${f(mx)},${f(my)}`;
  }
  return d;
}

/**
 * layoutOptions picks dagre's settings by size, to stay well under a second: its
 * network-simplex ranker (the best ranks) takes ~1 s at 300 nodes, so bigger graphs use
 * tight-tree; past 350 nodes the crossing-reduction sweeps (~half the time at 500 nodes)
 * are skipped and nodes keep dagre's initial (depth-first) order.
 */
export function layoutOptions(nodes: number): { ranker: string; sweeps: boolean } {
  return { ranker: nodes <= 150 ? "network-simplex" : "tight-tree", sweeps: nodes <= 350 };
}

/** layoutGraph lays g out. */
export function layoutGraph(g: Graph): Layout {
  const d = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  const o = layoutOptions(g.nodes.length);
  d.setGraph({ rankdir: "LR", nodesep: 10, ranksep: g.nodes.length > 150 ? 60 : 80, edgesep: 6, marginx: 20, marginy: 20, ranker: o.ranker });
  d.setDefaultEdgeLabel(() => ({}));
  const texts = new Map<string, string>();
  for (const n of g.nodes) {
    const text = shorten(n.label);
    texts.set(n.path, text);
    d.setNode(n.path, { width: nodeWidth(text, n.kind === "DATASET" || n.kind === "FEATURESET"), height: NODE_H });
  }
  for (const e of g.edges) {
    if (e.from === e.to) continue;
    // Containment keeps a column next to its dataset: pull it short and straight.
    d.setEdge(e.from, e.to, e.kind === "CONTAINMENT" ? { weight: 2, minlen: 1 } : { weight: 1, minlen: 1 });
  }
  // disableOptimalOrderHeuristic is an option of dagre 1.1's layout the typings lack.
  dagre.layout(d, { disableOptimalOrderHeuristic: !o.sweeps } as Parameters<typeof dagre.layout>[1]);
  const nodes = new Map<string, LayoutNode>();
  for (const n of g.nodes) {
    const v = d.node(n.path);
    nodes.set(n.path, { path: n.path, x: v.x - v.width / 2, y: v.y - v.height / 2, w: v.width, h: v.height, text: texts.get(n.path)! });
  }
  const edges: LayoutEdge[] = [];
  for (const e of g.edges) {
    if (e.from === e.to) continue;
    const pts = (d.edge(e.from, e.to)?.points ?? []) as Point[];
    edges.push({ id: e.id, from: e.from, to: e.to, kind: e.kind, d: pathOf(pts) });
  }
  const gl = d.graph();
  return { nodes, edges, width: gl.width ?? 0, height: gl.height ?? 0 };
}
