// The engine is woken when something is queued, not left to its next poll (pollIntervalMs is
// ten minutes here, the most allowed, and each wait below a minute: what arrives was woken, however
// slow the machine): mail that arrives on port 25 for an alias forwarding off-site leaves at once
// (ctx.kickQueue from the SMTP server), and so does the bounce the engine itself queues for a
// sender at another domain (RFC 3464, from the null sender). full-path.test.ts covers submission.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { outboundConfig, waitFor } from "./test-helpers.js";
import { type Sink, startSink } from "./test-sink.js";

const pollIntervalMs = 600_000;
/** Well under pollIntervalMs, and long enough for a loaded 2-core CI machine. */
const WAIT_MS = 60_000;

describe("outbound: woken by new queue entries", () => {
  let dns: DnsServer;
  let sink: Sink;
  let a: TestServer;

  before(async () => {
    dns = await startDnsServer([
      { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
      { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
      { name: "far.test", type: "MX", exchange: "mx.far.test", priority: 10 },
      { name: "mx.far.test", type: "A", value: "127.0.0.1" },
    ]);
    sink = await startSink({
      rcpt: (addr) =>
        addr === "gone@sink.test" ? "550 5.1.1 <gone@sink.test>: no such user" : "250 2.1.5 ok",
    });
    a = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: outboundConfig(dns, sink.port, { pollIntervalMs }),
    });
    await a.store.directory.addAlias("fwd@a.test", ["x@sink.test"]);
    await a.store.directory.addAlias("dead@a.test", ["gone@sink.test"]);
  });
  after(async () => {
    await a.stop();
    await sink.stop();
    await dns.stop();
  });

  const sendInbound = async (to: string, subject: string) => {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: a.ports.smtp,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    try {
      await t.sendMail({ from: "sender@far.test", to, subject, text: "hi" });
    } finally {
      t.close();
    }
  };

  test("port 25 mail to an alias that forwards off-site leaves at once, not at the next poll", async () => {
    const before = sink.transactions.length;
    await sendInbound("fwd@a.test", "forward me");
    await waitFor("forwarded copy", () => sink.transactions.length > before, WAIT_MS);
    const t = sink.transactions[before]!;
    // Forwarded off-site, the envelope sender is SRS-rewritten (src/outbound/srs.ts) so SPF passes.
    assert.match(t.mailFrom, /^MAIL FROM:<SRS0=[^=]+=[^=]+=far\.test=sender@/);
    // The alias address travels as ORCPT (RFC 3461 4.2), so a DSN can name what the sender wrote.
    assert.deepEqual(t.rcpts, ["RCPT TO:<x@sink.test> ORCPT=rfc822;fwd@a.test"]);
    assert.match(t.data.toString(), /\r\nSubject: forward me\r\n/);
  });

  test("a backlog larger than the engine works at once drains in batches without waiting for the poll", async () => {
    // maxConnections 2: four entries are worked at a time, so twelve need several claims.
    const b = await startTestServer({
      domains: ["b.test"],
      users: [],
      config: outboundConfig(dns, sink.port, { pollIntervalMs, maxConnections: 2 }),
    });
    try {
      const before = sink.transactions.length;
      for (let i = 0; i < 12; i++)
        await b.store.queue.enqueue({
          body: Buffer.from(`Subject: backlog ${i}\r\n\r\nx\r\n`),
          mailFrom: "someone@b.test",
          recipients: [{ address: `r${i}@sink.test`, notify: ["NEVER"] }],
        });
      b.ctx.kickQueue?.();
      await waitFor("all twelve", () => sink.transactions.length - before === 12, WAIT_MS);
      const subjects = sink.transactions
        .slice(before)
        .map((t) => /Subject: (backlog \d+)/.exec(t.data.toString())?.[1])
        .sort();
      assert.deepEqual(subjects, Array.from({ length: 12 }, (_, i) => `backlog ${i}`).sort());
      await waitFor("queue empty", async () => (await b.store.queue.listQueue()).length === 0, WAIT_MS);
    } finally {
      await b.stop();
    }
  });

  test("the bounce for a sender at another domain is queued from <> and leaves at once too", async () => {
    const before = sink.transactions.length;
    await sendInbound("dead@a.test", "into the void");
    await waitFor("bounce sent", () => sink.transactions.length > before, WAIT_MS);
    const t = sink.transactions[before]!;
    assert.equal(t.mailFrom.startsWith("MAIL FROM:<> "), true, t.mailFrom);
    // The forwarded copy left from an SRS address; the bounce to it is reversed to the sender,
    // with the SRS address it was written to as ORCPT (RFC 3461 4.2).
    assert.equal(t.rcpts.length, 1);
    assert.match(t.rcpts[0]!, /^RCPT TO:<sender@far\.test> NOTIFY=NEVER ORCPT=rfc822;SRS0\+3D/);
    const dsn = t.data.toString();
    assert.match(dsn, /\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.sink\.test\r\n/);
    assert.match(dsn, /\r\nSubject: into the void\r\n/);
    await waitFor("queue empty", async () => (await a.store.queue.listQueue()).length === 0, WAIT_MS);
  });
});
