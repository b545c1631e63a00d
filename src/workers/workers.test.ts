// `yubin serve --workers 2` as a child process, driven by real clients: both workers serve, a
// worker killed with SIGKILL is replaced, SIGTERM stops all with exit 0 losing nothing
// acknowledged, and what the workers share through the supervisor (no Redis): the change events
// (IMAP IDLE), the login throttle's counts and the POP3 maildrop lock.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { describe, test } from "node:test";
import { RawSmtpClient } from "../smtp/test-client.js";
import type { ServerProcess } from "../testing/process.js";
import { commandSkip } from "../testing/requires.js";
import {
  dataDirWith,
  lines,
  PASSWORD,
  popLogin,
  startTwoWorkers,
  storedSubjects,
  swaks,
  waitFor,
} from "./test-workers.js";

describe("serve --workers 2", () => {
  test("both workers serve; a worker killed with SIGKILL is replaced; SIGHUP reaches all; SIGTERM stops all with exit 0 and loses nothing acknowledged", {
    skip: commandSkip("swaks"),
    timeout: 180_000,
  }, async () => {
    const { dataDir, ids } = await dataDirWith(["alice@example.test", "bob@example.test"]);
    const alice = ids[0]!;
    let proc: ServerProcess | null = null;
    try {
      proc = await startTwoWorkers(dataDir, {
        listeners: [
          { protocol: "smtp", tls: "none" },
          { protocol: "pop3", tls: "none" },
        ],
        config: { workers: { restartDelayMs: 100 }, pop3: { allowPlaintextAuth: true } },
      });
      const p = proc;
      const smtp = p.ports.get("smtp/none")!;
      const pop3 = p.ports.get("pop3/none")!;
      const ready = () => lines(p, "worker ready");
      assert.equal(ready().length, 2);

      // Connections land on both workers (round-robin): each login line names its worker.
      for (let i = 0; i < 4; i++) {
        const { c, reply } = await popLogin(pop3, "bob@example.test", PASSWORD);
        assert.match(reply, /^\+OK/);
        await c.cmd("QUIT");
        c.close();
      }
      const logins = () => lines(p, "login", { protocol: "pop3" });
      await waitFor("4 login lines", () => logins().length === 4);
      assert.deepEqual(new Set(logins().map((l) => l.worker)), new Set([1, 2]));

      // The maildrop lock is the supervisor's: a second session, in the other worker, is refused.
      const first = await popLogin(pop3, "bob@example.test", PASSWORD);
      assert.match(first.reply, /^\+OK/);
      const second = await popLogin(pop3, "bob@example.test", PASSWORD);
      assert.equal(second.reply, "-ERR [IN-USE] maildrop already locked by another POP3 session");
      second.c.close();
      await first.c.cmd("QUIT");
      first.c.close();
      const third = await popLogin(pop3, "bob@example.test", PASSWORD);
      assert.match(third.reply, /^\+OK/, "free again once the first session ended");
      await third.c.cmd("QUIT");
      third.c.close();

      // SIGKILL worker 1: the supervisor says so and starts another; mail is still taken.
      const victim = ready().find((l) => l.worker === 1)!.pid as number;
      process.kill(victim, "SIGKILL");
      await waitFor("the replacement", () => ready().length === 3);
      const died = lines(p, "worker died");
      assert.equal(died.length, 1);
      assert.equal(died[0]!.worker, 1);
      assert.equal(died[0]!.pid, victim);
      assert.equal(died[0]!.signal, "SIGKILL");
      assert.notEqual(ready()[2]!.pid, victim);
      for (let i = 0; i < 4; i++)
        assert.match(await swaks(smtp, "alice@example.test", `after-kill-${i}`), /250 2\.0\.0/);
      assert.deepEqual(new Set(lines(p, "message accepted").map((l) => l.worker)), new Set([1, 2]));

      // SIGHUP (certificate reload) reaches every worker.
      process.kill(p.pid, "SIGHUP");
      await waitFor("both reloads", () => lines(p, "reloaded TLS certificate").length === 2);
      assert.deepEqual(new Set(lines(p, "reloaded TLS certificate").map((l) => l.worker)), new Set([1, 2]));

      // Under load, SIGTERM: every message answered 250 is stored, and the exit code is 0.
      const acked: string[] = [];
      let stop = false;
      const sender = async () => {
        const c = await RawSmtpClient.connect({ port: smtp, timeoutMs: 10_000 });
        try {
          await c.reply();
          await c.cmd("EHLO load.example");
          while (!stop) {
            const marker = randomUUID();
            c.send("MAIL FROM:<load@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            const r = await c.replies(3);
            if (!r[2]?.startsWith("354")) break;
            c.send(`Subject: ${marker}\r\n\r\n${"payload ".repeat(100)}\r\n.\r\n`);
            if (/^250 2\.0\.0 /.test(await c.reply())) acked.push(marker);
            else break;
          }
        } catch {
          // the shutdown closed the session: expected
        } finally {
          c.close();
        }
      };
      const senders = Array.from({ length: 6 }, sender);
      await waitFor("40 messages under load", () => acked.length >= 40);
      const code = await p.kill("SIGTERM");
      stop = true;
      await Promise.all(senders);
      proc = null;
      assert.equal(code, 0, p.output().slice(-3000));
      assert.equal(lines(p, "worker stopped").length, 2);
      const stored = await storedSubjects(dataDir, alice);
      const missing = acked.filter((m) => !stored.includes(m));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged messages lost`);
      for (let i = 0; i < 4; i++) assert.ok(stored.includes(`after-kill-${i}`));
    } finally {
      await proc?.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("a crash loop is not restarted and says so; with no worker left the supervisor exits 1", {
    timeout: 120_000,
  }, async () => {
    const { dataDir } = await dataDirWith([]);
    let proc: ServerProcess | null = null;
    try {
      proc = await startTwoWorkers(dataDir, {
        listeners: [{ protocol: "smtp", tls: "none" }],
        // One death in the window is already a loop.
        config: { workers: { restartMax: 1 } },
      });
      const p = proc;
      const pidOf = (w: number) => lines(p, "worker ready").find((l) => l.worker === w)!.pid as number;
      process.kill(pidOf(2), "SIGKILL");
      await waitFor(
        "the crash-loop line",
        () => lines(p, "worker crash loop: not started again").length === 1,
      );
      assert.equal(lines(p, "worker crash loop: not started again")[0]!.worker, 2);
      // Worker 1 still serves.
      const c = await RawSmtpClient.connect({ port: p.ports.get("smtp/none")!, timeoutMs: 10_000 });
      assert.match(await c.reply(), /^220 /);
      c.close();
      process.kill(pidOf(1), "SIGKILL");
      const code = await new Promise<number | null>((r) => p.child.once("exit", (code) => r(code)));
      proc = null;
      assert.equal(code, 1);
      assert.equal(lines(p, "no worker left; the supervisor ends").length, 1);
      assert.equal(lines(p, "worker ready").length, 2, "neither was started again");
    } finally {
      await proc?.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
