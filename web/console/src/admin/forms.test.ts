import { describe, expect, it } from "vitest";
import { detailsText, localToRFC3339, newDraft, rfc3339ToLocal, splitList, splitRefs, toRuleInput } from "./forms";

describe("rules", () => {
  it("shows the canonical defaults as empty inputs and leaves them out again", () => {
    const d = newDraft({ modes: ["READ_DATA", "READ_DEFINITIONS"], branches: ["*"], tags: "true" });
    expect(d).toMatchObject({ modes: ["READ_DEFINITIONS", "READ_DATA"], branches: "", tags: "" });
    expect(toRuleInput(d)).toEqual({ modes: ["READ_DEFINITIONS", "READ_DATA"] });
  });
  it("sends globs split and tags as typed", () => {
    const d = { key: 1, modes: ["MANAGE", "READ_DATA"], branches: "main, dev/*", tags: " PII && !secret" };
    expect(toRuleInput(d)).toEqual({ modes: ["READ_DATA", "MANAGE"], branches: ["main", "dev/*"], tags: " PII && !secret" });
  });
});

describe("times", () => {
  it("turns a datetime-local value into RFC 3339 of the same instant", () => {
    const v = localToRFC3339("2026-12-02T14:05");
    expect(v).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(new Date(v).getTime()).toBe(new Date(2026, 11, 2, 14, 5).getTime());
    expect(rfc3339ToLocal(v)).toBe("2026-12-02T14:05");
  });
  it("answers empty for empty or bad input", () => {
    expect(localToRFC3339("")).toBe("");
    expect(localToRFC3339("nope")).toBe("");
    expect(rfc3339ToLocal("nope")).toBe("");
  });
});

describe("splitRefs", () => {
  it("takes lines or commas", () => {
    expect(splitRefs("user:a\n user:b, workload:ci\n\n")).toEqual(["user:a", "user:b", "workload:ci"]);
  });
});

describe("splitList", () => {
  it("trims and drops empty items", () => {
    expect(splitList(" main , dev/*,, ")).toEqual(["main", "dev/*"]);
    expect(splitList("")).toEqual([]);
  });
});

describe("detailsText", () => {
  it("shows an object's fields, other JSON and text as they are", () => {
    expect(detailsText('{"principal":"user:jane@acme","role":"e2e","n":2,"rules":[{"tags":"PII"}]}')).toBe(
      'principal: user:jane@acme; role: e2e; n: 2; rules: [{"tags":"PII"}]',
    );
    expect(detailsText("[1,2]")).toBe("[1,2]");
    expect(detailsText("not json")).toBe("not json");
    expect(detailsText(null)).toBe("");
  });
});
