// Submission (587 STARTTLS, 465 implicit TLS): AUTH, send-as, relay into the queue, throttling,
// plaintext-AUTH and POP-before-SMTP settings. Raw client, exact reply lines.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { createLogger } from "../log/logger.js";
import type { TestServer } from "../testing/harness.js";
import { b64, RawSmtpClient } from "./test-client.js";
import { inbox, startSmtpTestServer } from "./test-server.js";

const PW = "correct horse battery staple";
const EXT = [
  "250-PIPELINING",
  "250-SIZE 26214400",
  "250-8BITMIME",
  "250-SMTPUTF8",
  "250-ENHANCEDSTATUSCODES",
  "250-CHUNKING",
];
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;
const plain = (user: string, pw: string) => b64(`\0${user}\0${pw}`);

describe("submission", () => {
  let s: TestServer;
  before(async () => {
    s = await startSmtpTestServer({ config: { auth: { throttleBaseDelayMs: 1 } } });
    await s.store.directory.addAlias("sales@example.test", ["alice@example.test"]);
  });
  after(() => s.stop());

  /** Connect to 587, STARTTLS, EHLO; optionally AUTH PLAIN as `user`. */
  const session = async (user?: string) => {
    const c = await RawSmtpClient.connect({ port: s.ports.submission });
    assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
    await c.cmd("EHLO client.example");
    assert.equal(await c.cmd("STARTTLS"), "220 2.0.0 Ready to start TLS");
    await c.startTls();
    await c.cmd("EHLO client.example");
    if (user)
      assert.equal(await c.cmd(`AUTH PLAIN ${plain(user, PW)}`), "235 2.7.0 Authentication successful");
    return c;
  };

  test("587: no AUTH before STARTTLS, MAIL needs AUTH", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submission });
    assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
    assert.equal(
      await c.cmd("EHLO client.example"),
      ["250-mail.example.test", ...EXT, "250-DSN", "250 STARTTLS"].join("\n"),
    );
    assert.equal(
      await c.cmd(`AUTH PLAIN ${plain("alice@example.test", PW)}`),
      "538 5.7.11 Encryption required for requested authentication mechanism",
    );
    assert.equal(await c.cmd("MAIL FROM:<alice@example.test>"), "530 5.7.0 Authentication required");
    assert.equal(await c.cmd("STARTTLS"), "220 2.0.0 Ready to start TLS");
    await c.startTls();
    assert.equal(
      await c.cmd("EHLO client.example"),
      ["250-mail.example.test", ...EXT, "250-DSN", "250 AUTH PLAIN LOGIN"].join("\n"),
    );
    assert.equal(await c.cmd("MAIL FROM:<alice@example.test>"), "530 5.7.0 Authentication required");
    c.close();
  });

  test("AUTH PLAIN and LOGIN succeed; a wrong password or unknown user fails the same way", async () => {
    const c = await session();
    assert.equal(
      await c.cmd(`AUTH PLAIN ${plain("alice@example.test", "wrong")}`),
      "535 5.7.8 Authentication credentials invalid",
    );
    assert.equal(
      await c.cmd(`AUTH PLAIN ${plain("nobody@example.test", PW)}`),
      "535 5.7.8 Authentication credentials invalid",
    );
    assert.equal(await c.cmd("AUTH PLAIN"), "334 ");
    assert.equal(await c.cmd("*"), "501 5.0.0 Authentication cancelled");
    assert.equal(await c.cmd("AUTH PLAIN not-base64!"), "501 5.5.2 Cannot decode authentication response");
    assert.equal(await c.cmd("AUTH CRAM-MD5"), "504 5.5.4 Unrecognized authentication type");
    assert.equal(await c.cmd("AUTH LOGIN"), "334 VXNlcm5hbWU6");
    assert.equal(await c.cmd(b64("Bob@Example.test")), "334 UGFzc3dvcmQ6");
    assert.equal(await c.cmd(b64(PW)), "235 2.7.0 Authentication successful");
    assert.equal(await c.cmd("AUTH LOGIN"), "503 5.5.1 Bad sequence of commands: Already authenticated");
    assert.equal(await c.cmd("MAIL FROM:<bob@example.test>"), "250 2.1.0 Sender OK");
    c.close();

    const d = await session();
    assert.equal(await d.cmd(`AUTH PLAIN`), "334 ");
    assert.equal(await d.cmd(plain("alice@example.test", PW)), "235 2.7.0 Authentication successful");
    d.close();
    const e = await session();
    assert.equal(await e.cmd(`AUTH LOGIN ${b64("alice@example.test")}`), "334 UGFzc3dvcmQ6");
    assert.equal(await e.cmd(b64("nope")), "535 5.7.8 Authentication credentials invalid");
    e.close();
  });

  test("send-as: envelope and header From must be the user's", async () => {
    const c = await session("alice@example.test");
    assert.equal(
      await c.cmd("MAIL FROM:<bob@example.test>"),
      "553 5.7.1 Sender address rejected: MAIL FROM <bob@example.test> is not owned by user alice@example.test",
    );
    // An alias pointing at alice, and a sub-address, are hers.
    assert.equal(await c.cmd("MAIL FROM:<sales@example.test>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");
    assert.equal(await c.cmd("MAIL FROM:<alice+news@example.test>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    const marker = randomUUID();
    c.send(`From: "Bob" <bob@example.test>\r\nSubject: ${marker}\r\n\r\nspoof\r\n.\r\n`);
    assert.equal(
      await c.reply(),
      "553 5.7.1 Sender address rejected: From header <bob@example.test> is not owned by user alice@example.test",
    );
    await c.cmd("MAIL FROM:<alice@example.test>");
    await c.cmd("RCPT TO:<bob@example.test>");
    await c.cmd("DATA");
    c.send(
      `From: Alice <alice@example.test>, Boss <bob@example.test>\r\nSubject: ${marker}\r\n\r\nspoof\r\n.\r\n`,
    );
    assert.match(await c.reply(), /^553 5\.7\.1 .*From header <bob@example\.test>/);
    const bob = s.users[1]!.id;
    assert.equal((await inbox(s.store, bob)).filter((b) => b.includes(marker)).length, 0);
    c.close();
  });

  test("authenticated mail: local copies in INBOX, remote recipients in the queue with DSN", async () => {
    const c = await session("alice@example.test");
    const marker = randomUUID();
    c.send(
      "MAIL FROM:<alice@example.test> RET=HDRS ENVID=env+2B1\r\n" +
        "RCPT TO:<friend@remote.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;friend+40remote.example\r\n" +
        "RCPT TO:<bob@example.test>\r\nRCPT TO:<other@remote.example>\r\nDATA\r\n",
    );
    assert.deepEqual(await c.replies(5), [
      "250 2.1.0 Sender OK",
      "250 2.1.5 Recipient OK",
      "250 2.1.5 Recipient OK",
      "250 2.1.5 Recipient OK",
      "354 End data with <CR><LF>.<CR><LF>",
    ]);
    const original = `From: Alice <alice@example.test>\r\nTo: friend@remote.example\r\nSubject: ${marker}\r\n\r\nhi\r\n`;
    c.send(`${original}.\r\n`);
    assert.match(await c.reply(), ACCEPTED);
    c.close();

    const [local] = (await inbox(s.store, s.users[1]!.id)).filter((b) => b.includes(marker));
    assert.ok(local);
    assert.match(
      local.toString(),
      /^Return-Path: <alice@example\.test>\r\nReceived: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test \(Yubin\) with ESMTPSA id /,
    );
    const queued = (await s.store.queue.listQueue()).filter(
      (q) => q.blobId && q.mailFrom === "alice@example.test",
    );
    const entry = (
      await Promise.all(queued.map(async (q) => ({ q, body: await s.store.mail.readBody(q.blobId) })))
    ).find((x) => x.body.includes(marker));
    assert.ok(entry, "queued");
    assert.equal(entry.q.envId, "env+1");
    assert.equal(entry.q.ret, "HDRS");
    assert.equal(entry.q.accountId, s.users[0]!.id);
    assert.deepEqual(
      entry.q.recipients.map((r) => [r.address, r.notify, r.orcpt]),
      [
        ["friend@remote.example", ["SUCCESS", "FAILURE"], "rfc822;friend@remote.example"],
        ["other@remote.example", null, null],
      ],
    );
    // The queued copy has the Received field but no Return-Path (added at final delivery).
    assert.match(entry.body.toString(), /^Received: from client\.example/);
    assert.ok(entry.body.toString().endsWith(original));
  });

  test("TLS older than 1.2 is refused", async () => {
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const t = tlsConnect({
          host: "127.0.0.1",
          port: s.ports.submissions,
          minVersion: "TLSv1",
          maxVersion: "TLSv1.1",
          rejectUnauthorized: false,
        });
        t.once("secureConnect", () => {
          t.destroy();
          resolve();
        });
        t.once("error", reject);
      }),
    );
  });

  test("465: implicit TLS, AUTH offered at once, no STARTTLS", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submissions, tls: true });
    assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
    assert.match(c.tlsProtocol ?? "", /^TLSv1\.[23]$/);
    assert.equal(
      await c.cmd("EHLO client.example"),
      ["250-mail.example.test", ...EXT, "250-DSN", "250 AUTH PLAIN LOGIN"].join("\n"),
    );
    assert.equal(await c.cmd("STARTTLS"), "503 5.5.1 Bad sequence of commands: TLS already active");
    assert.equal(
      await c.cmd(`AUTH PLAIN ${plain("bob@example.test", PW)}`),
      "235 2.7.0 Authentication successful",
    );
    assert.equal(await c.cmd("MAIL FROM:<bob@example.test>"), "250 2.1.0 Sender OK");
    c.close();
  });
});

