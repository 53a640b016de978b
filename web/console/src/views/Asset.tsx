// Asset view: to be built (issue 10).
export default function AssetView() {
  return <div className="state empty">The Asset view is not built yet.</div>;
}
