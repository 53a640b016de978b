// Small parts every access form uses: running a mutation with its busy and error state, a
// secret shown once, and a two-step confirm for what cannot be undone. Small on purpose: the
// eagerly loaded Tokens view imports it.
import { useCallback, useState, type ReactNode } from "react";
import { ApiError, gql } from "../api";
import { ErrorBox } from "../components/state";
import "./admin.css";

export interface Action {
  busy: boolean;
  error: unknown;
  /** run sends the mutation; answers its data, or undefined after showing the error. */
  run: <T>(query: string, vars: Record<string, unknown>) => Promise<T | undefined>;
  clear: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async <T,>(query: string, vars: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      return await gql<T>(query, vars);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { busy, error, run, clear };
}

/** ActionError shows a refused mutation, or nothing. */
export function ActionError({ action }: { action: Action }) {
  if (!action.error) return null;
  return <ErrorBox error={action.error} />;
}

/** Forbidden explains a FORBIDDEN answer on top of the server's code and message. */
export function AccessError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const forbidden = error instanceof ApiError && error.code === "FORBIDDEN";
  return (
    <div className="access-error">
      <ErrorBox error={error} onRetry={onRetry} />
      {forbidden && (
        <p className="hint">
          Access administration needs the MANAGE mode on the org (the built-in admin role on <code>*</code> gives it); the
          list of principals needs READ_DEFINITIONS on the org. Ask an administrator for a grant, or sign in as one.
        </p>
      )}
    </div>
  );
}

/** SecretOnce shows a new token or client secret, which the server never shows again. */
export function SecretOnce({ label, secret, onDone, children }: { label: string; secret: string; onDone: () => void; children?: ReactNode }) {
  const [copied, setCopied] = useState("");
  const copy = () => {
    const done = () => setCopied("Copied.");
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(secret).then(done, () => setCopied("Copying failed: select the text and copy it."));
    } else {
      setCopied("Copying is not available here: select the text and copy it.");
    }
  };
  return (
    <div className="secret-once" role="status">
      <strong>{label}</strong>
      <p className="warn">Copy it now: you will not see it again. The server keeps only a hash of it.</p>
      <div className="secret-row">
        <code data-testid="secret" tabIndex={0}>
          {secret}
        </code>
        <button type="button" data-testid="copy-secret" onClick={copy}>
          Copy
        </button>
        <button type="button" data-testid="dismiss-secret" onClick={onDone}>
          I have copied it
        </button>
      </div>
      {copied && <p className="hint">{copied}</p>}
      {children}
    </div>
  );
}

/** ConfirmButton asks once more, inline, before doing what cannot be undone. */
export function ConfirmButton({ label, what, onConfirm, busy, testid }: { label: string; what: string; onConfirm: () => void; busy?: boolean; testid?: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" data-testid={testid} onClick={() => setAsking(true)} disabled={busy}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={`Confirm: ${what}`}>
      <span>{what}?</span>{" "}
      <button
        type="button"
        className="danger"
        data-testid="confirm"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>{" "}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
