// The TypeScript loader the `yubin` command, the benches and worker threads run under
// (scripts/ts-loader: esbuild without keepNames). Each check runs a real Node child or thread
// with only our loader, not the tsx the test runner itself is started with.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const root = resolve(import.meta.dirname, "../..");
const register = join(root, "scripts/ts-loader/register.mjs");
const hooks = pathToFileURL(join(root, "scripts/ts-loader/hooks.mjs")).href;
const dir = mkdtempSync(join(tmpdir(), "yubin-ts-loader-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// A fixture whose JavaScript lines differ from its TypeScript lines (the interface and the type
// alias go), so a stack frame on the right .ts line proves the source map is read.
writeFileSync(
  join(dir, "main.ts"),
  [
    'import { twice } from "./helper.js";', // 1: helper.ts, there is no helper.js
    'import { plain } from "./plain.js";', // 2: plain.js exists, and wins over plain.ts
    "interface Shape {",
    "  side: number;",
    "}",
    "type Id = string;",
    "const named = (s: Shape): number => s.side;",
    "class Klass {}",
    "function make(): () => Id {",
    '  return () => "x";',
    "}",
    "console.log(JSON.stringify({ named: named.name, klass: Klass.name, inner: make().name,",
    "  twice: twice(21), plain, area: named({ side: 3 }) }));",
    'throw new Error("fixture-boom");', // 14
    "",
  ].join("\n"),
);
writeFileSync(join(dir, "helper.ts"), "export const twice = (n: number): number => n * 2;\n");
writeFileSync(join(dir, "plain.js"), 'export const plain = "js";\n');
writeFileSync(join(dir, "plain.ts"), 'export const plain: string = "ts";\n');

function node(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("a .ts file runs under the loader: names kept, ./x.js is x.ts unless x.js exists, stack on the .ts line", () => {
  // Without the cache, then twice with it (a miss that fills it, then a hit): the same output.
  for (const cache of ["0", "1", "1"]) {
    const r = node(["--import", register, join(dir, "main.ts")], { YUBIN_TS_CACHE: cache });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      named: "named",
      klass: "Klass",
      inner: "",
      twice: 42,
      plain: "js",
      area: 3,
    });
    assert.match(r.stderr, /Error: fixture-boom/);
    assert.match(r.stderr, new RegExp(`${join(dir, "main.ts").replaceAll(".", "\\.")}:14:7`), r.stderr);
  }
});

test("the transformed source has no __name( wrappers and carries an inline source map", () => {
  // A real source file with named closures (esbuild's keepNames would wrap each).
  const file = pathToFileURL(join(root, "src/cli/main.ts")).href;
  const script = `const { load } = await import(${JSON.stringify(hooks)});
const r = await load(${JSON.stringify(file)}, { format: "module" }, () => { throw new Error("not ours"); });
process.stdout.write(JSON.stringify(r));`;
  const r = node(["--input-type=module", "-e", script]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { format: string; source: string };
  assert.equal(out.format, "module");
  assert.ok(out.source.includes("serveCommand"), "the file's code is there");
  assert.ok(!out.source.includes("__name("), "no keepNames wrapper");
  assert.match(out.source, /\/\/# sourceMappingURL=data:application\/json;base64,/);
});

test("`yubin --help` runs the sources through bin/yubin.js", () => {
  const r = node([join(root, "bin/yubin.js"), "--help"]);
  assert.match(r.stdout + r.stderr, /usage: yubin \[--config PATH\] COMMAND/);
});

test("a worker thread without inherited flags loads .ts once it imports the loader (and bundler-style ./x)", async () => {
  writeFileSync(
    join(dir, "thread.ts"),
    [
      'import { parentPort } from "node:worker_threads";',
      // web/src's bundler style: "./x" is x.ts, "./dir" is dir/index.ts.
      'import { twice } from "./helper";',
      'import { inner } from "./sub";',
      "const f = (): number => twice(2);",
      'parentPort?.postMessage(f.name + ":" + f() + ":" + inner);',
      "",
    ].join("\n"),
  );
  mkdirSync(join(dir, "sub"), { recursive: true });
  writeFileSync(join(dir, "sub/index.ts"), 'export const inner: string = "index";\n');
  const boot = `import(${JSON.stringify(pathToFileURL(register).href)}).then(() => import(${JSON.stringify(pathToFileURL(join(dir, "thread.ts")).href)}));`;
  // execArgv [] so that the runner's own --import tsx is not what loads the file.
  const w = new Worker(boot, { eval: true, execArgv: [] });
  const message = await new Promise<unknown>((res, rej) => {
    w.once("message", res);
    w.once("error", rej);
  });
  await w.terminate();
  assert.equal(message, "f:4:index");
});
