// Issue 17's bar: several `yubin serve` processes (nodes) on one PostgreSQL (durable: fsync and
// synchronous commit on, as in production) and one Redis, each with a subset of the roles:
//   A: mx + submission   B: imap + pop3   C: http + delivery   D: pop3 (B's twin, for the lock)
// Real clients on real sockets: a delivery on A is heard by an IMAP IDLE on B (latency measured
// over 50 deliveries and reported), JMAP on C finds it, the webmail on C (logged in with its
// cookie) hears it on its live-update stream, a POP3 session on B locks the maildrop
// against D (-ERR [IN-USE]); A killed with SIGKILL under concurrent deliveries loses no message
// it answered 250 and files none twice; C killed with SIGKILL while delivering 100 queued
// messages to a remote domain (test DNS MX → a sink SMTP server here) and started again: the sink
// gets each message exactly once.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { hashPassword } from "../auth/password.js";
import { JMAP_PATHS } from "../jmap/session.js";
import { silentLogger } from "../log/logger.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { LocalNotifier } from "../store/notifier.js";
import { openPostgresStore } from "../store/postgres/index.js";
import type { Store } from "../store/types.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { inbox } from "../testing/mailbox.js";
import { type PrivatePostgres, postgresSkip, startPostgres } from "../testing/postgres.js";
import { type ServerProcess, type ServerProcessOptions, startServerProcess } from "../testing/process.js";
import { type PrivateRedis, redisSkip, startRedis } from "../testing/redis.js";
import { commandSkip } from "../testing/requires.js";

