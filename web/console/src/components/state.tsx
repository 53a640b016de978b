// Loading, empty and error states every view shows, and useQuery, which runs one GraphQL
// query and re-runs it when its variables change.
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { ApiError, gql } from "../api";

export function Loading({ what }: { what: string }) {
  return (
    <div className="state loading" role="status" aria-live="polite">
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** ErrorBox shows the server's code and message, and the problems when there are some. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = error instanceof ApiError ? error : new ApiError("INTERNAL", String((error as Error)?.message ?? error));
  return (
    <div className="state error" role="alert">
      <span className="code">{e.code}</span> <span className="message">{e.message}</span>
      {e.problems.length > 0 && (
        <ul className="problems">
          {e.problems.map((p, i) => (
            <li key={i}>
              {p.asset ?? p.path ? <code>{String(p.asset ?? p.path)}</code> : null} {String(p.message ?? p.reason ?? "")}
              {p.line ? ` (line ${p.line})` : ""}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** useQuery runs query with vars (skipped while skip is true) and keeps the last answer. */
export function useQuery<T>(query: string, vars: Record<string, unknown>, skip = false): QueryState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(!skip);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(vars);
  const seq = useRef(0);
  useEffect(() => {
    if (skip) return;
    const ctl = new AbortController();
    const mine = ++seq.current;
    setLoading(true);
    setError(undefined);
    gql<T>(query, vars, ctl.signal)
      .then((d) => {
        if (mine === seq.current) setData(d);
      })
      .catch((e) => {
        if ((e as Error).name !== "AbortError" && mine === seq.current) setError(e);
      })
      .finally(() => {
        if (mine === seq.current) setLoading(false);
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, key, skip, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
