// The Pigeonhole test suite on disk: its .svtest files (tests/**), in a stable order, with their
// text. Dovecot's Makefile generates tests/test-address.svtest from test-address.svtest.in; the
// lines marked "#UTF8#" check that a non-ASCII address is invalid, and Pigeonhole's commit
// d6a78f68 ("Selectively disable UTF-8 failure test with mail UTF-8 support") drops them where
// the mail storage handles UTF-8 (RFC 6532), as Yubin's does; the runner drops them too.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface SuiteFile {
  /** Path relative to tests/, "/" separated (the key in the table). */
  rel: string;
  /** Absolute path of the file as it is (the .in file for generated ones). */
  path: string;
  /** The directory the file's relative paths (test_script_compile, include) start from. */
  dir: string;
  /** The suite's root (the checkout): the farthest up a file may name scripts. */
  root: string;
  text: string;
}

/** At most this many files and directories are walked (the suite has about 150 files). */
const MAX_ENTRIES = 10_000;

function walk(dir: string, out: string[], budget: { left: number }): void {
  for (const name of readdirSync(dir).sort()) {
    if (--budget.left < 0) throw new Error(`more than ${MAX_ENTRIES} entries under the suite's tests/`);
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out, budget);
    else if (name.endsWith(".svtest") || name.endsWith(".svtest.in")) out.push(p);
  }
}

/** The test files of the suite at `root` (a Pigeonhole checkout: it has tests/). */
export function listSuite(root: string): SuiteFile[] {
  const testsDir = join(root, "tests");
  if (!existsSync(testsDir))
    throw new Error(`${root} has no tests/ directory (expected a Pigeonhole checkout)`);
  const paths: string[] = [];
  walk(testsDir, paths, { left: MAX_ENTRIES });
  const have = new Set(paths);
  const out: SuiteFile[] = [];
  for (const path of paths) {
    let rel = relative(testsDir, path).split("\\").join("/");
    let text = readFileSync(path, "utf8");
    if (path.endsWith(".in")) {
      if (have.has(path.slice(0, -3))) continue; // generated already
      rel = rel.slice(0, -3);
      text = text
        .split("\n")
        .map((l) => (l.startsWith("#UTF8#") ? "" : l))
        .join("\n");
    }
    out.push({ rel, path, dir: join(path, ".."), root, text });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
