import { defineConfig } from "vitest/config";

// The console and GraphiQL are built into ../dist, which the Go binary embeds (web/embed.go).
// Hashed file names under assets/ are served as immutable; the two HTML pages are not cached.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { index: "index.html", graphiql: "graphiql.html" },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
