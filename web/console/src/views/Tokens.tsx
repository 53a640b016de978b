// Tokens view: to be built (issue 10).
export default function TokensView() {
  return <div className="state empty">The Tokens view is not built yet.</div>;
}
