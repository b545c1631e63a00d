// The compiled-script cache (LRU by text, bounded) and the global script files (re-read when
// their mtime or size changes; names that could leave the directory name nothing).
import assert from "node:assert/strict";
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CompiledCache, globalDirOf, globalScriptPath, WatchedFiles } from "./sieve-scripts.js";

test("the cache keeps at most `entries` scripts, least recently used out first", () => {
  const c = new CompiledCache(2, 65536);
  const a = c.get("keep;");
  assert.ok(a.ok);
  assert.equal(c.get("keep;"), a, "a hit is the same compiled script");
  c.get("discard;");
  c.get("keep;"); // a is now the most recently used
  c.get("stop;"); // evicts "discard;"
  assert.equal(c.size, 2);
  assert.equal(c.get("keep;"), a);
});

test("a script that does not compile is cached as the error, with line and column", () => {
  const c = new CompiledCache(10, 65536);
  const r = c.get("keep;\nif true {");
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(r.error.diagnostics.every((d) => d.line >= 1 && d.column >= 1));
  const big = new CompiledCache(10, 1024).get(`# ${"x".repeat(2000)}\nkeep;`);
  assert.equal(big.ok, false);
});

test("no cache with 0 entries", () => {
  const c = new CompiledCache(0, 65536);
  c.get("keep;");
  assert.equal(c.size, 0);
});

test("global files: read once, again after a change, null when gone", async () => {
  const dir = await mkdtemp(join(tmpdir(), "yubin-sieve-files-"));
  try {
    const f = new WatchedFiles();
    const p = join(dir, "before.sieve");
    assert.equal(await f.read(p), null);
    await writeFile(p, "keep;");
    assert.equal(await f.read(p), "keep;");
    await writeFile(p, "discard;");
    // A different size is enough; set the mtime forward as well for file systems with coarse times.
    await utimes(p, new Date(), new Date(Date.now() + 5000));
    assert.equal(await f.read(p), "discard;");
    await rm(p);
    assert.equal(await f.read(p), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("include :global names: no separators, no dot files", () => {
  assert.equal(globalScriptPath("/g", "spam"), "/g/spam.sieve");
  for (const bad of ["", "../x", "a/b", "a\\b", ".hidden", "x\0y", "y".repeat(200)])
    assert.equal(globalScriptPath("/g", bad), null, bad);
  assert.equal(globalDirOf("", "/data"), "/data/sieve-global");
  assert.equal(globalDirOf("rules", "/data"), "/data/rules");
  assert.equal(globalDirOf("/etc/sieve", "/data"), "/etc/sieve");
});
