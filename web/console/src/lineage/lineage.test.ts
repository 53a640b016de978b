import { describe, expect, it } from "vitest";
import { buildGraph, containerOf, graphTags, nodeLabel, type ApiLineage, type Graph } from "./graph";
import { countStates, settingsOf, tagStates, type TagState } from "./tagstate";
import { onGraph, witnessOf } from "./explain";
import { clampDepth, parseParams, queriesFor, toQuery, DEFAULTS, MAX_DEPTH } from "./params";
import { fit, pan, zoomAt, MAX_ZOOM } from "./viewport";
import { layoutGraph, pathOf, shorten } from "./layout";
import { fennelUp5 } from "./testdata/fennel";
import { synthetic } from "./testdata/synthetic";

const START = "UserFeatures.total_in_hometown";

function states(g: Graph, tag: string, s = settingsOf(undefined, tag)): Record<string, TagState> {
  return Object.fromEntries(tagStates(g, tag, s));
}

/** withTags is the Fennel answer with some nodes' present tags replaced. */
function withTags(l: ApiLineage, tags: Record<string, string[]>): ApiLineage {
  return { ...l, nodes: l.nodes.map((n) => (n.path in tags ? { ...n, tags: tags[n.path] } : n)) };
}

describe("buildGraph", () => {
  it("keeps every node and edge of the answer, sorted, and marks the start", () => {
    const g = buildGraph(START, [fennelUp5]);
    expect(g.nodes).toHaveLength(13);
    expect(g.edges).toHaveLength(20);
    expect(g.byPath.get(START)?.start).toBe(true);
    expect(g.byPath.get(START)?.label).toBe("UserFeatures.total_in_hometown");
    expect(g.nodes.filter((n) => n.start)).toHaveLength(1);
  });

  it("merges the two answers of BOTH without repeating the start or an edge", () => {
    const up: ApiLineage = {
      nodes: [a("B"), a("A")],
      edges: [{ from: "A", to: "B", kind: "DERIVATION" }],
      redacted: [],
    };
    const down: ApiLineage = {
      nodes: [a("B"), a("C")],
      edges: [{ from: "B", to: "C", kind: "DERIVATION" }],
      redacted: [],
    };
    const g = buildGraph("B", [up, down]);
    expect(g.nodes.map((n) => n.path)).toEqual(["A", "B", "C"]);
    expect(g.edges.map((e) => e.id)).toEqual(["A→B", "B→C"]);
  });

  it("draws redacted paths as redacted nodes, and renumbers private names per answer", () => {
    const up: ApiLineage = { nodes: [a("B")], edges: [{ from: "(redacted 1)", to: "B", kind: "DERIVATION" }], redacted: ["(redacted 1)"] };
    const down: ApiLineage = {
      nodes: [a("B")],
      edges: [
        { from: "B", to: "(redacted 1)", kind: "DERIVATION" },
        { from: "B", to: "hidden/x", kind: "DERIVATION" },
      ],
      redacted: ["(redacted 1)", "hidden/x"],
    };
    const g = buildGraph("B", [up, down]);
    expect(g.nodes.map((n) => [n.path, n.redacted])).toEqual([
      ["(redacted 1)", true],
      ["(redacted 2)", true],
      ["B", false],
      ["hidden/x", true],
    ]);
    expect(g.edges.map((e) => e.id)).toEqual(["(redacted 1)→B", "B→(redacted 2)", "B→hidden/x"]);
    expect(states(g, "PII")["hidden/x"]).toBe("redacted");
    expect(states(g, "")["hidden/x"]).toBe("redacted");
  });

  it("folds a column start into its dataset at dataset granularity", () => {
    const g = buildGraph("ns/Ds.col", [{ nodes: [a("ns/Ds"), a("ns/In")], edges: [{ from: "ns/In", to: "ns/Ds", kind: "DERIVATION" }], redacted: [] }]);
    expect(g.start).toBe("ns/Ds");
    expect(g.byPath.get("ns/Ds")?.start).toBe(true);
  });

  it("labels columns Dataset.col and datasets by path", () => {
    expect(nodeLabel("safety/Reports.reporter_email", "FIELD")).toBe("Reports.reporter_email");
    expect(nodeLabel("safety/Reports", "DATASET")).toBe("safety/Reports");
    expect(nodeLabel("(redacted 3)", null)).toBe("(redacted 3)");
    expect(containerOf("a.b/c/Ds.col")).toBe("a.b/c/Ds");
    expect(containerOf("ns/Ds")).toBe("ns/Ds");
  });

  it("lists the tags present or cancelled in the graph", () => {
    expect(graphTags(buildGraph(START, [fennelUp5]))).toEqual(["PII", "stripe"]);
  });
});

