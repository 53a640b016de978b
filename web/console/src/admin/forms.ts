// Pure helpers of the access forms: rules as edited ↔ as the API takes them, and times.

export const MODES = ["READ_DEFINITIONS", "WRITE_DEFINITIONS", "READ_DATA", "WRITE_DATA", "MANAGE"] as const;
export type Mode = (typeof MODES)[number];

/** A rule as the API answers it. */
export interface Rule {
  modes: string[];
  branches: string[];
  tags: string;
}

/** A rule as the editor holds it: branches comma-separated, tags as typed. */
export interface RuleDraft {
  key: number;
  modes: string[];
  branches: string;
  tags: string;
}

/** The RuleInput the API takes: empty branches or tags are left out (all branches, "true"). */
export interface RuleInput {
  modes: string[];
  branches?: string[];
  tags?: string;
}

/** splitList splits a comma-separated input into its trimmed, non-empty items. */
export function splitList(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
}

let nextKey = 1;

export function newDraft(r?: Rule): RuleDraft {
  return {
    key: nextKey++,
    modes: r ? MODES.filter((m) => r.modes.includes(m)) : ["READ_DEFINITIONS", "READ_DATA"],
    branches: r ? (r.branches.length === 1 && r.branches[0] === "*" ? "" : r.branches.join(", ")) : "",
    tags: r ? (r.tags === "true" ? "" : r.tags) : "",
  };
}

/** toRuleInput: the tags are sent as typed (the server's columns count in them), or left out when blank. */
export function toRuleInput(d: RuleDraft): RuleInput {
  const out: RuleInput = { modes: MODES.filter((m) => d.modes.includes(m)) };
  const b = splitList(d.branches);
  if (b.length > 0) out.branches = b;
  if (d.tags.trim() !== "") out.tags = d.tags;
  return out;
}

/** localToRFC3339 turns a datetime-local value ("2026-12-02T14:05") into RFC 3339 UTC, "" for "". */
export function localToRFC3339(v: string): string {
  if (!v) return "";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return "";
  return d.toISOString().replace(/\.000Z$/, "Z");
}

/** rfc3339ToLocal is the inverse, for showing a filter from the address: "" when it does not parse. */
export function rfc3339ToLocal(v: string): string {
  if (!v) return "";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** shortTime shows an RFC 3339 time in the reader's zone, to the second. */
export function shortTime(v: string | null | undefined): string {
  if (!v) return "";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** splitRefs splits members typed one per line or comma-separated. */
export function splitRefs(s: string): string[] {
  return s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter((x) => x !== "");
}

/** detailsText shows an audit entry's details: a JSON object as "key: value" pairs, anything else as it is. */
export function detailsText(details: string | null | undefined): string {
  if (!details) return "";
  let v: unknown;
  try {
    v = JSON.parse(details);
  } catch {
    return details;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return details;
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}: ${typeof x === "string" ? x : JSON.stringify(x)}`)
    .join("; ");
}
