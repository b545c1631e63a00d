// `yubin serve --workers 2` as a child process, driven by real clients: both workers serve, a
// worker killed with SIGKILL is replaced, SIGTERM stops all with exit 0 losing nothing
// acknowledged, and what the workers share through the supervisor (no Redis): the change events
// (IMAP IDLE), the login throttle's counts and the POP3 maildrop lock.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { hashPassword } from "../auth/password.js";
import { silentLogger } from "../log/logger.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import { inbox } from "../testing/mailbox.js";
import { freshSchema, postgresSkip } from "../testing/postgres.js";
import { type ServerProcess, startServerProcess } from "../testing/process.js";
import { redisSkip, startRedis } from "../testing/redis.js";
import { commandSkip } from "../testing/requires.js";

// Three Node processes (supervisor and two workers) each load the sources through tsx: on a
// loaded 2-core machine that took more than startServerProcess's default 20 s.
const START_MS = 90_000;

const PASSWORD = "workers-test-password-1";

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The JSON log lines with this msg (and these fields). */
function lines(
  p: ServerProcess,
  msg: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return p
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((j) => j.msg === msg && Object.entries(fields).every(([k, v]) => j[k] === v));
}

async function dataDirWith(addresses: string[]): Promise<{ dataDir: string; ids: number[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-workers-"));
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  try {
    await store.directory.addDomain("example.test");
    const ids: number[] = [];
    for (const address of addresses)
      ids.push(
        (await store.directory.createAccount({ address, passwordHash: await hashPassword(PASSWORD) })).id,
      );
    return { dataDir, ids };
  } finally {
    await store.close();
  }
}

async function storedSubjects(dataDir: string, accountId: number): Promise<string[]> {
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  try {
    return (await inbox(store, accountId)).map(
      (b) => /^Subject: (.*)$/m.exec(b.toString())?.[1]?.trim() ?? "",
    );
  } finally {
    await store.close();
  }
}

function swaks(port: number, to: string, subject: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      "swaks",
      [
        "--server",
        "127.0.0.1",
        "--port",
        String(port),
        "--to",
        to,
        "--from",
        "far@remote.example",
        "--header",
        `Subject: ${subject}`,
      ],
      { timeout: 30_000 },
      (err, stdout) => (err ? reject(new Error(`swaks: ${err.message}\n${stdout}`)) : resolve(stdout)),
    ),
  );
}

async function popLogin(
  port: number,
  user: string,
  pass: string,
): Promise<{ c: Pop3TestClient; reply: string }> {
  const c = await Pop3TestClient.connect(port);
  await c.readLine(); // greeting
  return { c, reply: await c.login(user, pass) };
}

