// Module hooks (Node's module.register(), run on the loader thread) that let Node run this
// repository's TypeScript without a build step: each .ts file is transformed by esbuild on load.
// Ours rather than tsx's because tsx transforms with keepNames (not configurable), which wraps
// every function and class definition in a __name(fn, "name") call: an Object.defineProperty for
// each closure made at run time, 13 per SMTP message (docs/ARCHITECTURE.md, SMTP cost). V8 names
// a function from its binding already (`const f = () => {}` has f.name "f"), which is all this
// code relies on.
//
// Resolution follows tsc's NodeNext for this repository: a relative "./x.js" that does not exist
// is the "./x.ts" beside it; a ".ts" specifier is loaded as it is; "./x" (web/src's bundler
// style) is x.ts or x/index.ts; anything else is Node's.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { version as esbuildVersion, transform } from "esbuild";

/** The compiler options esbuild honours (target, useDefineForClassFields, verbatimModuleSyntax…),
 *  read from the repository's tsconfig.json so the emitted JavaScript means what tsc checked. */
function compilerOptions() {
  try {
    const raw = JSON.parse(readFileSync(new URL("../../tsconfig.json", import.meta.url), "utf8"));
    return raw.compilerOptions ?? {};
  } catch {
    // A tsconfig.json that is not plain JSON (comments): esbuild's defaults, verbatim imports.
    return { target: "ES2022", verbatimModuleSyntax: true };
  }
}

const OPTIONS = Object.freeze({
  format: "esm",
  loader: "ts",
  target: `node${process.versions.node}`,
  // Inline, so the map travels with the source Node compiles; read by Node once source maps are on
  // (register.mjs). Without the sources' text: Node reads the .ts itself when it shows a line.
  sourcemap: "inline",
  sourcesContent: false,
  tsconfigRaw: { compilerOptions: compilerOptions() },
});

// Transformed files are kept on disk, keyed by a hash of everything that decides the output
// (esbuild's version, the options, the file's URL and text): without it every start pays esbuild
// for each file again (`yubin serve`: ~0.5 s more CPU, scripts/ts-loader/startup.mjs). Beside the
// dependencies, not in the shared temp directory, where another user could plant an entry.
// YUBIN_TS_CACHE=0 turns it off. A directory grown past MAX_ENTRIES (old versions of edited
// files) is emptied at start.
const MAX_ENTRIES = 5000;
const CACHE_DIR = process.env.YUBIN_TS_CACHE === "0" ? null : openCache();
const OPTIONS_KEY = `${esbuildVersion}\0${JSON.stringify(OPTIONS)}`;

function openCache() {
  const dir = fileURLToPath(new URL("../../node_modules/.cache/yubin-ts-loader/", import.meta.url));
  try {
    if (readdirSync(dir).length > MAX_ENTRIES) rmSync(dir, { recursive: true, force: true });
  } catch {
    // not there yet
  }
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return null; // a read-only tree: transform every time
  }
}

async function cached(key) {
  if (!CACHE_DIR) return null;
  try {
    return await readFile(`${CACHE_DIR}${key}.js`, "utf8");
  } catch {
    return null;
  }
}

async function store(key, code) {
  if (!CACHE_DIR) return;
  // Written whole under a name of its own, then renamed: a concurrent start reads the old
  // entry or the new one, never half of one.
  const tmp = `${CACHE_DIR}${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, code);
    await rename(tmp, `${CACHE_DIR}${key}.js`);
  } catch {
    rmSync(tmp, { force: true });
  }
}

function isFile(path) {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/** The path part of a URL, without its query or fragment. */
function withoutQuery(url) {
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

// A relative specifier whose last segment has no extension, as web/src writes them (its tsconfig
// resolves like a bundler; the fuzz target web/src/testing/sanitize.fuzz.ts and its imports run
// under Node too): the .ts file, or the folder's index.ts. Node alone would refuse it anyway.
const BARE_NAME = /\/[^/.]+$/;

function isRelative(specifier) {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.startsWith("file:") && isRelative(specifier)) {
    if (specifier.endsWith(".js")) {
      const js = new URL(specifier, parent);
      if (!isFile(fileURLToPath(js))) {
        const ts = new URL(`${js.href.slice(0, -3)}.ts`);
        if (isFile(fileURLToPath(ts))) return { url: ts.href, format: "module", shortCircuit: true };
      }
    } else if (BARE_NAME.test(specifier)) {
      const base = new URL(specifier, parent).href;
      for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
        if (isFile(fileURLToPath(candidate))) return { url: candidate, format: "module", shortCircuit: true };
      }
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !withoutQuery(url).endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, "utf8");
  const file = withoutQuery(url);
  const key = createHash("sha256").update(`${OPTIONS_KEY}\0${file}\0${source}`).digest("hex");
  const hit = await cached(key);
  if (hit !== null) return { format: "module", source: hit, shortCircuit: true };
  // sourcefile is the map's one source: the file's URL, so a stack frame names the .ts file.
  const out = await transform(source, { ...OPTIONS, sourcefile: file });
  await store(key, out.code);
  return { format: "module", source: out.code, shortCircuit: true };
}
