// The catalog's search box: "tag:PII" terms (one or more, also "tag:PII,gdpr") search by
// present tag, the other words by path or description text; an empty box lists datasets.
// The pager keeps the cursors of the pages before the current one, so "previous" needs no
// server support and a shared address opens the same page.

export interface SearchQuery {
  /** The words that are not tag: terms, joined by one space; "" for none. */
  text: string;
  /** The tags every result must have present, in the order typed, without duplicates. */
  tags: string[];
}

const TAG = /^tag:/i;

/** parseSearch reads the search box. */
export function parseSearch(input: string): SearchQuery {
  const words: string[] = [];
  const tags: string[] = [];
  for (const w of input.trim().split(/\s+/)) {
    if (w === "") continue;
    if (TAG.test(w)) {
      for (const t of w.replace(TAG, "").split(",")) {
        if (t !== "" && !tags.includes(t)) tags.push(t);
      }
    } else {
      words.push(w);
    }
  }
  return { text: words.join(" "), tags };
}

/** isListing says whether a query lists datasets (nothing to search for). */
export function isListing(q: SearchQuery): boolean {
  return q.text === "" && q.tags.length === 0;
}

/** searchVariables are the GraphQL variables of one page of a query. */
export function searchVariables(q: SearchQuery, branch: string, after: string, first: number): Record<string, unknown> {
  const v: Record<string, unknown> = { branch, first };
  if (after) v.after = after;
  if (q.text) v.text = q.text;
  if (q.tags.length > 0) v.tags = q.tags;
  return v;
}

/** A position in the pages of a query: the cursor of this page and those before it. */
export interface PagePos {
  after: string;
  /** The "after" of every page before this one, first page ("") included. */
  back: string[];
}

export function nextPage(p: PagePos, endCursor: string): PagePos {
  return { after: endCursor, back: [...p.back, p.after] };
}

export function previousPage(p: PagePos): PagePos {
  if (p.back.length === 0) return { after: "", back: [] };
  return { after: p.back[p.back.length - 1], back: p.back.slice(0, -1) };
}

/** encodeBack and decodeBack keep the cursors in the address (cursors hold no comma). */
export function encodeBack(back: string[]): string {
  return back.length === 0 ? "" : back.map((c) => c || "-").join(",");
}

export function decodeBack(s: string): string[] {
  return s === "" ? [] : s.split(",").map((c) => (c === "-" ? "" : c));
}