const PASSWORD = "multi-node-password-1";
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${cmd}: ${err.message}\n${stdout}\n${stderr}`)) : res(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const messageIds = (bodies: Buffer[]) =>
  bodies.map((b) => /\r\nMessage-ID: <([^>\r]*)>/i.exec(b.toString("latin1"))?.[1] ?? "");

/** A remote domain's mail server: answers every transaction 250 and counts each Message-ID it
 *  acknowledged. After `freezeAfter` acknowledgements it freezes: further transactions get no
 *  answer to their DATA (the client waits) until thaw(), which drops those connections unanswered.
 *  So a node killed while frozen is killed mid-delivery with no message between the remote 250
 *  and its own commit — the one window (RFC 5321 6.1: a duplicate rather than a loss) where a
 *  crash may send a message twice. */
async function startSink(freezeAfter: number) {
  const got = new Map<string, number>();
  const held = new Set<Socket>();
  let acked = 0;
  let frozen = false;
  let limit = freezeAfter;
  const server = createServer((sock) => {
    sock.on("error", () => {});
    let inData = false;
    let data = "";
    let pending = "";
    sock.write("220 mx.remote.example ESMTP sink\r\n");
    sock.on("data", (chunk: Buffer) => {
      pending += chunk.toString("latin1");
      for (let nl = pending.indexOf("\r\n"); nl >= 0; nl = pending.indexOf("\r\n")) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 2);
        if (inData) {
          if (line !== ".") {
            data += `${line}\r\n`;
            continue;
          }
          inData = false;
          const id = /\r\nMessage-ID: <([^>\r]*)>/i.exec(`\r\n${data}`)?.[1] ?? "";
          data = "";
          if (frozen) {
            held.add(sock);
            continue;
          }
          got.set(id, (got.get(id) ?? 0) + 1);
          sock.write("250 2.0.0 accepted\r\n");
          if (id.startsWith("out-") && ++acked >= limit) frozen = true;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") sock.write("250-mx.remote.example\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") {
          inData = true;
          sock.write("354 go ahead\r\n");
        } else if (verb === "QUIT") sock.end("221 2.0.0 bye\r\n");
        else sock.write("250 2.0.0 ok\r\n");
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    port,
    got,
    server,
    frozen: () => frozen,
    acked: () => acked,
    heldCount: () => held.size,
    thaw() {
      for (const sock of held) sock.destroy();
      held.clear();
      frozen = false;
      limit = Number.POSITIVE_INFINITY;
    },
  };
}

describe("several nodes on one PostgreSQL and one Redis", {
  skip:
    postgresSkip() || redisSkip() || commandSkip("swaks") || commandSkip("python3") || commandSkip("curl"),
  timeout: 300_000,
}, () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let store: Store;
  let dns: DnsServer;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const ids: Record<string, number> = {};
  const nodes: Record<string, ServerProcess> = {};

  function nodeOptions(
    name: string,
    roles: string[],
    extra: Record<string, unknown> = {},
  ): ServerProcessOptions {
    return {
      keepData: true,
      listeners: [
        { protocol: "smtp", tls: "none" },
        { protocol: "submission", tls: "none" },
        { protocol: "imap", tls: "none" },
        { protocol: "pop3", tls: "none" },
        { protocol: "http", tls: "implicit" },
      ],
      config: {
        server: { roles, hostname: `${name}.mail.example.test` },
        storage: { backend: "postgres", postgresUrl: pg.url, postgresConnectTimeoutMs: 2000 },
        cluster: { redisUrl: redis.url, nodeId: name },
        imap: { allowPlaintextAuth: true },
        pop3: { allowPlaintextAuth: true },
        spam: { enabled: false },
        dns: { servers: dns.servers, cacheSec: 0 },
        ...extra,
      },
    };
  }

  before(async () => {
    [pg, redis, dns, sink] = await Promise.all([
      startPostgres({ durable: true }),
      startRedis(),
      startDnsServer([]),
      startSink(33),
    ]);
    dns.set([
      { name: "remote.example", type: "MX", exchange: "mx.remote.example", priority: 10 },
      { name: "mx.remote.example", type: "A", value: "127.0.0.1" },
    ]);
    // The schema and the accounts first, from this process (the nodes then find them).
    store = await openPostgresStore({ url: pg.url, notifier: new LocalNotifier(), log: silentLogger });
    await store.directory.addDomain("example.test");
    for (const who of ["alice", "bob", "carol"])
      ids[who] = (
        await store.directory.createAccount({
          address: `${who}@example.test`,
          passwordHash: await hashPassword(PASSWORD),
        })
      ).id;
    const started = await Promise.all([
      startServerProcess(nodeOptions("a", ["mx", "submission"])),
      startServerProcess(nodeOptions("b", ["imap", "pop3"])),
      startServerProcess(
        // A lease short enough that what C holds when it is killed is retried within the test,
        // long enough that no claim or renewal outlasts it on a loaded machine (with 2 s, a CI
        // run at load 30+ had C's own leases lapse and 20+ messages sent twice).
        nodeOptions("c", ["http", "delivery"], {
          outbound: {
            enabled: true,
            port: sink.port,
            leaseMs: 10_000,
            pollIntervalMs: 100,
            retryBaseMs: 100,
          },
        }),
      ),
      startServerProcess(nodeOptions("d", ["pop3"])),
    ]);
    [nodes.a, nodes.b, nodes.c, nodes.d] = started;
  });
  after(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
    await store?.close();
    sink?.server.close();
    await dns?.stop();
    await redis?.stop();
    await pg?.remove();
  });

  test("each node starts only its roles' listeners", () => {
    assert.deepEqual([...nodes.a!.ports.keys()].sort(), ["smtp/none", "submission/none"]);
    assert.deepEqual([...nodes.b!.ports.keys()].sort(), ["imap/none", "pop3/none"]);
    assert.deepEqual([...nodes.c!.ports.keys()].sort(), ["http/implicit"]);
    assert.deepEqual([...nodes.d!.ports.keys()].sort(), ["pop3/none"]);
  });

  test("a delivery on A is heard by IMAP IDLE on B (latency over 50) and found by JMAP on C", async (t) => {
    // swaks first: the real client.
    const out = await run("swaks", [
      ...["--server", "127.0.0.1", "--port", String(nodes.a!.ports.get("smtp/none"))],
      ...["--from", "far@remote.example", "--to", "alice@example.test"],
      ...["--header", "Subject: by swaks", "--header", "Message-Id: <swaks-1@remote.example>"],
    ]);
    assert.match(out, /^<- {2}250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/m);

    const idle = new ImapFlow({
      host: "127.0.0.1",
      port: nodes.b!.ports.get("imap/none")!,
      secure: false,
      auth: { user: "alice@example.test", pass: PASSWORD },
      logger: false,
    });
    await idle.connect();
    const latencies: number[] = [];
    try {
      await idle.mailboxOpen("INBOX");
      let exists = idle.mailbox ? idle.mailbox.exists : 0;
      assert.equal(exists, 1);
      let heardAt = 0;
      idle.on("exists", (e: { count: number }) => {
        exists = e.count;
        heardAt = performance.now();
      });
      void idle.idle();
      const smtp = await RawSmtpClient.connect({ port: nodes.a!.ports.get("smtp/none")!, timeoutMs: 30_000 });
      await smtp.reply();
      await smtp.cmd("EHLO far.remote.example");
      for (let i = 0; i < 50; i++) {
        await smtp.cmd("MAIL FROM:<far@remote.example>");
        await smtp.cmd("RCPT TO:<alice@example.test>");
        await smtp.cmd("DATA");
        smtp.send(`Message-ID: <idle-${i}@remote.example>\r\nSubject: idle ${i}\r\n\r\nhello\r\n.\r\n`);
        const reply = await smtp.reply();
        const ackAt = performance.now();
        assert.match(reply, ACCEPTED);
        await waitFor(`EXISTS ${i + 2}`, () => exists >= i + 2, 10_000);
        // 0: the EXISTS came in before the client had read the 250 (B hears the commit, and A
        // answers 250 after it).
        latencies.push(Math.max(0, heardAt - ackAt));
      }
      await smtp.cmd("QUIT");
    } finally {
      await idle.logout().catch(() => {});
    }
    latencies.sort((x, y) => x - y);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    t.diagnostic(
      `250 on A → EXISTS on B over ${latencies.length} deliveries: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (issue target p99 < 100 ms)`,
    );
    assert.ok(p99 < 2000, `p99 ${p99} ms`);

    // JMAP on C (HTTPS, its own self-signed certificate): the 51 messages, swaks's first.
    const body = JSON.stringify({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [
        ["Email/query", { accountId: `A${ids.alice}`, sort: [{ property: "receivedAt" }], limit: 100 }, "q"],
        [
          "Email/get",
          {
            accountId: `A${ids.alice}`,
            "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
            properties: ["messageId"],
          },
          "g",
        ],
      ],
    });
    const res = JSON.parse(
      await run(
        "curl",
        [
          ...["-sS", "-k", "--fail-with-body", "-u", `alice@example.test:${PASSWORD}`],
          ...["-H", "Content-Type: application/json", "--data-binary", "@-"],
          `https://127.0.0.1:${nodes.c!.ports.get("http/implicit")}/jmap/api`,
        ],
        body,
      ),
    ) as { methodResponses: [string, { list?: { messageId: string[] }[]; ids?: string[] }, string][] };
    const got = res.methodResponses[1]![1].list!.map((e) => e.messageId[0]);
    assert.equal(got.length, 51);
    assert.equal(got[0], "swaks-1@remote.example");
    assert.equal(new Set(got).size, 51);
  });

  test("webmail on C: logged in by its cookie, its live-update stream hears a delivery on A", async (t) => {
    // As the page does (web/src/api/jmap.ts, push.ts): POST /webmail/login, the JMAP Session
    // through the cookie bridge, then its eventSourceUrl as an EventSource (RFC 8620 7.3).
    const port = nodes.c!.ports.get("http/implicit")!;
    const origin = `https://127.0.0.1:${port}`;
    const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpsRequest({
          host: "127.0.0.1",
          port,
          method,
          path,
          rejectUnauthorized: false, // C's own self-signed certificate
          headers: { Host: `127.0.0.1:${port}`, ...headers },
        });
        req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
        req.on("response", resolve);
        req.on("error", reject);
        req.end(body);
      });
    const text = async (res: IncomingMessage) => {
      let s = "";
      for await (const chunk of res) s += (chunk as Buffer).toString();
      return s;
    };
    const login = await call(
      "POST",
      "/webmail/login",
      { "Content-Type": "application/json", Origin: origin },
      JSON.stringify({ username: "carol@example.test", password: PASSWORD }),
    );
    const loginBody = await text(login);
    assert.equal(login.statusCode, 200, loginBody);
    const setCookie = [login.headers["set-cookie"] ?? []].flat().join("\n");
    const m = /(__Host-yubin_webmail=[^;]+)/.exec(setCookie);
    assert.ok(m?.[1], `no webmail cookie in ${setCookie}`);
    const cookie = { Cookie: m[1] };

    const sessionRes = await call("GET", JMAP_PATHS.session, cookie);
    assert.equal(sessionRes.statusCode, 200);
    const session = JSON.parse(await text(sessionRes)) as { eventSourceUrl: string };
    const url = new URL(
      session.eventSourceUrl.replace("{types}", "*").replace("{closeafter}", "no").replace("{ping}", "60"),
      origin,
    );
    const stream = await call("GET", `${url.pathname}${url.search}`, {
      ...cookie,
      Accept: "text/event-stream",
    });
    assert.equal(stream.statusCode, 200);
    assert.match(String(stream.headers["content-type"]), /^text\/event-stream/);
    let got = "";
    stream.on("data", (d: Buffer) => (got += d.toString()));
    try {
      await waitFor("the stream's opening comment", () => got.includes(": yubin jmap push"), 10_000);
      const out = await run("swaks", [
        ...["--server", "127.0.0.1", "--port", String(nodes.a!.ports.get("smtp/none"))],
        ...["--from", "far@remote.example", "--to", "carol@example.test"],
        ...["--header", "Subject: for the webmail", "--header", "Message-Id: <web-1@remote.example>"],
      ]);
      assert.match(out, /^<- {2}250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/m);
      const sentAt = performance.now();
      const stateEvent = () => /event: state\ndata: (\{[^\n]*\})\n\n/.exec(got)?.[1];
      await waitFor("a StateChange on C's stream", () => stateEvent() !== undefined, 10_000);
      t.diagnostic(
        `StateChange on C seen ${(performance.now() - sentAt).toFixed(0)} ms after swaks exited (its 250, then QUIT)`,
      );
      const change = JSON.parse(stateEvent()!) as {
        "@type": string;
        changed: Record<string, Record<string, string>>;
      };
      assert.equal(change["@type"], "StateChange");
      assert.deepEqual(Object.keys(change.changed), [`A${ids.carol}`]);
      const types = change.changed[`A${ids.carol}`]!;
      // The new mail: Email (and EmailDelivery, RFC 8621 1.5) changed.
      assert.ok(types.Email, `Email not among ${JSON.stringify(types)}`);
      assert.ok(types.EmailDelivery, `EmailDelivery not among ${JSON.stringify(types)}`);
    } finally {
      stream.destroy();
    }
  });

  test("POP3 on B holds the maildrop lock: the same account on D gets -ERR [IN-USE]", async () => {
    const held = await Pop3TestClient.connect(nodes.b!.ports.get("pop3/none")!);
    try {
      await held.readLine();
      assert.match(await held.login("carol@example.test", PASSWORD), /^\+OK/);
      const py = `
import poplib, sys
c = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
c.user("carol@example.test")
try:
    print(c.pass_(sys.argv[2]).decode())
except poplib.error_proto as e:
    print(e.args[0].decode())
`;
      const out = await run("python3", ["-c", py, String(nodes.d!.ports.get("pop3/none")), PASSWORD]);
      assert.equal(out.trim(), "-ERR [IN-USE] maildrop already locked by another POP3 session");
      assert.match(await held.cmd("QUIT"), /^\+OK/);
    } finally {
      held.close();
    }
    // Released: D now logs in.
    const py = `
import poplib, sys
c = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
c.user("carol@example.test")
print(c.pass_(sys.argv[2]).decode())
c.quit()
`;
    let out = "";
    await waitFor("the lock released", async () => {
      out = await run("python3", ["-c", py, String(nodes.d!.ports.get("pop3/none")), PASSWORD]).catch(
        (e: Error) => e.message,
      );
      return out.startsWith("+OK");
    });
  });

  test("A killed with SIGKILL under 8 concurrent senders: every 250 filed once", async (t) => {
    const TOTAL = 200;
    const acked = new Set<string>();
    let refused = 0;
    let next = 0;
    let killed = false;
    let port = nodes.a!.ports.get("smtp/none")!;
    const sendOne = async (i: number) => {
      const tr = nodemailer.createTransport({
        host: "127.0.0.1",
        port,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 5000,
        socketTimeout: 15_000,
      });
      try {
        const info = await tr.sendMail({
          envelope: { from: "far@remote.example", to: ["bob@example.test"] },
          raw: `Message-ID: <load-${i}@remote.example>\r\nSubject: load ${i}\r\n\r\nunder load\r\n`,
        });
        if (/^250 /.test(info.response)) acked.add(`load-${i}@remote.example`);
      } catch {
        refused++; // never acknowledged: may or may not be there
      } finally {
        tr.close();
      }
    };
    const restart = async () => {
      const a = nodes.a!;
      await a.kill("SIGKILL");
      nodes.a = await startServerProcess({ ...nodeOptions("a", ["mx", "submission"]), dataDir: a.dataDir });
      port = nodes.a.ports.get("smtp/none")!;
    };
    let restarting: Promise<void> | null = null;
    const worker = async () => {
      for (let guard = 0; guard < TOTAL && next < TOTAL; guard++) {
        const i = next++;
        if (i === TOTAL / 2 && !killed) {
          killed = true;
          restarting = restart();
        }
        if (restarting && i > TOTAL / 2) await restarting;
        await sendOne(i);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await restarting;
    const stored = messageIds(await inbox(store, ids.bob!)).filter((id) => id.startsWith("load-"));
    const counts = new Map<string, number>();
    for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
    t.diagnostic(`${acked.size} answered 250, ${refused} not answered, ${stored.length} filed`);
    assert.deepEqual(
      [...acked].filter((id) => !counts.has(id)),
      [],
      "acknowledged but missing",
    );
    assert.deepEqual(
      [...counts].filter(([, n]) => n > 1),
      [],
      "filed twice",
    );
    assert.ok(acked.size >= TOTAL / 2, `${acked.size} acknowledged`);
  });

  test("C killed with SIGKILL while delivering 100 queued messages: the sink gets each once", async (t) => {
    const TOTAL = 100;
    for (let i = 0; i < TOTAL; i++)
      await store.queue.enqueue({
        body: Buffer.from(
          `From: alice@example.test\r\nTo: far@remote.example\r\nMessage-ID: <out-${i}@example.test>\r\nSubject: out ${i}\r\n\r\nfar away\r\n`,
        ),
        mailFrom: "alice@example.test",
        recipients: [{ address: `far${i % 7}@remote.example` }],
        accountId: ids.alice!,
      });
    const outs = () => [...sink.got.keys()].filter((k) => k.startsWith("out-")).length;
    const queued = async () =>
      (await store.queue.listQueue()).filter((q) => q.state !== "done" && q.state !== "failed").length;
    await waitFor("the sink to freeze after a third", () => sink.frozen(), 60_000);
    // What the sink acknowledged is committed as delivered (removed from the queue) before the
    // kill; what it holds is mid-transaction.
    await waitFor("the acknowledged ones settled", async () => (await queued()) === TOTAL - sink.acked());
    await waitFor("a transaction held", () => sink.heldCount() > 0, 10_000);
    const c = nodes.c!;
    await c.kill("SIGKILL");
    const atKill = { acknowledged: outs(), held: sink.heldCount() };
    sink.thaw();
    // The killed C's leases end at most 10 s after the kill; the new C's own need not end soon.
    nodes.c = await startServerProcess({
      ...nodeOptions("c", ["http", "delivery"], {
        outbound: { enabled: true, port: sink.port, leaseMs: 60_000, pollIntervalMs: 100, retryBaseMs: 100 },
      }),
      dataDir: c.dataDir,
    });
    await waitFor("all delivered", () => outs() >= TOTAL, 90_000);
    await waitFor("the queue empty", async () => (await queued()) === 0);
    const dups = [...sink.got].filter(([k, n]) => k.startsWith("out-") && n > 1);
    t.diagnostic(
      `at the kill: ${atKill.acknowledged} of ${TOTAL} acknowledged, ${atKill.held} held mid-transaction; duplicates: ${JSON.stringify(dups)}`,
    );
    assert.equal(outs(), TOTAL);
    assert.deepEqual(dups, []);
  });
});
