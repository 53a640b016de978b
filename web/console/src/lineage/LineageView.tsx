// Lineage graph view: to be built (issue 10).
export default function LineageView({ path }: { path: string; params: URLSearchParams }) {
  return <div className="state empty">The lineage of {path} is not built yet.</div>;
}
