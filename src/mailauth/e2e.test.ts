// Two Yubin instances and a DNS server, all on 127.0.0.1: a.test publishes exactly the records
// `yubin domain dns a.test` recommends. alice@a.test submits to A, A signs the queued copy, and
// that copy is handed to B's port 25 as A's delivery engine would. Forgeries from an IP outside
// a.test's SPF meet a.test's DMARC policy at B.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { algorithmsOf, ensureDkimKeys, loadDkimKeys } from "./keys.js";
import { type DnsRecord, dnsRecordsFor } from "./records.js";
import { assertAllPass, zoneOf } from "./test-zone.js";

let dns: DnsServer;
let A: TestServer;
let B: TestServer;
let records: DnsRecord[] = [];

before(async () => {
  dns = await startDnsServer();
  const dnsConfig = { servers: dns.servers, timeoutMs: 3000, tries: 2 };
  A = await startTestServer({
    domains: ["a.test"],
    users: [{ address: "alice@a.test", password: testPassword }],
    config: {
      server: { hostname: "mail.a.test" },
      dns: dnsConfig,
      mailauth: { recordSpfIps: ["127.0.0.1"] },
    },
  });
  B = await startTestServer({
    domains: ["b.test"],
    users: [{ address: "bob@b.test", password: testPassword }],
    config: { server: { hostname: "mx.b.test" }, dns: dnsConfig, mailauth: { verifyInbound: true } },
  });
  // What `yubin domain add a.test` does, then the records `yubin domain dns a.test` prints.
  await ensureDkimKeys(A.dataDir, "a.test", { algorithms: algorithmsOf("ed25519+rsa"), rsaBits: 2048 });
  records = dnsRecordsFor("a.test", A.config, await loadDkimKeys(A.dataDir, "a.test"));
});

after(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  await dns?.stop();
});

beforeEach(() => dns.set(zoneOf("a.test", records, "reject")));

/** Hand a raw message to B's port 25 from `localAddress`, as another MTA would. */
async function toB(raw: Buffer | string, opts: { from: string; localAddress: string; helo: string }) {
  const t = nodemailer.createTransport({
    host: "127.0.0.1",
    port: B.ports.smtp,
    secure: false,
    ignoreTLS: true,
    name: opts.helo,
    localAddress: opts.localAddress,
  });
  try {
    return await t.sendMail({ envelope: { from: opts.from, to: ["bob@b.test"] }, raw });
  } finally {
    t.close();
  }
}

async function bobsMail(mailbox: "INBOX" | "Junk"): Promise<string[]> {
  const bob = B.users[0]!.id;
  const box = (await B.store.mail.listMailboxes(bob)).find((m) =>
    mailbox === "INBOX" ? m.name === "INBOX" : m.specialUse === "\\Junk",
  );
  assert.ok(box, `bob has ${mailbox}`);
  const msgs = await B.store.mail.listMessages(box.id);
  return Promise.all(msgs.map(async (m) => (await B.store.mail.readBody(m.blobId)).toString()));
}

function forged(subject: string): string {
  return `From: Alice <alice@a.test>\r\nTo: bob@b.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@a.test>\r\n\r\nPlease pay the invoice.\r\n`;
}

