// GraphiQL, bundled from npm (no CDN), at /graphiql. Every query goes to POST /graphql with
// the console's session: the cookie (same origin), its CSRF header and the acting org, the
// same headers the console sends (api.ts sessionHeaders).
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import type { Fetcher } from "@graphiql/toolkit";
import "graphiql/style.css";
import { sessionHeaders } from "../api";
import "./graphiql.css";

const fetcher: Fetcher = async (params) => {
  const res = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: sessionHeaders(),
    body: JSON.stringify(params),
  });
  return res.json();
};

const defaultQuery = `# Queries run as the signed-in user of the console.
{
  me {
    principal {
      ref
    }
  }
}
`;

function SignedOut() {
  return (
    <main className="tf-graphiql-signedout">
      <h1>GraphiQL</h1>
      <p>
        You are not signed in. <a href="/#/login">Sign in to the console</a>, then come back to{" "}
        <a href="/graphiql">GraphiQL</a>: its queries run as you.
      </p>
    </main>
  );
}

/** signedIn asks the server who the session is: false when it answers 401 (no session). */
async function signedIn(): Promise<boolean> {
  try {
    const res = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: sessionHeaders(),
      body: JSON.stringify({ query: "{ me { principal { ref } } }" }),
    });
    return res.status !== 401;
  } catch {
    return true; // unreachable: let GraphiQL show the error
  }
}

const root = createRoot(document.getElementById("graphiql")!);
signedIn().then((ok) => {
  root.render(ok ? <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} /> : <SignedOut />);
});
