// The lineage view's settings, all in the hash query (#/lineage/PATH?direction=…&depth=…
// &granularity=…&tag=…&node=…&explain=…), so that a view can be bookmarked and shared.
import type { Direction, Granularity } from "./graph";

/**
 * MAX_DEPTH bounds the depth control. The server takes any depth ≥ 0 but refuses an answer
 * of more than 10,000 nodes (and a request over its cost budget) with an error the view
 * shows; past a few dozen hops a lineage is the whole catalog anyway.
 */
export const MAX_DEPTH = 50;
export const MIN_DEPTH = 0;

export interface LineageParams {
  direction: Direction;
  depth: number;
  granularity: Granularity;
  /** The tag that colours the graph; "" for none. */
  tag: string;
  /** The selected node's path; "" for none. */
  node: string;
  /** The tag of the selected node whose explanation is shown; "" for none. */
  explain: string;
}

export const DEFAULTS: LineageParams = { direction: "BOTH", depth: 3, granularity: "COLUMN", tag: "", node: "", explain: "" };

const DIRECTIONS: Direction[] = ["UPSTREAM", "DOWNSTREAM", "BOTH"];
const GRANULARITIES: Granularity[] = ["COLUMN", "DATASET"];

/** clampDepth reads a depth, keeping it in MIN_DEPTH..MAX_DEPTH (the default if it is no number). */
export function clampDepth(raw: string | null | undefined): number {
  if (raw == null || raw.trim() === "") return DEFAULTS.depth;
  const n = Number(raw);
  if (!Number.isFinite(n)) return DEFAULTS.depth;
  return Math.min(MAX_DEPTH, Math.max(MIN_DEPTH, Math.trunc(n)));
}

/** parseParams reads the view's settings from the hash query; what is missing or wrong takes its default. */
export function parseParams(q: URLSearchParams): LineageParams {
  const dir = (q.get("direction") ?? "").toUpperCase() as Direction;
  const gran = (q.get("granularity") ?? "").toUpperCase() as Granularity;
  return {
    direction: DIRECTIONS.includes(dir) ? dir : DEFAULTS.direction,
    depth: clampDepth(q.get("depth")),
    granularity: GRANULARITIES.includes(gran) ? gran : DEFAULTS.granularity,
    tag: (q.get("tag") ?? "").trim(),
    node: q.get("node") ?? "",
    explain: q.get("explain") ?? "",
  };
}

/** toQuery writes the settings for href(): every control is written, node and explain when set. */
export function toQuery(p: LineageParams): Record<string, string> {
  const q: Record<string, string> = {
    direction: p.direction,
    depth: String(p.depth),
    granularity: p.granularity,
    tag: p.tag,
  };
  if (p.node) q.node = p.node;
  if (p.node && p.explain) q.explain = p.explain;
  return q;
}

/** queriesFor names the lineage queries a direction needs (BOTH: one of each). */
export function queriesFor(d: Direction): ("UPSTREAM" | "DOWNSTREAM")[] {
  return d === "BOTH" ? ["UPSTREAM", "DOWNSTREAM"] : [d];
}
