// A synthetic lineage answer for the layout benchmark (lineage.test.ts), shaped like the
// 500-node catalog deployed to the demo to measure the view in Chromium: datasets with
// fields each; dataset i > 0 reads dataset (i-1)/2 and a random earlier one, and half of
// them declare column lineage (field to field), the others get fail-closed edges.
import type { ApiLineage } from "../graph";

export function synthetic(datasets: number, fields: number): ApiLineage {
  const l: ApiLineage = { nodes: [], edges: [], redacted: [] };
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ds = (i: number) => `gen/d${String(i).padStart(3, "0")}`;
  for (let i = 0; i < datasets; i++) {
    l.nodes.push({ path: ds(i), kind: "DATASET", tags: i === 0 ? ["PII"] : [], cancels: i === 7 ? ["PII"] : [] });
    for (let f = 0; f < fields; f++) {
      l.nodes.push({ path: `${ds(i)}.f${f}`, kind: "FIELD", tags: [], cancels: [] });
      l.edges.push({ from: ds(i), to: `${ds(i)}.f${f}`, kind: "CONTAINMENT" });
    }
    if (i === 0) continue;
    const inputs = [...new Set(i > 2 ? [Math.floor((i - 1) / 2), Math.floor(rnd() * i)] : [i - 1])].sort((x, y) => x - y);
    for (const j of inputs) {
      l.edges.push({ from: ds(j), to: ds(i), kind: "DERIVATION" });
      for (let f = 0; f < fields; f++) {
        if (i % 2 === 0) {
          if (inputs[f % inputs.length] === j) l.edges.push({ from: `${ds(j)}.f${f}`, to: `${ds(i)}.f${f}`, kind: "DERIVATION" });
        } else l.edges.push({ from: `${ds(j)}.f${f}`, to: ds(i), kind: "FAIL_CLOSED" });
      }
    }
  }
  return l;
}
