// `yubin serve --workers 2`: what the workers share: PostgreSQL (a pool each) and the login
// throttle's counts (split from workers.test.ts to keep each file well inside the runner's 300 s
// on a loaded machine; helpers in test-workers.ts).
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { describe, test } from "node:test";
import { RawSmtpClient } from "../smtp/test-client.js";
import { freshSchema, postgresSkip } from "../testing/postgres.js";
import { type ServerProcess, startServerProcess } from "../testing/process.js";
import { dataDirWith, lines, PASSWORD, popLogin, startTwoWorkers, waitFor } from "./test-workers.js";

describe("serve --workers 2: what the workers share", () => {
  test("on PostgreSQL: both workers take mail and serve it, each with its own pool", {
    skip: postgresSkip(),
    timeout: 120_000,
  }, async () => {
    const db = await freshSchema();
    let proc: ServerProcess | null = null;
    try {
      proc = await startServerProcess({
        args: ["--workers", "2"],
        listeners: [
          { protocol: "smtp", tls: "none" },
          { protocol: "pop3", tls: "none" },
        ],
        config: { storage: { backend: "postgres", postgresUrl: db.url }, pop3: { allowPlaintextAuth: true } },
      });
      const p = proc;
      // The supervisor made the first account (once, before the workers).
      const password = /First account: admin@mail\.example\.test {2}password: (\S+)/.exec(p.output())?.[1];
      assert.ok(password, "the first account is printed once");
      for (let i = 0; i < 4; i++) {
        const c = await RawSmtpClient.connect({ port: p.ports.get("smtp/none")!, timeoutMs: 10_000 });
        await c.reply();
        await c.cmd("EHLO pg.example");
        c.send("MAIL FROM:<far@remote.example>\r\nRCPT TO:<admin@mail.example.test>\r\nDATA\r\n");
        await c.replies(3);
        c.send(`Subject: pg ${i}\r\n\r\nhello\r\n.\r\n`);
        assert.match(await c.reply(), /^250 2\.0\.0 /);
        c.close();
      }
      assert.deepEqual(new Set(lines(p, "message accepted").map((l) => l.worker)), new Set([1, 2]));
      for (let i = 0; i < 2; i++) {
        const { c, reply } = await popLogin(p.ports.get("pop3/none")!, "admin@mail.example.test", password);
        assert.match(reply, /^\+OK/);
        assert.match(await c.cmd("STAT"), /^\+OK 4 \d+$/);
        await c.cmd("QUIT");
        c.close();
      }
      assert.deepEqual(
        new Set(lines(p, "login", { protocol: "pop3" }).map((l) => l.worker)),
        new Set([1, 2]),
      );
      const code = await p.kill("SIGTERM");
      proc = null;
      assert.equal(code, 0);
    } finally {
      await proc?.stop();
      await db.drop();
    }
  });

  test("the login throttle counts every worker's failures", { timeout: 120_000 }, async () => {
    const { dataDir } = await dataDirWith(["dave@example.test"]);
    let proc: ServerProcess | null = null;
    try {
      proc = await startTwoWorkers(dataDir, {
        listeners: [{ protocol: "pop3", tls: "none" }],
        // No delays (freeFailures = maxFailures), refused at the 4th failure of the pair.
        config: {
          auth: { throttleMaxFailures: 4, throttleFreeFailures: 4, throttleBaseDelayMs: 0 },
          pop3: { allowPlaintextAuth: true },
        },
      });
      const p = proc;
      const port = p.ports.get("pop3/none")!;
      // 4 failures over 4 connections: round-robin puts 2 in each worker, so a worker counting
      // only its own would still let the right password in.
      for (let i = 0; i < 4; i++) {
        const { c, reply } = await popLogin(port, "dave@example.test", "wrong-password");
        assert.match(reply, /^-ERR \[AUTH\]/);
        c.close();
      }
      await waitFor("4 failure lines", () => lines(p, "login failed").length === 4);
      assert.deepEqual(new Set(lines(p, "login failed").map((l) => l.worker)), new Set([1, 2]));
      for (let i = 0; i < 2; i++) {
        const { c, reply } = await popLogin(port, "dave@example.test", PASSWORD);
        assert.match(reply, /^-ERR \[SYS\/TEMP\]/, `attempt ${i + 1} with the right password is refused`);
        c.close();
      }
    } finally {
      await proc?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
