// Roles: the built-in roles (read only) and the custom ones, with a rule editor. A rule the
// server refuses is shown under its input, marked at the column the server names.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api";
import { Empty, Loading, useQuery } from "../components/state";
import { href } from "../route";
import { AccessError, ActionError, ConfirmButton, useAction } from "./common";
import { MODES, newDraft, toRuleInput, type Rule, type RuleDraft } from "./forms";
import { caretLine, marked, markerOffset, parseRuleError, type RuleError } from "./ruleError";

interface Role {
  name: string;
  builtIn: boolean;
  rules: Rule[];
}
const ROLE = "name builtIn rules { modes branches tags }";
const LIST = `query Roles { roles { ${ROLE} } }`;

export default function RolesSection({ params }: { params: URLSearchParams }) {
  const q = useQuery<{ roles: Role[] }>(LIST, {});
  const chosen = params.get("role");
  const isNew = params.has("new");
  return (
    <section aria-labelledby="roles-h">
      <h1 id="roles-h">Roles</h1>
      <p className="hint">
        A role is a list of rules; each allows its modes on the branches its globs match, for the assets its tag expression
        is true of. Grants give a role to a principal on a scope.
      </p>
      {q.loading && !q.data ? (
        <Loading what="roles" />
      ) : q.error ? (
        <AccessError error={q.error} onRetry={q.reload} />
      ) : !q.data ? null : (
        <div className="roles-layout">
          <div>
            <table className="roles-list">
              <thead>
                <tr>
                  <th>Role</th>
                  <th>Rules</th>
                </tr>
              </thead>
              <tbody>
                {q.data.roles.map((r) => (
                  <tr key={r.name} data-testid="role-row" data-role={r.name} aria-selected={r.name === chosen}>
                    <td>
                      <a href={href("access", "roles", { role: r.name })}>{r.name}</a>
                      {r.builtIn && <span className="badge">built in</span>}
                    </td>
                    <td>{r.rules.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {q.data.roles.every((r) => r.builtIn) && <Empty>No custom roles yet.</Empty>}
            <p>
              <a className="button" href={href("access", "roles", { new: "1" })} data-testid="new-role">
                New role
              </a>
            </p>
          </div>
          <div>
            {isNew ? (
              <RoleEditor key="new" onSaved={q.reload} />
            ) : chosen ? (
              (() => {
                const r = q.data.roles.find((x) => x.name === chosen);
                if (!r) return <Empty>There is no role “{chosen}”.</Empty>;
                return r.builtIn ? <BuiltIn role={r} /> : <RoleEditor key={r.name} role={r} created={params.has("created")} onSaved={q.reload} />;
              })()
            ) : (
              <Empty>Choose a role to see its rules, or make a new one.</Empty>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function BuiltIn({ role }: { role: Role }) {
  return (
    <div className="role-editor" data-testid="builtin-role">
      <h2>{role.name}</h2>
      <p className="hint">A built-in role: it cannot be changed or deleted.</p>
      <table>
        <thead>
          <tr>
            <th>Modes</th>
            <th>Branches</th>
            <th>Tags</th>
          </tr>
        </thead>
        <tbody>
          {role.rules.map((r, i) => (
            <tr key={i} data-testid="builtin-rule">
              <td>{r.modes.join(", ")}</td>
              <td>
                <code>{r.branches.join(", ")}</code>
              </td>
              <td>
                <code>{r.tags}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const CREATE = `mutation CreateRole($name: String!, $rules: [RuleInput!]!) { role: createRole(name: $name, rules: $rules) { ${ROLE} } }`;
const UPDATE = `mutation UpdateRole($name: String!, $rules: [RuleInput!]!) { role: updateRole(name: $name, rules: $rules) { ${ROLE} } }`;

function RoleEditor({ role, created, onSaved }: { role?: Role; created?: boolean; onSaved: () => void }) {
  const act = useAction();
  const del = useAction();
  const [name, setName] = useState(role?.name ?? "");
  const [rules, setRules] = useState<RuleDraft[]>(() => (role ? role.rules.map((r) => newDraft(r)) : [newDraft()]));
  const [saved, setSaved] = useState(!!created);
  const [justCreated, setJustCreated] = useState(!!created);
  const [deleted, setDeleted] = useState(false);
  // the refused rule, by its key (so it stays with the rule when others are removed)
  const [refused, setRefused] = useState<{ key: number; err: RuleError } | null>(null);

  const change = (key: number, f: (d: RuleDraft) => RuleDraft, field?: string) => {
    setRules((rs) => rs.map((d) => (d.key === key ? f(d) : d)));
    setSaved(false);
    if (refused && refused.key === key && (!field || field === refused.err.field)) setRefused(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setJustCreated(false);
    setRefused(null);
    const d = await act.run<{ role: Role }>(role ? UPDATE : CREATE, { name: name.trim(), rules: rules.map(toRuleInput) });
    if (d) {
      setSaved(true);
      onSaved();
      if (!role) location.hash = href("access", "roles", { role: d.role.name, created: "1" });
      else setRules(d.role.rules.map((r) => newDraft(r)));
    }
  };
  useEffect(() => {
    if (!(act.error instanceof ApiError) || act.error.code !== "INVALID_ARGUMENT") return;
    const err = parseRuleError(act.error.message);
    if (err && rules[err.rule]) setRefused({ key: rules[err.rule].key, err });
    // only when a new refusal arrives
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [act.error]);

  if (deleted) {
    return (
      <div className="state empty" role="status">
        Deleted the role {role?.name}.
      </div>
    );
  }
  const remove = async () => {
    if (role && (await del.run(`mutation($name: String!) { deleteRole(name: $name) }`, { name: role.name }))) {
      setDeleted(true);
      onSaved();
    }
  };

  return (
    <form className="role-editor" onSubmit={save} aria-labelledby="role-editor-h" noValidate>
      <h2 id="role-editor-h">{role ? `Role ${role.name}` : "New role"}</h2>
      <label className="role-name">
        Name{" "}
        <input
          name="role-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          readOnly={!!role}
          aria-readonly={!!role}
          required
          pattern="[A-Za-z][A-Za-z0-9_.\-]*"
          maxLength={64}
        />
        {!role && <span className="hint">ASCII letters, digits, _ - . starting with a letter</span>}
      </label>
      <ol className="rules">
        {rules.map((d, i) => (
          <RuleRow
            key={d.key}
            index={i}
            draft={d}
            error={refused && refused.key === d.key ? refused.err : null}
            onChange={(f, field) => change(d.key, f, field)}
            onRemove={
              rules.length > 1
                ? () => {
                    setRules((rs) => rs.filter((x) => x.key !== d.key));
                    if (refused?.key === d.key) setRefused(null);
                  }
                : undefined
            }
          />
        ))}
      </ol>
      <div className="form-actions">
        <button type="button" data-testid="add-rule" onClick={() => setRules((rs) => [...rs, newDraft()])}>
          Add rule
        </button>
        <button type="submit" className="primary" data-testid="save-role" disabled={act.busy || name.trim() === ""}>
          {role ? "Save role" : "Create role"}
        </button>
        {saved && (
          <span className="ok" role="status">
            {justCreated ? "Created." : "Saved."} <a href={href("access", "grants", { role: name.trim() })}>Grant it</a>
          </span>
        )}
      </div>
      <ActionError action={act} />
      {role && (
        <div className="delete-role">
          <ConfirmButton label="Delete role" what={`Delete the role ${role.name}`} testid="delete-role" busy={del.busy} onConfirm={remove} />
          <ActionError action={del} />
        </div>
      )}
    </form>
  );
}

function RuleRow({
  index,
  draft,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  draft: RuleDraft;
  error: RuleError | null;
  onChange: (f: (d: RuleDraft) => RuleDraft, field?: string) => void;
  onRemove?: () => void;
}) {
  const id = `rule-${draft.key}`;
  const tagsRef = useRef<HTMLInputElement>(null);
  const branchesRef = useRef<HTMLInputElement>(null);
  // a refused input takes the focus, with the marked character selected
  useEffect(() => {
    if (!error) return;
    const el = error.field === "tags" ? tagsRef.current : error.field === "branches" ? branchesRef.current : null;
    if (!el) return;
    el.focus();
    const off = markerOffset(el.value, error);
    if (off !== null) {
      const start = Array.from(el.value).slice(0, off).join("").length;
      el.setSelectionRange(start, Math.min(el.value.length, start + (Array.from(el.value)[off]?.length ?? 0)));
    }
  }, [error]);
  return (
    <li className={"rule" + (error ? " refused" : "")} data-testid="rule" data-index={index}>
      <fieldset>
        <legend>Rule {index + 1}</legend>
        <div className="modes" role="group" aria-label={`Modes of rule ${index + 1}`}>
          {MODES.map((m) => (
            <label key={m}>
              <input
                type="checkbox"
                name="mode"
                value={m}
                checked={draft.modes.includes(m)}
                onChange={(e) => onChange((d) => ({ ...d, modes: e.target.checked ? [...d.modes, m] : d.modes.filter((x) => x !== m) }), "modes")}
              />{" "}
              {m}
            </label>
          ))}
        </div>
        {error?.field === "modes" && <FieldError id={`${id}-modes-err`} value="" error={error} />}
        <label>
          Branches{" "}
          <input
            ref={branchesRef}
            name="branches"
            className="mono"
            value={draft.branches}
            placeholder="all branches (e.g. main, dev/*)"
            aria-invalid={error?.field === "branches" || undefined}
            aria-describedby={error?.field === "branches" ? `${id}-branches-err` : undefined}
            onChange={(e) => onChange((d) => ({ ...d, branches: e.target.value }), "branches")}
          />
        </label>
        {error?.field === "branches" && <FieldError id={`${id}-branches-err`} value={draft.branches} error={error} />}
        <label>
          Tags{" "}
          <input
            ref={tagsRef}
            name="tags"
            className="mono"
            value={draft.tags}
            placeholder="every asset (e.g. !PII && !secret)"
            aria-invalid={error?.field === "tags" || undefined}
            aria-describedby={error?.field === "tags" ? `${id}-tags-err` : undefined}
            onChange={(e) => onChange((d) => ({ ...d, tags: e.target.value }), "tags")}
          />
        </label>
        {error?.field === "tags" && <FieldError id={`${id}-tags-err`} value={draft.tags} error={error} />}
        {onRemove && (
          <button type="button" className="remove-rule" data-testid="remove-rule" onClick={onRemove} aria-label={`Remove rule ${index + 1}`}>
            Remove rule
          </button>
        )}
      </fieldset>
    </li>
  );
}

/** FieldError: the server's words under the input, with the character it points at marked. */
function FieldError({ id, value, error }: { id: string; value: string; error: RuleError }) {
  const off = markerOffset(value, error);
  return (
    <div className="field-error" id={id} role="alert" data-testid="rule-error" data-field={error.field} data-column={error.column ?? ""}>
      {off !== null && (
        <pre className="marked" aria-hidden="true">
          {(() => {
            const [before, at, after] = marked(value, off);
            return (
              <>
                {before}
                <mark data-testid="error-marker">{at}</mark>
                {after}
                {"\n"}
                <span className="caret">{caretLine(off)}</span>
              </>
            );
          })()}
        </pre>
      )}
      <span className="message">
        {error.column !== undefined ? `column ${error.column}: ` : ""}
        {error.detail}
      </span>
    </div>
  );
}
