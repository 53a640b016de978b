// A synthetic lineage answer for the layout benchmark (lineage.test.ts).
import type { ApiLineage } from "../graph";

/**
 * synthetic is a lineage answer of datasets datasets with fields fields each: dataset i
 * reads one to three earlier datasets (column lineage from the first), the shape of
 * fixtures/synth's catalogs.
 */
export function synthetic(datasets: number, fields: number): ApiLineage {
  const l: ApiLineage = { nodes: [], edges: [], redacted: [] };
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ds = (i: number) => `gen/d${String(i).padStart(3, "0")}`;
  for (let i = 0; i < datasets; i++) {
    l.nodes.push({ path: ds(i), kind: "DATASET", tags: i % 7 === 0 ? ["PII"] : [], cancels: i % 11 === 5 ? ["PII"] : [] });
    for (let f = 0; f < fields; f++) {
      l.nodes.push({ path: `${ds(i)}.f${f}`, kind: "FIELD", tags: [], cancels: [] });
      l.edges.push({ from: ds(i), to: `${ds(i)}.f${f}`, kind: "CONTAINMENT" });
    }
    if (i === 0) continue;
    const inputs = new Set<number>();
    const n = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) inputs.add(Math.floor(rnd() * i));
    let first = true;
    for (const j of inputs) {
      l.edges.push({ from: ds(j), to: ds(i), kind: "DERIVATION" });
      if (first) for (let f = 0; f < fields; f++) l.edges.push({ from: `${ds(j)}.f${f}`, to: `${ds(i)}.f${f}`, kind: "DERIVATION" });
      first = false;
    }
  }
  return l;
}
