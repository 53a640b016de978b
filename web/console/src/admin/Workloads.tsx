// Workloads: their client secrets (shown once), workload policies and the trusted issuers.
import { useState, type FormEvent } from "react";
import { Empty, Loading, useQuery } from "../components/state";
import { href } from "../route";
import { AccessError, ActionError, ConfirmButton, SecretOnce, useAction } from "./common";
import { shortTime, splitRefs } from "./forms";

interface SecretInfo {
  id: string;
  clientId: string;
  name: string;
  createdAt: string;
}
interface Policy {
  id: string;
  workload: string;
  issuer: string;
  claims: string[];
  createdAt: string;
}
interface Issuer {
  issuer: string;
  audience: string;
  keyIds: string[];
  fromFile: boolean;
  createdAt: string;
}

export default function WorkloadsSection({ params }: { params: URLSearchParams }) {
  const list = useQuery<{ principals: { nodes: { ref: string }[] } }>(`query Workloads { principals(kind: WORKLOAD, first: 1000) { nodes { ref } } }`, {});
  const chosen = params.get("workload") ?? "";
  return (
    <section aria-labelledby="workloads-h">
      <h1 id="workloads-h">Workloads</h1>
      <p className="hint">
        A workload (a job, a service) signs in at <code>POST /oauth/token</code> with a client secret, or with an OIDC token
        that a workload policy matches. <a href={href("access", "principals", { kind: "WORKLOAD" })}>Create workloads</a> among the principals.
      </p>
      {list.loading && !list.data ? (
        <Loading what="workloads" />
      ) : list.error ? (
        <AccessError error={list.error} onRetry={list.reload} />
      ) : !list.data || list.data.principals.nodes.length === 0 ? (
        <Empty>No workloads in this org yet.</Empty>
      ) : (
        <nav className="tabs" aria-label="Workload">
          {list.data.principals.nodes.map((w) => (
            <a key={w.ref} href={href("access", "workloads", { workload: w.ref })} data-testid="workload-link" data-ref={w.ref} aria-current={w.ref === chosen ? "page" : undefined}>
              {w.ref}
            </a>
          ))}
        </nav>
      )}
      {chosen ? (
        <>
          <Secrets workload={chosen} key={"s" + chosen} />
          <Policies workload={chosen} key={"p" + chosen} />
        </>
      ) : (
        list.data && list.data.principals.nodes.length > 0 && <Empty>Choose a workload to see its client secrets and policies.</Empty>
      )}
      <Issuers />
    </section>
  );
}

