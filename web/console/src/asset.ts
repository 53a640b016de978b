// The asset page's logic: the asset as the API answers it, its definition rendered as the
// definitions document would declare it (the schema has no field for the deployed
// document, so it is rebuilt from what the asset answers), and the steward's list of
// declarations being edited.

export interface Member {
  name: string;
  path: string;
  type: string;
  key?: boolean;
  tags: string[];
  cancels: string[];
  description: string | null;
  declaredTags: string[];
  stewardTags: string[];
  from?: string[];
}

export interface AssetData {
  __typename: "Dataset" | "Field" | "Featureset" | "Feature";
  path: string;
  kind: string;
  tags: string[];
  cancels: string[];
  owner: string | null;
  description: string | null;
  declaredTags: string[];
  stewardTags: string[];
  fields?: Member[];
  features?: Member[];
  pipeline?: { inputs: string[]; columns: { field: string; from: string[] }[] | null; description: string | null } | null;
  /** Of a field or feature: the dataset or featureset that holds it, and its name. */
  dataset?: string;
  featureset?: string;
  name?: string;
}

/** The members of a dataset (fields) or featureset (features), in declaration order. */
export function membersOf(a: AssetData): Member[] {
  return a.fields ?? a.features ?? [];
}

/** parentOf is the dataset or featureset path and member name of a field or feature. */
export function parentOf(a: AssetData): { path: string; member: string } | null {
  const parent = a.dataset ?? a.featureset;
  if (!parent || !a.name) return null;
  return { path: parent, member: a.name };
}

// A scalar is written plain when YAML reads it back as the same string, else JSON-quoted
// (JSON strings are YAML). flow: inside [..] or {..}, where , [ ] { } are special too.
const PLAIN_FLOW = /^[A-Za-z0-9_@./$][A-Za-z0-9_@./$ -]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|-?\d[\d._]*(e[+-]?\d+)?)$/i;

export function yamlScalar(s: string, flow = true): string {
  const plainBlock = /^[^-?:,[\]{}#&*!|>'"%@`~\s]/.test(s) && !/: |\s#|:$|\s$/.test(s) && !/[\n\t]/.test(s);
  const plain = flow ? PLAIN_FLOW.test(s) && !/\s$/.test(s) : plainBlock;
  if (plain && !RESERVED.test(s)) return s;
  return JSON.stringify(s);
}

function list(xs: string[]): string {
  return "[" + xs.map((x) => yamlScalar(x)).join(", ") + "]";
}

function memberLine(m: Member, isDataset: boolean): string {
  const parts = [`name: ${yamlScalar(m.name)}`, `type: ${yamlScalar(m.type)}`];
  if (isDataset && m.key) parts.push("key: true");
  if (m.declaredTags.length > 0) parts.push(`tags: ${list(m.declaredTags)}`);
  if (m.from && m.from.length > 0) parts.push(`from: ${list(m.from)}`);
  if (m.description) parts.push(`description: ${yamlScalar(m.description)}`);
  return `      - {${parts.join(", ")}}`;
}

/** renderDefinition writes a dataset or featureset as a definitions document declares it. */
export function renderDefinition(a: AssetData): string {
  const isDataset = a.__typename === "Dataset";
  const out: string[] = [isDataset ? "datasets:" : "featuresets:", `  - name: ${yamlScalar(a.path, false)}`];
  if (a.description) out.push(`    description: ${yamlScalar(a.description, false)}`);
  if (a.owner) out.push(`    owner: ${yamlScalar(a.owner, false)}`);
  if (a.declaredTags.length > 0) out.push(`    tags: ${list(a.declaredTags)}`);
  const members = membersOf(a);
  out.push(isDataset ? "    fields:" : "    features:");
  if (members.length === 0) out[out.length - 1] += " []";
  for (const m of members) out.push(memberLine(m, isDataset));
  const p = a.pipeline;
  if (p) {
    out.push("    pipeline:");
    out.push(`      inputs: ${list(p.inputs)}`);
    if (p.columns) {
      const cols = p.columns.map((c) => `${yamlScalar(c.field)}: ${list(c.from)}`);
      out.push(`      columns: {${cols.join(", ")}}`);
    }
    if (p.description) out.push(`      description: ${yamlScalar(p.description, false)}`);
  }
  return out.join("\n") + "\n";
}

// ---- The steward's declarations ("t" or "~t") ----

/** tagName is a declaration's tag, without "~". */
export function tagName(decl: string): string {
  return decl.startsWith("~") ? decl.slice(1) : decl;
}

/**
 * parseDecl reads what the steward typed: one tag or ~tag. It answers an error message for
 * what cannot be a declaration; the server judges the tag's name itself.
 */
export function parseDecl(input: string): { decl: string } | { error: string } {
  const d = input.trim();
  if (d === "" || d === "~") return { error: "type a tag (PII) or a cancellation (~PII)" };
  if (/\s/.test(d)) return { error: `"${d}" holds a space: one tag at a time` };
  return { decl: d };
}

function sortDecls(ds: string[]): string[] {
  return [...ds].sort((a, b) => (tagName(a) < tagName(b) ? -1 : tagName(a) > tagName(b) ? 1 : a < b ? -1 : 1));
}

/** addDecl adds a declaration; one of the same tag with the other sign is replaced by it. */
export function addDecl(decls: string[], decl: string): string[] {
  return sortDecls([...decls.filter((d) => tagName(d) !== tagName(decl)), decl]);
}

export function removeDecl(decls: string[], decl: string): string[] {
  return decls.filter((d) => d !== decl);
}

export function sameDecls(a: string[], b: string[]): boolean {
  const x = sortDecls(a);
  const y = sortDecls(b);
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

export interface TagChange {
  path: string;
  added: string[];
  removed: string[];
}
