// Grants: by principal and by scope; grant a role on a scope; revoke.
import { useState, type FormEvent } from "react";
import { Empty, Loading, useQuery } from "../components/state";
import { href } from "../route";
import { AccessError, ActionError, useAction } from "./common";
import { shortTime } from "./forms";

interface Grant {
  principal: string;
  role: string;
  scope: string;
  createdAt: string;
}
const LIST = `query Grants($principal: String, $scope: String) { grants(principal: $principal, scope: $scope) { principal role scope createdAt } }`;
const GRANT = `mutation Grant($principal: String!, $role: String!, $scope: String!) { grant(principal: $principal, role: $role, scope: $scope) { principal role scope } }`;
const REVOKE = `mutation Revoke($principal: String!, $role: String!, $scope: String!) { revoke(principal: $principal, role: $role, scope: $scope) }`;
const CHOICES = `query GrantChoices { roles { name builtIn } principals(first: 1000) { nodes { ref } } }`;

export default function GrantsSection({ params }: { params: URLSearchParams }) {
  const [fp, setFp] = useState(params.get("principal") ?? "");
  const [fs, setFs] = useState(params.get("scope") ?? "");
  const vars = { principal: fp.trim() || null, scope: fs.trim() || null };
  const q = useQuery<{ grants: Grant[] }>(LIST, vars);
  const choices = useQuery<{ roles: { name: string; builtIn: boolean }[]; principals: { nodes: { ref: string }[] } }>(CHOICES, {});
  const act = useAction();
  const [done, setDone] = useState("");
  const [fresh, setFresh] = useState("");

  const revoke = async (g: Grant) => {
    setDone("");
    const d = await act.run<{ revoke: boolean }>(REVOKE, { principal: g.principal, role: g.role, scope: g.scope });
    if (d) {
      setDone(d.revoke ? `Revoked ${g.role} on ${g.scope} from ${g.principal}.` : `There was no such grant any more.`);
      q.reload();
    }
  };

  return (
    <section aria-labelledby="grants-h">
      <h1 id="grants-h">Grants</h1>
      <GrantForm
        choices={choices.data}
        choicesError={choices.error}
        initialRole={params.get("role") ?? ""}
        initialPrincipal={params.get("principal") ?? ""}
        onGranted={(g) => {
          setDone(`Granted ${g.role} on ${g.scope} to ${g.principal}.`);
          setFresh(`${g.principal} ${g.role} ${g.scope}`);
          q.reload();
        }}
      />
      <h2>Grants of the org</h2>
      <form className="inline-form filters" role="search" aria-label="Filter grants" onSubmit={(e) => e.preventDefault()}>
        <label>
          Principal <input name="filter-principal" value={fp} onChange={(e) => setFp(e.target.value)} placeholder="user:jane@acme" list="grant-principals" />
        </label>
        <label>
          Scope <input name="filter-scope" value={fs} onChange={(e) => setFs(e.target.value)} placeholder="exactly, e.g. safety/**" />
        </label>
        {(fp || fs) && (
          <button type="button" onClick={() => { setFp(""); setFs(""); }}>
            Clear filters
          </button>
        )}
      </form>
      {done && !act.error && <p className="ok" role="status">{done}</p>}
      <ActionError action={act} />
      {q.loading && !q.data ? (
        <Loading what="grants" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : !q.data || q.data.grants.length === 0 ? (
        <Empty>{fp || fs ? "No grant matches these filters (principal and scope match exactly)." : "The org has no grants."}</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Principal</th>
              <th>Role</th>
              <th>Scope</th>
              <th>Granted</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.grants.map((g) => (
              <tr key={`${g.principal} ${g.role} ${g.scope}`} className={fresh === `${g.principal} ${g.role} ${g.scope}` ? "fresh" : undefined} data-testid="grant-row" data-principal={g.principal} data-role={g.role} data-scope={g.scope}>
                <td>
                  <a href={href("access", "principals", { ref: g.principal })}>{g.principal}</a>
                </td>
                <td>
                  <a href={href("access", "roles", { role: g.role })}>{g.role}</a>
                </td>
                <td>
                  <code>{g.scope}</code>
                </td>
                <td>{shortTime(g.createdAt)}</td>
                <td>
                  <button type="button" data-testid="revoke" className="danger" disabled={act.busy} onClick={() => revoke(g)} aria-label={`Revoke ${g.role} on ${g.scope} from ${g.principal}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GrantForm({
  choices,
  choicesError,
  initialRole,
  initialPrincipal,
  onGranted,
}: {
  choices?: { roles: { name: string; builtIn: boolean }[]; principals: { nodes: { ref: string }[] } };
  choicesError: unknown;
  initialRole: string;
  initialPrincipal: string;
  onGranted: (g: Grant) => void;
}) {
  const act = useAction();
  const [principal, setPrincipal] = useState(initialPrincipal);
  const [role, setRole] = useState(initialRole);
  const [scope, setScope] = useState("");
  const roles = choices?.roles ?? [];
  const chosenRole = role;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d = await act.run<{ grant: Grant }>(GRANT, { principal: principal.trim(), role: chosenRole, scope: scope.trim() });
    if (d) onGranted(d.grant);
  };
  return (
    <form className="grant-form" onSubmit={submit} aria-labelledby="grant-h">
      <h2 id="grant-h">Grant a role</h2>
      {choicesError ? <AccessError error={choicesError} /> : null}
      <div className="inline-form">
        <label>
          Principal <input name="principal" value={principal} onChange={(e) => setPrincipal(e.target.value)} placeholder="user:jane@acme" list="grant-principals" required />
        </label>
        <datalist id="grant-principals">
          {choices?.principals.nodes.map((p) => <option key={p.ref} value={p.ref} />)}
        </datalist>
        <label>
          Role{" "}
          <select name="role" value={chosenRole} onChange={(e) => setRole(e.target.value)} required>
            <option value="">{choices ? "choose a role" : "loading…"}</option>
            {role && choices && !roles.some((r) => r.name === role) && <option value={role}>{role} (unknown)</option>}
            {roles.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
                {r.builtIn ? " (built in)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Scope <input name="scope" className="mono" value={scope} onChange={(e) => setScope(e.target.value)} placeholder="safety/**" list="grant-scopes" aria-describedby="scope-hint" required />
        </label>
        <datalist id="grant-scopes">
          <option value="*" />
          <option value="${user}/**" />
          <option value="${team}/**" />
        </datalist>
        <button type="submit" className="primary" data-testid="grant" disabled={act.busy || !principal.trim() || !scope.trim() || !chosenRole}>
          Grant
        </button>
      </div>
      <p className="hint" id="scope-hint">
        Scope: <code>*</code> (the whole org), <code>ns/**</code> (everything under a namespace), an asset path (
        <code>safety/incidents</code>), or a template: <code>{"${user}/**"}</code> (each user’s own namespace), <code>{"${team}/**"}</code> (each team’s).
      </p>
      <ActionError action={act} />
    </form>
  );
}
