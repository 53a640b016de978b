// Sign-in with a password (POST /auth/login); the server sets the session cookie.
import { useState, type FormEvent } from "react";
import { ApiError, login } from "../api";
import { ErrorBox } from "../components/state";

export function LoginView({ onSignedIn }: { onSignedIn: () => void }) {
  const [org, setOrg] = useState("");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(org.trim(), user.trim(), password);
      setPassword("");
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="login">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>tagflow</h1>
        <label>
          User
          <input name="user" autoComplete="username" autoFocus required value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <label>
          Org <span className="hint">(optional: your home org when empty)</span>
          <input name="org" value={org} onChange={(e) => setOrg(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        {error ? (
          <>
            <ErrorBox error={error} />
            <p className="hint" role="note">
              {loginHint(error)}
            </p>
          </>
        ) : null}
      </form>
    </main>
  );
}

/** loginHint says in words what a refused sign-in means and what to do. */
function loginHint(e: unknown): string {
  const code = e instanceof ApiError ? e.code : "";
  switch (code) {
    case "UNAUTHENTICATED":
      return "The user name or the password is wrong (the demo prints its users' passwords when it starts).";
    case "RATE_LIMITED":
      return "Too many attempts: wait the time above, then try again.";
    case "FORBIDDEN":
      return "You are not a member of that org: leave Org empty to sign in to your home org.";
    case "INVALID_ARGUMENT":
      return "Check what you typed: the message says which part is wrong.";
    case "UNAVAILABLE":
      return "The tagflow server cannot be reached.";
  }
  return "";
}
