// Hash routes: the server serves one page, and #/... says which view it shows, so every
// view has an address that can be bookmarked and shared.

export type Route =
  | { view: "catalog"; query: string; after: string; back: string }
  | { view: "asset"; path: string; tab: string; field: string; mode: string; as: string }
  | { view: "lineage"; path: string; params: URLSearchParams }
  | { view: "access"; section: string; params: URLSearchParams }
  | { view: "tokens" }
  | { view: "login" }
  | { view: "notfound"; hash: string };

/** parseRoute reads a location hash ("#/asset/data/forecast?tab=columns"). */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const q = raw.indexOf("?");
  const pathPart = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const segs = pathPart.split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  switch (segs[0] ?? "") {
    case "":
    case "catalog":
      return { view: "catalog", query: params.get("q") ?? "", after: params.get("after") ?? "", back: params.get("back") ?? "" };
    case "asset":
      return {
        view: "asset",
        path: segs.slice(1).join("/"),
        tab: params.get("tab") ?? "overview",
        field: params.get("field") ?? "",
        mode: params.get("mode") ?? "",
        as: params.get("as") ?? "",
      };
    case "lineage":
      return { view: "lineage", path: segs.slice(1).join("/"), params };
    case "access":
      return { view: "access", section: segs[1] ?? "principals", params };
    case "tokens":
      return { view: "tokens" };
    case "login":
      return { view: "login" };
  }
  return { view: "notfound", hash: raw };
}

/** href builds the hash of a view; path segments are escaped one by one, so "/" stays. */
export function href(view: string, path = "", params: Record<string, string> = {}): string {
  const p = path ? "/" + path.split("/").map(encodeURIComponent).join("/") : "";
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "")).toString();
  return `#/${view}${p}${qs ? "?" + qs : ""}`;
}
