// The lineage graph as the view draws it: the answers of one or two `lineage` queries
// (two for BOTH: the schema has UPSTREAM and DOWNSTREAM only) merged into one set of nodes
// and edges, with redacted nodes (paths the caller may not read: they appear in edges
// only) as nodes of their own.

export type Direction = "UPSTREAM" | "DOWNSTREAM" | "BOTH";
export type Granularity = "COLUMN" | "DATASET";
export type EdgeKind = "CONTAINMENT" | "DERIVATION" | "FAIL_CLOSED";
export type AssetKind = "DATASET" | "FIELD" | "FEATURESET" | "FEATURE";

/** An asset as the lineage query answers it. */
export interface ApiAsset {
  path: string;
  kind: AssetKind;
  tags: string[];
  cancels: string[];
}

export interface ApiEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

/** One answer of Query.lineage. */
export interface ApiLineage {
  nodes: ApiAsset[];
  edges: ApiEdge[];
  redacted: string[];
}

export interface GNode {
  path: string;
  /** null for a redacted node: the caller may not read it, so its kind is not known. */
  kind: AssetKind | null;
  /** Tags whose state is present. */
  tags: string[];
  /** Tags the node itself cancels (declares ~t). */
  cancels: string[];
  redacted: boolean;
  /** What the node shows: a dataset's path, a column's "Dataset.col". */
  label: string;
  /** The asset the view is about. */
  start: boolean;
}

export interface GEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
}

export interface Graph {
  start: string;
  nodes: GNode[];
  byPath: Map<string, GNode>;
  edges: GEdge[];
}

const REDACTED_NAME = /^\(redacted( \d+)?\)$/;

/** edgeId names an edge by its ends (there is at most one edge between two nodes). */
export function edgeId(from: string, to: string): string {
  return from + "\u2192" + to;
}

/**
 * nodeLabel is what a node shows: a field or feature is "Dataset.col" (the namespace
 * dropped: the full path is in its title), a dataset or featureset its path.
 */
export function nodeLabel(path: string, kind: AssetKind | null): string {
  if (kind === "FIELD" || kind === "FEATURE") {
    const slash = path.lastIndexOf("/");
    return slash >= 0 ? path.slice(slash + 1) : path;
  }
  return path;
}

/**
 * containerOf is the dataset or featureset path of a column or feature path ("ns/Ds.col" →
 * "ns/Ds"), or the path itself for a dataset.
 */
export function containerOf(path: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.indexOf(".", slash + 1);
  return dot < 0 ? path : path.slice(0, dot);
}

/**
 * buildGraph merges lineage answers around start. Where names are private the server names
 * unreadable nodes "(redacted N)", numbered per answer: those of a later answer are
 * renumbered so that two answers never merge two different hidden nodes.
 */
export function buildGraph(start: string, answers: ApiLineage[]): Graph {
  const byPath = new Map<string, GNode>();
  const edges = new Map<string, GEdge>();
  let hidden = 0;
  for (const a of answers) {
    const rename = new Map<string, string>();
    for (const r of a.redacted) {
      let name = r;
      if (REDACTED_NAME.test(r)) {
        name = `(redacted ${++hidden})`;
        rename.set(r, name);
      }
      if (!byPath.has(name)) {
        byPath.set(name, { path: name, kind: null, tags: [], cancels: [], redacted: true, label: name, start: name === start });
      }
    }
    for (const n of a.nodes) {
      const prev = byPath.get(n.path);
      if (prev && !prev.redacted) continue;
      byPath.set(n.path, {
        path: n.path,
        kind: n.kind,
        tags: [...n.tags],
        cancels: [...n.cancels],
        redacted: false,
        label: nodeLabel(n.path, n.kind),
        start: n.path === start,
      });
    }
    for (const e of a.edges) {
      const from = rename.get(e.from) ?? e.from;
      const to = rename.get(e.to) ?? e.to;
      const id = edgeId(from, to);
      if (!edges.has(id)) edges.set(id, { id, from, to, kind: e.kind });
      // An edge may name a node no list holds (it should not): draw it redacted.
      for (const p of [from, to]) {
        if (!byPath.has(p)) byPath.set(p, { path: p, kind: null, tags: [], cancels: [], redacted: true, label: p, start: p === start });
      }
    }
  }
  // At dataset granularity the server folds a column start into its dataset.
  if (!byPath.has(start) && byPath.has(containerOf(start))) {
    start = containerOf(start);
    byPath.get(start)!.start = true;
  }
  const nodes = [...byPath.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const es = [...edges.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return { start, nodes, byPath, edges: es };
}

/** graphTags are the tags present on or cancelled by some node of g, sorted. */
export function graphTags(g: Graph): string[] {
  const s = new Set<string>();
  for (const n of g.nodes) {
    for (const t of n.tags) s.add(t);
    for (const t of n.cancels) s.add(t);
  }
  return [...s].sort();
}
