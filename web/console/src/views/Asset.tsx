// The asset page (#/asset/PATH): a dataset or featureset with its fields or features, tags,
// owner, description and definition; tabs for column visibility and stewarding, and a link
// to its lineage. A field or feature path opens its dataset with the member highlighted.
import { useEffect } from "react";
import { ApiError } from "../api";
import { membersOf, parentOf, renderDefinition, type AssetData } from "../asset";
import { Empty, ErrorBox, Loading, useQuery } from "../components/state";
import { href, type Route } from "../route";
import { useSession } from "../session";
import { ColumnsTab } from "./AssetColumns";
import { StewardTab } from "./AssetSteward";
import { Chips } from "./Chips";
import "./views.css";

type AssetRoute = Extract<Route, { view: "asset" }>;

const MEMBER = "name path type tags cancels description declaredTags stewardTags";
export const ASSET_QUERY = `query Asset($path: String!, $branch: String) {
  asset(path: $path, branch: $branch) {
    __typename path kind tags cancels owner description declaredTags stewardTags
    ... on Dataset { fields { ${MEMBER} key } pipeline { inputs columns { field from } description } }
    ... on Featureset { features { ${MEMBER} from } }
    ... on Field { dataset name }
    ... on Feature { featureset name }
  }
}`;

const TABS = [
  ["overview", "Overview"],
  ["columns", "Columns"],
  ["steward", "Steward"],
] as const;

export default function AssetView({ route }: { route: AssetRoute }) {
  const { branch } = useSession();
  const res = useQuery<{ asset: AssetData | null }>(ASSET_QUERY, { path: route.path, branch });
  const a = res.data?.asset;

  // A field or feature opens its dataset or featureset, with the member highlighted.
  const parent = a ? parentOf(a) : null;
  useEffect(() => {
    if (parent) location.replace(href("asset", parent.path, { tab: route.tab === "overview" ? "" : route.tab, field: parent.member }));
  }, [parent?.path, parent?.member, route.tab]);

  if (!route.path) return <Empty>No asset named: open one from the catalog.</Empty>;
  return (
    <article className="asset" aria-labelledby="asset-h">
      <p className="crumbs">
        <a href="#/">Catalog</a> / <span className="hint">{branch}</span>
      </p>
      <h1 id="asset-h">{route.path}</h1>
      <nav className="tabs" aria-label="Asset">
        {TABS.map(([id, label]) => (
          <a
            key={id}
            data-testid={"tab-" + id}
            href={href("asset", route.path, { tab: id === "overview" ? "" : id, field: route.field })}
            aria-current={route.tab === id ? "page" : undefined}
            className={route.tab === id ? "current" : ""}
          >
            {label}
          </a>
        ))}
        <a data-testid="tab-lineage" href={href("lineage", route.path)}>
          Lineage
        </a>
      </nav>
      {res.error ? (
        <AssetError error={res.error} path={route.path} onRetry={res.reload} />
      ) : res.loading && !a ? (
        <Loading what={route.path} />
      ) : res.data && !a ? (
        <div className="state empty" data-testid="not-found">
          There is no asset <code>{route.path}</code> on branch {branch}. <a href="#/">Search the catalog</a>.
        </div>
      ) : a && parent ? (
        <Loading what={parent.path} />
      ) : a ? (
        route.tab === "columns" ? (
          <ColumnsTab asset={a} mode={route.mode} as={route.as} field={route.field} />
        ) : route.tab === "steward" ? (
          <StewardTab asset={a} field={route.field} onSaved={res.reload} />
        ) : (
          <Overview asset={a} field={route.field} />
        )
      ) : null}
    </article>
  );
}

function AssetError({ error, path, onRetry }: { error: unknown; path: string; onRetry: () => void }) {
  if (error instanceof ApiError && error.code === "FORBIDDEN") {
    return (
      <div className="state error" role="alert" data-testid="forbidden">
        <span className="code">{error.code}</span> <span className="message">{error.message}</span>
        <p>You may not read the definitions of {path}. Ask an admin of the org for a grant.</p>
      </div>
    );
  }
  return <ErrorBox error={error} onRetry={onRetry} />;
}

function Overview({ asset: a, field }: { asset: AssetData; field: string }) {
  const members = membersOf(a);
  const isDataset = a.__typename === "Dataset";
  useEffect(() => {
    if (field) document.querySelector(`tr[data-field="${CSS.escape(field)}"]`)?.scrollIntoView({ block: "center" });
  }, [field]);
  return (
    <>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{a.kind.toLowerCase()}</dd>
        <dt>Owner</dt>
        <dd data-testid="owner">{a.owner ?? <span className="hint">none</span>}</dd>
        <dt>Description</dt>
        <dd data-testid="description">{a.description ?? <span className="hint">none</span>}</dd>
        <dt>Tags</dt>
        <dd>
          <Chips tags={a.tags} cancels={a.cancels} empty="no tags present" />
        </dd>
        {a.stewardTags.length > 0 && (
          <>
            <dt>Steward declares</dt>
            <dd className="decls">{a.stewardTags.join(", ")}</dd>
          </>
        )}
        {a.pipeline && (
          <>
            <dt>Computed from</dt>
            <dd>
              {a.pipeline.inputs.map((p, i) => (
                <span key={p}>
                  {i > 0 && ", "}
                  <a href={href("asset", p)}>{p}</a>
                </span>
              ))}
              {a.pipeline.columns === null && <span className="hint"> (no column lineage: every input field is a parent)</span>}
            </dd>
          </>
        )}
      </dl>
      <h2>{isDataset ? "Fields" : "Features"}</h2>
      {members.length === 0 ? (
        <Empty>No {isDataset ? "fields" : "features"}.</Empty>
      ) : (
        <table className="fields">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              {isDataset ? <th scope="col">Key</th> : <th scope="col">From</th>}
              <th scope="col">Tags</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.name} data-testid="field-row" data-field={m.name} className={m.name === field ? "highlight" : ""} aria-current={m.name === field ? "true" : undefined}>
                <th scope="row">
                  <code>{m.name}</code>
                </th>
                <td>
                  <code>{m.type}</code>
                </td>
                {isDataset ? (
                  <td>{m.key ? <span className="key">key</span> : ""}</td>
                ) : (
                  <td>
                    {(m.from ?? []).map((p, i) => (
                      <span key={p}>
                        {i > 0 && ", "}
                        <a href={href("asset", p)}>{p}</a>
                      </span>
                    ))}
                  </td>
                )}
                <td>
                  <Chips tags={m.tags} cancels={m.cancels} />
                  {m.stewardTags.length > 0 && <span className="hint"> steward: {m.stewardTags.join(", ")}</span>}
                </td>
                <td className="desc">{m.description ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Definition</h2>
      <p className="hint">As deployed, rebuilt from the catalog (steward tags are not part of it).</p>
      <pre data-testid="definition" className="definition" tabIndex={0} aria-label="definition">
        {renderDefinition(a)}
      </pre>
    </>
  );
}
