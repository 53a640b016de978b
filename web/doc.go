// Package web holds tagflow's console: its TypeScript source in console/ (built with Vite
// into dist/, which is committed), the go:embed of the built assets, and the browser tests
// that drive a real headless Chromium against a real `tagflow serve --demo`.
//
// The console talks only GraphQL (POST /graphql) and the sign-in endpoints (/auth/login,
// /auth/logout) to the same API as every other client. cmd/tagflow hands Assets to the
// graphql server, which serves them: web imports none of tagflow's packages.
package web
