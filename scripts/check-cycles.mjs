// Fails when the modules under src/ or web/src/ import each other in a cycle, or when a library
// imports a feature (the LAYERS table below) (npm run lint:cycles).
// Only imports that exist at run time count: `import type`, `export type` and imports whose every
// named specifier is `type` are left out, because both tsconfigs set verbatimModuleSyntax, under
// which what is not marked `type` is exactly what stays in the emitted module. (An import whose
// specifiers are all inline `type` still loads its module, `import {} from`, so it counts.)
// Dynamic import() is left out too: it runs after every static import is evaluated, so it cannot
// see a half-initialised module. Why a cycle matters: a module in one can run before the module it
// imports has finished evaluating (TDZ errors, undefined values depending on which file is loaded
// first), and a cycle means the layers are tangled (a library importing its features).
// Our own script on the TypeScript parser rather than dpdm/madge: a syntax-only pass over ~1,000
// files takes about a second, resolves our `.js`-suffixed imports of `.ts` files without a tsconfig
// resolver, and needs no dependency beyond the compiler we already have.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

// --types: count type-only imports too (to see how tangled the types are; not a failure in npm test).
const withTypes = process.argv.includes("--types");
const args = process.argv.slice(2).filter((a) => a !== "--types");
const roots = args.length > 0 ? args : ["src", "web/src"];
const MAX_REPORTED = 50;

function listFiles(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules") listFiles(p, out);
    } else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(resolve(p));
  }
  return out;
}

/** A relative specifier to the file it names, or null (a package, or a file that is not ours). */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(m?js|jsx)$/, "");
  for (const c of [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    join(base, "index.ts"),
    join(base, "index.tsx"),
  ]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** The imports of one file (static imports and re-exports); `typeOnly` when erased at run time. */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      if (!ts.isStringLiteral(st.moduleSpecifier)) continue;
      out.push({ spec: st.moduleSpecifier.text, typeOnly: st.importClause?.isTypeOnly === true });
    } else if (ts.isExportDeclaration(st)) {
      if (!st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      // `export { type A } from` is erased whole (re-exports carry no side-effect import).
      const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : null;
      const allTypes = named !== null && named.length > 0 && named.every((e) => e.isTypeOnly);
      out.push({ spec: st.moduleSpecifier.text, typeOnly: st.isTypeOnly || allTypes });
    } else if (ts.isImportEqualsDeclaration(st)) {
      const ref = st.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression))
        out.push({ spec: ref.expression.text, typeOnly: st.isTypeOnly });
    }
  }
  return out;
}

const files = roots.flatMap((r) => (existsSync(r) ? listFiles(r, []) : []));
const graph = new Map(); // run-time imports only
const allImports = new Map(); // type-only ones too, for the layering rules
for (const f of files) {
  const deps = new Set();
  const all = new Set();
  for (const { spec, typeOnly } of importsOf(f)) {
    const target = resolveSpecifier(f, spec);
    if (!target) continue;
    all.add(target);
    if (!typeOnly || withTypes) deps.add(target);
  }
  graph.set(f, [...deps].sort());
  allImports.set(f, [...all].sort());
}

