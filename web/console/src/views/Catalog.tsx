// Catalog view: to be built (issue 10).
export default function CatalogView() {
  return <div className="state empty">The Catalog view is not built yet.</div>;
}
