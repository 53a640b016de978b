// The header: navigation, org switcher, branch switcher, who am I, sign out.
import { useSession } from "../session";
import { useEffect } from "react";
import { useQuery } from "./state";

export function Header() {
  const s = useSession();
  const branches = useQuery<{ branches: { name: string }[] }>("query Branches { branches { name } }", { org: s.org });
  // A remembered branch that this org does not have (deleted, or of another org): main.
  const names = branches.data?.branches.map((b) => b.name);
  useEffect(() => {
    if (names && names.length > 0 && !names.includes(s.branch)) s.setBranch(names.includes("main") ? "main" : names[0]);
  }, [names?.join("\n"), s.branch]);
  return (
    <header className="top">
      <a className="brand" href="#/">
        tagflow
      </a>
      <nav aria-label="Main">
        <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
          Skip to content
        </a>
        <a href="#/">Catalog</a>
        <a href="#/access/principals">Access</a>
        <a href="#/tokens">My tokens</a>
        <a href="/graphiql">GraphiQL</a>
      </nav>
      <span className="spacer" />
      <label>
        Org{" "}
        <select name="org" value={s.org} onChange={(e) => s.setOrg(e.target.value)}>
          {(s.orgs.includes(s.org) ? s.orgs : [s.org, ...s.orgs]).map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      {branches.error ? (
        <span className="state error inline" role="alert" title={String((branches.error as Error).message)}>
          <span className="code">{(branches.error as { code?: string }).code ?? "ERROR"}</span> <span className="message">branches</span>
        </span>
      ) : null}
      <label>
        Branch{" "}
        <select name="branch" value={s.branch} onChange={(e) => s.setBranch(e.target.value)}>
          {(branches.data?.branches.map((b) => b.name) ?? [s.branch]).map((b) => (
            <option key={b}>{b}</option>
          ))}
        </select>
      </label>
      <span className="who" title={s.name ? `${s.name} (${s.principal})` : s.principal}>
        Signed in as <strong data-testid="whoami">{s.principal}</strong>
      </span>
      <button type="button" data-testid="sign-out" onClick={s.signOut}>
        Sign out
      </button>
    </header>
  );
}
