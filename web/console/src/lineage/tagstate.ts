// The colour of each node of a lineage graph for one tag (DESIGN §4), from what the lineage
// answer gives: each readable node's present tags (`tags`, the server's own propagation)
// and the tags it declares cancelled (`cancels`), the edges with their kinds, and the tag's
// settings (tagDefinitions; a tag never defined has the defaults).
//
// DESIGN §4: state(n,t) is none < present < cancelled; a node inherits the join (highest)
// of what its parents pass on, out(p,t), where out is state(p,t) except that propagate:
// false passes nothing along derivation (and fail-closed) edges, negation NODE passes no
// cancellation at all, and a fail-closed edge passes no cancellation.
//
// The states shown:
//   present    t is in the node's tags (the server says so).
//   cancelled  the node's state is cancelled: it declares ~t, or it is not present and a
//              parent passes it a cancellation, or it is not present although a parent
//              passes it t as present (the join can then only be cancelled, by a parent
//              that may lie outside the view). Never shown where the state is not
//              cancelled; inside a truncated view a node cancelled only through nodes
//              outside it shows as stopped or absent.
//   stopped    the state is none, but t (or its cancellation) is on a node upstream of it in
//              the view: the tag stopped on the way (a ~t with negation NODE, a cancellation
//              that does not travel a fail-closed edge, propagate: false). This is where
//              explainTag lists `stopped` sources.
//   absent     none of the above: t does not come near the node (every node, when no tag
//              is chosen).
//   redacted   the caller may not read the node: its tags are not known.

import type { EdgeKind, Graph } from "./graph";

export type TagState = "present" | "cancelled" | "stopped" | "absent" | "redacted";

export const TAG_STATES: TagState[] = ["present", "cancelled", "stopped", "absent", "redacted"];

export interface TagSettings {
  propagate: boolean;
  negation: "DOWNSTREAM" | "NODE";
}

export const DEFAULT_SETTINGS: TagSettings = { propagate: true, negation: "DOWNSTREAM" };

/** passesPresent says whether an edge of kind carries a present t from parent to child. */
export function passesPresent(kind: EdgeKind, s: TagSettings): boolean {
  return kind === "CONTAINMENT" || s.propagate;
}

/** passesCancel says whether an edge of kind carries a cancelled t from parent to child. */
export function passesCancel(kind: EdgeKind, s: TagSettings): boolean {
  if (s.negation === "NODE" || kind === "FAIL_CLOSED") return false;
  return kind === "CONTAINMENT" || s.propagate;
}

/**
 * tagStates gives the state of tag at every node of g (tag "": every node absent or
 * redacted). When why is given it receives, for each node that is not simply absent, one
 * sentence saying why it has its state.
 */
export function tagStates(
  g: Graph,
  tag: string,
  settings: TagSettings = DEFAULT_SETTINGS,
  why?: Map<string, string>,
): Map<string, TagState> {
  const say = (p: string, s: string) => why?.set(p, s);
  const out = new Map<string, TagState>();
  const children = new Map<string, { to: string; kind: EdgeKind }[]>();
  for (const e of g.edges) {
    // A featureset inherits nothing (its features do): the edges into one that a dataset
    // granularity answer has are folds of its features' edges, not edges tags travel.
    if (g.byPath.get(e.to)?.kind === "FEATURESET") continue;
    let l = children.get(e.from);
    if (!l) children.set(e.from, (l = []));
    l.push({ to: e.to, kind: e.kind });
  }
  for (const n of g.nodes) {
    if (n.redacted) {
      out.set(n.path, "redacted");
      say(n.path, "you may not read this asset; its tags are not shown");
    } else if (tag === "") out.set(n.path, "absent");
    else if (n.tags.includes(tag)) {
      out.set(n.path, "present");
      say(n.path, `${tag} is present`);
    } else if (n.cancels.includes(tag)) {
      out.set(n.path, "cancelled");
      say(n.path, `declares ~${tag}`);
    } else out.set(n.path, "absent");
  }
  if (tag === "") return out;

  // Cancelled: from the nodes that declare ~t along the edges that pass a cancellation
  // on; then the nodes not present below a present parent (a cancellation from outside
  // the view reaches them), and on from those.
  const work: string[] = [];
  const spread = () => {
    while (work.length > 0) {
      const p = work.pop()!;
      for (const c of children.get(p) ?? []) {
        if (out.get(c.to) === "absent" && passesCancel(c.kind, settings)) {
          out.set(c.to, "cancelled");
          say(c.to, `inherits the cancellation of ${tag} from ${p}`);
          work.push(c.to);
        }
      }
    }
  };
  for (const n of g.nodes) if (out.get(n.path) === "cancelled") work.push(n.path);
  spread();
  for (const [from, cs] of children) {
    if (out.get(from) !== "present") continue;
    for (const c of cs) {
      if (out.get(c.to) === "absent" && passesPresent(c.kind, settings)) {
        out.set(c.to, "cancelled");
        say(c.to, `${tag} arrives from ${from} but is not present: a cancellation this view does not show reaches it`);
        work.push(c.to);
      }
    }
  }
  spread();

  // Stopped: the remaining absent nodes reachable from a present or cancelled one.
  const seen = new Set<string>();
  const reach: string[] = [];
  for (const n of g.nodes) {
    const s = out.get(n.path);
    if (s === "present" || s === "cancelled") {
      seen.add(n.path);
      reach.push(n.path);
    }
  }
  const from = new Map<string, string>(); // a stopped node: the tagged node it is below
  while (reach.length > 0) {
    const p = reach.pop()!;
    for (const c of children.get(p) ?? []) {
      if (seen.has(c.to)) continue;
      seen.add(c.to);
      if (out.get(c.to) === "absent") {
        out.set(c.to, "stopped");
        const at = from.get(p) ?? p;
        from.set(c.to, at);
        say(c.to, `${tag} (or its cancellation) at ${at} upstream stops before it reaches here`);
      }
      reach.push(c.to);
    }
  }
  return out;
}

/** settingsOf finds tag's settings among the org's definitions (defaults when undefined). */
export function settingsOf(
  defs: { name: string; propagate: boolean; negation: string }[] | undefined,
  tag: string,
): TagSettings {
  const d = defs?.find((x) => x.name === tag);
  if (!d) return DEFAULT_SETTINGS;
  return { propagate: d.propagate, negation: d.negation === "NODE" ? "NODE" : "DOWNSTREAM" };
}

/** countStates counts the nodes in each state (for the legend). */
export function countStates(states: Map<string, TagState>): Record<TagState, number> {
  const c: Record<TagState, number> = { present: 0, cancelled: 0, stopped: 0, absent: 0, redacted: 0 };
  for (const s of states.values()) c[s]++;
  return c;
}
