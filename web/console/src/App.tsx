// The shell: sign-in, then the header (org, branch, who am I, sign out), the navigation and
// the view the hash route names. Heavy views (lineage graph, access admin) load on demand,
// so the first page ships little JavaScript.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, actingOrg, gql, logout, setActingOrg, setSignedOutHandler } from "./api";
import { ErrorBox, Loading } from "./components/state";
import { parseRoute, type Route } from "./route";
import { SessionContext, type SessionState } from "./session";
import { LoginView } from "./views/Login";
import CatalogView from "./views/Catalog";
import AssetView from "./views/Asset";
import TokensView from "./views/Tokens";

const LineageView = lazy(() => import("./lineage/LineageView"));
const AccessView = lazy(() => import("./admin/AccessView"));

const BRANCH_KEY = "tagflow.branch";

interface Who {
  me: { principal: { ref: string; name: string }; org: string };
  orgs: string[];
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const f = () => setHash(location.hash);
    addEventListener("hashchange", f);
    return () => removeEventListener("hashchange", f);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

export function App() {
  const route = useRoute();
  const [who, setWho] = useState<Who | null>(null);
  const [state, setState] = useState<"loading" | "signedOut" | "in" | "error">("loading");
  const [error, setError] = useState<unknown>();
  const [branch, setBranchState] = useState(localStorage.getItem(BRANCH_KEY) ?? "main");

  const loadWho = useCallback(async () => {
    setState("loading");
    try {
      const w = await gql<Who>("query Who { me { principal { ref name } org } orgs }");
      setWho(w);
      setState("in");
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setState("signedOut");
      } else if (e instanceof ApiError && e.code === "FORBIDDEN" && actingOrg()) {
        setActingOrg(""); // the remembered org is no longer the user's: act in the home org
        void loadWho();
      } else {
        setError(e);
        setState("error");
      }
    }
  }, []);

  useEffect(() => {
    setSignedOutHandler(() => setState("signedOut"));
    void loadWho();
  }, [loadWho]);

  const session: SessionState | null = who && {
    principal: who.me.principal.ref,
    name: who.me.principal.name,
    org: who.me.org,
    orgs: who.orgs,
    branch,
    setBranch: (b: string) => {
      localStorage.setItem(BRANCH_KEY, b);
      setBranchState(b);
    },
    setOrg: (o: string) => {
      setActingOrg(o);
      localStorage.setItem(BRANCH_KEY, "main");
      setBranchState("main");
      void loadWho();
    },
    signOut: () => {
      void logout().finally(() => {
        setActingOrg("");
        setWho(null);
        setState("signedOut");
      });
    },
  };

  if (state === "loading") return <Loading what="your session" />;
  if (state === "error") return <ErrorBox error={error} onRetry={loadWho} />;
  if (state === "signedOut" || !session) return <LoginView onSignedIn={loadWho} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell route={route} />
    </SessionContext.Provider>
  );
}

function Shell({ route }: { route: Route }) {
  return (
    <div className="shell">
      <Header />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the view" />}>
          <RouteView route={route} />
        </Suspense>
      </main>
    </div>
  );
}

function RouteView({ route }: { route: Route }) {
  switch (route.view) {
    case "catalog":
    case "login":
      return route.view === "catalog" ? <CatalogView route={route} /> : <CatalogView route={{ view: "catalog", query: "", after: "", back: "" }} />;
    case "asset":
      return <AssetView key={route.path} route={route} />;
    case "lineage":
      return <LineageView path={route.path} params={route.params} />;
    case "access":
      return <AccessView section={route.section} params={route.params} />;
    case "tokens":
      return <TokensView />;
    case "notfound":
      return <div className="state error">No view at #{route.hash}.</div>;
  }
}

import { Header } from "./components/Header";
