// The lineage graph drawn in SVG from its dagre layout. Pan (drag) and zoom (wheel, the
// buttons, keys + - 0 and arrows) change one transform on the <g> that holds everything,
// written straight to the DOM: moving around never lays out or re-renders the graph.
import { memo, useCallback, useEffect, useLayoutEffect, useRef, type KeyboardEvent, type PointerEvent } from "react";
import type { Graph } from "./graph";
import type { Layout, LayoutEdge, LayoutNode } from "./layout";
import type { TagState } from "./tagstate";
import type { Witness } from "./explain";
import { centreOn, fit, pan, transformAttr, wheelFactor, zoomAt, type Transform } from "./viewport";

export interface Marks {
  witness: Witness;
  /** Nodes whose ~tag cancels the explained tag at the selected node. */
  cancelledBy: Set<string>;
  /** Nodes where the explained tag stops on its way to the selected node. */
  stopAt: Set<string>;
}

interface Props {
  graph: Graph;
  layout: Layout;
  states: Map<string, TagState>;
  why: Map<string, string>;
  tag: string;
  selected: string;
  marks: Marks;
  onSelect: (path: string) => void;
  /** When the graph's data arrived (performance.now()), to measure its first frame. */
  since: number;
  layoutMs: number;
}

const DRAG_PX = 4;

