// The tokens of a principal (default: the signed-in user): list, create (shown once), revoke.
// Used by #/tokens and by the principal page of the access admin.
import { useState, type FormEvent } from "react";
import { Empty, Loading, useQuery } from "../components/state";
import { AccessError, ActionError, ConfirmButton, SecretOnce, useAction } from "./common";
import { shortTime } from "./forms";

interface TokenInfo {
  id: string;
  name: string;
  principal: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const LIST = `query Tokens($principal: String) { tokens(principal: $principal) { id name principal createdAt expiresAt lastUsedAt } }`;
const CREATE = `mutation CreateToken($principal: String, $name: String!, $expires: Int) {
  createToken(principal: $principal, name: $name, expiresInSeconds: $expires) { id token name expiresAt } }`;
const REVOKE = `mutation RevokeToken($id: ID!) { revokeToken(id: $id) }`;

const DAY = 86400;
const EXPIRIES: [string, number][] = [
  ["1 day", DAY],
  ["7 days", 7 * DAY],
  ["30 days", 30 * DAY],
  ["90 days", 90 * DAY],
  ["1 year", 365 * DAY],
  ["never", 0],
];

export function TokensPanel({ principal }: { principal?: string }) {
  const vars = principal ? { principal } : {};
  const list = useQuery<{ tokens: TokenInfo[] }>(LIST, vars);
  const act = useAction();
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState(String(30 * DAY));
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const exp = Number(expiry);
    const d = await act.run<{ createToken: { token: string; name: string } }>(CREATE, {
      ...vars,
      name: name.trim(),
      expires: exp > 0 ? exp : null,
    });
    if (d) {
      setShown({ name: d.createToken.name, token: d.createToken.token });
      setName("");
      list.reload();
    }
  };
  const revoke = async (id: string) => {
    if (await act.run(REVOKE, { id })) list.reload();
  };

  return (
    <section className="tokens" aria-label="Tokens">
      <form className="inline-form" onSubmit={create}>
        <label>
          Token name <input name="token-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <label>
          Expires in{" "}
          <select name="expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRIES.map(([l, s]) => (
              <option key={l} value={String(s)}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="create-token" disabled={act.busy || name.trim() === ""}>
          Create token
        </button>
      </form>
      <ActionError action={act} />
      {shown && <SecretOnce label={`The new token “${shown.name}”`} secret={shown.token} onDone={() => setShown(null)} />}
      {list.loading && !list.data ? (
        <Loading what="tokens" />
      ) : list.error ? (
        <AccessError error={list.error} onRetry={list.reload} />
      ) : !list.data || list.data.tokens.length === 0 ? (
        <Empty>No tokens{principal ? ` of ${principal}` : ""} yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.tokens.map((t) => {
              const expired = t.expiresAt !== null && new Date(t.expiresAt).getTime() < Date.now();
              return (
                <tr key={t.id} data-testid="token-row" data-name={t.name}>
                  <td>{t.name}</td>
                  <td>{shortTime(t.createdAt)}</td>
                  <td>{t.expiresAt ? shortTime(t.expiresAt) + (expired ? " (expired)" : "") : "never"}</td>
                  <td>{t.lastUsedAt ? shortTime(t.lastUsedAt) : "never"}</td>
                  <td>
                    <ConfirmButton label="Revoke" what={`Revoke the token “${t.name}”`} testid="revoke-token" busy={act.busy} onConfirm={() => revoke(t.id)} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
