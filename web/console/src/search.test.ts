import { describe, expect, it } from "vitest";
import { decodeBack, encodeBack, isListing, nextPage, parseSearch, previousPage, searchVariables } from "./search";

describe("parseSearch", () => {
  it("reads text, tags and both", () => {
    expect(parseSearch("")).toEqual({ text: "", tags: [] });
    expect(parseSearch("   ")).toEqual({ text: "", tags: [] });
    expect(parseSearch("forecast")).toEqual({ text: "forecast", tags: [] });
    expect(parseSearch("tag:PII")).toEqual({ text: "", tags: ["PII"] });
    expect(parseSearch("  user   tag:PII  city TAG:gdpr ")).toEqual({ text: "user city", tags: ["PII", "gdpr"] });
  });
  it("takes comma lists, drops empty and repeated tags", () => {
    expect(parseSearch("tag:PII,gdpr tag:PII tag:")).toEqual({ text: "", tags: ["PII", "gdpr"] });
  });
  it("keeps a word that only contains tag:", () => {
    expect(parseSearch("mytag:x")).toEqual({ text: "mytag:x", tags: [] });
  });
  it("lists when there is nothing to search", () => {
    expect(isListing(parseSearch("tag:"))).toBe(true);
    expect(isListing(parseSearch("tag:x"))).toBe(false);
  });
});

describe("searchVariables", () => {
  it("sends only what is set", () => {
    expect(searchVariables(parseSearch(""), "main", "", 50)).toEqual({ branch: "main", first: 50 });
    expect(searchVariables(parseSearch("a tag:PII"), "dev", "c1", 50)).toEqual({ branch: "dev", first: 50, after: "c1", text: "a", tags: ["PII"] });
  });
});

describe("pager", () => {
  it("goes forward and back to the first page", () => {
    let p = { after: "", back: [] as string[] };
    p = nextPage(p, "c1");
    p = nextPage(p, "c2");
    expect(p).toEqual({ after: "c2", back: ["", "c1"] });
    expect(decodeBack(encodeBack(p.back))).toEqual(p.back);
    p = previousPage(p);
    expect(p).toEqual({ after: "c1", back: [""] });
    p = previousPage(p);
    expect(p).toEqual({ after: "", back: [] });
    expect(previousPage(p)).toEqual({ after: "", back: [] });
  });
  it("survives a lost history", () => {
    expect(decodeBack("")).toEqual([]);
    expect(previousPage({ after: "c5", back: [] })).toEqual({ after: "", back: [] });
  });
});