function a(path: string, tags: string[] = [], cancels: string[] = []) {
  return { path, kind: path.includes(".") ? ("FIELD" as const) : ("DATASET" as const), tags, cancels };
}

describe("tagStates on the Fennel demo (DESIGN §7)", () => {
  const g = buildGraph(START, [fennelUp5]);

  it("PII: present on User, cancelled at TxnByCity and below, not present at total_in_hometown", () => {
    const s = states(g, "PII");
    expect(s["User"]).toBe("present");
    expect(s["User.city"]).toBe("present");
    expect(s["UserFeatures.city"]).toBe("present");
    expect(s["TxnByCity"]).toBe("cancelled"); // declares ~PII
    expect(s["TxnByCity.total"]).toBe("cancelled"); // its dataset's cancellation, by containment
    expect(s[START]).toBe("cancelled"); // PII arrives from UserFeatures.city, TxnByCity.total cancels it
    expect(s["Transaction"]).toBe("absent");
    expect(s["Transaction.amount"]).toBe("absent");
    expect(s["UserFeatures"]).toBe("absent");
    expect(countStates(tagStates(g, "PII"))).toEqual({ present: 5, cancelled: 3, stopped: 0, absent: 5, redacted: 0 });
  });

  it("explains its states", () => {
    const why = new Map<string, string>();
    tagStates(g, "PII", undefined, why);
    expect(why.get("TxnByCity")).toBe("declares ~PII");
    expect(why.get(START)).toBe("inherits the cancellation of PII from TxnByCity.total");
    expect(why.has("Transaction")).toBe(false);
  });

  it("stripe: present from Transaction to total_in_hometown", () => {
    const s = states(g, "stripe");
    for (const p of ["Transaction", "Transaction.uid", "TxnByCity", "TxnByCity.total", START]) expect(s[p]).toBe("present");
    expect(s["User"]).toBe("absent");
    expect(s["UserFeatures.city"]).toBe("absent");
  });

  it("no tag: every node absent", () => {
    expect(new Set(Object.values(states(g, "")))).toEqual(new Set(["absent"]));
  });

  it("PII with negation NODE (the server's real answer): stopped below TxnByCity, present again at total_in_hometown", () => {
    // What the demo answers after defineTag(name: "PII", negation: NODE).
    const l = withTags(fennelUp5, { [START]: ["PII", "stripe"] });
    const s = states(buildGraph(START, [l]), "PII", { propagate: true, negation: "NODE" });
    expect(s["TxnByCity"]).toBe("cancelled");
    expect(s["TxnByCity.total"]).toBe("stopped");
    expect(s[START]).toBe("present");
  });

  it("stripe with propagate: false: stays on Transaction and its fields, stops at TxnByCity", () => {
    const l = withTags(fennelUp5, { TxnByCity: [], "TxnByCity.total": [], [START]: [] });
    const s = states(buildGraph(START, [l]), "stripe", { propagate: false, negation: "DOWNSTREAM" });
    expect(s["Transaction.at"]).toBe("present");
    expect(s["TxnByCity"]).toBe("stopped");
    expect(s["TxnByCity.total"]).toBe("stopped");
    expect(s[START]).toBe("stopped");
  });
});

