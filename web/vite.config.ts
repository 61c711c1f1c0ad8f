import { defineConfig } from "vite";

// The API is served on the same origin under /api: in production CloudFront sends /api/* to the
// HTTP API; locally the dev and preview servers proxy it to the local API (API_URL), so the
// browser never needs CORS.
const api = process.env.API_URL ?? "http://127.0.0.1:9000";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  server: { host: "127.0.0.1", proxy: { "/api": { target: api, changeOrigin: true } } },
  preview: { host: "127.0.0.1", proxy: { "/api": { target: api, changeOrigin: true } } },
  build: { target: "es2022", sourcemap: false },
});
