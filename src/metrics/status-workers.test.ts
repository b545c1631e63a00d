// /status of `yubin serve --workers 2` (a child process): whichever worker a request reaches, the
// answer is the whole server's, with each worker's own report (its number, pid, listeners), and
// `yubin status` shows a line per worker. Before, it answered for the worker it reached alone.
import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { runCommand, YUBIN_BIN } from "../cli/test-cli.js";
import { freePort } from "../testing/net.js";
import { type ServerProcess, startServerProcess } from "../testing/process.js";
import type { StatusReport } from "./monitoring.js";

/** One GET over a connection of its own (round-robin hands each connection to the next worker). */
function getStatus(port: number): Promise<StatusReport> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/status", agent: false, timeout: 30_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () =>
          res.statusCode === 200 ? resolve(JSON.parse(body) as StatusReport) : reject(new Error(body)),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

test("/status with serve --workers 2 reports both workers, whichever one answers", {
  timeout: 180_000,
}, async () => {
  const [metrics, smtp] = [await freePort(), await freePort()];
  let proc: ServerProcess | null = null;
  try {
    proc = await startServerProcess({
      args: ["--workers", "2"],
      // Fixed ports: `yubin status` probes the configured ones.
      listeners: [{ protocol: "smtp", tls: "none", port: smtp }],
      config: { metrics: { listen: `127.0.0.1:${metrics}` } },
    });
    const p = proc;
    const pids = new Set<number>();
    // Consecutive requests alternate between the workers: each must show both.
    for (let i = 0; i < 4; i++) {
      let r = await getStatus(metrics);
      // A worker still finishing its start answers "starting" for a moment.
      for (let t = 0; r.notReady !== null && t < 100; t++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await getStatus(metrics);
      }
      assert.equal(r.notReady, null, `request ${i}: ${JSON.stringify(r)}`);
      assert.deepEqual(
        r.workers?.map((w) => w.worker),
        [1, 2],
        `request ${i}`,
      );
      for (const w of r.workers ?? []) {
        assert.equal(w.notReady, null);
        assert.ok(w.pid > 0 && w.pid !== p.pid, "a worker's own pid, not the supervisor's");
        assert.ok(
          w.listeners.some((l) => /^smtp 127\.0\.0\.1:\d+ none$/.test(l)),
          w.listeners.join(),
        );
        pids.add(w.pid);
      }
      assert.equal(r.uncaughtErrors, 0);
    }
    assert.equal(pids.size, 2, "two workers, two processes");
    const out = await runCommand(process.execPath, [YUBIN_BIN, "--config", p.configPath, "status"]);
    assert.equal(out.code, 0, out.out + out.err);
    assert.match(out.out, /^server {7}ok: ready/m);
    for (const pid of pids) assert.match(out.out, new RegExp(`^  worker [12] +pid ${pid} +ready, `, "m"));
    assert.equal(await p.kill("SIGTERM"), 0);
  } finally {
    await proc?.stop();
  }
});
