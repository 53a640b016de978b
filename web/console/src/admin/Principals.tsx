// Principals: users, teams, groups and workloads of the org, paged; create; a principal's
// page with its members (teams, groups), password (users), tokens and delete.
import { useState, type FormEvent } from "react";
import { href } from "../route";
import { Empty, Loading, useQuery } from "../components/state";
import { AccessError, ActionError, ConfirmButton, useAction } from "./common";
import { shortTime, splitRefs } from "./forms";
import { TokensPanel } from "./TokensPanel";

const KINDS = [
  ["USER", "Users"],
  ["TEAM", "Teams"],
  ["GROUP", "Groups"],
  ["WORKLOAD", "Workloads"],
] as const;

interface Principal {
  ref: string;
  name: string;
  kind: string;
  members: string[] | null;
  memberOf: string[];
  createdAt: string;
}
const FIELDS = "ref name kind members memberOf createdAt";
const LIST = `query Principals($kind: PrincipalKind, $first: Int, $after: String) {
  principals(kind: $kind, first: $first, after: $after) { totalCount nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;
const PAGE = 50;

export default function PrincipalsSection({ params }: { params: URLSearchParams }) {
  const ref = params.get("ref");
  if (ref) return <PrincipalPage ref_={ref} key={ref} />;
  const kind = params.get("kind") ?? "USER";
  return <PrincipalList kind={kind} key={kind} />;
}

function PrincipalList({ kind }: { kind: string }) {
  const [cursors, setCursors] = useState<string[]>([]); // the after of each page shown before this one
  const after = cursors.length > 0 ? cursors[cursors.length - 1] : null;
  const q = useQuery<{ principals: { totalCount: number; nodes: Principal[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(LIST, {
    kind,
    first: PAGE,
    after,
  });
  return (
    <section aria-labelledby="principals-h">
      <h1 id="principals-h">Principals</h1>
      <nav className="tabs" aria-label="Kind">
        {KINDS.map(([k, label]) => (
          <a key={k} href={href("access", "principals", { kind: k })} data-testid={`kind-${k}`} aria-current={k === kind ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <CreatePrincipal kind={kind} onCreated={q.reload} />
      {q.loading && !q.data ? (
        <Loading what="principals" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : !q.data || q.data.principals.nodes.length === 0 ? (
        <Empty>No {kind.toLowerCase()}s in this org yet.</Empty>
      ) : (
        <>
          <p className="hint">
            {q.data.principals.totalCount} {kind.toLowerCase()}
            {q.data.principals.totalCount === 1 ? "" : "s"}
          </p>
          <table>
            <thead>
              <tr>
                <th>Reference</th>
                <th>{kind === "TEAM" || kind === "GROUP" ? "Members" : "Member of"}</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {q.data.principals.nodes.map((p) => (
                <tr key={p.ref} data-testid="principal-row" data-ref={p.ref}>
                  <td>
                    <a href={href("access", "principals", { ref: p.ref })}>{p.ref}</a>
                  </td>
                  <td className="refs">{(p.members ?? p.memberOf).join(", ") || <span className="hint">none</span>}</td>
                  <td>{shortTime(p.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button
              type="button"
              data-testid="next-page"
              disabled={!q.data.principals.pageInfo.hasNextPage}
              onClick={() => setCursors([...cursors, q.data!.principals.pageInfo.endCursor ?? ""])}
            >
              Next page
            </button>
          </div>
        </>
      )}
    </section>
  );
}

const CREATE: Record<string, string> = {
  USER: `mutation($name: String!) { p: createUser(name: $name) { ref } }`,
  TEAM: `mutation($name: String!, $members: [String!]) { p: createTeam(name: $name, members: $members) { ref } }`,
  GROUP: `mutation($name: String!, $members: [String!]) { p: createGroup(name: $name, members: $members) { ref } }`,
  WORKLOAD: `mutation($name: String!) { p: createWorkload(name: $name) { ref } }`,
};

function CreatePrincipal({ kind, onCreated }: { kind: string; onCreated: () => void }) {
  const act = useAction();
  const [name, setName] = useState("");
  const [members, setMembers] = useState("");
  const [made, setMade] = useState("");
  const withMembers = kind === "TEAM" || kind === "GROUP";
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const vars: Record<string, unknown> = { name: name.trim() };
    if (withMembers) vars.members = splitRefs(members);
    const d = await act.run<{ p: { ref: string } }>(CREATE[kind], vars);
    if (d) {
      setMade(d.p.ref);
      setName("");
      setMembers("");
      onCreated();
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Create a ${kind.toLowerCase()}`}>
      <label>
        New {kind.toLowerCase()} name <input name="principal-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      {withMembers && (
        <label>
          Members <input name="members" value={members} onChange={(e) => setMembers(e.target.value)} placeholder="user:jane@acme, workload:ci" size={36} />
        </label>
      )}
      <button type="submit" data-testid="create-principal" disabled={act.busy || name.trim() === ""}>
        Create
      </button>
      {made && !act.error && (
        <span className="ok" role="status">
          Created <a href={href("access", "principals", { ref: made })}>{made}</a>.
        </span>
      )}
      <ActionError action={act} />
    </form>
  );
}

