// Issue 18 finding 6 over real SMTP: our domain publishes p=reject (test DNS server), and a
// stranger at 127.0.0.9 writes to bob "from" alice with a second author beside her. Two From
// fields or none: 550 5.6.0 (RFC 5322 3.6); one From listing two mailboxes: DMARC per author
// domain, the strictest (ours, p=reject) refuses with 550 5.7.1. Nothing is stored either way.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { inbox, startSmtpTestServer } from "../smtp/test-server.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import type { TestServer } from "../testing/harness.js";

let dns: DnsServer;
let s: TestServer;

before(async () => {
  dns = await startDnsServer([
    { name: "example.test", type: "TXT", value: "v=spf1 ip4:127.0.0.1 -all" },
    { name: "_dmarc.example.test", type: "TXT", value: "v=DMARC1; p=reject" },
  ]);
  s = await startSmtpTestServer({
    config: {
      dns: { servers: dns.servers, timeoutMs: 3000, tries: 2 },
      mailauth: { verifyInbound: true },
    },
  });
});

after(async () => {
  await s?.stop();
  await dns?.stop();
});

/** Hand `head` + a marker to port 25 from `localAddress`; the reply text and bob's copies. */
async function send(head: string, opts: { localAddress?: string; mailFrom?: string } = {}) {
  const marker = randomUUID();
  const t = nodemailer.createTransport({
    host: "127.0.0.1",
    port: s.ports.smtp,
    secure: false,
    ignoreTLS: true,
    name: "evil.test",
    localAddress: opts.localAddress ?? "127.0.0.9",
  });
  let reply: string;
  try {
    const info = await t.sendMail({
      envelope: { from: opts.mailFrom ?? "x@elsewhere.test", to: ["bob@example.test"] },
      raw: `${head}To: bob@example.test\r\nSubject: ${marker}\r\n\r\nPlease pay the invoice.\r\n`,
    });
    reply = info.response;
  } catch (e) {
    reply = (e as { response?: string }).response ?? String(e);
  } finally {
    t.close();
  }
  const stored = (await inbox(s.store, s.users[1]!.id))
    .map((b) => b.toString())
    .filter((b) => b.includes(marker));
  return { reply, stored };
}

describe("DMARC with several authors, our domain at p=reject", () => {
  test("From: x@elsewhere plus From: alice@ourdomain is refused", async () => {
    const { reply, stored } = await send("From: x@elsewhere.test\r\nFrom: Alice <alice@example.test>\r\n");
    assert.equal(
      reply,
      "550 5.6.0 Message content rejected: 2 From fields; exactly one is required (RFC 5322 3.6)",
    );
    assert.equal(stored.length, 0);
  });

  test("no From field, or one naming no mailbox, is refused", async () => {
    const none = await send("Sender: x@elsewhere.test\r\n");
    assert.equal(
      none.reply,
      "550 5.6.0 Message content rejected: no From fields; exactly one is required (RFC 5322 3.6)",
    );
    const group = await send("From: undisclosed:;\r\n");
    assert.equal(
      group.reply,
      "550 5.6.0 Message content rejected: the From field names no mailbox (RFC 5322 3.6.2)",
    );
    assert.equal(none.stored.length + group.stored.length, 0);
  });

  test("one From with x@elsewhere and alice@ourdomain (not aligned) is refused by our p=reject", async () => {
    for (const from of [
      "x@elsewhere.test, Alice <alice@example.test>",
      "Alice <alice@example.test>, x@elsewhere.test",
    ]) {
      const { reply, stored } = await send(`From: ${from}\r\n`);
      assert.equal(reply, "550 5.7.1 Rejected by the DMARC policy of the sender's domain", from);
      assert.equal(stored.length, 0);
    }
  });

  test("control: the stranger alone, and both authors from our own IP, are delivered with every result", async () => {
    const alone = await send("From: x@elsewhere.test\r\n");
    assert.match(alone.reply, /^250 /);
    assert.equal(alone.stored.length, 1);
    const both = await send("From: alice@example.test, x@elsewhere.test\r\n", {
      localAddress: "127.0.0.1",
      mailFrom: "alice@example.test",
    });
    assert.match(both.reply, /^250 /);
    assert.match(both.stored[0] ?? "", /^ dmarc=pass \(p=REJECT arc=none\) header\.from=example\.test/m);
    assert.match(both.stored[0] ?? "", /^ dmarc=none header\.from=elsewhere\.test/m);
  });
});
