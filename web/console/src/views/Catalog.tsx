// The catalog: the search box (text, tag:T terms), one page of results with their present
// tags, and a pager. The query and the page live in the address, so back and forward work.
import { useEffect, useState, type FormEvent } from "react";
import { Empty, ErrorBox, Loading, useQuery } from "../components/state";
import { href, type Route } from "../route";
import { decodeBack, encodeBack, isListing, nextPage, parseSearch, previousPage, searchVariables, type PagePos } from "../search";
import { useSession } from "../session";
import { Chips } from "./Chips";
import "./views.css";

const PAGE = 50;

interface Row {
  path: string;
  kind: string;
  tags: string[];
  cancels: string[];
  description: string | null;
}
interface Conn {
  totalCount: number;
  nodes: Row[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const ROW = "totalCount nodes { path kind tags cancels description } pageInfo { hasNextPage endCursor }";
const LIST = `query Datasets($branch: String, $first: Int, $after: String) { page: datasets(branch: $branch, first: $first, after: $after) { ${ROW} } }`;
const SEARCH = `query Search($branch: String, $text: String, $tags: [String!], $first: Int, $after: String) {
  page: search(branch: $branch, text: $text, tags: $tags, first: $first, after: $after) { ${ROW} } }`;

function go(q: string, pos: PagePos) {
  location.hash = href("", "", { q, after: pos.after, back: encodeBack(pos.back) });
}

export default function CatalogView({ route }: { route: Extract<Route, { view: "catalog" }> }) {
  const { branch } = useSession();
  const [box, setBox] = useState(route.query);
  useEffect(() => setBox(route.query), [route.query]);
  const q = parseSearch(route.query);
  const listing = isListing(q);
  const pos: PagePos = { after: route.after, back: decodeBack(route.back) };
  const res = useQuery<{ page: Conn }>(listing ? LIST : SEARCH, searchVariables(q, branch, pos.after, PAGE));

  function submit(e: FormEvent) {
    e.preventDefault();
    go(box.trim(), { after: "", back: [] });
  }

  const page = res.data?.page;
  const first = pos.back.length * PAGE + 1;
  return (
    <section className="catalog" aria-labelledby="catalog-h">
      <h1 id="catalog-h">Catalog</h1>
      <form role="search" className="searchbar" onSubmit={submit}>
        <label htmlFor="q" className="sr-only">
          Search
        </label>
        <input
          id="q"
          name="q"
          type="search"
          value={box}
          onChange={(e) => setBox(e.target.value)}
          placeholder="Search paths and descriptions; tag:PII for a tag"
          aria-describedby="q-hint"
          autoComplete="off"
        />
        <button type="submit">Search</button>
      </form>
      <p id="q-hint" className="hint">
        {listing
          ? `Every dataset on ${branch}. Type words to search paths and descriptions, tag:PII (one or more) for assets where a tag is present.`
          : `Assets on ${branch}${q.text ? ` whose path or description contains “${q.text}”` : ""}${q.tags.length ? ` with ${q.tags.map((t) => "tag " + t).join(" and ")} present` : ""}.`}
      </p>
      {res.error ? (
        <ErrorBox error={res.error} onRetry={res.reload} />
      ) : res.loading && !page ? (
        <Loading what={listing ? "datasets" : "results"} />
      ) : page && page.nodes.length === 0 ? (
        <Empty>{listing ? `No datasets on ${branch} that you may list.` : "Nothing matches."}</Empty>
      ) : page ? (
        <>
          <table className="results" aria-busy={res.loading}>
            <caption className="hint">
              {first}–{first + page.nodes.length - 1} of {page.totalCount}
              {res.loading ? " (loading…)" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Kind</th>
                <th scope="col">Tags</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((n) => (
                <tr key={n.path}>
                  <td>
                    <a data-testid="asset-link" data-path={n.path} href={href("asset", n.path)}>
                      {n.path}
                    </a>
                  </td>
                  <td>
                    <span className="kind">{n.kind.toLowerCase()}</span>
                  </td>
                  <td>
                    <Chips tags={n.tags} cancels={n.cancels} />
                  </td>
                  <td className="desc">{n.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages">
            <button type="button" data-testid="previous-page" disabled={pos.back.length === 0 && pos.after === ""} onClick={() => go(route.query, previousPage(pos))}>
              ← Previous
            </button>
            <button
              type="button"
              data-testid="next-page"
              disabled={!page.pageInfo.hasNextPage || !page.pageInfo.endCursor}
              onClick={() => go(route.query, nextPage(pos, page.pageInfo.endCursor ?? ""))}
            >
              Next →
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}
