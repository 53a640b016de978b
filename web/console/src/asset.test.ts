import { describe, expect, it } from "vitest";
import { addDecl, parseDecl, parentOf, removeDecl, renderDefinition, sameDecls, yamlScalar, type AssetData } from "./asset";

const forecast: AssetData = {
  __typename: "Dataset",
  path: "data/forecast",
  kind: "DATASET",
  tags: [],
  cancels: [],
  owner: "team:data",
  description: "The data team's shared forecast, computed from Jane's observations.",
  declaredTags: [],
  stewardTags: [],
  fields: [
    { name: "station", path: "data/forecast.station", type: "str", key: true, tags: [], cancels: [], description: null, declaredTags: [], stewardTags: [] },
    { name: "temp_max", path: "data/forecast.temp_max", type: "float", key: false, tags: ["PII"], cancels: [], description: null, declaredTags: ["~PII"], stewardTags: [] },
  ],
  pipeline: { inputs: ["jane@acme/weather"], columns: [{ field: "station", from: ["jane@acme/weather.station"] }], description: null },
};

describe("renderDefinition", () => {
  it("writes a dataset like the definitions document", () => {
    expect(renderDefinition(forecast)).toBe(
      [
        "datasets:",
        "  - name: data/forecast",
        "    description: The data team's shared forecast, computed from Jane's observations.",
        "    owner: team:data",
        "    fields:",
        "      - {name: station, type: str, key: true}",
        '      - {name: temp_max, type: float, tags: ["~PII"]}',
        "    pipeline:",
        "      inputs: [jane@acme/weather]",
        "      columns: {station: [jane@acme/weather.station]}",
        "",
      ].join("\n"),
    );
  });
  it("writes a featureset with its features' sources", () => {
    const fs: AssetData = {
      __typename: "Featureset", path: "UserFeatures", kind: "FEATURESET", tags: [], cancels: [], owner: null, description: null,
      declaredTags: ["PII"], stewardTags: ["gdpr"],
      features: [{ name: "city", path: "UserFeatures.city", type: "list[str]", tags: [], cancels: [], description: "a: b", declaredTags: [], stewardTags: [], from: ["User.city"] }],
    };
    expect(renderDefinition(fs)).toBe('featuresets:\n  - name: UserFeatures\n    tags: [PII]\n    features:\n      - {name: city, type: "list[str]", from: [User.city], description: "a: b"}\n');
  });
  it("quotes what YAML would read otherwise", () => {
    expect(yamlScalar("~PII")).toBe('"~PII"');
    expect(yamlScalar("true")).toBe('"true"');
    expect(yamlScalar("12")).toBe('"12"');
    expect(yamlScalar("JHUAPL/Mouse 17/EM", false)).toBe("JHUAPL/Mouse 17/EM");
    expect(yamlScalar("a, b", true)).toBe('"a, b"');
    expect(yamlScalar("a, b", false)).toBe("a, b");
    expect(yamlScalar("x # y", false)).toBe('"x # y"');
  });
});

describe("steward declarations", () => {
  it("adds, replaces the other sign, removes", () => {
    let d = addDecl([], "PII");
    d = addDecl(d, "gdpr");
    d = addDecl(d, "PII");
    expect(d).toEqual(["gdpr", "PII"].sort((a, b) => (a < b ? -1 : 1)));
    d = addDecl(d, "~PII");
    expect(d).toContain("~PII");
    expect(d).not.toContain("PII");
    expect(removeDecl(d, "~PII")).toEqual(["gdpr"]);
    expect(sameDecls(["a", "~b"], ["~b", "a"])).toBe(true);
    expect(sameDecls(["a"], ["~a"])).toBe(false);
  });
  it("parses what the steward typed", () => {
    expect(parseDecl(" ~PII ")).toEqual({ decl: "~PII" });
    expect("error" in parseDecl("")).toBe(true);
    expect("error" in parseDecl("~")).toBe(true);
    expect("error" in parseDecl("a b")).toBe(true);
  });
  it("finds a field's dataset", () => {
    expect(parentOf({ ...forecast, __typename: "Field", dataset: "data/forecast", name: "day" })).toEqual({ path: "data/forecast", member: "day" });
    expect(parentOf(forecast)).toBeNull();
  });
});
