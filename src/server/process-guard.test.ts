// Issue 18: after start-up, an error that escapes a request is logged and counted, not fatal.
// Run in a child process: the guard changes process-wide handlers, and the point is whether the
// process survives.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const guard = pathToFileURL(new URL("./process-guard.ts", import.meta.url).pathname).href;

function runChild(install: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { guardProcess } from ${JSON.stringify(guard)};
    const health = { uncaughtErrors: 0, loopBlocks: 0, longestBlockMs: 0 };
    const lines = [];
    const log = { error: (msg, f) => lines.push({ msg, stack: typeof f.stack, count: f.count }) };
    if (${install}) guardProcess(log, health);
    Promise.reject(new Error("nobody awaited me"));
    setTimeout(() => { throw new Error("thrown in a timer"); }, 10);
    setTimeout(() => { console.log(JSON.stringify({ health, lines })); }, 100);
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("without the guard (start-up) an unhandled rejection ends the process", () => {
  const r = runChild(false);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /nobody awaited me/);
});

test("with the guard both are logged with their stack and counted, and the process goes on", () => {
  const r = runChild(true);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { health: { uncaughtErrors: number }; lines: unknown[] };
  assert.equal(out.health.uncaughtErrors, 2);
  assert.deepEqual(out.lines, [
    { msg: "unhandled promise rejection (survived)", stack: "string", count: 1 },
    { msg: "uncaught exception (survived)", stack: "string", count: 2 },
  ]);
});
