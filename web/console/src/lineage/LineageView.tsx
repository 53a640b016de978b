// The lineage view (#/lineage/PATH?direction=…&depth=…&granularity=…&tag=…): the assets
// upstream and downstream of one, laid out with dagre and coloured for a tag (present,
// cancelled, stopped, absent, redacted). A node's tags open explainTag, whose witness
// paths are marked on the graph. Loaded on demand, with dagre.
import { useCallback, useEffect, useMemo, useState } from "react";
import { href } from "../route";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useQuery } from "../components/state";
import { buildGraph, graphTags, type ApiLineage, type Graph, type GNode } from "./graph";
import { layoutGraph, type Layout } from "./layout";
import { countStates, settingsOf, tagStates, TAG_STATES, type TagState } from "./tagstate";
import { STOP_REASONS, witnessOf, type Explanation } from "./explain";
import { MAX_DEPTH, MIN_DEPTH, clampDepth, parseParams, toQuery, type LineageParams } from "./params";
import { GraphCanvas, type Marks } from "./GraphCanvas";
import "./lineage.css";

const LINEAGE = `query Lineage($path: String!, $branch: String!, $depth: Int!, $granularity: Granularity!, $up: Boolean!, $down: Boolean!) {
  up: lineage(path: $path, branch: $branch, direction: UPSTREAM, depth: $depth, granularity: $granularity) @include(if: $up) { ...L }
  down: lineage(path: $path, branch: $branch, direction: DOWNSTREAM, depth: $depth, granularity: $granularity) @include(if: $down) { ...L }
}
fragment L on Lineage { nodes { path kind tags cancels } edges { from to kind } redacted }`;

const TAG_DEFINITIONS = `query TagDefinitions { tagDefinitions { name description propagate negation } }`;

const EXPLAIN = `query Explain($path: String!, $tag: String!, $branch: String!) {
  explainTag(path: $path, tag: $tag, branch: $branch) { present sources { source path } cancelledBy stopped { source at path reason } }
}`;

interface TagDefinition {
  name: string;
  description: string | null;
  propagate: boolean;
  negation: string;
}

const STATE_TEXT: Record<TagState, string> = {
  present: "present",
  cancelled: "cancelled",
  stopped: "stopped before here",
  absent: "absent",
  redacted: "redacted",
};

const STATE_TITLE: Record<TagState, string> = {
  present: "the tag's state is present",
  cancelled: "the node declares ~tag, or a cancellation from upstream reaches it",
  stopped: "the tag (or its cancellation) is on a node upstream, but stops before this one (negation NODE, a fail-closed edge, propagate: false)",
  absent: "the tag does not come near this node",
  redacted: "you may not read this node: its tags are not shown",
};

