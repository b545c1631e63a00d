// Runs the repository's TypeScript in this thread through hooks.mjs (esbuild, no keepNames).
// `node --import ./scripts/ts-loader/register.mjs file.ts`, or imported before the first .ts
// (bin/yubin.js; a worker thread's boot code, since a thread does not inherit the hooks).
import { register } from "node:module";

// Stack traces in .ts lines and columns, from the inline maps hooks.mjs writes (as tsx does).
process.setSourceMapsEnabled(true);
register("./hooks.mjs", import.meta.url);