function PrincipalPage({ ref_ }: { ref_: string }) {
  const q = useQuery<{ principal: Principal | null }>(`query Principal($ref: String!) { principal(ref: $ref) { ${FIELDS} } }`, { ref: ref_ });
  const act = useAction();
  const [deleted, setDeleted] = useState(false);
  const back = href("access", "principals", { kind: ref_.split(":")[0].toUpperCase() });
  if (q.loading && !q.data) return <Loading what={ref_} />;
  if (q.error) return <AccessError error={q.error} onRetry={q.reload} />;
  const p = q.data?.principal;
  if (deleted) {
    return (
      <div className="state empty" role="status">
        Deleted {ref_} with its grants and tokens. <a href={back}>Back to the list</a>
      </div>
    );
  }
  if (!p) return <Empty>There is no principal {ref_} in this org. <a href={back}>Back to the list</a></Empty>;
  const del = async () => {
    if (await act.run(`mutation($ref: String!) { deletePrincipal(ref: $ref) }`, { ref: p.ref })) setDeleted(true);
  };
  return (
    <section aria-labelledby="principal-h">
      <p>
        <a href={back}>← {p.kind.toLowerCase()}s</a>
      </p>
      <h1 id="principal-h">{p.ref}</h1>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{p.kind}</dd>
        <dt>Created</dt>
        <dd>{shortTime(p.createdAt)}</dd>
        {p.members === null && (
          <>
            <dt>Member of</dt>
            <dd>
              {p.memberOf.length === 0
                ? "no team or group"
                : p.memberOf.map((t, i) => (
                    <span key={t}>
                      {i > 0 && ", "}
                      <a href={href("access", "principals", { ref: t })}>{t}</a>
                    </span>
                  ))}
            </dd>
          </>
        )}
        <dt>Grants</dt>
        <dd>
          <a href={href("access", "grants", { principal: p.ref })}>grants of {p.ref}</a>
        </dd>
        <dt>Audit</dt>
        <dd>
          <a href={href("access", "audit", { principal: p.ref })}>what {p.ref} did</a> ·{" "}
          <a href={href("access", "audit", { target: p.ref })}>what was done to it</a>
        </dd>
      </dl>
      {(p.kind === "TEAM" || p.kind === "GROUP") && <Members p={p} onSaved={q.reload} />}
      {p.kind === "USER" && <SetPassword user={p.ref} />}
      {(p.kind === "USER" || p.kind === "WORKLOAD") && (
        <>
          <h2>Tokens</h2>
          <TokensPanel principal={p.ref} />
        </>
      )}
      {p.kind === "WORKLOAD" && (
        <p>
          <a href={href("access", "workloads", { workload: p.ref })}>Client secrets and policies of {p.ref}</a>
        </p>
      )}
      <h2>Delete</h2>
      <p className="hint">Deleting takes away its grants and tokens and takes it out of every team and group.</p>
      <ConfirmButton label="Delete" what={`Delete ${p.ref}`} testid="delete-principal" busy={act.busy} onConfirm={del} />
      <ActionError action={act} />
    </section>
  );
}

function Members({ p, onSaved }: { p: Principal; onSaved: () => void }) {
  const act = useAction();
  const [text, setText] = useState((p.members ?? []).join("\n"));
  const [saved, setSaved] = useState(false);
  const m = p.kind === "TEAM" ? "setTeamMembers(team: $ref, members: $members)" : "setGroupMembers(group: $ref, members: $members)";
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const d = await act.run<{ p: Principal }>(`mutation($ref: String!, $members: [String!]!) { p: ${m} { members } }`, { ref: p.ref, members: splitRefs(text) });
    if (d) {
      setText((d.p.members ?? []).join("\n"));
      setSaved(true);
      onSaved();
    }
  };
  return (
    <form onSubmit={save} className="block-form" aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      <label>
        <span>
          Members, one reference a line (users and workloads: <code>user:jane@acme</code>, <code>workload:ci</code>); saving replaces the whole list
        </span>
        <textarea name="members" rows={Math.max(4, (p.members?.length ?? 0) + 1)} value={text} onChange={(e) => { setText(e.target.value); setSaved(false); }} />
      </label>
      {p.kind === "GROUP" && <p className="hint">A group’s members usually come from the identity provider, whose sync replaces them.</p>}
      <div>
        <button type="submit" data-testid="save-members" disabled={act.busy}>
          Save members
        </button>{" "}
        {saved && <span className="ok" role="status">Saved.</span>}
      </div>
      <ActionError action={act} />
    </form>
  );
}

function SetPassword({ user }: { user: string }) {
  const act = useAction();
  const [pw, setPw] = useState("");
  const [done, setDone] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (await act.run(`mutation($user: String, $pw: String!) { setPassword(user: $user, password: $pw) }`, { user, pw })) {
      setPw("");
      setDone(true);
    }
  };
  return (
    <form onSubmit={save} className="inline-form" aria-labelledby="pw-h">
      <h2 id="pw-h">Password</h2>
      <label>
        New password <input type="password" name="new-password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} minLength={12} maxLength={256} required />
      </label>
      <span className="hint">12 to 256 characters; ends every session of {user}.</span>
      <button type="submit" data-testid="set-password" disabled={act.busy || pw.length === 0}>
        Set password
      </button>
      {done && <span className="ok" role="status">Password set.</span>}
      <ActionError action={act} />
    </form>
  );
}
