// Helpers of the `yubin serve --workers 2` tests (workers.test.ts, workers-relay.test.ts,
// workers-start.test.ts, workers-shared.test.ts): split in four files of two tests so that each
// stays well inside the runner's 300 s per file on a loaded machine (at load 28 the one file took
// over 300 s, its first four tests alone 254 s; three tests a file took 197-204 s at load 24).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { hashPassword } from "../auth/password.js";
import { silentLogger } from "../log/logger.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import { inbox } from "../testing/mailbox.js";
import { type ServerProcess, type ServerProcessOptions, startServerProcess } from "../testing/process.js";

// Three Node processes (supervisor and two workers) each load the sources: more than one start's
// work, so more than startServerProcess's default (150 s; one start at load 30-38 took over 60 s).
export const START_MS = 240_000;

/** `yubin serve --workers 2` on `dataDir` (kept for the test to read), started within START_MS. */
export function startTwoWorkers(
  dataDir: string,
  o: Pick<ServerProcessOptions, "listeners" | "config">,
): Promise<ServerProcess> {
  return startServerProcess({ timeoutMs: START_MS, dataDir, keepData: true, args: ["--workers", "2"], ...o });
}

export const PASSWORD = "workers-test-password-1";

export async function waitFor(
  what: string,
  fn: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The JSON log lines with this msg (and these fields). */
export function lines(
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

export async function dataDirWith(addresses: string[]): Promise<{ dataDir: string; ids: number[] }> {
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

export async function storedSubjects(dataDir: string, accountId: number): Promise<string[]> {
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  try {
    return (await inbox(store, accountId)).map(
      (b) => /^Subject: (.*)$/m.exec(b.toString())?.[1]?.trim() ?? "",
    );
  } finally {
    await store.close();
  }
}

export function swaks(port: number, to: string, subject: string): Promise<string> {
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

export async function popLogin(
  port: number,
  user: string,
  pass: string,
): Promise<{ c: Pop3TestClient; reply: string }> {
  const c = await Pop3TestClient.connect(port);
  await c.readLine(); // greeting
  return { c, reply: await c.login(user, pass) };
}

/** Four IMAP IDLE clients spread over two workers hear one SMTP delivery; the server's output. */
export async function idleAcrossWorkers(extra: Record<string, unknown>): Promise<string> {
  const { dataDir } = await dataDirWith(["carol@example.test"]);
  const clients: ImapFlow[] = [];
  let proc: ServerProcess | null = null;
  try {
    proc = await startTwoWorkers(dataDir, {
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
