// Stewarding (?tab=steward): edit the steward's declarations ("t" or "~t") of the asset or
// one of its fields, preview the downstream impact with a dry run of setTags, then save.
import { useMemo, useState, type FormEvent } from "react";
import { gql } from "../api";
import { addDecl, membersOf, parseDecl, removeDecl, sameDecls, tagName, type AssetData, type TagChange } from "../asset";
import { ErrorBox, Loading } from "../components/state";
import { href } from "../route";
import { useSession } from "../session";
import { Chips } from "./Chips";

interface Report {
  tagChanges: TagChange[];
  tagChangeCount: number;
  warnings: string[];
}
interface SetAnswer {
  setTags: { path: string; tags: string[]; cancels: string[]; stewardTags: string[]; writeReport: Report | null };
}

const SET_TAGS = `mutation SetTags($path: String!, $tags: [String!]!, $branch: String, $dryRun: Boolean) {
  setTags(path: $path, tags: $tags, branch: $branch, dryRun: $dryRun) {
    path tags cancels stewardTags writeReport { tagChanges(first: 200) { path added removed } tagChangeCount warnings }
  }
}`;

interface Target {
  path: string;
  label: string;
  tags: string[];
  cancels: string[];
  declared: string[];
  steward: string[];
}

function targetsOf(a: AssetData): Target[] {
  const own: Target = { path: a.path, label: `${a.path} (the ${a.kind.toLowerCase()})`, tags: a.tags, cancels: a.cancels, declared: a.declaredTags, steward: a.stewardTags };
  return [own, ...membersOf(a).map((m) => ({ path: m.path, label: m.path, tags: m.tags, cancels: m.cancels, declared: m.declaredTags, steward: m.stewardTags }))];
}

