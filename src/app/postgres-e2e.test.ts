// One Yubin on the PostgreSQL store (issue 17), driven end to end by real clients over real
// sockets: swaks delivers (one message of 3 MiB, so its body is stored in several chunks),
// imapflow reads it byte-exact, changes flags under CONDSTORE (RFC 7162), hears a delivery in
// IDLE, copies, moves and expunges; Python's poplib retrieves and deletes; JMAP over HTTPS (curl)
// queries and gets; nodemailer's submission to a remote domain is queued. And `yubin serve` with
// the database unreachable exits with one line naming host:port. (The database going away at
// run time: src/server/postgres-outage.test.ts.)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import pg from "pg";
import { DEFAULT_CHUNK_BYTES } from "../store/postgres/index.js";
import { SchemaNodes } from "../store/postgres/test-nodes.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { postgresSkip } from "../testing/postgres.js";
import { commandSkip } from "../testing/requires.js";

const ACCEPTED = /^<- {2}250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/m; // swaks marks what it read "<-  "

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${cmd}: ${err.message}\n${stdout}\n${stderr}`)) : res(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A message of about `bytes` octets: CRLF lines of 76 characters, the last one numbered. */
function message(subject: string, bytes: number): Buffer {
  const head = `From: far@remote.example\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "-")}@remote.example>\r\n\r\n`;
  const line = `${"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_".repeat(2).slice(0, 76)}\r\n`;
  const lines = Math.max(1, Math.floor((bytes - head.length) / line.length));
  return Buffer.from(head + line.repeat(lines - 1) + `last line ${lines}\r\n`);
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("PostgreSQL end to end", {
  skip: postgresSkip() || commandSkip("swaks") || commandSkip("python3") || commandSkip("curl"),
}, () => {
  let s: TestServer;
  /** The schema; the server opens its store on it. */
  const schema = new SchemaNodes();
  let dir: string;

  before(async () => {
    await schema.start();
    dir = await mkdtemp(join(tmpdir(), "yubin-pg-e2e-"));
    s = await startTestServer({
      config: {
        storage: { backend: "postgres", postgresUrl: schema.url },
        imap: { allowPlaintextAuth: true },
      },
    });
    assert.equal(s.config.storage.backend, "postgres");
    await writeFile(join(dir, "ca.pem"), s.certPem);
  });
  after(async () => {
    await s?.stop();
    await schema.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** swaks sends `m` to `to`: its file without the last CRLF, which swaks adds again. */
  async function swaks(m: Buffer, to = "alice@example.test"): Promise<string> {
    const file = join(dir, `${sha(m)}.eml`);
    await writeFile(file, m.subarray(0, m.length - 2));
    return run("swaks", [
      ...["--server", "127.0.0.1", "--port", String(s.ports.smtp)],
      ...["--from", "far@remote.example", "--to", to, "--data", `@${file}`],
    ]);
  }

  function imap(): ImapFlow {
    return new ImapFlow({
      host: "127.0.0.1",
      port: s.ports.imap!,
      secure: false, // STARTTLS
      tls: { ca: s.certPem, servername: "mail.example.test" },
      auth: { user: "alice@example.test", pass: testPassword },
      logger: false,
    });
  }

  test("SMTP in, IMAP out byte-exact (3 MiB, chunked), CONDSTORE, IDLE, COPY, MOVE, EXPUNGE", async () => {
    const big = message("big one", 3 * 1024 * 1024);
    const small = message("small one", 2000);
    assert.match(await swaks(big), ACCEPTED);
    assert.match(await swaks(small), ACCEPTED);

    const c = imap();
    await c.connect();
    try {
      assert.ok(c.capabilities.has("CONDSTORE"));
      const box = await c.mailboxOpen("INBOX");
      assert.equal(box.exists, 2);
      const msgs = [];
      for await (const m of c.fetch("1:*", { uid: true, source: true, flags: true }))
        msgs.push({ uid: m.uid, source: m.source!, flags: m.flags!, modseq: m.modseq! });
      assert.equal(msgs.length, 2);
      // The stored message is the sent one after the server's own trace fields (Received:).
      const [m1, m2] = msgs as [(typeof msgs)[0], (typeof msgs)[0]];
      assert.ok(m1.source.length > big.length);
      assert.equal(sha(m1.source.subarray(m1.source.length - big.length)), sha(big));
      assert.equal(sha(m2.source.subarray(m2.source.length - small.length)), sha(small));
      assert.match(
        m1.source.toString("latin1", 0, 200),
        /^Return-Path: <far@remote\.example>\r\nReceived: from /,
      );
      // …and the body is in the database, in chunks of DEFAULT_CHUNK_BYTES (no body files): the
      // stored message (trace fields and all) is one blob of 3 MiB and a little, so 4 chunks.
      const db = new pg.Client({ connectionString: schema.url });
      await db.connect();
      try {
        const r = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM blob_chunks GROUP BY blob_id ORDER BY n DESC LIMIT 1",
        );
        assert.equal(r.rows[0]?.n, Math.ceil(m1.source.length / DEFAULT_CHUNK_BYTES));
        assert.equal(r.rows[0]?.n, 4);
      } finally {
        await db.end();
      }

      // CONDSTORE (enabled by imapflow, which then fetches MODSEQ with every FETCH): a flag
      // change raises the message's MODSEQ; UNCHANGEDSINCE an older one changes nothing.
      assert.ok(await c.messageFlagsAdd(String(m2.uid), ["\\Flagged"], { uid: true }));
      const after = await c.fetchOne(String(m2.uid), { flags: true }, { uid: true });
      assert.ok(after);
      assert.ok(after.flags?.has("\\Flagged"));
      assert.ok(after.modseq! > m2.modseq, `${after.modseq} > ${m2.modseq}`);
      // (The command is OK [MODIFIED uid] (RFC 7162 3.1.3): imapflow answers true either way.)
      await c.messageFlagsAdd(String(m2.uid), ["\\Seen"], { uid: true, unchangedSince: m2.modseq });
      const unchanged = await c.fetchOne(String(m2.uid), { flags: true }, { uid: true });
      assert.ok(unchanged);
      assert.ok(!unchanged.flags?.has("\\Seen"));

      // IDLE on a second connection hears the next delivery.
      const idler = imap();
      await idler.connect();
      try {
        await idler.mailboxOpen("INBOX");
        const heard = new Promise<number>((res) =>
          idler.on("exists", (e: { count: number }) => res(e.count)),
        );
        const idling = idler.idle();
        const third = message("third one", 500);
        assert.match(await swaks(third), ACCEPTED);
        const count = await Promise.race([
          heard,
          new Promise<number>((_, rej) => setTimeout(() => rej(new Error("IDLE heard nothing")), 20_000)),
        ]);
        assert.equal(count, 3);
        await idler.noop().catch(() => {});
        void idling;
      } finally {
        await idler.logout().catch(() => {});
      }

      // COPY, then MOVE, then EXPUNGE.
      await c.mailboxCreate("Archive");
      const copied = await c.messageCopy(String(m1.uid), "Archive", { uid: true });
      assert.ok(copied && copied.uidMap?.size === 1);
      const moved = await c.messageMove(String(m2.uid), "Archive", { uid: true });
      assert.ok(moved && moved.uidMap?.size === 1);
      assert.ok(await c.messageDelete(String(m1.uid), { uid: true }));
      const inbox = await c.status("INBOX", { messages: true });
      assert.equal(inbox ? inbox.messages : -1, 1); // the third one
      const archive = await c.status("Archive", { messages: true });
      assert.equal(archive ? archive.messages : -1, 2);
      const lock = await c.getMailboxLock("Archive");
      try {
        const archived = [];
        for await (const m of c.fetch("1:*", { source: true })) archived.push(m.source!);
        assert.equal(sha(archived[0]!), sha(m1.source)); // the copy, byte-exact
        assert.equal(sha(archived[1]!), sha(m2.source));
      } finally {
        lock.release();
      }
    } finally {
      await c.logout().catch(() => {});
    }
  });

  test("POP3 (poplib): RETR byte-exact, DELE", async () => {
    // Bob's maildrop: one message delivered for this test.
    const m = message("for bob", 40_000);
    assert.match(await swaks(m, "bob@example.test"), ACCEPTED);
    const py = `
