// npx vitest bench: the layout of the 500-node graph issue 10 names (target: the whole
// view under a second in the browser; the README reports the browser figures).
import { bench, describe } from "vitest";
import { buildGraph } from "./graph";
import { layoutGraph } from "./layout";
import { synthetic } from "./testdata/synthetic";

describe("layout", () => {
  const g = buildGraph("gen/d000", [synthetic(50, 9)]);
  bench(`${g.nodes.length} nodes, ${g.edges.length} edges`, () => {
    layoutGraph(g);
  }, { iterations: 5 });
});
