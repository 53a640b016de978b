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
      // GraphiQL's dependencies mark their modules "use client" (React Server Components);
      // bundled for the browser the directive means nothing, so it is not worth a warning.
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