export function GraphCanvas(p: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const gRef = useRef<SVGGElement>(null);
  const t = useRef<Transform>({ x: 0, y: 0, k: 1 });
  const frame = useRef(0);
  const drag = useRef<{ id: number; x: number; y: number; moved: boolean } | null>(null);

  const apply = useCallback((next: Transform) => {
    t.current = next;
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      gRef.current?.setAttribute("transform", transformAttr(t.current));
      svgRef.current?.setAttribute("data-zoom", t.current.k.toFixed(3));
    });
  }, []);

  const size = () => {
    const r = svgRef.current?.getBoundingClientRect();
    return { w: r?.width ?? 800, h: r?.height ?? 600, left: r?.left ?? 0, top: r?.top ?? 0 };
  };

  const fitAll = useCallback(() => {
    const s = size();
    apply(fit(p.layout.width, p.layout.height, s.w, s.h));
  }, [p.layout, apply]);

  // A new layout: show it whole, or around the start node when whole would be unreadable.
  useLayoutEffect(() => {
    const s = size();
    let next = fit(p.layout.width, p.layout.height, s.w, s.h);
    const start = p.layout.nodes.get(p.graph.start);
    if (next.k < 0.4 && start) next = centreOn({ x: 0, y: 0, k: 0.7 }, start.x + start.w / 2, start.y + start.h / 2, s.w, s.h);
    t.current = next;
    gRef.current?.setAttribute("transform", transformAttr(next));
    svgRef.current?.setAttribute("data-zoom", next.k.toFixed(3));
    const svg = svgRef.current;
    svg?.setAttribute("data-layout-ms", p.layoutMs.toFixed(0));
    const since = p.since;
    const f = requestAnimationFrame(() => {
      // The frame after the commit: layout, React's render and the browser's paint.
      const ms = performance.now() - since;
      svg?.setAttribute("data-render-ms", ms.toFixed(0));
    });
    return () => cancelAnimationFrame(f);
  }, [p.layout, p.graph.start, p.since, p.layoutMs]);

  // The wheel zooms about the pointer; it must be a non-passive listener to keep the page still.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const s = size();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      apply(zoomAt(t.current, wheelFactor(dy), e.clientX - s.left, e.clientY - s.top));
    };
    svg.addEventListener("wheel", onWheel, { passive: false });
    return () => svg.removeEventListener("wheel", onWheel);
  }, [apply]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved) {
      if (Math.abs(dx) < DRAG_PX && Math.abs(dy) < DRAG_PX) return;
      d.moved = true;
      // Captured only once it is a drag, so that a click still reaches the node under it.
      try {
        svgRef.current?.setPointerCapture(e.pointerId);
      } catch {
        // not an active pointer (a synthetic event): the drag still works inside the svg
      }
      svgRef.current?.classList.add("dragging");
    }
    d.x = e.clientX;
    d.y = e.clientY;
    apply(pan(t.current, dx, dy));
  };
  const onPointerUp = (e: PointerEvent<SVGSVGElement>) => {
    if (drag.current?.id !== e.pointerId) return;
    drag.current = null;
    svgRef.current?.classList.remove("dragging");
  };

  const zoomBy = (f: number) => {
    const s = size();
    apply(zoomAt(t.current, f, s.w / 2, s.h / 2));
  };

  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>) => {
    const step = 60;
    const keys: Record<string, () => void> = {
      "+": () => zoomBy(1.25),
      "=": () => zoomBy(1.25),
      "-": () => zoomBy(0.8),
      "0": fitAll,
      ArrowLeft: () => apply(pan(t.current, step, 0)),
      ArrowRight: () => apply(pan(t.current, -step, 0)),
      ArrowUp: () => apply(pan(t.current, 0, step)),
      ArrowDown: () => apply(pan(t.current, 0, -step)),
    };
    const f = keys[e.key];
    if (f && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      f();
    }
  };

  // A node reached by Tab that lies outside the view is brought to its middle.
  const onFocusNode = useCallback(
    (n: LayoutNode) => {
      const s = size();
      const k = t.current.k;
      const x = n.x * k + t.current.x;
      const y = n.y * k + t.current.y;
      if (x < 0 || y < 0 || x + n.w * k > s.w || y + n.h * k > s.h) apply(centreOn(t.current, n.x + n.w / 2, n.y + n.h / 2, s.w, s.h));
    },
    [apply],
  );

  const onSelect = useCallback(
    (path: string) => {
      if (drag.current?.moved) return;
      p.onSelect(path);
    },
    [p.onSelect],
  );

  return (
    <div className="lineage-canvas">
      <div className="lineage-zoom" role="toolbar" aria-label="Zoom">
        <button type="button" data-testid="zoom-in" onClick={() => zoomBy(1.25)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" data-testid="zoom-out" onClick={() => zoomBy(0.8)} aria-label="Zoom out" title="Zoom out (−)">
          −
        </button>
        <button type="button" data-testid="zoom-fit" onClick={fitAll} title="Show the whole graph (0)">
          fit
        </button>
      </div>
      <svg
        ref={svgRef}
        data-testid="lineage-graph"
        data-nodes={p.graph.nodes.length}
        data-edges={p.graph.edges.length}
        data-tag={p.tag}
        tabIndex={0}
        role="group"
        aria-label={`Lineage graph of ${p.graph.start}: drag to pan, wheel or + and − to zoom, 0 to fit, arrows to move, Tab to the nodes and Enter to select one`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <defs>
          <marker id="lg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0L10,5L0,10z" className="arrow" />
          </marker>
          <marker id="lg-arrow-fc" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0L10,5L0,10z" className="arrow fail_closed" />
          </marker>
          <marker id="lg-arrow-w" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="3.5" markerHeight="3.5" orient="auto-start-reverse">
            <path d="M0,0L10,5L0,10z" className="arrow witness" />
          </marker>
        </defs>
        <g ref={gRef}>
          <Edges edges={p.layout.edges} witness={p.marks.witness.edges} />
          <Nodes
            graph={p.graph}
            layout={p.layout}
            states={p.states}
            why={p.why}
            tag={p.tag}
            selected={p.selected}
            marks={p.marks}
            onSelect={onSelect}
            onFocusNode={onFocusNode}
          />
        </g>
      </svg>
    </div>
  );
}

const KIND_TITLE: Record<string, string> = {
  CONTAINMENT: "containment (dataset to its column)",
  DERIVATION: "derivation (pipeline, column lineage, feature)",
  FAIL_CLOSED: "fail-closed (an input column of a pipeline without column lineage)",
};

const Edges = memo(function Edges({ edges, witness }: { edges: LayoutEdge[]; witness: Set<string> }) {
  // Witness edges last, so that they are drawn over the others.
  const sorted = witness.size === 0 ? edges : [...edges.filter((e) => !witness.has(e.id)), ...edges.filter((e) => witness.has(e.id))];
  return (
    <g className="edges">
      {sorted.map((e) => {
        const w = witness.has(e.id);
        return (
          <path
            key={e.id}
            data-testid="edge"
            data-from={e.from}
            data-to={e.to}
            data-kind={e.kind}
            className={`edge ${e.kind.toLowerCase()}${w ? " witness" : ""}`}
            d={e.d}
            markerEnd={w ? "url(#lg-arrow-w)" : e.kind === "FAIL_CLOSED" ? "url(#lg-arrow-fc)" : "url(#lg-arrow)"}
          >
            <title>{`${e.from} → ${e.to}: ${KIND_TITLE[e.kind] ?? e.kind}`}</title>
          </path>
        );
      })}
    </g>
  );
});

type NodesProps = Omit<Props, "since" | "layoutMs"> & {
  onFocusNode: (n: LayoutNode) => void;
};

const Nodes = memo(function Nodes(p: NodesProps) {
  return (
    <g className="nodes">
      {p.graph.nodes.map((n) => {
        const l = p.layout.nodes.get(n.path);
        if (!l) return null;
        const state = p.states.get(n.path) ?? "absent";
        const declares = p.tag !== "" && n.cancels.includes(p.tag);
        const cls = ["node", `state-${state}`, n.kind ? `kind-${n.kind.toLowerCase()}` : "kind-redacted"];
        if (n.start) cls.push("start");
        if (n.path === p.selected) cls.push("selected");
        if (p.marks.witness.nodes.has(n.path)) cls.push("witness");
        if (p.marks.cancelledBy.has(n.path)) cls.push("cancelled-by");
        if (p.marks.stopAt.has(n.path)) cls.push("stop-at");
        if (declares) cls.push("declares");
        const why = p.why.get(n.path);
        const tip = `${n.path}${n.kind ? ` (${n.kind.toLowerCase()})` : ""}${p.tag ? ` — ${p.tag}: ${state}` : ""}${why ? `: ${why}` : ""}`;
        return (
          <g
            key={n.path}
            data-testid="node"
            data-path={n.path}
            data-state={state}
            data-kind={n.kind ?? "REDACTED"}
            className={cls.join(" ")}
            transform={`translate(${l.x},${l.y})`}
            tabIndex={0}
            role="button"
            aria-pressed={n.path === p.selected}
            aria-label={tip}
            onClick={() => p.onSelect(n.path)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                e.stopPropagation();
                p.onSelect(n.path);
              }
            }}
            onFocus={() => p.onFocusNode(l)}
          >
            <title>{tip}</title>
            <rect width={l.w} height={l.h} rx={n.kind === "FIELD" || n.kind === "FEATURE" ? 12 : 3} />
            <text x={12} y={l.h / 2} dy="0.35em">
              {l.text}
            </text>
            {declares && (
              <text className="decl" x={l.w - 4} y={-3} textAnchor="end">
                ~{p.tag}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
});