function Secrets({ workload }: { workload: string }) {
  const q = useQuery<{ clientSecrets: SecretInfo[] }>(`query Secrets($w: String!) { clientSecrets(workload: $w) { id clientId name createdAt } }`, { w: workload });
  const act = useAction();
  const [name, setName] = useState("");
  const [shown, setShown] = useState<{ name: string; clientId: string; secret: string } | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const d = await act.run<{ s: { name: string; clientId: string; secret: string } }>(
      `mutation($w: String!, $name: String) { s: createClientSecret(workload: $w, name: $name) { id clientId secret name } }`,
      { w: workload, name: name.trim() || null },
    );
    if (d) {
      setShown(d.s);
      setName("");
      q.reload();
    }
  };
  const revoke = async (id: string) => {
    if (await act.run(`mutation($id: ID!) { revokeClientSecret(id: $id) }`, { id })) q.reload();
  };
  return (
    <div className="panel" aria-labelledby="secrets-h">
      <h2 id="secrets-h">Client secrets of {workload}</h2>
      <form className="inline-form" onSubmit={create}>
        <label>
          Secret name <input name="secret-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="default: secret N" maxLength={100} />
        </label>
        <button type="submit" data-testid="create-secret" disabled={act.busy}>
          Create client secret
        </button>
      </form>
      <ActionError action={act} />
      {shown && (
        <SecretOnce label={`The new client secret “${shown.name}”`} secret={shown.secret} onDone={() => setShown(null)}>
          <p>
            Client id: <code data-testid="client-id">{shown.clientId}</code>
          </p>
        </SecretOnce>
      )}
      {q.loading && !q.data ? (
        <Loading what="client secrets" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : !q.data || q.data.clientSecrets.length === 0 ? (
        <Empty>{workload} has no client secrets.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Client id</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.clientSecrets.map((s) => (
              <tr key={s.id} data-testid="secret-row" data-name={s.name}>
                <td>{s.name}</td>
                <td>
                  <code>{s.clientId}</code>
                </td>
                <td>{shortTime(s.createdAt)}</td>
                <td>
                  <ConfirmButton label="Revoke" what={`Revoke “${s.name}” and every token issued with it`} testid="revoke-secret" busy={act.busy} onConfirm={() => revoke(s.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Policies({ workload }: { workload: string }) {
  const q = useQuery<{ workloadPolicies: Policy[]; trustedIssuers: Issuer[] }>(
    `query Policies($w: String) { workloadPolicies(workload: $w) { id workload issuer claims createdAt } trustedIssuers { issuer } }`,
    { w: workload },
  );
  const act = useAction();
  const [issuer, setIssuer] = useState("");
  const [claims, setClaims] = useState("");
  const issuers = q.data?.trustedIssuers ?? [];
  const chosenIssuer = issuer || issuers[0]?.issuer || "";
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await act.run(`mutation($w: String!, $i: String!, $c: [String!]!) { createWorkloadPolicy(workload: $w, issuer: $i, claims: $c) }`, { w: workload, i: chosenIssuer, c: splitRefs(claims) })) {
      setClaims("");
      q.reload();
    }
  };
  const remove = async (id: string) => {
    if (await act.run(`mutation($id: ID!) { deleteWorkloadPolicy(id: $id) }`, { id })) q.reload();
  };
  return (
    <div className="panel" aria-labelledby="policies-h">
      <h2 id="policies-h">Workload policies of {workload}</h2>
      <p className="hint">A policy lets an OIDC token of a trusted issuer act as the workload when all its claim conditions match.</p>
      {q.loading && !q.data ? (
        <Loading what="workload policies" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : (
        <>
          {issuers.length === 0 ? (
            <Empty>The org trusts no issuer yet, so no policy can be made (add one with addTrustedIssuer, or the server’s --trusted-issuers file).</Empty>
          ) : (
            <form className="inline-form" onSubmit={create}>
              <label>
                Issuer{" "}
                <select name="policy-issuer" value={chosenIssuer} onChange={(e) => setIssuer(e.target.value)}>
                  {issuers.map((i) => (
                    <option key={i.issuer}>{i.issuer}</option>
                  ))}
                </select>
              </label>
              <label>
                Claims <input name="policy-claims" className="mono" value={claims} onChange={(e) => setClaims(e.target.value)} placeholder="repository=acme/app, ref=refs/heads/main" size={40} required />
              </label>
              <button type="submit" data-testid="create-policy" disabled={act.busy || splitRefs(claims).length === 0}>
                Create policy
              </button>
            </form>
          )}
          <ActionError action={act} />
          {!q.data || q.data.workloadPolicies.length === 0 ? (
            <Empty>{workload} has no workload policies.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Issuer</th>
                  <th>Claims</th>
                  <th>Created</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {q.data.workloadPolicies.map((p) => (
                  <tr key={p.id} data-testid="policy-row" data-id={p.id}>
                    <td>{p.issuer}</td>
                    <td className="mono">{p.claims.join(", ")}</td>
                    <td>{shortTime(p.createdAt)}</td>
                    <td>
                      <ConfirmButton label="Remove" what="Remove this policy and the tokens it issued" testid="remove-policy" busy={act.busy} onConfirm={() => remove(p.id)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

function Issuers() {
  const q = useQuery<{ trustedIssuers: Issuer[] }>(`query Issuers { trustedIssuers { issuer audience keyIds fromFile createdAt } }`, {});
  return (
    <div className="panel" aria-labelledby="issuers-h">
      <h2 id="issuers-h">Trusted issuers</h2>
      {q.loading && !q.data ? (
        <Loading what="trusted issuers" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : !q.data || q.data.trustedIssuers.length === 0 ? (
        <Empty>The org trusts no OIDC issuer.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Issuer</th>
              <th>Audience</th>
              <th>Key ids</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {q.data.trustedIssuers.map((i) => (
              <tr key={i.issuer} data-testid="issuer-row" data-issuer={i.issuer}>
                <td>{i.issuer}</td>
                <td>{i.audience}</td>
                <td className="mono">{i.keyIds.map((k) => k || "(none)").join(", ")}</td>
                <td>{i.fromFile ? "the server’s file" : shortTime(i.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
