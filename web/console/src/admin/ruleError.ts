// The server's refusal of a role's rules, read back to the rule and input it is about, so
// the editor can show it inline with a marker at the column. The server (access/role.go,
// access/expr.go) words a mistake in a rule as
//   createRole: rules[1].tags: "PII && (" — column 8: expected a tag name after "("
//   updateRole: rules[0].branches[2]: branch glob "dev/**/x": column 5: "**" may only end a glob
//   createRole: rules[0].modes[1]: unknown mode "READ"; the modes are …
// with columns 1-based, in characters, of the whole expression (a long one is quoted as an
// excerpt, but the column still counts from its start). extensions carry only the code.

/** Where in the role form a refusal points. */
export interface RuleError {
  /** the rule's index (0-based), as the server counts the rules it was sent */
  rule: number;
  /** the input it is about */
  field: "tags" | "branches" | "modes";
  /** for branches and modes: the index of the item in the list */
  item?: number;
  /** 1-based column within the item (a glob) or the expression; undefined when none */
  column?: number;
  /** what is wrong, without the place (e.g. `expected a tag name after "("`) */
  detail: string;
}

const head = /^(?:[A-Za-z]+: )?rules\[(\d+)\]\.(tags|branches|modes)(?:\[(\d+)\])?: /;

/** parseRuleError reads a server message; null when it names no rule. */
export function parseRuleError(message: string): RuleError | null {
  const m = head.exec(message);
  if (!m) return null;
  const rule = Number(m[1]);
  const field = m[2] as RuleError["field"];
  const item = m[3] === undefined ? undefined : Number(m[3]);
  let rest = message.slice(m[0].length);
  let column: number | undefined;
  // tags: "…" — column N: msg   |   branch glob "…": column N: msg
  const quoted = skipQuoted(rest);
  if (quoted !== null) {
    const after = rest.slice(quoted);
    const c = /^(?: —|:) column (\d+): /.exec(after);
    if (c) {
      column = Number(c[1]);
      rest = after.slice(c[0].length);
    }
  } else {
    const c = /^column (\d+): /.exec(rest);
    if (c) {
      column = Number(c[1]);
      rest = rest.slice(c[0].length);
    }
  }
  return { rule, field, item, column, detail: rest };
}

/** skipQuoted answers the length of a leading `"…"` (or `branch glob "…"`), Go-quoted, or null. */
function skipQuoted(s: string): number | null {
  let i = 0;
  if (s.startsWith("branch glob ")) i = "branch glob ".length;
  if (s[i] !== '"') return null;
  for (i++; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i + 1;
  }
  return null;
}

/**
 * markerOffset answers the 0-based offset, in characters of the input's value, that an
 * error points at: for tags the column of the expression as sent; for branches the column
 * of the item-th glob of the comma-separated input. Clamped to [0, value length]; null when
 * the error has no column.
 */
export function markerOffset(value: string, e: RuleError): number | null {
  if (e.column === undefined) return null;
  const chars = Array.from(value);
  let base = 0;
  if (e.field === "branches") {
    // find where the item-th non-empty item starts in value
    let idx = 0;
    let pos = 0;
    let found = -1;
    for (const piece of value.split(",")) {
      const lead = piece.length - piece.trimStart().length;
      if (piece.trim() !== "") {
        if (idx === (e.item ?? 0)) {
          found = Array.from(value.slice(0, pos + lead)).length;
          break;
        }
        idx++;
      }
      pos += piece.length + 1;
    }
    if (found < 0) return null;
    base = found;
  } else if (e.field !== "tags") {
    return null;
  }
  return Math.max(0, Math.min(chars.length, base + e.column - 1));
}

/** marked splits value at offset into the text before, the character marked (" " past the end) and after. */
export function marked(value: string, offset: number): [string, string, string] {
  const chars = Array.from(value);
  const at = offset < chars.length ? chars[offset] : " ";
  return [chars.slice(0, offset).join(""), at, chars.slice(offset + 1).join("")];
}

/** caretLine is a line of spaces with "^" under the offset-th character (for monospace text). */
export function caretLine(offset: number): string {
  return " ".repeat(offset) + "^";
}