/** Four IMAP IDLE clients spread over two workers hear one SMTP delivery; the server's output. */
async function idleAcrossWorkers(extra: Record<string, unknown>): Promise<string> {
  const { dataDir } = await dataDirWith(["carol@example.test"]);
  const clients: ImapFlow[] = [];
  let proc: ServerProcess | null = null;
  try {
    proc = await startServerProcess({
      timeoutMs: START_MS,
      dataDir,
      keepData: true,
      args: ["--workers", "2"],
      listeners: [
        { protocol: "smtp", tls: "none" },
        { protocol: "imap", tls: "none" },
      ],
      // The store's own look for other processes' writes comes once a minute: only the
      // supervisor's relay can wake the other worker's IDLE within the test's deadline.
      config: { storage: { externalChangePollMs: 60_000 }, imap: { allowPlaintextAuth: true }, ...extra },
    });
    const p = proc;
    const heard: Promise<number>[] = [];
    for (let i = 0; i < 4; i++) {
      const c = new ImapFlow({
        host: "127.0.0.1",
        port: p.ports.get("imap/none")!,
        secure: false,
        auth: { user: "carol@example.test", pass: PASSWORD },
        logger: false,
      });
      await c.connect();
      clients.push(c);
      await c.mailboxOpen("INBOX");
      heard.push(new Promise<number>((resolve) => c.on("exists", () => resolve(Date.now()))));
      void c.idle().catch(() => {});
    }
    const logins = () => lines(p, "login", { protocol: "imap" });
    await waitFor("4 IMAP logins", () => logins().length === 4);
    assert.deepEqual(new Set(logins().map((l) => l.worker)), new Set([1, 2]), "IDLE clients in both workers");
    await new Promise((r) => setTimeout(r, 300)); // the IDLE commands reach the server

    const c = await RawSmtpClient.connect({ port: p.ports.get("smtp/none")!, timeoutMs: 10_000 });
    await c.reply();
    await c.cmd("EHLO relay.example");
    c.send("MAIL FROM:<far@remote.example>\r\nRCPT TO:<carol@example.test>\r\nDATA\r\n");
    await c.replies(3);
    c.send("Subject: wake up\r\n\r\nhello\r\n.\r\n");
    assert.match(await c.reply(), /^250 2\.0\.0 /);
    const acceptedAt = Date.now();
    c.close();
    // Far below the 60 s poll; the figure is printed (typically a few milliseconds).
    const at = await Promise.race([
      Promise.all(heard),
      new Promise<never>((_, rej) =>
        setTimeout(() => rej(new Error("not every IDLE heard it within 10 s")), 10_000),
      ),
    ]);
    const slowest = Math.max(...at) - acceptedAt;
    console.log(`IDLE in both workers heard the delivery within ${Math.max(0, slowest)} ms of the 250`);
    assert.ok(slowest < 10_000);
    return p.output();
  } finally {
    for (const c of clients) await c.logout().catch(() => c.close());
    await proc?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe("serve --workers 2", () => {
  test("both workers serve; a worker killed with SIGKILL is replaced; SIGHUP reaches all; SIGTERM stops all with exit 0 and loses nothing acknowledged", {
    skip: commandSkip("swaks"),
    timeout: 180_000,
  }, async () => {
    const { dataDir, ids } = await dataDirWith(["alice@example.test", "bob@example.test"]);
    const alice = ids[0]!;
    let proc: ServerProcess | null = null;
    try {
      proc = await startServerProcess({
        timeoutMs: START_MS,
        dataDir,
        keepData: true,
        args: ["--workers", "2"],
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

  test("IMAP IDLE in one worker hears a delivery made in the other at once (relayed by the supervisor)", {
    timeout: 120_000,
  }, async () => {
    await idleAcrossWorkers({});
  });

  test("the same through Redis when [cluster] redisUrl is set (each worker on Redis)", {
    skip: redisSkip(),
    timeout: 120_000,
  }, async () => {
    const redis = await startRedis();
    try {
      const out = await idleAcrossWorkers({ cluster: { redisUrl: redis.url } });
      assert.equal(
        out.split("\n").filter((l) => l.includes('"msg":"sharing coordination through Redis"')).length,
        2,
      );
    } finally {
      await redis.stop();
    }
  });

  test("a crash loop is not restarted and says so; with no worker left the supervisor exits 1", {
    timeout: 120_000,
  }, async () => {
    const { dataDir } = await dataDirWith([]);
    let proc: ServerProcess | null = null;
    try {
      proc = await startServerProcess({
        timeoutMs: START_MS,
        dataDir,
        keepData: true,
        args: ["--workers", "2"],
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

  test("the supervisor owns the data directory: a worker started again never sweeps body files", {
    timeout: 120_000,
  }, async () => {
    const { dataDir } = await dataDirWith([]);
    // Another live owner at the start (as a running `yubin import` would be), gone afterwards.
    const other = spawn("sleep", ["600"], { stdio: "ignore" });
    let proc: ServerProcess | null = null;
    try {
      await writeFile(join(dataDir, "store.pid"), `${other.pid}\n`);
      proc = await startServerProcess({
        timeoutMs: START_MS,
        dataDir,
        keepData: true,
        args: ["--workers", "2"],
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
        timeoutMs: 60_000,
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
      proc = await startServerProcess({
        timeoutMs: START_MS,
        dataDir,
        keepData: true,
        args: ["--workers", "2"],
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
