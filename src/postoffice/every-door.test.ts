// One message through every door of the post office, each to a local and a remote recipient, the
// remote one a second Yubin (B) reached through A's delivery engine, its MX and DKIM records in a
// test DNS server (as src/outbound/full-path.test.ts). For every door:
//  - the copy B files says dkim=pass for both signatures (ed25519 and RSA) in B's
//    Authentication-Results, and has exactly one Received field added by A;
//  - the local copy is the bytes the door was given, below Return-Path and one Received of ours;
//  - each recipient has it once (nothing filed twice) and A's queue ends empty.
// Doors: "inbound" (port 25; its remote copy goes out through a forwarding alias, signed by the
// author's domain b.test, which A does not sign again), "submission" (port 465 with AUTH), "jmap"
// (EmailSubmission/set through the JMAP handler), "system" (carol's vacation replies: to alice,
// local, and to dave@b.test, remote).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { algorithmsOf, ensureDkimKeys, loadDkimKeys } from "../mailauth/keys.js";
import { dnsRecordsFor } from "../mailauth/records.js";
import { createDkimSigner } from "../mailauth/sign.js";
import { zoneOf } from "../mailauth/test-zone.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { jmapSend, startJmapHttp } from "./test-jmap-send.js";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The messages in an account's INBOX whose Subject contains `subject`, as text. */
async function copies(ts: TestServer, address: string, subject: string): Promise<string[]> {
  const id = ts.users.find((u) => u.address === address)!.id;
  const inbox = (await ts.store.mail.getMailbox(id, "INBOX"))!;
  const out: string[] = [];
  for (const m of await ts.store.mail.listMessages(inbox.id)) {
    const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
    if (headerOf(text).includes(`Subject: ${subject}`)) out.push(text);
  }
  return out;
}

/** Waits (bounded: 20 s, the machine may be busy) until `n` copies are there, then a little longer to see no more come. */
async function arrived(ts: TestServer, address: string, subject: string, n = 1): Promise<string[]> {
  for (let i = 0; i < 1000 && (await copies(ts, address, subject)).length < n; i++) await wait(20);
  await wait(100);
  return copies(ts, address, subject);
}

function headerOf(text: string): string {
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text : text.slice(0, end + 2);
}

/** The header's fields, unfolded lines kept together. */
function fields(text: string): string[] {
  return headerOf(text)
    .split(/\r\n(?![ \t])/)
    .filter((f) => f !== "");
}

/** A's Received fields in a message. */
const ours = (text: string) =>
  fields(text).filter((f) => /^Received: [\s\S]*by mail\.a\.test \(Yubin\)/.test(f));

/** B's verdict: both of `domain`'s DKIM signatures pass. */
function assertDkimPass(text: string, domain: string): void {
  const ar = fields(text).find((f) => f.startsWith("Authentication-Results: mx.b.test;")) ?? "";
  const d = domain.replace(/\./g, "\\.");
  assert.match(ar, new RegExp(`dkim=pass header\\.i=@${d} header\\.s=\\S+ header\\.a=ed25519-sha256`));
  assert.match(ar, new RegExp(`dkim=pass header\\.i=@${d} header\\.s=\\S+ header\\.a=rsa-sha256`));
}

/** A's local copy: Return-Path, one Received of ours, then exactly what the door was given. */
function assertLocalCopy(stored: string, mailFrom: string, given: string): void {
  const rp = `Return-Path: <${mailFrom}>\r\n`;
  assert.ok(stored.startsWith(rp), `starts with ${rp}`);
  const rest = stored.slice(rp.length);
  const received = /^Received: [\s\S]*?;\r\n\t[^\r\n]+\r\n/.exec(rest)?.[0] ?? "";
  assert.match(received, /by mail\.a\.test \(Yubin\)/);
  assert.equal(rest.slice(received.length), given);
}

