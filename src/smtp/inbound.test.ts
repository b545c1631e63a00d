// Inbound MX: delivery, relay refusal, extensions, limits, smuggling, STARTTLS injection.
// A real server on ephemeral ports, driven by a raw client so reply lines are asserted exactly.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { RawSmtpClient } from "./test-client.js";
import { inbox, splitTrace, startSmtpTestServer } from "./test-server.js";

const EHLO_PLAIN = [
  "250-mail.example.test",
  "250-PIPELINING",
  "250-SIZE 26214400",
  "250-8BITMIME",
  "250-SMTPUTF8",
  "250-ENHANCEDSTATUSCODES",
  "250-CHUNKING",
  "250-DSN",
  "250 STARTTLS",
].join("\n");
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;

async function withMarker(s: TestServer, accountId: number, marker: string): Promise<Buffer[]> {
  return (await inbox(s.store, accountId)).filter((b) => b.includes(marker));
}

describe("inbound SMTP", () => {
  let s: TestServer;
  let alice: number;
  let bob: number;
  const connect = async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.smtp });
    assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
    return c;
  };

  before(async () => {
    s = await startSmtpTestServer();
    alice = s.users[0]!.id;
    bob = s.users[1]!.id;
  });
  after(() => s.stop());

  test("delivers to INBOX byte for byte, with Return-Path and Received", async () => {
    const c = await connect();
    assert.equal(await c.cmd("EHLO client.example"), EHLO_PLAIN);
    assert.equal(await c.cmd("MAIL FROM:<sender@remote.example>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<Alice@EXAMPLE.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    const marker = randomUUID();
    const original = `From: Sender <sender@remote.example>\r\nTo: alice@example.test\r\nSubject: ${marker}\r\n\r\nHello\r\n.leading dot\r\n\xe9t\xe9 8-bit\r\n`;
    c.send(Buffer.from(`${original.replace(/^\./m, "..")}.\r\n`, "latin1"));
    const r = await c.reply();
    assert.match(r, ACCEPTED);
    const id = r.slice(-12);
    assert.equal(await c.cmd("QUIT"), "221 2.0.0 Bye");
    await c.waitClosed();

    const got = await withMarker(s, alice, marker);
    assert.equal(got.length, 1);
    const { trace, rest } = splitTrace(got[0]!);
    assert.equal(rest.toString("latin1"), original);
    assert.match(
      trace,
      new RegExp(
        `^Return-Path: <sender@remote\\.example>\\r\\nReceived: from client\\.example \\(\\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby mail\\.example\\.test \\(Yubin\\) with ESMTP id ${id}\\r\\n\\tfor <Alice@EXAMPLE\\.test>;\\r\\n\\t(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000\\r\\n$`,
      ),
    );
    c.close();
  });

  test("refuses relaying, unknown users and out-of-order commands", async () => {
    const c = await connect();
    assert.equal(
      await c.cmd("MAIL FROM:<a@remote.example>"),
      "503 5.5.1 Bad sequence of commands: Send HELO/EHLO first",
    );
    assert.equal(await c.cmd("EHLO client.example"), EHLO_PLAIN);
    assert.equal(
      await c.cmd("RCPT TO:<alice@example.test>"),
      "503 5.5.1 Bad sequence of commands: Need MAIL before RCPT",
    );
    assert.equal(await c.cmd("MAIL FROM:<a@remote.example>"), "250 2.1.0 Sender OK");
    assert.equal(
      await c.cmd("MAIL FROM:<a@remote.example>"),
      "503 5.5.1 Bad sequence of commands: Nested MAIL command",
    );
    assert.equal(await c.cmd("RCPT TO:<victim@elsewhere.example>"), "554 5.7.1 Relay access denied");
    assert.equal(await c.cmd("RCPT TO:<nobody@example.test>"), "550 5.1.1 No such user here");
    assert.equal(await c.cmd("DATA"), "554 5.5.1 No valid recipients");
    assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");
    assert.equal(
      await c.cmd("AUTH PLAIN"),
      "502 5.5.1 Command not implemented: AUTH is only available on submission ports",
    );
    assert.equal(
      await c.cmd("VRFY alice"),
      "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery",
    );
    assert.equal(await c.cmd("EXPN list"), "502 5.5.1 Command not implemented: EXPN not available");
    assert.equal(await c.cmd("FROBNICATE"), "500 5.5.2 Command unrecognized");
    assert.equal(await c.cmd("NOOP"), "250 2.0.0 OK");
    assert.equal(
      await c.cmd("MAIL FROM:alice@example.test"),
      "501 5.5.4 Syntax error in parameters: Address must be in angle brackets",
    );
    assert.equal(
      await c.cmd("MAIL FROM:<a@remote.example> FOO=1"),
      "555 5.5.4 Parameter not recognized: FOO",
    );
    c.close();
  });

  test("bare RCPT TO:<Postmaster> is accepted and reaches the postmaster alias (RFC 5321 4.5.1)", async () => {
    await s.store.directory.addAlias("postmaster@example.test", ["bob@example.test"]);
    try {
      const c = await connect();
      await c.cmd("EHLO client.example");
      assert.equal(await c.cmd("MAIL FROM:<sender@remote.example>"), "250 2.1.0 Sender OK");
      assert.equal(await c.cmd("RCPT TO:<PostMaster>"), "250 2.1.5 Recipient OK");
      assert.equal(
        await c.cmd("RCPT TO:<nobody>"),
        "501 5.5.4 Syntax error in parameters: Bad address syntax",
      );
      assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
      const marker = randomUUID();
      c.send(`Subject: ${marker}\r\n\r\nhi\r\n.\r\n`);
      assert.match(await c.reply(), ACCEPTED);
      assert.equal(await c.cmd("QUIT"), "221 2.0.0 Bye");
      await c.waitClosed();
      assert.equal((await withMarker(s, bob, marker)).length, 1);
    } finally {
      await s.store.directory.removeAlias("postmaster@example.test");
    }
  });

  test("HELO works and takes no ESMTP parameters", async () => {
    const c = await connect();
    assert.equal(await c.cmd("HELO client.example"), "250 mail.example.test");
    assert.equal(
      await c.cmd("MAIL FROM:<a@remote.example> SIZE=10"),
      "555 5.5.4 Parameter not recognized: Parameters need EHLO",
    );
    assert.equal(await c.cmd("MAIL FROM:<a@remote.example>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    const marker = randomUUID();
    c.send(`Subject: ${marker}\r\n\r\nx\r\n.\r\n`);
    assert.match(await c.reply(), ACCEPTED);
    const [got] = await withMarker(s, bob, marker);
    assert.match(splitTrace(got!).trace, / with SMTP id /);
    c.close();
  });

  test("pipelining: a whole transaction in one write, replies in order", async () => {
    const c = await connect();
    const marker = randomUUID();
    c.send(
      "EHLO client.example\r\nMAIL FROM:<p@remote.example>\r\nRCPT TO:<alice@example.test>\r\n" +
        "RCPT TO:<ghost@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
    );
    assert.deepEqual(await c.replies(6), [
      EHLO_PLAIN,
      "250 2.1.0 Sender OK",
      "250 2.1.5 Recipient OK",
      "550 5.1.1 No such user here",
      "250 2.1.5 Recipient OK",
      "354 End data with <CR><LF>.<CR><LF>",
    ]);
    const body = `Subject: ${marker}\r\n\r\npipelined\r\n`;
    c.send(
      `${body}.\r\nMAIL FROM:<p@remote.example>\r\nRCPT TO:<alice@example.test>\r\nBDAT ${body.length} LAST\r\n${body}QUIT\r\n`,
    );
    const [r1, r2, r3, r4, r5] = await c.replies(5);
    assert.match(r1!, ACCEPTED);
    assert.deepEqual([r2, r3], ["250 2.1.0 Sender OK", "250 2.1.5 Recipient OK"]);
    assert.match(r4!, ACCEPTED);
    assert.equal(r5, "221 2.0.0 Bye");
    await c.waitClosed();
    assert.equal((await withMarker(s, alice, marker)).length, 2);
    const toBob = await withMarker(s, bob, marker);
    assert.equal(toBob.length, 1);
    // Two local recipients: one stored body, no "for" clause (RFC 5321 §7.2).
    assert.doesNotMatch(splitTrace(toBob[0]!).trace, /\tfor </);
  });

  test("BDAT: chunks, LAST, and chunks outside a transaction are consumed", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    c.send("BDAT 12\r\nNOOP\r\nNOOP\r\n");
    assert.equal(await c.reply(), "503 5.5.1 Bad sequence of commands: Need MAIL and RCPT before BDAT");
    assert.equal(await c.cmd("MAIL FROM:<b@remote.example> BODY=8BITMIME"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    const marker = randomUUID();
    const part1 = `Subject: ${marker}\r\n\r\n`;
    const part2 = ".a line with a dot\r\nDATA\r\n.\r\n";
    c.send(`BDAT ${part1.length}\r\n${part1}`);
    assert.equal(await c.reply(), `250 2.0.0 ${part1.length} octets received`);
    assert.equal(await c.cmd("DATA"), "503 5.5.1 Bad sequence of commands: DATA cannot follow BDAT");
    c.send(`BDAT ${part2.length}\r\n${part2}`);
    assert.equal(await c.reply(), `250 2.0.0 ${part2.length} octets received`);
    assert.match(await c.cmd("BDAT 0 LAST"), ACCEPTED);
    const [got] = await withMarker(s, bob, marker);
    assert.equal(splitTrace(got!).rest.toString(), part1 + part2); // no dot-unstuffing in BDAT
    c.close();
  });

  test("UTF-8 addresses need SMTPUTF8", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    assert.equal(
      await c.cmd("MAIL FROM:<δοκιμή@παράδειγμα.example>"),
      "553 5.6.7 Non-ASCII address requires SMTPUTF8",
    );
    assert.equal(await c.cmd("MAIL FROM:<δοκιμή@παράδειγμα.example> SMTPUTF8"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    const marker = randomUUID();
    c.send(
      Buffer.from(`From: δοκιμή@παράδειγμα.example\r\nSubject: ${marker} ünïcödé\r\n\r\nhi\r\n.\r\n`, "utf8"),
    );
    assert.match(await c.reply(), ACCEPTED);
    const [got] = await withMarker(s, alice, marker);
    const { trace, rest } = splitTrace(got!);
    assert.match(trace, /^Return-Path: <δοκιμή@παράδειγμα\.example>\r\n/);
    assert.match(trace, / with UTF8SMTP id /);
    assert.match(rest.toString("utf8"), /ünïcödé/);
    c.close();
  });

  test("DSN parameters are accepted", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    assert.equal(await c.cmd("MAIL FROM:<d@remote.example> RET=HDRS ENVID=abc+2Bdef"), "250 2.1.0 Sender OK");
    assert.equal(
      await c.cmd("RCPT TO:<alice@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice+40example.test"),
      "250 2.1.5 Recipient OK",
    );
    assert.equal(
      await c.cmd("RCPT TO:<bob@example.test> NOTIFY=NEVER,SUCCESS"),
      "501 5.5.4 Syntax error in parameters: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY",
    );
    assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");
    c.close();
  });

  test("SMTP smuggling: bare LF/CR around a dot never ends the message", async () => {
    for (const evil of ["\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r"]) {
      const c = await connect();
      await c.cmd("EHLO client.example");
      const marker = randomUUID();
      c.send(`MAIL FROM:<x@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n`);
      assert.deepEqual(await c.replies(3), [
        "250 2.1.0 Sender OK",
        "250 2.1.5 Recipient OK",
        "354 End data with <CR><LF>.<CR><LF>",
      ]);
      c.send(
        `Subject: ${marker}\r\n\r\nlegit${evil}MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled ${marker}\r\n\r\nevil\r\n.\r\nNOOP\r\n`,
      );
      assert.equal(
        await c.reply(),
        "550 5.6.0 Message content rejected: bare CR or LF in message; lines must end with CRLF (RFC 5321 2.3.8)",
        JSON.stringify(evil),
      );
      assert.equal(await c.reply(), "250 2.0.0 OK", "the next reply is the NOOP's: nothing was split off");
      c.close();
      assert.equal((await withMarker(s, alice, marker)).length, 0);
      assert.equal((await withMarker(s, bob, marker)).length, 0);
    }
  });

  test("STARTTLS: plaintext pipelined after it is discarded; the session starts over", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    c.send("STARTTLS\r\nMAIL FROM:<injected@remote.example>\r\nRCPT TO:<alice@example.test>\r\n");
    assert.equal(await c.reply(), "220 2.0.0 Ready to start TLS");
    await c.startTls();
    assert.match(c.tlsProtocol ?? "", /^TLSv1\.[23]$/);
    // Had the injected commands run, their replies would come first.
    assert.equal(
      await c.cmd("RCPT TO:<alice@example.test>"),
      "503 5.5.1 Bad sequence of commands: Need MAIL before RCPT",
    );
    assert.equal(
      await c.cmd("MAIL FROM:<a@remote.example>"),
      "503 5.5.1 Bad sequence of commands: Send HELO/EHLO first",
    );
    const ehlo = await c.cmd("EHLO client.example");
    assert.equal(ehlo, EHLO_PLAIN.replace("250-DSN\n250 STARTTLS", "250 DSN"));
    assert.equal(await c.cmd("STARTTLS"), "503 5.5.1 Bad sequence of commands: TLS already active");
    await c.cmd("MAIL FROM:<a@remote.example>");
    await c.cmd("RCPT TO:<alice@example.test>");
    await c.cmd("DATA");
    const marker = randomUUID();
    c.send(`Subject: ${marker}\r\n\r\nover TLS\r\n.\r\n`);
    assert.match(await c.reply(), ACCEPTED);
    const [got] = await withMarker(s, alice, marker);
    assert.match(
      splitTrace(got!).trace,
      / with ESMTPS id [0-9A-Z]+\r\n\t\(TLSv1\.[23] cipher [A-Z0-9_]+\)\r\n/,
    );
    c.close();
  });

  test("over-long command lines are refused and skipped", async () => {
    const c = await connect();
    c.send(`EHLO ${"x".repeat(5000)}\r\nNOOP\r\n`);
    assert.deepEqual(await c.replies(2), ["500 5.5.2 Line too long", "250 2.0.0 OK"]);
    c.close();
  });
});

describe("inbound SMTP limits", () => {
  let s: TestServer;
  before(async () => {
    s = await startSmtpTestServer({
      config: {
        smtp: {
          maxMessageSize: 2048,
          maxRecipients: 2,
          maxErrors: 4,
          maxConnectionsPerIp: 3,
          commandTimeoutSec: 1,
          dataTimeoutSec: 1,
        },
      },
      users: [
        { address: "alice@example.test", password: "pw-alice-123456" },
        { address: "bob@example.test", password: "pw-bob-1234567" },
        { address: "full@example.test", password: "pw-full-123456", quotaMessages: 1 },
        { address: "small@example.test", password: "pw-small-12345", quotaBytes: 1500 },
      ],
    });
  });
  after(() => s.stop());
  // Tests here hold up to maxConnectionsPerIp connections; the server frees a slot a moment
  // after a client closes, so retry briefly on 421.
  const connect = async () => {
    for (let i = 0; ; i++) {
      const c = await RawSmtpClient.connect({ port: s.ports.smtp, timeoutMs: 4000 });
      const greeting = await c.reply();
      if (greeting.startsWith("421") && i < 100) {
        c.close();
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      assert.equal(greeting, "220 mail.example.test ESMTP Yubin");
      return c;
    }
  };
  const id = (addr: string) => s.users.find((u) => u.address === addr)!.id;
  const TOO_BIG = "552 5.3.4 Message size exceeds fixed maximum message size";

  test("SIZE: refused at MAIL, in DATA and in BDAT", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    assert.equal(await c.cmd("MAIL FROM:<a@remote.example> SIZE=2049"), TOO_BIG);
    assert.equal(await c.cmd("MAIL FROM:<a@remote.example> SIZE=2048"), "250 2.1.0 Sender OK");
    await c.cmd("RCPT TO:<alice@example.test>");
    await c.cmd("DATA");
    c.send(`Subject: big\r\n\r\n${"y".repeat(70)}\r\n`.repeat(40) + ".\r\n");
    assert.equal(await c.reply(), TOO_BIG);
    await c.cmd("MAIL FROM:<a@remote.example>");
    await c.cmd("RCPT TO:<alice@example.test>");
    c.send(`BDAT 1500\r\n${"z".repeat(1500)}BDAT 1000 LAST\r\n${"z".repeat(1000)}NOOP\r\n`);
    // The refused chunk's bytes are read as data, never as commands: exactly three replies.
    assert.deepEqual(await c.replies(3), ["250 2.0.0 1500 octets received", TOO_BIG, "250 2.0.0 OK"]);
    assert.equal((await inbox(s.store, id("alice@example.test"))).length, 0);
    c.close();
  });

  test("too many recipients: 452 4.5.3", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    await c.cmd("MAIL FROM:<a@remote.example>");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "452 4.5.3 Too many recipients");
    c.close();
  });

  test("quota: 452 4.2.2 at RCPT, and at DATA nothing is half-delivered", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    await c.cmd("MAIL FROM:<a@remote.example>");
    await c.cmd("RCPT TO:<full@example.test>");
    await c.cmd("DATA");
    c.send("Subject: first\r\n\r\nfills the quota\r\n.\r\n");
    assert.match(await c.reply(), ACCEPTED);
    await c.cmd("MAIL FROM:<a@remote.example>");
    assert.equal(await c.cmd("RCPT TO:<full@example.test>"), "452 4.2.2 Mailbox full");
    assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");
    // small@ has room for a small message only; bob@ has no quota. All or nothing.
    await c.cmd("MAIL FROM:<a@remote.example>");
    assert.equal(await c.cmd("RCPT TO:<small@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    await c.cmd("DATA");
    const marker = randomUUID();
    c.send(`Subject: ${marker}\r\n\r\n${"q".repeat(1600)}\r\n.\r\n`);
    assert.equal(await c.reply(), "452 4.2.2 Mailbox full");
    assert.equal((await withMarker(s, id("bob@example.test"), marker)).length, 0);
    assert.equal((await withMarker(s, id("small@example.test"), marker)).length, 0);
    c.close();
  });

  test("too many errors: 421 4.7.0 and disconnect", async () => {
    const c = await connect();
    c.send("BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\nNOOP\r\n");
    assert.deepEqual(await c.replies(5), [
      "500 5.5.2 Command unrecognized",
      "500 5.5.2 Command unrecognized",
      "500 5.5.2 Command unrecognized",
      "500 5.5.2 Command unrecognized",
      "421 4.7.0 Too many errors, closing connection",
    ]);
    assert.equal(await c.waitClosed(), "");
  });

  test("connections per IP are capped", async () => {
    const held = [await connect(), await connect(), await connect()];
    // (connect() retries on 421; the fourth connection below must not)
    const extra = await RawSmtpClient.connect({ port: s.ports.smtp });
    assert.equal(await extra.reply(), "421 4.7.0 Too many connections, try again later");
    await extra.waitClosed();
    held[0]!.close();
    // The slot frees once the server notices the close.
    let again: RawSmtpClient | null = null;
    for (let i = 0; i < 50 && !again; i++) {
      const c = await RawSmtpClient.connect({ port: s.ports.smtp });
      const r = await c.reply();
      if (r.startsWith("220")) again = c;
      else {
        c.close();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(again, "a new connection is accepted after one closed");
    for (const c of [...held, again]) c.close();
  });

  test("idle and slow clients time out", async () => {
    const idle = await connect();
    const t0 = Date.now();
    assert.equal(await idle.reply(), "421 4.4.2 Timeout exceeded, closing connection");
    assert.ok(Date.now() - t0 >= 900);
    await idle.waitClosed();
    // Trickling a command a byte at a time does not extend the deadline.
    const slow = await connect();
    const trickle = setInterval(() => {
      if (!slow.closed) slow.send("N");
    }, 200);
    try {
      assert.equal(await slow.reply(), "421 4.4.2 Timeout exceeded, closing connection");
    } finally {
      clearInterval(trickle);
    }
    slow.close();
  });

  test("a stalled DATA times out", async () => {
    const c = await connect();
    await c.cmd("EHLO client.example");
    await c.cmd("MAIL FROM:<a@remote.example>");
    await c.cmd("RCPT TO:<alice@example.test>");
    await c.cmd("DATA");
    c.send("Subject: stalled\r\n\r\npart");
    assert.equal(await c.reply(), "421 4.4.2 Timeout exceeded, closing connection");
    await c.waitClosed();
  });
});