import poplib, ssl, sys, hashlib, json
ctx = ssl.create_default_context(cadata=sys.stdin.read())
c = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
c.stls(context=ctx)
c.user("bob@example.test")
c.pass_(sys.argv[2])
n, size = c.stat()
resp, lines, octets = c.retr(1)
body = b"\\r\\n".join(lines) + b"\\r\\n"
dele = c.dele(1).decode()
quit = c.quit().decode()
c = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
c.stls(context=ctx)
c.user("bob@example.test")
c.pass_(sys.argv[2])
after = c.stat()
c.quit()
print(json.dumps({"n": n, "size": size, "octets": octets, "sha": hashlib.sha256(body).hexdigest(),
  "tail": hashlib.sha256(body[-${m.length}:]).hexdigest(), "dele": dele, "quit": quit, "after": after}))
`;
    const out = JSON.parse(
      await run("python3", ["-c", py, String(s.ports.pop3), testPassword], s.certPem),
    ) as {
      n: number;
      size: number;
      octets: number;
      sha: string;
      tail: string;
      dele: string;
      quit: string;
      after: [number, number];
    };
    assert.equal(out.n, 1);
    assert.equal(out.tail, sha(m)); // the sent bytes, after the trace fields
    assert.ok(out.octets > m.length);
    assert.equal(out.size, out.octets); // STAT's size is RETR's octets, un-dot-stuffed
    assert.match(out.dele, /^\+OK/);
    assert.match(out.quit, /^\+OK/);
    assert.deepEqual(out.after, [0, 0]);
  });

  test("JMAP over HTTPS (curl): Email/query and Email/get", async () => {
    const body = JSON.stringify({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [
        // No text filter: on PostgreSQL the full-text index catches up after the delivery.
        ["Email/query", { accountId: `A${s.users[0]!.id}`, sort: [{ property: "receivedAt" }] }, "q"],
        [
          "Email/get",
          {
            accountId: `A${s.users[0]!.id}`,
            "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
            properties: ["subject", "size", "messageId"],
          },
          "g",
        ],
      ],
    });
    const out = await run(
      "curl",
      [
        ...["-sS", "--fail-with-body", "--cacert", join(dir, "ca.pem")],
        ...["--resolve", `mail.example.test:${s.ports.https}:127.0.0.1`],
        ...["-u", `alice@example.test:${testPassword}`, "-H", "Content-Type: application/json"],
        ...["--data-binary", "@-", `https://mail.example.test:${s.ports.https}/jmap/api`],
      ],
      body,
    );
    const r = JSON.parse(out) as { methodResponses: [string, Record<string, unknown>, string][] };
    const [q, g] = r.methodResponses;
    assert.equal(q![0], "Email/query");
    assert.equal(g![0], "Email/get");
    // Alice's mail after the first test: the third one in INBOX, the big and small ones in Archive.
    const list = g![1].list as { subject: string; messageId: string[]; size: number }[];
    assert.deepEqual(
      list.map((e) => [e.subject, e.messageId]),
      [
        ["big one", ["big-one@remote.example"]],
        ["small one", ["small-one@remote.example"]],
        ["third one", ["third-one@remote.example"]],
      ],
    );
    assert.equal((q![1].ids as string[]).length, 3);
    assert.ok(list[0]!.size > 3 * 1024 * 1024 - 200);
  });

  test("nodemailer submission to a remote domain is queued in PostgreSQL", async () => {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: s.ports.submissions,
      secure: true,
      tls: { ca: s.certPem, servername: "mail.example.test" },
      auth: { user: "alice@example.test", pass: testPassword },
    });
    const info = await t.sendMail({
      from: "alice@example.test",
      to: "someone@remote.example",
      subject: "out it goes",
      text: "queued on postgres",
      messageId: "<out-it-goes@example.test>",
    });
    t.close();
    assert.deepEqual(info.accepted, ["someone@remote.example"]);
    const queued = await s.store.queue.listQueue();
    assert.equal(queued.length, 1);
    assert.equal(queued[0]!.state, "queued");
    assert.equal(queued[0]!.mailFrom, "alice@example.test");
    assert.deepEqual(
      queued[0]!.recipients.map((r) => r.address),
      ["someone@remote.example"],
    );
    assert.equal(queued[0]!.accountId, s.users[0]!.id);
  });
});

