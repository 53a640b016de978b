// Access admin: to be built (issue 10).
export default function AccessView({ section }: { section: string; params: URLSearchParams }) {
  return <div className="state empty">The access section {section} is not built yet.</div>;
}
