// explainTag's answer, and the nodes and edges of its witness paths on the graph.
import { containerOf, edgeId, type Graph } from "./graph";

export interface TagPath {
  source: string;
  path: string[];
}

export interface TagStop {
  source: string;
  at: string;
  path: string[];
  reason: "NOT_PROPAGATED" | "NODE_NEGATION" | "FAIL_CLOSED";
}

export interface Explanation {
  present: boolean;
  sources: TagPath[];
  cancelledBy: string[];
  stopped: TagStop[];
}

export interface Witness {
  nodes: Set<string>;
  edges: Set<string>;
}

/**
 * onGraph maps a witness path onto g's nodes: a column the graph does not hold (dataset
 * granularity) becomes its dataset, repeats in a row collapse, and paths outside the
 * graph (beyond its depth) are dropped.
 */
export function onGraph(g: Graph, path: string[]): string[] {
  const out: string[] = [];
  for (const p of path) {
    const q = g.byPath.has(p) ? p : g.byPath.has(containerOf(p)) ? containerOf(p) : "";
    if (q === "") continue;
    if (out[out.length - 1] !== q) out.push(q);
  }
  return out;
}

/** witnessOf gives the nodes and edges of every source's witness path that g holds. */
export function witnessOf(g: Graph, ex: Explanation | undefined): Witness {
  const w: Witness = { nodes: new Set(), edges: new Set() };
  if (!ex) return w;
  const edges = new Set(g.edges.map((e) => e.id));
  for (const s of ex.sources) {
    const ps = onGraph(g, s.path);
    ps.forEach((p, i) => {
      w.nodes.add(p);
      if (i > 0 && edges.has(edgeId(ps[i - 1], p))) w.edges.add(edgeId(ps[i - 1], p));
    });
  }
  return w;
}

export const STOP_REASONS: Record<TagStop["reason"], string> = {
  NOT_PROPAGATED: "the tag does not propagate along derivation edges (propagate: false)",
  NODE_NEGATION: "it declares the ~tag, whose negation is NODE",
  FAIL_CLOSED: "it is cancelled, and a cancellation does not travel fail-closed edges",
};