// Layering: libraries never import features, type-only imports included (a library that names a
// feature's types is tied to it all the same). Tests and test helpers may import anything.
const LAYERS = [
  {
    files: "src/http/",
    forbidden: ["src/app/", "src/admin/", "src/jmap/", "src/webmail/", "src/autoconfig/"],
    why: "src/http is a library: the composition root (src/app/web.ts) registers features on it",
  },
  {
    files: "src/server/",
    forbidden: [
      "src/app/",
      "src/http/",
      "src/smtp/",
      "src/pop3/",
      "src/imap/",
      "src/jmap/",
      "src/webmail/",
      "src/admin/",
    ],
    why: "src/server is the plumbing every listener shares; which listener serves what is src/app's",
  },
  {
    files: /^src\/(?!app\/|cli\/|testing\/)/,
    forbidden: ["src/app/"],
    why: "only the entry points (src/cli, src/testing) use the composition root",
  },
  {
    files: /^src\/(?!cli\/)[a-z0-9-]+\/([a-z0-9-]+-)?config\.ts$/,
    allowedOnly: ["src/config/dsl.ts"],
    // A syntax checker that imports nothing of ours (e.g. dnsbl/zone-spec.ts) keeps the section a
    // leaf: it validates a value at load without pulling in the feature.
    allowLeaves: true,
    why: "a config section is a leaf: src/config/schema.ts composes it, so it may import only the dsl and modules that import nothing of ours",
  },
];
const isTestFile = (f) => /\.test\.ts$|(^|\/)test-[a-z-]+\.ts$|\/testing\//.test(f);
const layerErrors = [];
for (const [file, deps] of allImports) {
  const from = relative(process.cwd(), file);
  if (isTestFile(from)) continue;
  for (const rule of LAYERS) {
    const applies = typeof rule.files === "string" ? from.startsWith(rule.files) : rule.files.test(from);
    if (!applies) continue;
    for (const dep of deps) {
      const to = relative(process.cwd(), dep);
      const isLeaf = (allImports.get(dep) ?? []).length === 0;
      const bad = rule.allowedOnly
        ? !rule.allowedOnly.includes(to) && !(rule.allowLeaves && isLeaf)
        : rule.forbidden.some((prefix) => to.startsWith(prefix));
      if (bad) layerErrors.push(`  ${from} imports ${to}: ${rule.why}`);
    }
  }
}

// Tarjan's strongly connected components, iterative (no recursion depth limit on long chains).
const index = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const components = [];
let counter = 0;
for (const start of graph.keys()) {
  if (index.has(start)) continue;
  const work = [{ node: start, next: 0 }];
  index.set(start, counter);
  low.set(start, counter);
  counter++;
  stack.push(start);
  onStack.add(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const deps = graph.get(frame.node) ?? [];
    if (frame.next < deps.length) {
      const dep = deps[frame.next++];
      if (!graph.has(dep)) continue;
      if (!index.has(dep)) {
        index.set(dep, counter);
        low.set(dep, counter);
        counter++;
        stack.push(dep);
        onStack.add(dep);
        work.push({ node: dep, next: 0 });
      } else if (onStack.has(dep)) {
        low.set(frame.node, Math.min(low.get(frame.node), index.get(dep)));
      }
      continue;
    }
    work.pop();
    const parent = work[work.length - 1];
    if (parent) low.set(parent.node, Math.min(low.get(parent.node), low.get(frame.node)));
    if (low.get(frame.node) === index.get(frame.node)) {
      const comp = [];
      let n;
      do {
        n = stack.pop();
        onStack.delete(n);
        comp.push(n);
      } while (n !== frame.node);
      const selfLoop = comp.length === 1 && (graph.get(comp[0]) ?? []).includes(comp[0]);
      if (comp.length > 1 || selfLoop) components.push(comp.sort());
    }
  }
}

/** One shortest cycle through the component's first file (breadth-first inside the component). */
function exampleCycle(comp) {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    for (const d of graph.get(n) ?? []) {
      if (!inComp.has(d)) continue;
      if (d === start) {
        const path = [start];
        for (let m = n; m !== null && m !== start; m = prev.get(m)) path.splice(1, 0, m);
        return [...path, start];
      }
      if (!prev.has(d)) {
        prev.set(d, n);
        queue.push(d);
      }
    }
  }
  return [start];
}

const rel = (f) => relative(process.cwd(), f);
if (layerErrors.length > 0) {
  console.error(`check-cycles: ${layerErrors.length} import(s) against the layering rules:`);
  for (const e of layerErrors.slice(0, MAX_REPORTED)) console.error(e);
}
if (components.length === 0) {
  if (layerErrors.length > 0) process.exit(1);
  console.log(
    `check-cycles: ${files.length} files, no import cycle${withTypes ? "" : " (type-only imports excluded)"}, layers kept`,
  );
  process.exit(0);
}
console.error(`check-cycles: ${components.length} import cycle(s) among ${files.length} files:`);
for (const comp of components.slice(0, MAX_REPORTED)) {
  console.error(`\n  ${comp.length} files: ${comp.map(rel).join(", ")}`);
  console.error(`  e.g. ${exampleCycle(comp).map(rel).join(" -> ")}`);
}
console.error(
  "\nBreak each one: move the shared piece down into a module both can import, make the import " +
    "`import type` if only types are used, or pass the dependency in from the composition root (src/app/).",
);
process.exit(1);
