import { describe, expect, it } from "vitest";
import { caretLine, marked, markerOffset, parseRuleError } from "./ruleError";

describe("parseRuleError", () => {
  it("reads a tag expression refusal as the server words it", () => {
    const e = parseRuleError('createRole: rules[1].tags: "PII && (" — column 8: expected a tag name after "("');
    expect(e).toEqual({ rule: 1, field: "tags", item: undefined, column: 8, detail: 'expected a tag name after "("' });
  });
  it("reads a branch glob refusal", () => {
    const e = parseRuleError('updateRole: rules[0].branches[2]: branch glob "dev/**/x": column 5: "**" may only end a glob');
    expect(e).toEqual({ rule: 0, field: "branches", item: 2, column: 5, detail: '"**" may only end a glob' });
  });
  it("reads a mode refusal, which has no column", () => {
    const e = parseRuleError('createRole: rules[3].modes[1]: unknown mode "READ"; the modes are X');
    expect(e).toMatchObject({ rule: 3, field: "modes", item: 1, column: undefined });
  });
  it("keeps quotes escaped inside the excerpt", () => {
    const e = parseRuleError('rules[0].tags: "a \\" b — column 3: x" — column 12: unexpected end');
    expect(e).toMatchObject({ rule: 0, field: "tags", column: 12, detail: "unexpected end" });
  });
  it("answers null for other messages", () => {
    expect(parseRuleError("createRole: rules: empty; a role holds at least one rule")).toBeNull();
    expect(parseRuleError("denied: no grant of user:jane@acme covers the org")).toBeNull();
  });
});

describe("markerOffset", () => {
  it("points at the column of a tag expression", () => {
    const e = parseRuleError('rules[1].tags: "PII && (" — column 8: expected a tag name')!;
    expect(markerOffset("PII && (", e)).toBe(7);
    expect(marked("PII && (", 7)).toEqual(["PII && ", "(", ""]);
    expect(caretLine(7)).toBe("       ^");
  });
  it("clamps a column past the end to the end, marking a space", () => {
    const e = { rule: 0, field: "tags" as const, column: 9, detail: "" };
    expect(markerOffset("PII && (", e)).toBe(8);
    expect(marked("PII && (", 8)).toEqual(["PII && (", " ", ""]);
  });
  it("counts characters, not UTF-16 units", () => {
    const e = { rule: 0, field: "tags" as const, column: 4, detail: "" };
    expect(markerOffset("é𝄞 &&", e)).toBe(3);
    expect(marked("é𝄞 &&", 1)).toEqual(["é", "𝄞", " &&"]);
  });
  it("finds the item-th glob of a comma-separated branches input", () => {
    const e = { rule: 0, field: "branches" as const, item: 1, column: 5, detail: "" };
    // "main, dev/**/x": the second glob starts at offset 6
    expect(markerOffset("main, dev/**/x", e)).toBe(10);
    // empty items are not sent, so not counted
    expect(markerOffset("main,, dev/**/x", e)).toBe(11);
    expect(markerOffset("main", e)).toBeNull();
  });
  it("has no marker without a column", () => {
    expect(markerOffset("x", { rule: 0, field: "modes", item: 0, detail: "" })).toBeNull();
  });
});

