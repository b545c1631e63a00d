#!/usr/bin/env node
// Entry point of the `yubin` command: runs the TypeScript sources through our own loader
// (scripts/ts-loader: esbuild, without tsx's keepNames), so a fresh clone needs no build step
// before `npm start`.
import "../scripts/ts-loader/register.mjs";

await import("../src/cli/main.ts");