export default function LineageView({ path, params }: { path: string; params: URLSearchParams }) {
  const { branch } = useSession();
  const p = useMemo(() => parseParams(params), [params]);
  const go = useCallback((next: Partial<LineageParams>) => {
    location.hash = href("lineage", path, toQuery({ ...p, ...next }));
  }, [path, p]);

  const lineage = useQuery<{ up?: ApiLineage; down?: ApiLineage }>(LINEAGE, {
    path,
    branch,
    depth: p.depth,
    granularity: p.granularity,
    up: p.direction !== "DOWNSTREAM",
    down: p.direction !== "UPSTREAM",
  }, path === "");
  // The vocabulary gives each tag's settings; without the right to read it, the defaults hold.
  const defs = useQuery<{ tagDefinitions: TagDefinition[] }>(TAG_DEFINITIONS, {});

  // Graph, layout and the time they took (from the answer to the first frame, see GraphCanvas).
  const built = useMemo(() => {
    const d = lineage.data;
    if (!d) return null;
    const since = performance.now();
    const graph = buildGraph(path, [d.up, d.down].filter((x): x is ApiLineage => !!x));
    const layout = layoutGraph(graph);
    return { graph, layout, since, layoutMs: performance.now() - since };
  }, [lineage.data, path]);

  const settings = settingsOf(defs.data?.tagDefinitions, p.tag);
  const { states, why } = useMemo(() => {
    const why = new Map<string, string>();
    const states = built ? tagStates(built.graph, p.tag, settings, why) : new Map<string, TagState>();
    return { states, why };
    // settings is a fresh object each render: depend on its values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [built, p.tag, settings.propagate, settings.negation]);

  const tagOptions = useMemo(() => {
    const s = new Set<string>(built ? graphTags(built.graph) : []);
    for (const d of defs.data?.tagDefinitions ?? []) s.add(d.name);
    if (p.tag) s.add(p.tag);
    return [...s].sort();
  }, [built, defs.data, p.tag]);

  const selected = built?.graph.byPath.get(p.node);
  const explainable = !!selected && !selected.redacted && p.explain !== "";
  const explain = useQuery<{ explainTag: Explanation }>(EXPLAIN, { path: p.node, tag: p.explain, branch }, !explainable);
  // While another explanation loads, the last one (of another node or tag) is not shown.
  const ex = explainable && !explain.loading ? explain.data?.explainTag : undefined;

  const marks: Marks = useMemo(() => {
    if (!built || !ex) return { witness: { nodes: new Set(), edges: new Set() }, cancelledBy: new Set(), stopAt: new Set() };
    return { witness: witnessOf(built.graph, ex), cancelledBy: new Set(ex.cancelledBy), stopAt: new Set(ex.stopped.map((s) => s.at)) };
  }, [built, ex]);

  const onSelect = useCallback((n: string) => go({ node: n, explain: "" }), [go]);

  if (path === "") return <Empty>Choose an asset in the catalog to see its lineage.</Empty>;

  return (
    <section className="lineage">
      <div className="lineage-head">
        <h1>
          Lineage of <a href={href("asset", path)}>{path}</a>
        </h1>
        <Controls p={p} go={go} tags={tagOptions} defs={defs.data?.tagDefinitions} />
      </div>
      {lineage.error ? (
        <ErrorBox error={lineage.error} onRetry={lineage.reload} />
      ) : !built ? (
        <Loading what={`the lineage of ${path}`} />
      ) : (
        <>
          {lineage.loading && <Loading what={`the lineage of ${path}`} />}
          {built.graph.edges.length === 0 && (
            <Empty>
              {path} has no {p.direction === "BOTH" ? "upstream or downstream" : p.direction.toLowerCase()} lineage within depth {p.depth}
              {p.granularity === "DATASET" ? " at dataset granularity" : ""}.
            </Empty>
          )}
          <div className="lineage-body">
            <GraphCanvas
              graph={built.graph}
              layout={built.layout}
              states={states}
              why={why}
              tag={p.tag}
              selected={p.node}
              marks={marks}
              onSelect={onSelect}
              since={built.since}
              layoutMs={built.layoutMs}
            />
            <aside className="lineage-side">
              <Legend tag={p.tag} states={states} layout={built.layout} graph={built.graph} />
              {selected ? (
                <NodePanel
                  node={selected}
                  tag={p.tag}
                  state={states.get(selected.path) ?? "absent"}
                  why={why.get(selected.path)}
                  explainTag={p.explain}
                  onChip={(t) => go({ explain: t, tag: t })}
                  onClose={() => go({ node: "", explain: "" })}
                />
              ) : (
                <p className="hint">Select a node (click it, or Tab to it and press Enter) to see its tags; a tag opens its explanation.</p>
              )}
              {explainable && (
                <ExplainPanel
                  path={p.node}
                  tag={p.explain}
                  ex={ex}
                  error={explain.error}
                  onRetry={explain.reload}
                  graph={built.graph}
                  onSelect={onSelect}
                />
              )}
            </aside>
          </div>
        </>
      )}
    </section>
  );
}

function Controls({ p, go, tags, defs }: { p: LineageParams; go: (n: Partial<LineageParams>) => void; tags: string[]; defs?: TagDefinition[] }) {
  // The depth box keeps what is typed; each valid number updates the view.
  const [depth, setDepth] = useState(String(p.depth));
  useEffect(() => setDepth(String(p.depth)), [p.depth]);
  const def = defs?.find((d) => d.name === p.tag);
  return (
    <form className="lineage-controls" onSubmit={(e) => e.preventDefault()}>
      <label>
        Direction{" "}
        <select name="direction" value={p.direction} onChange={(e) => go({ direction: e.target.value as LineageParams["direction"] })}>
          <option value="UPSTREAM">upstream</option>
          <option value="DOWNSTREAM">downstream</option>
          <option value="BOTH">both</option>
        </select>
      </label>
      <label>
        Depth{" "}
        <input
          name="depth"
          type="number"
          min={MIN_DEPTH}
          max={MAX_DEPTH}
          step={1}
          value={depth}
          onChange={(e) => {
            setDepth(e.target.value);
            const v = e.target.value.trim();
            if (v !== "" && Number.isFinite(Number(v))) {
              const d = clampDepth(v);
              if (d !== p.depth) go({ depth: d });
            }
          }}
          onBlur={() => setDepth(String(p.depth))}
        />
      </label>
      <label>
        Granularity{" "}
        <select name="granularity" value={p.granularity} onChange={(e) => go({ granularity: e.target.value as LineageParams["granularity"] })}>
          <option value="COLUMN">columns</option>
          <option value="DATASET">datasets</option>
        </select>
      </label>
      <label>
        Tag{" "}
        <select name="tag" value={p.tag} onChange={(e) => go({ tag: e.target.value })}>
          <option value="">(none)</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {p.tag && (
        <span className="hint" data-testid="tag-settings">
          {def ? `propagate: ${def.propagate}, negation: ${def.negation}` : "propagate: true, negation: DOWNSTREAM (defaults)"}
          {def?.description ? ` — ${def.description}` : ""}
        </span>
      )}
    </form>
  );
}

function Legend({ tag, states, graph, layout }: { tag: string; states: Map<string, TagState>; graph: Graph; layout: Layout }) {
  const counts = countStates(states);
  return (
    <div className="lineage-legend" data-testid="legend">
      <h2>
        {graph.nodes.length} nodes, {layout.edges.length} edges
      </h2>
      <ul>
        {TAG_STATES.filter((s) => tag !== "" || s === "absent" || s === "redacted").map((s) => (
          <li key={s} data-state={s} title={STATE_TITLE[s]}>
            <svg width="22" height="14" aria-hidden="true">
              <rect className={`swatch state-${s}`} x="1" y="1" width="20" height="12" rx="2" />
            </svg>
            {tag === "" && s === "absent" ? "no tag chosen" : tag !== "" && s !== "redacted" ? `${tag} ${STATE_TEXT[s]}` : STATE_TEXT[s]}{" "}
            <span className="count">{counts[s]}</span>
          </li>
        ))}
      </ul>
      <ul className="edge-kinds">
        {(["DERIVATION", "CONTAINMENT", "FAIL_CLOSED"] as const).map((k) => (
          <li key={k}>
            <svg width="30" height="10" aria-hidden="true">
              <line className={`edge ${k.toLowerCase()}`} x1="1" y1="5" x2="29" y2="5" />
            </svg>
            {k === "DERIVATION" ? "derivation" : k === "CONTAINMENT" ? "containment" : "fail-closed"}
          </li>
        ))}
      </ul>
    </div>
  );
}

function NodePanel(props: {
  node: GNode;
  tag: string;
  state: TagState;
  why?: string;
  explainTag: string;
  onChip: (t: string) => void;
  onClose: () => void;
}) {
  const n = props.node;
  return (
    <div className="lineage-node" data-testid="selected-node" data-path={n.path}>
      <h2>
        {n.redacted ? n.path : <a href={href("asset", n.path)}>{n.path}</a>}{" "}
        <button type="button" className="close" aria-label="Clear the selection" onClick={props.onClose}>
          ×
        </button>
      </h2>
      {n.redacted ? (
        <p>You may not read this asset: its kind and tags are not shown.</p>
      ) : (
        <>
          <p className="hint">
            {n.kind?.toLowerCase()}
            {props.tag ? ` · ${props.tag}: ${props.state}${props.why ? ` — ${props.why}` : ""}` : ""}
          </p>
          {props.tag !== "" && !n.tags.includes(props.tag) && !n.cancels.includes(props.tag) && (
            <p>
              <button type="button" className="why" data-testid="explain-tag" data-tag={props.tag} aria-pressed={props.explainTag === props.tag} onClick={() => props.onChip(props.tag)}>
                Why not {props.tag} here?
              </button>
            </p>
          )}
          {n.tags.length === 0 && n.cancels.length === 0 ? (
            <p className="hint">No tags.</p>
          ) : (
            <div className="chips" aria-label="Tags: choose one to explain it">
              {n.tags.map((t) => (
                <button type="button" key={t} className={`chip${props.explainTag === t ? " active" : ""}`} data-tag={t} aria-pressed={props.explainTag === t} title={`Explain ${t} here`} onClick={() => props.onChip(t)}>
                  {t}
                </button>
              ))}
              {n.cancels.map((t) => (
                <button type="button" key={"~" + t} className={`chip cancel${props.explainTag === t ? " active" : ""}`} data-tag={t} aria-pressed={props.explainTag === t} title={`Declares ~${t}: explain ${t} here`} onClick={() => props.onChip(t)}>
                  ~{t}
                </button>
              ))}
            </div>
          )}
        </>
      )}
    </div>
  );
}

function ExplainPanel(props: {
  path: string;
  tag: string;
  ex?: Explanation;
  error: unknown;
  onRetry: () => void;
  graph: Graph;
  onSelect: (p: string) => void;
}) {
  const { ex, graph } = props;
  const node = (p: string) =>
    graph.byPath.has(p) ? (
      <button type="button" className="linkish" onClick={() => props.onSelect(p)}>
        {p}
      </button>
    ) : (
      <span title="beyond the graph's depth">{p}</span>
    );
  const trail = (ps: string[]) => (
    <span className="trail">
      {ps.map((p, i) => (
        <span key={i}>
          {i > 0 && " → "}
          {node(p)}
        </span>
      ))}
    </span>
  );
  return (
    <div className="lineage-explain" data-testid="explain" data-path={props.path} data-tag={props.tag} data-present={ex ? String(ex.present) : undefined}>
      <h2>
        Why {props.path} {ex ? (ex.present ? "has" : "does not have") : "has or lacks"} {props.tag}
      </h2>
      {props.error ? (
        <ErrorBox error={props.error} onRetry={props.onRetry} />
      ) : !ex ? (
        <Loading what="the explanation" />
      ) : (
        <>
          <p data-testid="explain-present" className={ex.present ? "yes" : "no"}>
            {props.tag} is {ex.present ? "present" : "not present"} here.
          </p>
          <h3>Sources</h3>
          {ex.sources.length === 0 ? (
            <p className="hint">No node that declares {props.tag} reaches it.</p>
          ) : (
            <ul>
              {ex.sources.map((s) => (
                <li key={s.source} data-testid="explain-source" data-source={s.source}>
                  {node(s.source)} declares it: {trail(s.path)}
                </li>
              ))}
            </ul>
          )}
          <h3>Cancelled by</h3>
          {ex.cancelledBy.length === 0 ? (
            <p className="hint">No ~{props.tag} reaches it.</p>
          ) : (
            <ul>
              {ex.cancelledBy.map((c) => (
                <li key={c} data-testid="explain-cancelled-by" data-path={c}>
                  {node(c)} declares ~{props.tag}
                </li>
              ))}
            </ul>
          )}
          {ex.stopped.length > 0 && (
            <>
              <h3>Stopped</h3>
              <ul>
                {ex.stopped.map((s) => (
                  <li key={s.source + " " + s.at} data-testid="explain-stopped" data-source={s.source} data-at={s.at}>
                    from {node(s.source)}, stops at {node(s.at)}: {STOP_REASONS[s.reason] ?? s.reason}. {trail(s.path)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </div>
  );
}
