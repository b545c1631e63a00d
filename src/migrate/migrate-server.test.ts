// `yubin migrate-store` between two real servers (issue 17): a Yubin on its embedded SQLite store
// takes mail from swaks (one body under the inline limit, one over it and over PostgreSQL's 1 MiB
// chunk), imapflow changes flags, expunges, creates and renames a folder; a Sieve script, an app
// password and a queued remote message (nodemailer) are there too. The server stops, the CLI copies
// the store, and a Yubin on PostgreSQL then serves the same UIDVALIDITY, UIDs, MODSEQs,
// HIGHESTMODSEQ, flags and bodies to imapflow (a client's saved QRESYNC state needs no resync: no
// change since its HIGHESTMODSEQ) and the same JMAP states and Email/get answers over HTTPS (curl).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { type App, startApp } from "../app/start.js";
import { hashPassword } from "../auth/password.js";
import { runCommand, YUBIN_BIN } from "../cli/test-cli.js";
import { defaultConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { silentLogger } from "../log/logger.js";
import { freshSchema, postgresSkip } from "../testing/postgres.js";
import { commandSkip } from "../testing/requires.js";

const PASSWORD = "correct horse battery staple";

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${cmd}: ${err.message}\n${stdout}\n${stderr}`)) : res(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function configFor(dataDir: string, storage: Partial<Config["storage"]>): Config {
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "mail.example.test";
  config.server.shutdownGraceSec = 1;
  config.listeners = [
    { protocol: "smtp", address: "127.0.0.1", port: 0, tls: "none" },
    { protocol: "submission", address: "127.0.0.1", port: 0, tls: "starttls" },
    { protocol: "imap", address: "127.0.0.1", port: 0, tls: "starttls" },
    { protocol: "http", address: "127.0.0.1", port: 0, tls: "implicit" },
  ];
  config.dns.servers = ["127.0.0.1:1"];
  config.dns.cacheSec = 0;
  config.mailauth.verifyInbound = false;
  config.outbound.enabled = false;
  config.spam.enabled = false;
  config.storage = { ...config.storage, inlineMaxBytes: 4096, ...storage };
  return config;
}

function portOf(app: App, protocol: string, tls: string): number {
  const l = app.listeners.find((r) => r.listener.protocol === protocol && r.listener.tls === tls);
  assert.ok(l, `${protocol}/${tls}`);
  return l.port;
}

function message(subject: string, bytes: number): Buffer {
  const head = `From: far@remote.example\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "-")}@remote.example>\r\n\r\n`;
  const line = `${"0123456789abcdefghijklmnopqrstuvwxyz".repeat(3).slice(0, 76)}\r\n`;
  const lines = Math.max(1, Math.floor((bytes - head.length) / line.length));
  return Buffer.from(head + line.repeat(lines - 1) + `last line ${lines}\r\n`);
}

interface Seen {
  boxes: Record<string, { uidValidity: string; uidNext: number; highestModseq: string; exists: number }>;
  messages: Record<
    string,
    { uid: number; modseq: string; flags: string[]; source: string; emailId: string }[]
  >;
  jmap: unknown;
}

describe("yubin migrate-store between a SQLite server and a PostgreSQL server", {
  skip: postgresSkip() || commandSkip("swaks") || commandSkip("curl"),
}, () => {
  let dir: string;
  let dataDir: string;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let app: App | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-migrate-server-"));
    dataDir = join(dir, "data");
    schema = await freshSchema();
  });
  after(async () => {
    await app?.stop();
    await schema?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  function imap(port: number, certPem: string): ImapFlow {
    return new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: false,
      tls: { ca: certPem, servername: "mail.example.test" },
      auth: { user: "alice@example.test", pass: PASSWORD },
      logger: false,
    });
  }

  /** What a client keeps: per mailbox its status and messages over IMAP, and JMAP's states. */
  async function observe(a: App, accountId: number): Promise<Seen> {
    const certPem = await (await import("node:fs/promises")).readFile(a.tls.certPath, "utf8");
    await writeFile(join(dir, "ca.pem"), certPem);
    const c = imap(portOf(a, "imap", "starttls"), certPem);
    await c.connect();
    const seen: Seen = { boxes: {}, messages: {}, jmap: null };
    try {
      for (const box of await c.list()) {
        const m = await c.mailboxOpen(box.path, { readOnly: true });
        seen.boxes[box.path] = {
          uidValidity: String(m.uidValidity),
          uidNext: m.uidNext,
          highestModseq: String(m.highestModseq),
          exists: m.exists,
        };
        const list: Seen["messages"][string] = [];
        if (m.exists > 0)
          for await (const f of c.fetch("1:*", { uid: true, flags: true, source: true, emailId: true }))
            list.push({
              uid: f.uid,
              modseq: String(f.modseq),
              flags: [...(f.flags ?? [])].sort(),
              source: f.source!.toString("base64"),
              emailId: String(f.emailId),
            });
        seen.messages[box.path] = list;
      }
    } finally {
      await c.logout();
    }
    const https = portOf(a, "http", "implicit");
    const acc = `A${accountId}`;
    const body = JSON.stringify({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [
        ["Email/query", { accountId: acc, sort: [{ property: "receivedAt" }] }, "q"],
        [
          "Email/get",
          {
            accountId: acc,
            "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
            properties: [
              "id",
              "blobId",
              "threadId",
              "mailboxIds",
              "keywords",
              "size",
              "receivedAt",
              "subject",
            ],
          },
          "g",
        ],
        ["Mailbox/get", { accountId: acc }, "m"],
        [
          "Thread/get",
          { accountId: acc, "#ids": { resultOf: "g", name: "Email/get", path: "/list/*/threadId" } },
          "t",
        ],
      ],
    });
    const out = await run(
      "curl",
      [
        ...["-sS", "--fail-with-body", "--cacert", join(dir, "ca.pem")],
        ...["--resolve", `mail.example.test:${https}:127.0.0.1`],
        ...["-u", `alice@example.test:${PASSWORD}`, "-H", "Content-Type: application/json"],
        ...["--data-binary", "@-", `https://mail.example.test:${https}/jmap/api`],
      ],
      body,
    );
    seen.jmap = (JSON.parse(out) as { methodResponses: unknown }).methodResponses;
    return seen;
  }

  test("the PostgreSQL server serves what the SQLite server served, with nothing to resynchronise", async () => {
    app = await startApp(configFor(dataDir, {}), { log: silentLogger });
    const store = app.ctx.store;
    await store.directory.addDomain("example.test");
    const alice = await store.directory.createAccount({
      address: "alice@example.test",
      passwordHash: await hashPassword(PASSWORD),
    });
    const smtp = portOf(app, "smtp", "none");
    const files: string[] = [];
    for (const [i, m] of [
      message("small", 1500),
      message("big", 1_500_000),
      message("third", 800),
    ].entries()) {
      const file = join(dir, `m${i}.eml`);
      await writeFile(file, m.subarray(0, m.length - 2));
      files.push(file);
      const out = await run("swaks", [
        ...["--server", "127.0.0.1", "--port", String(smtp)],
        ...["--from", "far@remote.example", "--to", "alice@example.test", "--data", `@${file}`],
      ]);
      assert.match(out, /^<- {2}250 /m);
    }
    const certPem = await (await import("node:fs/promises")).readFile(app.tls.certPath, "utf8");
    const c = imap(portOf(app, "imap", "starttls"), certPem);
    await c.connect();
    try {
      await c.mailboxOpen("INBOX");
      await c.messageFlagsAdd("1", ["\\Seen", "$Important"], { uid: true });
      await c.messageFlagsAdd("3", ["\\Deleted"], { uid: true });
      await c.messageDelete("3", { uid: true });
      await c.mailboxCreate("Projects");
      await c.mailboxRename("Projects", "Work/2026");
      await c.messageCopy("1:2", "Work/2026", { uid: true });
    } catch (e) {
      throw new Error(`IMAP: ${JSON.stringify(e)}`);
    } finally {
      await c.logout();
    }
    await store.sieve.put(alice.id, "main", 'require "fileinto";\r\nfileinto "Work/2026";\r\n', {
      maxScripts: 5,
      maxTotalBytes: 100_000,
    });
    await store.appPasswords.create({
      accountId: alice.id,
      name: "phone",
      scopes: ["imap"],
      hash: "keyed-hash",
      createdAt: new Date(),
      maxPerAccount: 10,
    });
    const mailer = nodemailer.createTransport({
      host: "127.0.0.1",
      port: portOf(app, "submission", "starttls"),
      requireTLS: true,
      tls: { ca: certPem, servername: "mail.example.test" },
      auth: { user: "alice@example.test", pass: PASSWORD },
    });
    await mailer.sendMail({
      from: "alice@example.test",
      to: "far@remote.example",
      subject: "out",
      text: "hi",
    });
    assert.equal((await store.queue.listQueue()).length, 1);

    const before = await observe(app, alice.id);
    assert.equal(before.messages.INBOX?.length, 2);
    assert.equal(before.messages["Work/2026"]?.length, 2);
    const got = (before.jmap as [string, { state?: string; list?: unknown[] }, string][])[1]!;
    assert.equal(got[0], "Email/get");
    assert.equal(got[1].list?.length, 4);
    assert.match(got[1].state ?? "", /./);
    await app.stop();
    app = undefined;

    const configPath = join(dir, "yubin.toml");
    await writeFile(
      configPath,
      `[server]\nhostname = "mail.example.test"\ndataDir = "${dataDir}"\n[storage]\ninlineMaxBytes = 4096\n`,
    );
    const r = await runCommand(
      process.execPath,
      [YUBIN_BIN, "--config", configPath, "migrate-store", "--to", schema.url],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(r.err, "");
    assert.equal(r.code, 0);
    assert.match(r.out, /^verified: 1 accounts, \d+ mailboxes, 4 messages, \d+ bodies identical$/m);

    app = await startApp(configFor(dataDir, { backend: "postgres", postgresUrl: schema.url }), {
      log: silentLogger,
    });
    const afterwards = await observe(app, alice.id);
    assert.deepEqual(afterwards, before);
    // QRESYNC-style: a client that saved INBOX's HIGHESTMODSEQ asks what changed since: nothing.
    const c2 = imap(portOf(app, "imap", "starttls"), certPem);
    await c2.connect();
    try {
      await c2.mailboxOpen("INBOX");
      const changed = [];
      for await (const f of c2.fetch(
        "1:*",
        { uid: true, flags: true },
        { changedSince: BigInt(before.boxes.INBOX!.highestModseq) },
      ))
        changed.push(f.uid);
      assert.deepEqual(changed, []);
    } finally {
      await c2.logout();
    }
    assert.equal((await app.ctx.store.queue.listQueue()).length, 1);
    assert.deepEqual(
      (await app.ctx.store.sieve.list(alice.id)).map((s) => s.name),
      ["main"],
    );
    assert.deepEqual(
      (await app.ctx.store.appPasswords.list(alice.id)).map((p) => p.name),
      ["phone"],
    );
  });
});
