// /metrics of `yubin serve --workers 2` (a child process, real SMTP and HTTP clients): every
// scrape, whichever worker it reaches, shows the whole server's counters (src/metrics/shared.ts).
// Runs on the backend YUBIN_TEST_BACKEND names (sqlite by default).
import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, test } from "node:test";
import { RawSmtpClient } from "../smtp/test-client.js";
import { freshSchema } from "../testing/postgres.js";
import { type ServerProcess, startServerProcess } from "../testing/process.js";
import { Scrape } from "./test-scrape.js";

/** One GET over a connection of its own (no keep-alive: round-robin hands each to a worker). */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

function workersOf(p: ServerProcess, msg: string): Set<unknown> {
  return new Set(
    p
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((j) => j.msg === msg)
      .map((j) => j.worker),
  );
}

describe("/metrics with serve --workers 2", () => {
  test("every scrape shows both workers' counters summed, the store's gauges once", {
    timeout: 180_000,
  }, async () => {
    const pg = process.env.YUBIN_TEST_BACKEND === "postgres" ? await freshSchema() : null;
    let proc: ServerProcess | null = null;
    try {
      proc = await startServerProcess({
        args: ["--workers", "2"],
        listeners: [{ protocol: "smtp", tls: "none" }],
        config: {
          metrics: { listen: "127.0.0.1:0" },
          ...(pg ? { storage: { backend: "postgres", postgresUrl: pg.url } } : {}),
        },
      });
      const p = proc;
      const smtp = p.ports.get("smtp/none")!;
      const metricsPort = p.ports.get("metrics/undefined")!;
      assert.ok(metricsPort, "the metrics listener's port is logged");
      // Six one-message connections: round-robin puts three in each worker.
      for (let i = 0; i < 6; i++) {
        const c = await RawSmtpClient.connect({ port: smtp, timeoutMs: 10_000 });
        await c.reply();
        await c.cmd("EHLO relay.example");
        c.send("MAIL FROM:<far@remote.example>\r\nRCPT TO:<admin@mail.example.test>\r\nDATA\r\n");
        await c.replies(3);
        c.send(`Subject: counted ${i}\r\n\r\nhello\r\n.\r\n`);
        assert.match(await c.reply(), /^250 2\.0\.0 /);
        await c.cmd("QUIT");
        c.close();
      }
      assert.deepEqual(workersOf(p, "message accepted"), new Set([1, 2]), "both workers took mail");
      // Each scrape on a connection of its own: they alternate between the workers, and a worker
      // showing only its own counters would say 3.
      for (let i = 0; i < 6; i++) {
        const r = await get(metricsPort, "/metrics");
        assert.equal(r.status, 200, r.body);
        const s = new Scrape(r.body);
        assert.equal(s.value("yubin_messages_accepted_total", { door: "inbound" }), 6, `scrape ${i}`);
        assert.equal(s.value("yubin_connections_total", { protocol: "smtp" }), 6, `scrape ${i}`);
        assert.equal(s.value("yubin_commands_total", { protocol: "smtp", command: "DATA" }), 6);
        assert.equal(s.value("yubin_commands_total", { protocol: "smtp", command: "EHLO" }), 6);
        // A histogram: every worker's group commits, bucket by bucket (at least one per message;
        // SQLite's group-commit writer times its commits, the PostgreSQL store has none to time).
        if (!pg) assert.ok(s.value("yubin_store_commit_seconds") >= 6, `scrape ${i}`);
        // The queue is the one store's: the same in every worker, shown once (not doubled).
        assert.equal(s.value("yubin_queue_messages"), 0);
        assert.equal(s.value("yubin_uncaught_errors_total"), 0);
        // Every worker serves the same certificate: its expiry once, not the sum of two dates.
        const expiry = s.value("yubin_certificate_expiry_timestamp_seconds");
        assert.ok(expiry > Date.now() / 1000 && expiry < Date.now() / 1000 + 100 * 365 * 86_400, `${expiry}`);
        // One version line, not one per worker.
        assert.equal(s.families.get("nodejs_version_info")?.metrics.length, 1);
      }
      assert.equal(await p.kill("SIGTERM"), 0);
    } finally {
      await proc?.stop(); // SIGTERM unless it ended already, then the data directory removed
      await pg?.drop();
    }
  });
});