describe("submission settings", () => {
  test("failed logins are throttled per IP: 454 4.7.0", async () => {
    const lines: string[] = [];
    const log = createLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
    const s = await startSmtpTestServer({
      config: { auth: { throttleMaxFailures: 4, throttleBaseDelayMs: 1 } },
      log,
    });
    const c = await RawSmtpClient.connect({ port: s.ports.submissions, tls: true });
    await c.reply();
    await c.cmd("EHLO client.example");
    const replies: string[] = [];
    for (let i = 0; i < 6; i++)
      replies.push(await c.cmd(`AUTH PLAIN ${plain("bob@example.test", `bad-${i}`)}`));
    assert.deepEqual(replies.slice(0, 4), Array(4).fill("535 5.7.8 Authentication credentials invalid"));
    assert.deepEqual(
      replies.slice(4),
      Array(2).fill("454 4.7.0 Too many failed authentication attempts, try again later"),
    );
    // Even the right password is refused while throttled.
    assert.equal(
      await c.cmd(`AUTH PLAIN ${plain("bob@example.test", PW)}`),
      "454 4.7.0 Too many failed authentication attempts, try again later",
    );
    c.close();
    await s.stop();
    const failures = lines.filter((l) => l.includes('"authentication failed"'));
    assert.equal(failures.length, 7);
    assert.match(failures[0]!, /"user":"bob@example\.test"/);
    assert.ok(!lines.some((l) => l.includes("bad-0")), "passwords are never logged");
  });

  test("plaintextAuth = loopback offers AUTH in clear to 127.0.0.1", async () => {
    const s = await startSmtpTestServer({ config: { smtp: { plaintextAuth: "loopback" } } });
    try {
      const c = await RawSmtpClient.connect({ port: s.ports.submission });
      await c.reply();
      assert.match(await c.cmd("EHLO client.example"), /\n250-STARTTLS\n250 AUTH PLAIN LOGIN$/);
      assert.equal(
        await c.cmd(`AUTH PLAIN ${plain("alice@example.test", PW)}`),
        "235 2.7.0 Authentication successful",
      );
      c.close();
    } finally {
      await s.stop();
    }
  });

  test("POP-before-SMTP (legacy, opt-in): local sender domain only, may relay, no account", async () => {
    const s = await startSmtpTestServer({ config: { auth: { popBeforeSmtp: true } } });
    try {
      const c = await RawSmtpClient.connect({ port: s.ports.submission });
      await c.reply();
      await c.cmd("EHLO client.example");
      assert.equal(await c.cmd("MAIL FROM:<alice@example.test>"), "530 5.7.0 Authentication required");
      await s.ctx.auth.notePopImapLogin("127.0.0.1");
      assert.equal(
        await c.cmd("MAIL FROM:<someone@remote.example>"),
        "553 5.7.1 Sender address rejected: MAIL FROM <someone@remote.example> is not in a local domain (POP-before-SMTP)",
      );
      assert.equal(await c.cmd("MAIL FROM:<alice@example.test>"), "250 2.1.0 Sender OK");
      assert.equal(await c.cmd("RCPT TO:<friend@remote.example>"), "250 2.1.5 Recipient OK");
      assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
      c.send("From: alice@example.test\r\nSubject: pbs\r\n\r\nx\r\n.\r\n");
      assert.match(await c.reply(), ACCEPTED);
      const [q] = await s.store.queue.listQueue();
      assert.equal(q?.accountId, null);
      assert.deepEqual(
        q?.recipients.map((r) => r.address),
        ["friend@remote.example"],
      );
      c.close();
      // Off by default: the same IP note does nothing without the setting.
      const off = await startSmtpTestServer();
      try {
        await off.ctx.auth.notePopImapLogin("127.0.0.1");
        const d = await RawSmtpClient.connect({ port: off.ports.submission });
        await d.reply();
        await d.cmd("EHLO client.example");
        assert.equal(await d.cmd("MAIL FROM:<alice@example.test>"), "530 5.7.0 Authentication required");
        d.close();
      } finally {
        await off.stop();
      }
    } finally {
      await s.stop();
    }
  });
});
