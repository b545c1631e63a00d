// npm run conformance:sieve -- --suite /path/to/pigeonhole [--only <path prefix>] [--verbose] [--markdown]
// Runs Dovecot Pigeonhole's test suite (github.com/dovecot/pigeonhole, tests/) through Yubin's
// Sieve interpreter and prints, per group (the base language and each extension), the number of
// test files and how many pass, then the failing files with their first failure. The suite is
// read from --suite or YUBIN_PIGEONHOLE; it is never part of this repository.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { supportedExtensions } from "../index.js";
import { type FileOutcome, formatMarkdown, formatReport } from "./report.js";
import { runSuiteFile } from "./runner.js";
import { listSuite } from "./suite.js";

function arg(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

/** The suite's commit, when it is a git checkout (for the record in docs/rfc-status.md). */
function commitOf(root: string): string | null {
  try {
    return execFileSync("git", ["-C", root, "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const root = arg("--suite") ?? process.env.YUBIN_PIGEONHOLE ?? null;
  if (root === null) {
    process.stderr.write(
      "usage: npm run conformance:sieve -- --suite /path/to/pigeonhole (or YUBIN_PIGEONHOLE)\n",
    );
    return 2;
  }
  if (!existsSync(join(root, "tests"))) {
    process.stderr.write(
      `${root} has no tests/ folder: expected a checkout of github.com/dovecot/pigeonhole\n`,
    );
    return 2;
  }
  const only = arg("--only");
  const verbose = process.argv.includes("--verbose");
  const files = listSuite(root).filter((f) => only === null || f.rel.startsWith(only));
  const outcomes: FileOutcome[] = [];
  const started = performance.now();
  for (const f of files) {
    const o = await runSuiteFile(f);
    outcomes.push(o);
    if (verbose) process.stderr.write(`${o.status.padEnd(5)}${f.rel}${o.detail ? `: ${o.detail}` : ""}\n`);
  }
  const commit = commitOf(root);
  process.stdout.write(`Pigeonhole test suite at ${root}${commit ? ` (commit ${commit})` : ""}\n`);
  process.stdout.write(`${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s\n\n`);
  const markdown = process.argv.includes("--markdown");
  process.stdout.write(`${(markdown ? formatMarkdown : formatReport)(outcomes, supportedExtensions)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