function message(o: { from: string; to: string; subject: string }): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    "Date: Sun, 06 Dec 2026 10:00:00 +0000",
    `Message-ID: <${o.subject}@every-door.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    `Body of ${o.subject}.`,
    "",
  ].join("\r\n");
}

describe("every door of the post office, to a local and a remote recipient", () => {
  let dns: DnsServer;
  let A: TestServer;
  let B: TestServer;
  let keyDir: string;
  let jmapHttp: Awaited<ReturnType<typeof startJmapHttp>>;
  let jmapBase: string;

  before(async () => {
    dns = await startDnsServer();
    const dnsConfig = { servers: dns.servers, timeoutMs: 3000, tries: 2 };
    // The test zone has no PTR for 127.0.0.1: without this the connection screen (src/dnsbl) would
    // add its X-Yubin-Screen field on port 25, which is not what these doors are tested for.
    const dnsbl = { fcrdnsWeight: 0 };
    B = await startTestServer({
      domains: ["b.test"],
      users: [
        { address: "bob@b.test", password: testPassword },
        { address: "dave@b.test", password: testPassword },
      ],
      config: { server: { hostname: "mx.b.test" }, dns: dnsConfig, dnsbl, mailauth: { verifyInbound: true } },
    });
    A = await startTestServer({
      domains: ["a.test"],
      users: [
        { address: "alice@a.test", password: testPassword },
        { address: "carol@a.test", password: testPassword },
      ],
      config: {
        server: { hostname: "mail.a.test" },
        dns: dnsConfig,
        dnsbl,
        mailauth: { recordSpfIps: ["127.0.0.1"] },
        outbound: { enabled: true, port: B.ports.smtp, pollIntervalMs: 5000, sourceAddress: "127.0.0.1" },
      },
    });
    await A.store.directory.addAlias("fwd@a.test", ["bob@b.test"]);
    const algorithms = algorithmsOf("ed25519+rsa");
    await ensureDkimKeys(A.dataDir, "a.test", { algorithms, rsaBits: 2048 });
    // b.test's keys, to sign the message that comes in on A's port 25 as its author's domain would.
    keyDir = await mkdtemp(join(tmpdir(), "yubin-every-door-"));
    await ensureDkimKeys(keyDir, "b.test", { algorithms, rsaBits: 2048 });
    dns.set([
      ...zoneOf(
        "a.test",
        dnsRecordsFor("a.test", A.config, await loadDkimKeys(A.dataDir, "a.test")),
        "reject",
      ),
      ...zoneOf(
        "b.test",
        dnsRecordsFor("b.test", B.config, await loadDkimKeys(keyDir, "b.test")),
        "none",
      ).filter((r) => r.type !== "MX"),
      { name: "b.test", type: "MX", exchange: "mx.b.test", priority: 10 },
      { name: "mx.b.test", type: "A", value: "127.0.0.1" },
    ]);
    // Carol is away: her replies are the "system" door's mail.
    const carol = A.users[1]!.id;
    await A.store.settings.setVacation(carol, {
      isEnabled: true,
      fromDate: null,
      toDate: null,
      subject: "Away",
      textBody: "Carol is away.",
      htmlBody: null,
    });
    jmapHttp = await startJmapHttp(() => A.ctx);
    jmapBase = jmapHttp.base;
  });
  after(async () => {
    await jmapHttp?.close();
    await Promise.all([A?.stop(), B?.stop()]);
    await dns?.stop();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  async function queueEmpties(): Promise<void> {
    for (let i = 0; i < 1000 && (await A.store.queue.listQueue()).length > 0; i++) await wait(20);
    assert.deepEqual(await A.store.queue.listQueue(), []);
  }

  test("inbound (port 25): filed for carol, forwarded to bob with b.test's signatures intact", async () => {
    const raw = message({
      from: "Dave <dave@b.test>",
      to: "carol@a.test, fwd@a.test",
      subject: "door-inbound",
    });
    const signer = createDkimSigner({ dataDir: keyDir, algorithms: algorithmsOf("ed25519+rsa") });
    const signed = (await signer.sign(Buffer.from(raw))).toString("utf8");
    assert.match(signed, /^DKIM-Signature: /);
    const mx = nodemailer.createTransport({
      host: "127.0.0.1",
      port: A.ports.smtp,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await mx.sendMail({
        envelope: { from: "dave@b.test", to: ["carol@a.test", "fwd@a.test"] },
        raw: signed,
      });
    } finally {
      mx.close();
    }
    const local = await arrived(A, "carol@a.test", "door-inbound");
    assert.equal(local.length, 1);
    assertLocalCopy(local[0]!, "dave@b.test", signed);
    const remote = await arrived(B, "bob@b.test", "door-inbound");
    assert.equal(remote.length, 1);
    assertDkimPass(remote[0]!, "b.test");
    assert.equal(ours(remote[0]!).length, 1);
    await queueEmpties();
  });

  test("system: carol's vacation reply to dave@b.test arrives signed for a.test", async () => {
    const remote = await arrived(B, "dave@b.test", "Away");
    assert.equal(remote.length, 1);
    assertDkimPass(remote[0]!, "a.test");
    assert.equal(ours(remote[0]!).length, 1);
    assert.match(remote[0]!, /^Return-Path: <>\r\n/);
    await queueEmpties();
  });

  test("submission (465, AUTH): filed for carol, delivered to bob signed", async () => {
    const raw = message({
      from: "Alice <alice@a.test>",
      to: "carol@a.test, bob@b.test",
      subject: "door-submission",
    });
    const sub = nodemailer.createTransport({
      host: "127.0.0.1",
      port: A.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@a.test", pass: testPassword },
    });
    try {
      await sub.sendMail({ envelope: { from: "alice@a.test", to: ["carol@a.test", "bob@b.test"] }, raw });
    } finally {
      sub.close();
    }
    const local = await arrived(A, "carol@a.test", "door-submission");
    assert.equal(local.length, 1);
    assertLocalCopy(local[0]!, "alice@a.test", raw);
    const remote = await arrived(B, "bob@b.test", "door-submission");
    assert.equal(remote.length, 1);
    assertDkimPass(remote[0]!, "a.test");
    assert.equal(ours(remote[0]!).length, 1);
    await queueEmpties();
  });

  test("system: carol's vacation reply to alice is filed at A with our trace fields", async () => {
    const local = await arrived(A, "alice@a.test", "Away");
    assert.equal(local.length, 1);
    assert.match(
      local[0]!,
      /^Return-Path: <>\r\nReceived: by mail\.a\.test \(Yubin\) id \w+\r\n\tfor <alice@a\.test>;\r\n\t[^\r\n]+\r\nFrom: <carol@a\.test>\r\n/,
    );
    assert.equal(ours(local[0]!).length, 1);
  });

  test("jmap (EmailSubmission/set): filed for carol, delivered to bob signed, one Received", async () => {
    const alice = A.users[0]!.id;
    const sent = await jmapSend({
      base: jmapBase,
      store: A.store,
      accountId: alice,
      address: "alice@a.test",
      password: testPassword,
      to: ["carol@a.test", "bob@b.test"],
      subject: "door-jmap",
      body: "Body of door-jmap.",
    });
    assert.ok(sent.created, JSON.stringify(sent.response));
    // What the door was given: the stored Email (it has no Bcc to strip).
    const draftBox = (await A.store.mail.listMailboxes(alice)).find((m) => m.specialUse === "\\Drafts")!;
    const [draft] = await A.store.mail.listMessages(draftBox.id);
    const given = (await A.store.mail.readBody(draft!.blobId)).toString("utf8");
    // The bug this door had: queued without DKIM-Signature and without Received (issue 13).
    const remote = await arrived(B, "bob@b.test", "door-jmap");
    assert.equal(remote.length, 1);
    assertDkimPass(remote[0]!, "a.test");
    assert.equal(ours(remote[0]!).length, 1);
    const local = await arrived(A, "carol@a.test", "door-jmap");
    assert.equal(local.length, 1);
    assertLocalCopy(local[0]!, "alice@a.test", given);
    assert.match(ours(local[0]!)[0]!, /with HTTP id/);
    await queueEmpties();
  });

  test("nothing was filed twice, and carol answered each sender once", async () => {
    for (const s of ["door-inbound", "door-submission", "door-jmap"]) {
      assert.equal((await copies(A, "carol@a.test", s)).length, 1, s);
      assert.equal((await copies(B, "bob@b.test", s)).length, 1, s);
    }
    assert.equal((await copies(A, "alice@a.test", "Away")).length, 1);
    assert.equal((await copies(B, "dave@b.test", "Away")).length, 1);
  });
});
