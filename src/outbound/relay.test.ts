// End to end: two Yubin instances (a.test, b.test) and scripted SMTP servers on loopback, with a
// DNS server the test runs. A user of A submits; A's queue runner resolves MX through that DNS
// server and delivers to B (or to a sink), retrying, bouncing or deferring as the case asks.
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import selfsigned from "selfsigned";
import { type DnsServer, startDnsServer, type ZoneRecord } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { inboxBodies, outboundConfig, submit as submitAs, waitFor } from "./test-helpers.js";
import { startSink } from "./test-sink.js";

const zone = (extra: ZoneRecord[] = []): ZoneRecord[] => [
  { name: "a.test", type: "MX", exchange: "mx.a.test", priority: 10 },
  { name: "mx.a.test", type: "A", value: "127.0.0.1" },
  { name: "b.test", type: "MX", exchange: "mx.b.test", priority: 10 },
  { name: "mx.b.test", type: "A", value: "127.0.0.1" },
  { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
  { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
  { name: "b.test", type: "TXT", value: "v=spf1 ip4:127.0.0.1 -all" },
  ...extra,
];

const submit = (a: TestServer, to: string[], subject: string) =>
  submitAs(a, { from: "alice@a.test", to, subject });

describe("outbound delivery", () => {
  let dns: DnsServer;
  let b: TestServer;
  const started: { stop(): Promise<void> }[] = [];
  const instanceA = async (port: number, extra: Record<string, unknown> = {}) => {
    const a = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: outboundConfig(dns, port, extra),
    });
    started.push(a);
    return a;
  };
  const sink = async (script: Parameters<typeof startSink>[0]) => {
    const s = await startSink(script);
    started.push(s);
    return s;
  };

  before(async () => {
    dns = await startDnsServer(zone());
    b = await startTestServer({
      domains: ["b.test"],
      users: [
        { address: "bob@b.test", password: testPassword },
        { address: "carol@b.test", password: testPassword },
      ],
    });
  });
  after(async () => {
    for (const s of started.reverse()) await s.stop();
    await b.stop();
    await dns.stop();
  });

  test("a user of A writes to users of B through submission: lands in B's INBOX, one transaction", async () => {
    const a = await instanceA(b.ports.smtp);
    await submit(a, ["bob@b.test", "carol@b.test"], "hello B");
    const bob = await waitFor("bob's copy", async () => {
      const m = await inboxBodies(b, "bob@b.test");
      return m.length > 0 && m;
    });
    const carol = await inboxBodies(b, "carol@b.test");
    assert.equal(bob.length, 1);
    assert.equal(carol.length, 1);
    const text = bob[0]!.toString("utf8");
    assert.match(text, /^Return-Path: <alice@a\.test>\r\n/);
    assert.match(text, /Subject: hello B\r\n/);
    assert.match(text, /body of hello B/);
    // B's Received field: A used STARTTLS (opportunistic); then A's own, from submission.
    assert.match(
      text,
      /\r\nReceived: from mail\.example\.test \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test \(Yubin\) with ESMTPS id /,
    );
    assert.match(text, /\r\nReceived: from \[127\.0\.0\.1\] .*with ESMTPSA id /s);
    await waitFor("empty queue", async () => (await a.store.queue.listQueue()).length === 0);
    assert.ok(dns.queries.includes("b.test MX"));
  });

  test("451 twice then accepted: delivered exactly once, after three attempts", async () => {
    const s = await sink({ rcpt: (_a, n) => (n <= 2 ? "451 4.3.0 try again later" : "250 2.1.5 ok") });
    const a = await instanceA(s.port);
    await submit(a, ["dave@sink.test"], "retry me");
    await waitFor("delivery", async () => s.transactions.length === 1);
    await waitFor("empty queue", async () => (await a.store.queue.listQueue()).length === 0);
    await new Promise((r) => setTimeout(r, 400)); // would a duplicate follow?
    assert.equal(s.transactions.length, 1);
    assert.match(s.transactions[0]!.data.toString(), /Subject: retry me/);
    assert.equal(s.transactions[0]!.mailFrom.startsWith("MAIL FROM:<alice@a.test>"), true);
  });

  test("550 from the destination: a DSN in the sender's INBOX that an IMAP client sees as a bounce", async () => {
    const s = await sink({ rcpt: () => "550 5.1.1 <nobody@sink.test>: no such user" });
    const a = await instanceA(s.port);
    await submit(a, ["nobody@sink.test"], "doomed");
    const [dsn] = await waitFor("bounce", async () => {
      const m = await inboxBodies(a, "alice@a.test");
      return m.length > 0 && m;
    });
    // The bounce is readable once committed; the queue entry goes once that commit is durable.
    await waitFor("empty queue", async () => (await a.store.queue.listQueue()).length === 0);
    const text = dsn!.toString("utf8");
    assert.match(text, /^Return-Path: <>\r\n/);
    assert.match(text, /\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.sink\.test\r\n/);
    assert.match(text, /\r\nDiagnostic-Code: smtp; 550 5\.1\.1 <nobody@sink\.test>: no such user\r\n/);
    assert.match(text, /\r\nFinal-Recipient: rfc822; nobody@sink\.test\r\n/);
    assert.match(text, /Subject: doomed/, "the original is returned");

    const c = new ImapFlow({
      host: "127.0.0.1",
      port: a.ports.imaps!,
      secure: true,
      auth: { user: "alice@a.test", pass: testPassword },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await c.connect();
    try {
      await c.mailboxOpen("INBOX");
      const msg = await c.fetchOne("1", { bodyStructure: true, envelope: true });
      assert.ok(msg);
      const bs = msg.bodyStructure!;
      assert.equal(bs.type, "multipart/report");
      assert.equal(bs.parameters?.["report-type"], "delivery-status");
      assert.deepEqual(
        bs.childNodes?.map((n) => n.type),
        ["text/plain", "message/delivery-status", "message/rfc822"],
      );
      assert.equal(msg.envelope?.subject, "Undelivered Mail Returned to Sender");
      assert.equal(msg.envelope?.from?.[0]?.address, "MAILER-DAEMON@mail.example.test");
    } finally {
      await c.logout();
    }
  });

  test("DSN parameters travel per recipient, all recipients of a domain in one transaction", async () => {
    const s = await sink({});
    const a = await instanceA(s.port);
    await a.store.queue.enqueue({
      body: Buffer.from("Subject: dsn params\r\n\r\nhi\r\n"),
      mailFrom: "alice@a.test",
      envId: "env 42",
      ret: "HDRS",
      recipients: [
        { address: "x@sink.test", notify: ["SUCCESS", "FAILURE"], orcpt: "rfc822;x+tag@sink.test" },
        { address: "y@sink.test", notify: ["NEVER"] },
      ],
    });
    await waitFor("delivery", async () => s.transactions.length === 1);
    const t = s.transactions[0]!;
    assert.equal(t.mailFrom, "MAIL FROM:<alice@a.test> SIZE=27 RET=HDRS ENVID=env+2042");
    assert.deepEqual(t.rcpts, [
      "RCPT TO:<x@sink.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2Btag@sink.test",
      "RCPT TO:<y@sink.test> NOTIFY=NEVER",
    ]);
    assert.equal(s.connections, 1);
  });

  test("null MX (RFC 7505) bounces at once; a bounce itself never bounces", async () => {
    dns.set(zone([{ name: "nomail.test", type: "MX", exchange: ".", priority: 0 }]));
    const a = await instanceA(b.ports.smtp);
    await submit(a, ["x@nomail.test"], "to a null MX");
    const [dsn] = await waitFor("bounce", async () => {
      const m = await inboxBodies(a, "alice@a.test");
      return m.length > 0 && m;
    });
    assert.match(dsn!.toString(), /\r\nStatus: 5\.1\.10\r\n/);
    // From the null sender: dropped after the failure, no DSN anywhere.
    const q = await a.store.queue.enqueue({
      body: Buffer.from("Subject: bounce\r\n\r\nx\r\n"),
      mailFrom: "",
      recipients: [{ address: "y@nomail.test" }],
    });
    await waitFor("dropped", async () => (await a.store.queue.getQueued(q.id)) === null);
    assert.equal((await inboxBodies(a, "alice@a.test")).length, 1);
    assert.equal((await a.store.queue.listQueue()).length, 0);
  });

  test("MTA-STS enforce and a certificate not valid for the MX: deferred, never sent in clear", async () => {
    const pems = await selfsigned.generate([{ name: "commonName", value: "mta-sts.sts.test" }], {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "mta-sts.sts.test" }] }],
    });
    const caFile = join(tmpdir(), `yubin-sts-ca-${process.pid}-${Date.now()}.pem`);
    await writeFile(caFile, pems.cert);
    started.push({ stop: () => rm(caFile, { force: true }) });
    const fetched: string[] = [];
    const web = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      fetched.push(`${req.headers.host} ${req.url}`);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n");
    });
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", () => r()));
    started.push({ stop: () => new Promise<void>((r) => web.close(() => r())) });
    dns.set(
      zone([
        { name: "sts.test", type: "MX", exchange: "mx.sts.test", priority: 10 },
        { name: "mx.sts.test", type: "A", value: "127.0.0.1" },
        { name: "_mta-sts.sts.test", type: "TXT", value: "v=STSv1; id=20240101" },
        { name: "mta-sts.sts.test", type: "A", value: "127.0.0.1" },
      ]),
    );
    await b.store.directory.addDomain("sts.test");
    await b.store.directory.createAccount({ address: "erin@sts.test", passwordHash: "x" });
    const port = (web.address() as { port: number }).port;
    const a = await instanceA(b.ports.smtp, { mtaStsPort: port, caFile });
    await submit(a, ["erin@sts.test"], "secret");
    const q = await waitFor("deferral", async () => {
      const [e] = await a.store.queue.listQueue();
      return e && e.attempts >= 2 && e;
    });
    assert.equal(q.state === "deferred" || q.state === "sending", true);
    assert.match(q.lastError ?? "", /ETLS|certificate|self.signed/i);
    assert.deepEqual(
      fetched,
      ["mta-sts.sts.test /.well-known/mta-sts.txt"],
      "policy fetched once, then cached",
    );
    assert.equal((await inboxBodies(b, "erin@sts.test")).length, 0);
  });
});