describe("tagStates on the edges of DESIGN §4", () => {
  it("a cancellation does not travel a fail-closed edge; the presence does", () => {
    // Customer.country declares ~PII, Customer.email has PII; CustomerExport reads both by fail-closed edges.
    const g = buildGraph("CustomerExport", [
      {
        nodes: [a("Customer"), a("Customer.country", [], ["PII"]), a("Customer.email", ["PII"]), a("CustomerExport", ["PII"]), a("Other")],
        edges: [
          { from: "Customer", to: "Customer.country", kind: "CONTAINMENT" },
          { from: "Customer", to: "Customer.email", kind: "CONTAINMENT" },
          { from: "Customer.country", to: "CustomerExport", kind: "FAIL_CLOSED" },
          { from: "Customer.email", to: "CustomerExport", kind: "FAIL_CLOSED" },
          { from: "Customer.country", to: "Other", kind: "FAIL_CLOSED" },
        ],
        redacted: [],
      },
    ]);
    const s = states(g, "PII");
    expect(s["CustomerExport"]).toBe("present");
    expect(s["Customer.country"]).toBe("cancelled");
    expect(s["Other"]).toBe("stopped"); // the ~PII does not reach it, nor does PII
    expect(s["Customer"]).toBe("absent");
  });

  it("a node not present below a present parent is cancelled by one outside the view", () => {
    const g = buildGraph("B", [{ nodes: [a("A", ["t"]), a("B")], edges: [{ from: "A", to: "B", kind: "DERIVATION" }], redacted: [] }]);
    expect(states(g, "t")["B"]).toBe("cancelled");
  });

  it("a redacted node passes nothing it is not known to have", () => {
    const g = buildGraph("B", [{ nodes: [a("B")], edges: [{ from: "x/hidden", to: "B", kind: "DERIVATION" }], redacted: ["x/hidden"] }]);
    expect(states(g, "t")).toEqual({ "x/hidden": "redacted", B: "absent" });
  });

  it("at dataset granularity, edges into a featureset carry nothing (they fold its features' edges)", () => {
    const g = buildGraph("FS", [
      {
        nodes: [a("User", ["PII"]), { path: "FS", kind: "FEATURESET", tags: [], cancels: [] }],
        edges: [{ from: "User", to: "FS", kind: "DERIVATION" }],
        redacted: [],
      },
    ]);
    expect(states(g, "PII")["FS"]).toBe("absent");
  });

  it("reads tag settings from tagDefinitions, with the defaults for an undefined tag", () => {
    const defs = [{ name: "PII", propagate: true, negation: "NODE" }];
    expect(settingsOf(defs, "PII")).toEqual({ propagate: true, negation: "NODE" });
    expect(settingsOf(defs, "stripe")).toEqual({ propagate: true, negation: "DOWNSTREAM" });
  });
});

describe("witness paths", () => {
  const g = buildGraph(START, [fennelUp5]);
  const ex = {
    present: false,
    sources: [{ source: "User", path: ["User", "User.city", "UserFeatures.city", START] }],
    cancelledBy: ["TxnByCity"],
    stopped: [],
  };

  it("marks the nodes and edges of each source's path", () => {
    const w = witnessOf(g, ex);
    expect([...w.nodes].sort()).toEqual(["User", "User.city", "UserFeatures.city", START].sort());
    expect([...w.edges].sort()).toEqual(["User→User.city", "User.city→UserFeatures.city", "UserFeatures.city→" + START].sort());
  });

  it("folds columns into their datasets at dataset granularity, and drops what the graph lacks", () => {
    const d = buildGraph(START, [
      {
        nodes: [a("User", ["PII"]), { path: "UserFeatures", kind: "FEATURESET", tags: [], cancels: [] }],
        edges: [{ from: "User", to: "UserFeatures", kind: "DERIVATION" }],
        redacted: [],
      },
    ]);
    expect(onGraph(d, ["Far", "User", "User.city", "UserFeatures.city", START])).toEqual(["User", "UserFeatures"]);
    expect([...witnessOf(d, ex).edges]).toEqual(["User→UserFeatures"]);
  });
});

