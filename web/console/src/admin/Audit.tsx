// The audit log of the org, newest first, with filters, paged.
import { useState, type ChangeEvent, type FormEvent } from "react";
import { Empty, Loading, useQuery } from "../components/state";
import { AccessError } from "./common";
import { detailsText, localToRFC3339, rfc3339ToLocal, shortTime } from "./forms";

interface Entry {
  at: string;
  principal: string;
  action: string;
  target: string;
  result: string;
  reason: string | null;
  details: string | null;
  requestId: string | null;
}
const LIST = `query Audit($principal: String, $targetPrefix: String, $action: String, $since: String, $until: String, $first: Int, $after: String) {
  auditLog(principal: $principal, targetPrefix: $targetPrefix, action: $action, since: $since, until: $until, first: $first, after: $after) {
    nodes { at principal action target result reason details requestId } pageInfo { hasNextPage endCursor } } }`;
const PAGE = 50;

interface Filters {
  principal: string;
  target: string;
  action: string;
  since: string; // datetime-local
  until: string;
}

export default function AuditSection({ params }: { params: URLSearchParams }) {
  const initial: Filters = {
    principal: params.get("principal") ?? "",
    target: params.get("target") ?? "",
    action: params.get("action") ?? "",
    since: rfc3339ToLocal(params.get("since") ?? ""),
    until: rfc3339ToLocal(params.get("until") ?? ""),
  };
  const [draft, setDraft] = useState<Filters>(initial);
  const [applied, setApplied] = useState<Filters>(initial);
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.length > 0 ? cursors[cursors.length - 1] : null;
  const vars = {
    principal: applied.principal.trim() || null,
    targetPrefix: applied.target.trim() || null,
    action: applied.action.trim() || null,
    since: localToRFC3339(applied.since) || null,
    until: localToRFC3339(applied.until) || null,
    first: PAGE,
    after,
  };
  const q = useQuery<{ auditLog: { nodes: Entry[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(LIST, vars);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
    setCursors([]);
    q.reload();
  };
  const set = (k: keyof Filters) => (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: e.target.value });
  return (
    <section aria-labelledby="audit-h">
      <h1 id="audit-h">Audit log</h1>
      <form className="inline-form filters" role="search" aria-label="Filter the audit log" onSubmit={apply}>
        <label>
          Principal <input name="audit-principal" value={draft.principal} onChange={set("principal")} placeholder="user:admin" />
        </label>
        <label>
          Target starts with <input name="audit-target" value={draft.target} onChange={set("target")} placeholder="role:, user:jane@acme, safety/" />
        </label>
        <label>
          Action <input name="audit-action" value={draft.action} onChange={set("action")} placeholder="grant" size={14} />
        </label>
        <label>
          Since <input type="datetime-local" name="audit-since" value={draft.since} onChange={set("since")} />
        </label>
        <label>
          Until <input type="datetime-local" name="audit-until" value={draft.until} onChange={set("until")} />
        </label>
        <button type="submit" data-testid="audit-filter">
          Filter
        </button>
      </form>
      <p className="hint">Principal and action match exactly, the target by its start; times are your local time.</p>
      {q.loading && !q.data ? (
        <Loading what="the audit log" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : (
        <>
          {q.loading && <Loading what="the audit log" />}
          {!q.data || q.data.auditLog.nodes.length === 0 ? (
            <Empty>No audit entries{cursors.length > 0 ? " on this page" : ""} match.</Empty>
          ) : (
            <table className="audit">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Principal</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Result</th>
                  <th>Reason</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {q.data.auditLog.nodes.map((a, i) => (
                  <tr key={`${a.at} ${i}`} data-testid="audit-row" data-action={a.action} data-target={a.target} data-result={a.result} className={a.result === "ok" ? "" : "denied"}>
                    <td title={a.at}>{shortTime(a.at)}</td>
                    <td>{a.principal}</td>
                    <td>{a.action}</td>
                    <td className="mono">{a.target}</td>
                    <td>{a.result}</td>
                    <td>{a.reason ?? ""}</td>
                    <td className="details" title={a.requestId ? `request ${a.requestId}` : undefined}>
                      {a.details ? <code>{detailsText(a.details)}</code> : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {q.data && (
            <div className="pager">
              <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </button>
              <button
                type="button"
                data-testid="next-page"
                disabled={!q.data.auditLog.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, q.data!.auditLog.pageInfo.endCursor ?? ""])}
              >
                Older
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