describe("mail authentication between two instances", () => {
  test("alice@a.test → bob@b.test: signed at A, dkim=pass spf=pass dmarc=pass in B's INBOX", async () => {
    const sub = nodemailer.createTransport({
      host: "127.0.0.1",
      port: A.ports.submission,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@a.test", pass: testPassword },
    });
    try {
      await sub.sendMail({
        from: "Alice <alice@a.test>",
        to: "bob@b.test",
        subject: "lunch",
        text: "Noon at the usual place?",
      });
    } finally {
      sub.close();
    }
    const [queued] = await A.store.queue.listQueue();
    assert.ok(queued, "queued at A");
    const signedCopy = await A.store.mail.readBody(queued.blobId);
    const head = signedCopy.toString().split("\r\n\r\n")[0]!;
    assert.match(head, /^Received: from /);
    assert.equal(head.match(/^DKIM-Signature: /gm)?.length, 2);
    assert.match(head, /a=ed25519-sha256;[\s\S]*?d=a\.test;/);
    assert.match(head, /a=rsa-sha256;[\s\S]*?d=a\.test;/);
    await A.store.queue.removeQueued(queued.id);

    const before = (await bobsMail("INBOX")).length;
    const info = await toB(signedCopy, {
      from: "alice@a.test",
      localAddress: "127.0.0.1",
      helo: "mail.a.test",
    });
    assert.match(info.response, /^250 /);
    const inbox = await bobsMail("INBOX");
    assert.equal(inbox.length, before + 1);
    const stored = inbox.at(-1)!;
    assertAllPass(stored);
    // Our fields sit between B's Received and the message as A sent it.
    assert.match(
      stored,
      /^Return-Path: <alice@a\.test>\r\nReceived: from mail\.a\.test \(\[127\.0\.0\.1\]\)[\s\S]*?\r\nAuthentication-Results: mx\.b\.test;/,
    );
    assert.ok(stored.endsWith(signedCopy.toString()));
    assert.match(stored, /\r\nReceived-SPF: pass /);
  });

  test("forged From a.test from 127.0.0.9, unsigned, p=reject: 550 5.7.1 and nothing stored", async () => {
    const inbox = (await bobsMail("INBOX")).length;
    const junk = (await bobsMail("Junk")).length;
    await assert.rejects(
      toB(forged("reject-me"), { from: "alice@a.test", localAddress: "127.0.0.9", helo: "evil.test" }),
      (e: { responseCode?: number; response?: string }) => {
        assert.equal(e.responseCode, 550);
        assert.match(e.response ?? "", /^550 5\.7\.1 Rejected by the DMARC policy of the sender's domain/);
        return true;
      },
    );
    assert.equal((await bobsMail("INBOX")).length, inbox);
    assert.equal((await bobsMail("Junk")).length, junk);
  });

  test("the same forgery under p=quarantine lands in Junk with dmarc=fail", async () => {
    dns.set(zoneOf("a.test", records, "quarantine"));
    const inbox = (await bobsMail("INBOX")).length;
    await toB(forged("junk-me"), { from: "alice@a.test", localAddress: "127.0.0.9", helo: "evil.test" });
    assert.equal((await bobsMail("INBOX")).length, inbox);
    const stored = (await bobsMail("Junk")).find((m) => m.includes("Subject: junk-me"));
    assert.ok(stored, "in Junk");
    // The recommended SPF record ends in ~all: softfail, which does not align for DMARC.
    assert.match(
      stored,
      /^ spf=softfail \(mx\.b\.test: domain of transitioning alice@a\.test does not designate 127\.0\.0\.9/m,
    );
    assert.match(stored, /^ dkim=none/m);
    assert.match(stored, /^ dmarc=fail \(p=QUARANTINE arc=none\) header\.from=a\.test/m);
  });

  test("an Authentication-Results field forged in our name is removed; others stay", async () => {
    const raw =
      "Authentication-Results: mx.b.test; dkim=pass header.i=@bank.test; dmarc=pass\r\n" +
      "Authentication-Results: relay.elsewhere.test; spf=pass\r\n" +
      forged("strip-me");
    // From a listed IP, so SPF aligns and DMARC passes: the message is delivered to INBOX.
    await toB(raw, { from: "alice@a.test", localAddress: "127.0.0.1", helo: "mail.a.test" });
    const stored = (await bobsMail("INBOX")).find((m) => m.includes("Subject: strip-me"))!;
    assert.equal(stored.match(/^Authentication-Results: mx\.b\.test;/gm)?.length, 1);
    assert.ok(!stored.includes("bank.test"));
    assert.match(stored, /^Authentication-Results: relay\.elsewhere\.test; spf=pass\r\n/m);
    assert.match(stored, /^ dmarc=pass /m);
  });
});