export function StewardTab({ asset, field, onSaved }: { asset: AssetData; field: string; onSaved: () => void }) {
  const targets = useMemo(() => targetsOf(asset), [asset]);
  const initial = targets.find((t) => field && t.path.endsWith("." + field)) ?? targets[0];
  const [targetPath, setTargetPath] = useState(initial.path);
  const target = targets.find((t) => t.path === targetPath) ?? targets[0];
  // The last save's answer: kept here, since the reloaded asset starts a fresh editor.
  const [saved, setSaved] = useState<SetAnswer["setTags"] | null>(null);
  // Key by target and its saved declarations: a save or a switch starts a fresh draft.
  return (
    <section aria-labelledby="steward-h">
      <h2 id="steward-h">Steward tags</h2>
      {targets.length > 1 && (
        <label className="controls">
          Asset{" "}
          <select
            name="target"
            value={target.path}
            onChange={(e) => {
              setTargetPath(e.target.value);
              setSaved(null);
            }}
          >
            {targets.map((t) => (
              <option key={t.path} value={t.path}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {saved && (
        <p className="state saved" role="status" data-testid="saved">
          Saved. {saved.path} now has <Chips tags={saved.tags} cancels={saved.cancels} empty="no tags" />
          {saved.writeReport ? ` — ${saved.writeReport.tagChangeCount} asset(s) changed tags.` : ""}
        </p>
      )}
      <Editor
        key={target.path + "|" + target.steward.join(",")}
        target={target}
        onChanged={() => setSaved(null)}
        onSaved={(ans) => {
          setSaved(ans);
          onSaved();
        }}
      />
    </section>
  );
}

function Editor({ target, onSaved, onChanged }: { target: Target; onSaved: (ans: SetAnswer["setTags"]) => void; onChanged: () => void }) {
  const { branch } = useSession();
  const [draft, setDraft] = useState<string[]>(target.steward);
  const [box, setBox] = useState("");
  const [inputError, setInputError] = useState("");
  const [busy, setBusy] = useState<"" | "preview" | "save">("");
  const [error, setError] = useState<unknown>();
  const [preview, setPreview] = useState<{ for: string[]; report: Report; after: SetAnswer["setTags"] } | null>(null);

  const dirty = !sameDecls(draft, target.steward);
  const previewed = preview !== null && sameDecls(preview.for, draft);

  function change(next: string[]) {
    setDraft(next);
    setError(undefined);
    onChanged();
  }
  function add(e: FormEvent) {
    e.preventDefault();
    const p = parseDecl(box);
    if ("error" in p) {
      setInputError(p.error);
      return;
    }
    setInputError("");
    change(addDecl(draft, p.decl));
    setBox("");
  }
  async function run(dryRun: boolean) {
    setBusy(dryRun ? "preview" : "save");
    setError(undefined);
    try {
      const ans = await gql<SetAnswer>(SET_TAGS, { path: target.path, tags: draft, branch, dryRun });
      if (dryRun) {
        setPreview({ for: draft, report: ans.setTags.writeReport ?? { tagChanges: [], tagChangeCount: 0, warnings: [] }, after: ans.setTags });
      } else {
        setPreview(null);
        onSaved(ans.setTags);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy("");
    }
  }

  return (
    <div className="steward">
      <dl className="facts">
        <dt>Present now</dt>
        <dd data-testid="current-tags">
          <Chips tags={target.tags} cancels={target.cancels} empty="no tags present" />
        </dd>
        <dt>Definitions declare</dt>
        <dd>{target.declared.length ? target.declared.join(", ") : <span className="hint">nothing</span>}</dd>
      </dl>
      <h3>Steward declarations of {target.path}</h3>
      {draft.length === 0 ? (
        <p className="state empty">No steward declarations{dirty ? " (all removed: save to apply)" : ""}.</p>
      ) : (
        <ul className="decls" aria-label="Steward declarations">
          {draft.map((d) => (
            <li key={d} className={d.startsWith("~") ? "decl cancel" : "decl"} data-decl={d}>
              <span className={d.startsWith("~") ? "decl-chip cancel" : "decl-chip"} title={d.startsWith("~") ? `cancels ${tagName(d)}` : `declares ${d}`}>
                {d}
              </span>
              <button type="button" data-testid="remove-tag" data-tag={d} aria-label={`Remove ${d}`} onClick={() => change(removeDecl(draft, d))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="controls" onSubmit={add} aria-label="Add a steward declaration">
        <label>
          Tag{" "}
          <input
            name="tag"
            value={box}
            onChange={(e) => setBox(e.target.value)}
            placeholder="PII or ~PII"
            aria-invalid={inputError ? true : undefined}
            aria-describedby="tag-hint"
            autoComplete="off"
          />
        </label>
        <button type="submit" data-testid="add-tag">
          Add
        </button>
        <span id="tag-hint" className={inputError ? "field-error" : "hint"} role={inputError ? "alert" : undefined}>
          {inputError || "A tag (PII) declares it here; ~PII cancels PII here and downstream."}
        </span>
      </form>
      <div className="controls">
        <button type="button" data-testid="preview" disabled={busy !== ""} onClick={() => void run(true)}>
          {busy === "preview" ? "Previewing…" : "Preview impact"}
        </button>
        <button type="button" data-testid="save-tags" disabled={busy !== "" || !previewed} onClick={() => void run(false)} title={previewed ? "" : "Preview the impact first"}>
          {busy === "save" ? "Saving…" : "Save"}
        </button>
        {dirty && !previewed && <span className="hint">Preview the impact of these changes before saving.</span>}
        {dirty && (
          <button type="button" onClick={() => change(target.steward)}>
            Discard changes
          </button>
        )}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {busy === "preview" && <Loading what="the impact" />}
      {previewed && preview && <Impact report={preview.report} after={preview.after} />}
    </div>
  );
}

function Impact({ report, after }: { report: Report; after: SetAnswer["setTags"] }) {
  return (
    <section data-testid="impact" className="impact" aria-labelledby="impact-h" aria-live="polite">
      <h3 id="impact-h">Impact (dry run, nothing saved yet)</h3>
      {report.warnings.map((w) => (
        <p key={w} className="warning" role="note">
          ⚠ {w}
        </p>
      ))}
      {report.tagChanges.length === 0 ? (
        <div className="state empty">No asset gains or loses a tag: {after.path} keeps {after.tags.length ? after.tags.join(", ") : "no tags"}.</div>
      ) : (
        <table>
          <caption className="hint">
            {report.tagChangeCount} asset(s) would gain or lose tags
            {report.tagChangeCount > report.tagChanges.length ? ` (the first ${report.tagChanges.length} shown)` : ""}.
          </caption>
          <thead>
            <tr>
              <th scope="col">Asset</th>
              <th scope="col">Gains</th>
              <th scope="col">Loses</th>
            </tr>
          </thead>
          <tbody>
            {report.tagChanges.map((c) => (
              <tr key={c.path} data-testid="impact-row" data-path={c.path}>
                <td>
                  <a href={href("asset", c.path)}>{c.path}</a>
                </td>
                <td data-testid="gained">
                  {c.added.map((t) => (
                    <span key={t} className="chip gain" data-gained={t}>
                      +{t}
                    </span>
                  ))}
                </td>
                <td data-testid="lost">
                  {c.removed.map((t) => (
                    <span key={t} className="chip lose" data-lost={t}>
                      −{t}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
