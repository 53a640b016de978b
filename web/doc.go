// Package web will hold tagflow's console: its TypeScript source (built with Vite), the
// go:embed of the built assets, and its browser tests in headless Chromium. It serves the
// console next to the API on the same gin engine.
//
// web may import graphql, access, tags, lineage and catalog; with graphql, it is the only
// package that imports gin.
package web
