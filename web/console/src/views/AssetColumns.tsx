// Column visibility (?tab=columns): columnAccess for one of the four modes, for the
// signed-in user or, for an admin (MANAGE on the org), any principal ("view as").
import { useEffect, useState, type FormEvent } from "react";
import { type AssetData } from "../asset";
import { ErrorBox, Loading, useQuery } from "../components/state";
import { href } from "../route";
import { useSession } from "../session";

export const MODES = ["READ_DATA", "WRITE_DATA", "READ_DEFINITIONS", "WRITE_DEFINITIONS"] as const;

interface Answer {
  columnAccess: { result: "ALLOW" | "PARTIAL" | "DENY"; visible: string[]; hidden: { name: string; reason: string }[] };
  check: { allowed: boolean; reason: string };
}

const COLUMNS = `query Columns($dataset: String!, $branch: String, $mode: Mode, $checkMode: Mode!, $as: String) {
  columnAccess(dataset: $dataset, branch: $branch, mode: $mode, as: $as) { result visible hidden { name reason } }
  check(mode: $checkMode, path: $dataset, branch: $branch, as: $as) { allowed reason }
}`;
// Whether the caller may ask for others: MANAGE on the org (graphql/access.go asPolicy).
const MANAGE = `query Manage { check(mode: MANAGE, path: "", branch: "*") { allowed } }`;

function currentField(): string {
  const q = location.hash.indexOf("?");
  return q < 0 ? "" : (new URLSearchParams(location.hash.slice(q + 1)).get("field") ?? "");
}

function setParams(path: string, mode: string, as: string) {
  location.hash = href("asset", path, { tab: "columns", mode: mode === "READ_DATA" ? "" : mode, as, field: currentField() });
}

export function ColumnsTab({ asset: a, mode: m, as, field }: { asset: AssetData; mode: string; as: string; field: string }) {
  const { branch, principal } = useSession();
  const mode = (MODES as readonly string[]).includes(m) ? m : "READ_DATA";
  const admin = useQuery<{ check: { allowed: boolean } }>(MANAGE, {});
  const isAdmin = admin.data?.check.allowed === true;
  const vars: Record<string, unknown> = { dataset: a.path, branch, mode, checkMode: mode };
  if (as) vars.as = as;
  const res = useQuery<Answer>(COLUMNS, vars, a.__typename !== "Dataset");
  const [asBox, setAsBox] = useState(as);
  useEffect(() => setAsBox(as), [as]);

  function viewAs(e: FormEvent) {
    e.preventDefault();
    setParams(a.path, mode, asBox.trim());
  }

  if (a.__typename !== "Dataset") {
    return <div className="state empty">Column visibility is answered for datasets; {a.path} is a {a.kind.toLowerCase()}.</div>;
  }
  const ca = res.data?.columnAccess;
  const who = as || principal;
  return (
    <section aria-labelledby="cols-h">
      <h2 id="cols-h">Column visibility</h2>
      <div className="controls">
        <label>
          Mode{" "}
          <select name="mode" value={mode} onChange={(e) => setParams(a.path, e.target.value, as)}>
            {MODES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        {isAdmin ? (
          <form className="viewas" onSubmit={viewAs} aria-label="View as another principal">
            <label>
              View as{" "}
              <input name="as" value={asBox} onChange={(e) => setAsBox(e.target.value)} placeholder="user:jane@acme" />
            </label>
            <button type="submit" data-testid="view-as">
              View as
            </button>
            {as && (
              <button type="button" onClick={() => setParams(a.path, mode, "")}>
                Back to me
              </button>
            )}
          </form>
        ) : null}
      </div>
      <p className="hint">
        What <strong data-testid="columns-principal">{who}</strong> {as ? "" : "(you) "}may do with each column of {a.path} on {branch} for {mode}.
        {!isAdmin && !admin.loading ? " Only admins (MANAGE on the org) may ask on behalf of someone else." : ""}
      </p>
      {res.error ? (
        <ErrorBox error={res.error} onRetry={res.reload} />
      ) : res.loading && !ca ? (
        <Loading what="column visibility" />
      ) : ca && res.data ? (
        <>
          <p className={"result result-" + ca.result} data-testid="access-result">
            <strong>{ca.result}</strong>: {res.data.check.reason}
          </p>
          <div className="columns">
            <div>
              <h3>Visible ({ca.visible.length})</h3>
              {ca.visible.length === 0 ? (
                <div className="state empty">No visible columns.</div>
              ) : (
                <ul className="cols">
                  {ca.visible.map((c) => (
                    <li key={c} data-testid="visible-column" data-column={c} className={c === field ? "highlight" : undefined}>
                      <code>{c}</code>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div>
              <h3>Hidden ({ca.hidden.length})</h3>
              {ca.hidden.length === 0 ? (
                <div className="state empty">No hidden columns.</div>
              ) : (
                <ul className="cols">
                  {ca.hidden.map((c) => (
                    <li key={c.name} data-testid="hidden-column" data-column={c.name} className={c.name === field ? "highlight" : undefined}>
                      <code>{c.name}</code> <span data-testid="reason" className="reason">{c.reason}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}
