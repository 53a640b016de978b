// GraphiQL, bundled: to be wired to the session (issue 10).
document.getElementById("graphiql")!.textContent = "GraphiQL is not built yet.";
