// `yubin serve --workers 2` starting: a worker that cannot start ends the start, and a worker
// started again never sweeps the body files the supervisor owns (split from workers.test.ts to
// keep each file well inside the runner's 300 s on a loaded machine; helpers in test-workers.ts).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type ServerProcess, startServerProcess } from "../testing/process.js";
import { dataDirWith, lines, START_MS, startTwoWorkers, waitFor } from "./test-workers.js";

describe("serve --workers 2: starts", () => {
  test("a worker that cannot start ends the start: exit 1, said in the log", {
    timeout: 120_000,
  }, async () => {
    const { dataDir } = await dataDirWith([]);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    try {
      const port = (taken.address() as { port: number }).port;
      await assert.rejects(
        startServerProcess({
          dataDir,
          keepData: true,
          args: ["--workers", "2"],
          listeners: [{ protocol: "smtp", tls: "none", port }],
          timeoutMs: START_MS,
        }),
        (e: Error) => {
          assert.match(e.message, /^server exited with 1:/);
          assert.match(e.message, /"msg":"a worker failed to start; stopping all"/);
          assert.match(e.message, /EADDRINUSE/);
          return true;
        },
      );
    } finally {
      await new Promise((r) => taken.close(r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("the supervisor owns the data directory: a worker started again never sweeps body files", {
    timeout: 120_000,
  }, async () => {
    const { dataDir } = await dataDirWith([]);
    // Another live owner at the start (as a running `yubin import` would be), gone afterwards.
    const other = spawn("sleep", ["600"], { stdio: "ignore" });
    let proc: ServerProcess | null = null;
    try {
      await writeFile(join(dataDir, "store.pid"), `${other.pid}\n`);
      proc = await startTwoWorkers(dataDir, {
        listeners: [],
      });
      const p = proc;
      assert.equal((await readFile(join(dataDir, "store.pid"), "utf8")).trim(), String(p.pid));
      other.kill("SIGKILL");
      // A body file not (yet) in the database, as one another worker is writing before its commit.
      await mkdir(join(dataDir, "blobs", "ab"), { recursive: true });
      const pending = join(dataDir, "blobs", "ab", "ab".padEnd(64, "0"));
      await writeFile(pending, "a large body being stored");
      const pid1 = lines(p, "worker ready").find((l) => l.worker === 1)!.pid as number;
      process.kill(pid1, "SIGKILL");
      await waitFor("the replacement", () => lines(p, "worker ready").length === 3);
      assert.equal(await readFile(pending, "utf8"), "a large body being stored");
      assert.equal(lines(p, "removed orphan blob files").length, 0);
      const code = await p.kill("SIGTERM");
      proc = null;
      assert.equal(code, 0);
      await assert.rejects(readFile(join(dataDir, "store.pid")), "released at the end");
    } finally {
      other.kill("SIGKILL");
      await proc?.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
