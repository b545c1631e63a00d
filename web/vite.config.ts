// Built at install time (`npm run build:web`, run by `prepare`) into web/dist, which the server
// serves (src/webmail/assets.ts). Preact's JSX through esbuild's automatic runtime: no Babel.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    // Everything is a file of our origin: the CSP allows no inline script or data: script.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
