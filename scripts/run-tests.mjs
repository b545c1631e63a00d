// Runs every *.test.ts under src/ and web/src/ (the webmail's, on jsdom) with Node's own test
// runner (through tsx).
// Node 20's --test does not expand globs, so the files are listed here.
// The TAP output is passed through as it comes; every failing test's block is repeated at the end,
// because a CI log is often read from its tail only, and one failure among 3,000 passes is
// otherwise lost in the middle of it.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

// Lines kept per failing test: the "not ok" line and its YAML diagnostics (which hold its file and line).
const MAX_LINES_PER_FAILURE = 60;
const MAX_FAILURES_REPEATED = 40;

const filter = process.argv.slice(2);
let files = find("web/src", find("src", [])).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));

// Node 20 applies --test-timeout to each test file as a whole as well as to each test in it.
// It is there to end a hang, not to judge speed: the files that spawn many `yubin` processes
// (src/cli/**) take 40-70 s on a quiet 2-core machine and crossed 120 s when the machine was
// loaded (load average 20), failing a run with no fault in the product; 300 s still ends a hang.
const TEST_TIMEOUT_MS = 300_000;

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
  { stdio: ["inherit", "pipe", "inherit"] },
);

const failures = [];
let current = null; // the failure block being collected
let pending = "";

function onLine(line) {
  if (current) {
    current.lines.push(line);
    if (/^\s*\.\.\.\s*$/.test(line) || current.lines.length >= MAX_LINES_PER_FAILURE) current = null;
    return;
  }
  if (/^\s*not ok \d+ /.test(line)) {
    current = { lines: [line] };
    if (failures.length < MAX_FAILURES_REPEATED) failures.push(current);
  }
}

child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString("utf8");
  let nl = pending.indexOf("\n");
  while (nl >= 0) {
    onLine(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
    nl = pending.indexOf("\n");
  }
});

child.on("close", (code, signal) => {
  if (pending) onLine(pending);
  if (failures.length > 0) {
    process.stdout.write(`\n# ---- ${failures.length} failing test block(s), repeated from above ----\n`);
    for (const f of failures) process.stdout.write(f.lines.join("\n") + "\n");
  }
  process.exit(code ?? (signal ? 1 : 0));
});