describe("params", () => {
  it("reads the hash query, with defaults for what is missing or wrong", () => {
    expect(parseParams(new URLSearchParams(""))).toEqual(DEFAULTS);
    expect(parseParams(new URLSearchParams("direction=upstream&depth=7&granularity=DATASET&tag=PII&node=User&explain=PII"))).toEqual({
      direction: "UPSTREAM",
      depth: 7,
      granularity: "DATASET",
      tag: "PII",
      node: "User",
      explain: "PII",
    });
    expect(parseParams(new URLSearchParams("direction=SIDEWAYS&granularity=ROW")).direction).toBe("BOTH");
  });

  it("bounds the depth", () => {
    expect(clampDepth("-3")).toBe(0);
    expect(clampDepth("1000")).toBe(MAX_DEPTH);
    expect(clampDepth("2.7")).toBe(2);
    expect(clampDepth("x")).toBe(DEFAULTS.depth);
    expect(clampDepth(null)).toBe(DEFAULTS.depth);
  });

  it("writes every control, and explain only with a node", () => {
    const p = { ...DEFAULTS, tag: "PII", explain: "PII" };
    expect(toQuery(p)).toEqual({ direction: "BOTH", depth: "3", granularity: "COLUMN", tag: "PII" });
    expect(toQuery({ ...p, node: "User" })).toMatchObject({ node: "User", explain: "PII" });
    expect(parseParams(new URLSearchParams(toQuery({ ...p, node: "User" })))).toEqual({ ...p, node: "User" });
  });

  it("asks two queries for BOTH", () => {
    expect(queriesFor("BOTH")).toEqual(["UPSTREAM", "DOWNSTREAM"]);
    expect(queriesFor("DOWNSTREAM")).toEqual(["DOWNSTREAM"]);
  });
});

describe("viewport", () => {
  it("zooms about the pointer: the point under it stays put", () => {
    const t = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 70);
    // drawing point under (110,70) before: ((110-10)/1, (70-20)/1) = (100, 50)
    expect(t.k).toBe(2);
    expect(t.x + 100 * t.k).toBeCloseTo(110);
    expect(t.y + 50 * t.k).toBeCloseTo(70);
    expect(zoomAt({ x: 0, y: 0, k: 3 }, 10, 0, 0).k).toBe(MAX_ZOOM);
  });

  it("pans by screen pixels", () => {
    expect(pan({ x: 1, y: 2, k: 3 }, 10, -5)).toEqual({ x: 11, y: -3, k: 3 });
  });

  it("fits a drawing whole and centred, never above scale 1", () => {
    const t = fit(2000, 500, 1000, 600, 0);
    expect(t.k).toBe(0.5);
    expect(t.x).toBe(0);
    expect(t.y).toBe((600 - 250) / 2);
    expect(fit(100, 100, 1000, 600).k).toBe(1);
  });
});

describe("layout", () => {
  it("lays the Fennel graph out left to right: parents before children", () => {
    const g = buildGraph(START, [fennelUp5]);
    const l = layoutGraph(g);
    expect(l.nodes.size).toBe(13);
    expect(l.edges).toHaveLength(20);
    for (const e of l.edges) {
      expect(l.nodes.get(e.from)!.x).toBeLessThan(l.nodes.get(e.to)!.x);
      expect(e.d).toMatch(/^M[\d.-]+,[\d.-]+/);
    }
    expect(l.width).toBeGreaterThan(0);
  });

  it("shortens long labels keeping their end", () => {
    expect(shorten("abc", 5)).toBe("abc");
    expect(shorten("namespace/very_long_dataset.column", 10)).toBe("…et.column");
    expect(shorten("x".repeat(50)).length).toBe(36);
    expect(pathOf([{ x: 0, y: 0 }, { x: 10, y: 0 }])).toBe("M0,0L10,0");
  });

  // The time is measured by layout.bench.ts (npx vitest bench), not asserted here.
  it("lays out 500 nodes, every one at a finite place", () => {
    const g = buildGraph("gen/d000", [synthetic(50, 9)]);
    expect(g.nodes.length).toBe(500);
    const l = layoutGraph(g);
    expect(l.nodes.size).toBe(500);
    for (const n of l.nodes.values()) {
      expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
    }
  });
});
