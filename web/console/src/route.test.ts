import { describe, expect, it } from "vitest";
import { href, parseRoute } from "./route";
import { readCookie } from "./api";

describe("routes", () => {
  it("keeps the slashes of an asset path", () => {
    expect(parseRoute("#/asset/data/forecast?tab=columns")).toEqual({ view: "asset", path: "data/forecast", tab: "columns", field: "", mode: "", as: "" });
    expect(href("asset", "jane@acme/weather", { tab: "columns" })).toBe("#/asset/jane%40acme/weather?tab=columns");
    expect(parseRoute(href("asset", "jane@acme/weather"))).toEqual({ view: "asset", path: "jane@acme/weather", tab: "overview", field: "", mode: "", as: "" });
  });
  it("keeps a view's parameters", () => {
    expect(parseRoute("#/asset/User?tab=columns&mode=WRITE_DATA&as=user%3Ajane%40acme")).toEqual({
      view: "asset", path: "User", tab: "columns", field: "", mode: "WRITE_DATA", as: "user:jane@acme",
    });
    expect(parseRoute(href("", "", { q: "tag:PII city", after: "c2", back: "-,c1" }))).toEqual({ view: "catalog", query: "tag:PII city", after: "c2", back: "-,c1" });
  });
  it("defaults to the catalog and names what it does not know", () => {
    expect(parseRoute("")).toEqual({ view: "catalog", query: "", after: "", back: "" });
    expect(parseRoute("#/nope")).toEqual({ view: "notfound", hash: "/nope" });
  });
});

describe("readCookie", () => {
  it("finds one cookie among several", () => {
    expect(readCookie("a=1; tagflow_csrf=abc%3D; b=2", "tagflow_csrf")).toBe("abc=");
    expect(readCookie("a=1", "tagflow_csrf")).toBe("");
  });
});
