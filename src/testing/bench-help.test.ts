// Every `npm run bench:*` entry answers --help with its usage and exits 0 without running the
// bench (bench/args.ts): a bench that rejected the flag (ERR_PARSE_ARGS_UNKNOWN_OPTION) or ignored
// it and ran for minutes fails here. The test runner looks only under src/, so this lives here.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> })
  .scripts;
const benches = Object.entries(scripts)
  .filter(([name]) => name.startsWith("bench:"))
  .map(([name, cmd]) => ({
    name,
    file: /\bbench\/\S+\.ts\b/.exec(cmd)?.[0] ?? "",
    // The loader the script names (scripts/ts-loader), so each bench runs here as npm runs it.
    loader: /--import (\S+)/.exec(cmd)?.[1] ?? "tsx",
  }));

function help(
  file: string,
  loader: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", loader, file, "--help"],
      { timeout: 60_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (child.exitCode ?? -1) : 0, stdout, stderr }),
    );
  });
}

test("every bench:* script prints its help for --help and exits 0", { timeout: 300_000 }, async () => {
  assert.ok(benches.length >= 10, "the bench scripts were found in package.json");
  const failed: string[] = [];
  // A few at a time: each child loads much of the server's code.
  for (let i = 0; i < benches.length; i += 4) {
    await Promise.all(
      benches.slice(i, i + 4).map(async ({ name, file, loader }) => {
        assert.ok(file, `${name} names its bench file`);
        const r = await help(file, loader);
        if (r.code !== 0 || !/\busage\b|\boptions:/i.test(r.stdout))
          failed.push(`${name} (${file}): exit ${r.code}; ${(r.stderr || r.stdout).slice(0, 300)}`);
      }),
    );
  }
  assert.deepEqual(failed, []);
});