describe("yubin serve with PostgreSQL unreachable", () => {
  test("exits 75 with one line naming host:port, no stack", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-pg-down-"));
    try {
      // A port nothing listens on: bind one and close it.
      const { freePort } = await import("../testing/net.js");
      const port = await freePort();
      await writeFile(
        join(dir, "yubin.toml"),
        [
          "[server]",
          'hostname = "mail.example.test"',
          `dataDir = ${JSON.stringify(dir)}`,
          "[storage]",
          'backend = "postgres"',
          `postgresUrl = "postgres://yubin:secret@127.0.0.1:${port}/yubin"`,
          "postgresConnectTimeoutMs = 2000",
          "[[listeners]]",
          'protocol = "smtp"',
          'address = "127.0.0.1"',
          "port = 0",
          'tls = "none"',
          "",
        ].join("\n"),
      );
      const bin = resolve(import.meta.dirname, "../../bin/yubin.js");
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((res) => {
        const child = execFile(
          process.execPath,
          [bin, "--config", join(dir, "yubin.toml"), "serve"],
          { timeout: 60_000 },
          (_err, _stdout, stderr) => res({ code: child.exitCode, stderr }),
        );
      });
      assert.equal(code, 75);
      assert.equal(
        stderr,
        `yubin: cannot start: the PostgreSQL database at 127.0.0.1:${port} is unreachable (database unavailable: connect ECONNREFUSED 127.0.0.1:${port})\n`,
      );
      assert.doesNotMatch(stderr, /secret/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
