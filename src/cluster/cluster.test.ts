// Two nodes on one store and one Redis ([cluster] redisUrl), each a whole server started by the
// harness, driven by real clients: the POP3 maildrop lock holds across nodes, an IMAP IDLE on one
// node hears mail delivered through the other (with the store's own polling for other processes'
// writes off, so only Redis can have told it), POP-before-SMTP opened on one node counts on the
// other, and a node refuses to start without the Redis it is configured with.
// Runs on SQLite (one data directory) or, with YUBIN_TEST_BACKEND=postgres, one PostgreSQL schema.
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { popBeforeSmtpKey } from "../auth/pop-before-smtp.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { type PrivateRedis, startRedis } from "../testing/redis.js";
import { RedisNotifier } from "./redis-notifier.js";
import { skip } from "./test-redis.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

describe("two nodes sharing one Redis", { skip }, () => {
  let redis: PrivateRedis;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    redis = await startRedis();
    const node = (id: string) => ({
      cluster: { redisUrl: redis.url, nodeId: id },
      storage: { externalChangePollMs: 0 },
      pop3: { allowPlaintextAuth: true },
      auth: { popBeforeSmtp: true },
    });
    a = await startTestServer({ config: node("a") });
    // B on A's data: its directory (SQLite) or its schema (PostgreSQL); the accounts exist.
    const storage =
      a.config.storage.backend === "postgres"
        ? { backend: "postgres", postgresUrl: a.config.storage.postgresUrl, externalChangePollMs: 0 }
        : { externalChangePollMs: 0 };
    b = await startTestServer({
      dataDir: a.dataDir,
      domains: [],
      users: [],
      config: { ...node("b"), storage },
    });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await redis?.stop();
  });

  test("POP3: a maildrop locked on node A is -ERR [IN-USE] on node B until A's session ends", async () => {
    const onA = await Pop3TestClient.connect(a.ports.pop3);
    const onB = await Pop3TestClient.connect(b.ports.pop3);
    try {
      assert.match(await onA.readLine(), /^\+OK/);
      assert.match(await onB.readLine(), /^\+OK/);
      assert.match(await onA.login(ALICE, testPassword), /^\+OK/);
      assert.equal(
        await onB.login(ALICE, testPassword),
        "-ERR [IN-USE] maildrop already locked by another POP3 session",
      );
      // Another account is not held up.
      const bob = await Pop3TestClient.connect(b.ports.pop3);
      assert.match(await bob.readLine(), /^\+OK/);
      assert.match(await bob.login(BOB, testPassword), /^\+OK/);
      assert.match(await bob.cmd("QUIT"), /^\+OK/);
      bob.close();
      assert.match(await onA.cmd("QUIT"), /^\+OK/);
      assert.match(await onB.login(ALICE, testPassword), /^\+OK/, "free once A's session ended");
      assert.match(await onB.cmd("QUIT"), /^\+OK/);
    } finally {
      onA.close();
      onB.close();
    }
  });

  test("IMAP IDLE on node B hears a message delivered over SMTP on node A", async () => {
    const imap = new ImapFlow({
      host: "127.0.0.1",
      port: b.ports.imaps ?? 0,
      secure: true,
      auth: { user: BOB, pass: testPassword },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await imap.connect();
    const lock = await imap.getMailboxLock("INBOX");
    try {
      const exists = imap.mailbox ? imap.mailbox.exists : 0;
      const heard = new Promise<number>((resolve) =>
        imap.on("exists", (d: { count: number }) => resolve(d.count)),
      );
      void imap.idle().catch(() => {});
      // IDLE is on before the delivery: wait for the server's "+ idling".
      const started = Date.now();
      while (!imap.idling && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      const mx = nodemailer.createTransport({
        host: "127.0.0.1",
        port: a.ports.smtp,
        secure: false,
        ignoreTLS: true,
      });
      await mx.sendMail({
        envelope: { from: "carol@remote.test", to: [BOB] },
        raw: "From: carol@remote.test\r\nTo: bob@example.test\r\nSubject: across nodes\r\n\r\nhello\r\n",
      });
      const count = await Promise.race([
        heard,
        new Promise<number>((_, rej) => setTimeout(() => rej(new Error("no EXISTS on node B")), 15_000)),
      ]);
      assert.equal(count, exists + 1);
      assert.ok(b.ctx.notifier instanceof RedisNotifier && b.ctx.notifier.received > 0, "through Redis");
    } finally {
      lock.release();
      await imap.logout().catch(() => imap.close());
    }
  });

  test("POP-before-SMTP: a POP3 login on node B lets its IP send through node A's submission", async () => {
    // Submission without AUTH: refused until the POP3 login on the other node.
    const send = () =>
      nodemailer
        .createTransport({
          host: "127.0.0.1",
          port: a.ports.submission,
          secure: false,
          tls: { rejectUnauthorized: false },
        })
        .sendMail({
          envelope: { from: ALICE, to: [BOB] },
          raw: "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: pbs\r\n\r\nhi\r\n",
        });
    // The logins of the tests before opened 127.0.0.1 already: forget them (on the shared counters).
    await b.ctx.counters.reset(popBeforeSmtpKey("127.0.0.1"));
    await assert.rejects(send(), /530/);
    const pop = await Pop3TestClient.connect(b.ports.pop3);
    try {
      assert.match(await pop.readLine(), /^\+OK/);
      assert.match(await pop.login(ALICE, testPassword), /^\+OK/);
      assert.match(await pop.cmd("QUIT"), /^\+OK/);
    } finally {
      pop.close();
    }
    const info = await send();
    assert.deepEqual(info.accepted, [BOB]);
  });
});

describe("a node whose Redis goes away at run time", { skip }, () => {
  test("POP3 and IMAP logins are refused as temporary, then work again once Redis is back", async () => {
    const redis = await startRedis();
    const a = await startTestServer({
      config: { cluster: { redisUrl: redis.url }, pop3: { allowPlaintextAuth: true } },
    });
    try {
      redis.kill();
      const pop = await Pop3TestClient.connect(a.ports.pop3);
      try {
        assert.match(await pop.readLine(), /^\+OK/);
        assert.match(await pop.login(ALICE, testPassword), /^-ERR \[SYS\/TEMP\] /);
      } finally {
        pop.close();
      }
      const imap = new ImapFlow({
        host: "127.0.0.1",
        port: a.ports.imaps ?? 0,
        secure: true,
        auth: { user: ALICE, pass: testPassword },
        tls: { rejectUnauthorized: false },
        logger: false,
      });
      await assert.rejects(imap.connect());
      imap.close();
      await redis.restart();
      // The command connection reconnects by itself (within its 2 s backoff).
      const deadline = Date.now() + 15_000;
      let answer = "";
      while (Date.now() < deadline) {
        const again = await Pop3TestClient.connect(a.ports.pop3);
        try {
          await again.readLine();
          answer = await again.login(ALICE, testPassword);
          if (answer.startsWith("+OK")) {
            await again.cmd("QUIT");
            break;
          }
        } finally {
          again.close();
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(answer, /^\+OK/);
    } finally {
      await a.stop();
      await redis.stop();
    }
  });
});

describe("two nodes sharing one Redis: JMAP", { skip }, () => {
  let redis: PrivateRedis;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    redis = await startRedis();
    a = await startTestServer({ config: { cluster: { redisUrl: redis.url } } });
    const storage =
      a.config.storage.backend === "postgres"
        ? { backend: "postgres", postgresUrl: a.config.storage.postgresUrl }
        : {};
    b = await startTestServer({
      dataDir: a.dataDir,
      domains: [],
      users: [],
      config: { cluster: { redisUrl: redis.url }, storage },
    });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await redis?.stop();
  });

  test("a blob uploaded through node A is imported by an Email/import on node B", async () => {
    const alice = a.users[0]!;
    const account = `A${alice.id}`;
    const raw = "From: carol@example.org\r\nTo: alice@example.test\r\nSubject: uploaded on A\r\n\r\nhi\r\n";
    const up = await https(a.ports.https!, `/jmap/upload/${account}/`, raw, "message/rfc822");
    assert.equal(up.status, 201);
    const blobId = (JSON.parse(up.body) as { blobId: string }).blobId;
    const call = (calls: unknown[]) =>
      https(
        b.ports.https!,
        "/jmap/api",
        JSON.stringify({
          using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
          methodCalls: calls,
        }),
        "application/json",
      );
    const q = JSON.parse(
      (await call([["Mailbox/query", { accountId: account, filter: { role: "inbox" } }, "q"]])).body,
    ) as { methodResponses: [string, { ids: string[] }][] };
    const inbox = q.methodResponses[0]![1].ids[0]!;
    const imp = JSON.parse(
      (
        await call([
          [
            "Email/import",
            { accountId: account, emails: { i: { blobId, mailboxIds: { [inbox]: true } } } },
            "i",
          ],
        ])
      ).body,
    ) as { methodResponses: [string, { created?: Record<string, unknown>; notCreated?: unknown }][] };
    const r = imp.methodResponses[0]![1];
    assert.ok(r.created?.i, `created on node B: ${JSON.stringify(r)}`);
  });
});

/** One HTTPS POST as alice (Basic), the server's self-signed certificate accepted. */
function https(
  port: number,
  path: string,
  body: string,
  type: string,
): Promise<{ status: number; body: string }> {
  const auth = `Basic ${Buffer.from(`alice@example.test:${testPassword}`).toString("base64")}`;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        rejectUnauthorized: false,
        headers: { Authorization: auth, "Content-Type": type, "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

describe("a node configured with a Redis it cannot reach", { skip }, () => {
  test("does not start, and the error names [cluster] redisUrl", async () => {
    await assert.rejects(
      startTestServer({ config: { cluster: { redisUrl: "redis://127.0.0.1:1", connectTimeoutMs: 2000 } } }),
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*\[cluster\] redisUrl/,
    );
  });
});
