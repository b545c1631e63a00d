// The whole way, with nothing handed over by the test: alice submits at A; A signs (DKIM), queues,
// looks up b.test's MX in the test's DNS server and delivers to B's port 25; B checks SPF, DKIM
// and DMARC against the records `yubin domain dns a.test` recommends and files the message with
// an Authentication-Results field saying pass for all three.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { algorithmsOf, ensureDkimKeys, loadDkimKeys } from "../mailauth/keys.js";
import { dnsRecordsFor } from "../mailauth/records.js";
import { assertAllPass, zoneOf } from "../mailauth/test-zone.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { waitFor } from "./test-helpers.js";

describe("submission at A to a user of B, through A's delivery engine", () => {
  let dns: DnsServer;
  let A: TestServer;
  let B: TestServer;

  before(async () => {
    dns = await startDnsServer();
    const dnsConfig = { servers: dns.servers, timeoutMs: 3000, tries: 2 };
    B = await startTestServer({
      domains: ["b.test"],
      users: [{ address: "bob@b.test", password: testPassword }],
      config: { server: { hostname: "mx.b.test" }, dns: dnsConfig, mailauth: { verifyInbound: true } },
    });
    A = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: {
        server: { hostname: "mail.a.test" },
        dns: dnsConfig,
        mailauth: { recordSpfIps: ["127.0.0.1"] },
        // The longest poll allowed (10 min): delivered within the minute waited below, the
        // message was sent because the SMTP server woke the engine, however slow the machine.
        outbound: { enabled: true, port: B.ports.smtp, pollIntervalMs: 600_000, sourceAddress: "127.0.0.1" },
      },
    });
    await ensureDkimKeys(A.dataDir, "a.test", { algorithms: algorithmsOf("ed25519+rsa"), rsaBits: 2048 });
    const records = dnsRecordsFor("a.test", A.config, await loadDkimKeys(A.dataDir, "a.test"));
    dns.set([
      ...zoneOf("a.test", records, "reject"),
      { name: "b.test", type: "MX", exchange: "mx.b.test", priority: 10 },
      { name: "mx.b.test", type: "A", value: "127.0.0.1" },
    ]);
  });
  after(async () => {
    await Promise.all([A?.stop(), B?.stop()]);
    await dns?.stop();
  });

  test("lands in B's INBOX with dkim=pass, spf=pass, dmarc=pass, without waiting for a poll", async () => {
    const sub = nodemailer.createTransport({
      host: "127.0.0.1",
      port: A.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@a.test", pass: testPassword },
    });
    try {
      await sub.sendMail({
        from: "Alice <alice@a.test>",
        to: "bob@b.test",
        subject: "full path",
        text: "hi",
      });
    } finally {
      sub.close();
    }
    const bob = B.users[0]!.id;
    const inbox = (await B.store.mail.getMailbox(bob, "INBOX"))!;
    // Within a minute, so before the next poll (10 min): the SMTP server woke the engine.
    const stored = await waitFor(
      "delivered to B before the next poll",
      async () => {
        const [m] = await B.store.mail.listMessages(inbox.id);
        return m ? (await B.store.mail.readBody(m.blobId)).toString() : null;
      },
      60_000,
    );
    assertAllPass(stored);
    assert.match(
      stored,
      /^Return-Path: <alice@a\.test>\r\nReceived: from mail\.a\.test \(\[127\.0\.0\.1\]\)/,
    );
    await waitFor("A's queue empty", async () => (await A.store.queue.listQueue()).length === 0, 60_000);
  });
});
