// Greylisting over SMTP (RFC 6647): a real server with [greylist] on and a 1 s delay, driven by a
// raw client so the reply lines are asserted exactly. Only "at least the delay has passed" is
// timed (a sleep longer than it), never "the server was fast enough".
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { b64, RawSmtpClient } from "../smtp/test-client.js";
import { inbox, startSmtpTestServer } from "../smtp/test-server.js";
import { type TestServer, testPassword } from "../testing/harness.js";

const GREYLISTED = "451 4.7.1 Greylisted: please try again in 1 seconds";
const OK = "250 2.1.5 Recipient OK";
const ACCEPTED = /^250 2\.0\.0 OK: queued as /;

async function connect(port: number, localAddress?: string): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect({ port, localAddress });
  assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
  assert.match(await c.cmd("EHLO client.example"), /^250/);
  return c;
}

async function sendData(c: RawSmtpClient, marker: string): Promise<void> {
  assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
  assert.match(await c.cmd(`Subject: ${marker}\r\n\r\nHello\r\n.`), ACCEPTED);
}

const marked = async (s: TestServer, id: number, marker: string) =>
  (await inbox(s.store, id)).filter((b) => b.includes(marker)).length;

describe("greylisting at RCPT (port 25)", () => {
  let s: TestServer;
  let alice: number;
  before(async () => {
    s = await startSmtpTestServer({
      config: { greylist: { enabled: true, delaySec: 1, autoAllowAfter: 0 } },
    });
    alice = s.users[0]!.id;
  });
  after(() => s.stop());

  test("first attempt 451 4.7.1; after the delay (and a restart) 250 and delivered; each recipient on its own", async () => {
    const marker = randomUUID();
    const from = `MAIL FROM:<${marker}@remote.example>`;
    let c = await connect(s.ports.smtp);
    assert.equal(await c.cmd(from), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), GREYLISTED);
    assert.equal(
      await c.cmd("RCPT TO:<nobody@example.test>"),
      "550 5.1.1 No such user here",
      "unknown first",
    );
    assert.equal(await c.cmd("DATA"), "554 5.5.1 No valid recipients");
    await c.cmd("QUIT");

    // The triplet is in the store, not in memory: it survives a restart.
    await s.restart();
    await sleep(1200);
    c = await connect(s.ports.smtp);
    assert.equal(await c.cmd(from), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), OK);
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), GREYLISTED, "a new triplet, greylisted alone");
    await sendData(c, marker);
    await c.cmd("QUIT");
    assert.equal(await marked(s, alice, marker), 1);
    assert.equal(await marked(s, s.users[1]!.id, marker), 0);

    // A passed triplet stays known: the next message passes at once, and a sender that differs
    // only by a BATV tag is the same sender; so is another address of the client's /24, not one
    // of another network (all of 127/8 is local on Linux).
    for (const [ip, want] of [
      ["127.0.0.1", OK],
      ["127.0.0.9", OK],
      ["127.0.1.9", GREYLISTED],
    ] as const) {
      c = await connect(s.ports.smtp, ip);
      assert.equal(
        await c.cmd(`MAIL FROM:<prvs=1234abcdef=${marker}@Remote.Example>`),
        "250 2.1.0 Sender OK",
      );
      assert.equal(await c.cmd("RCPT TO:<Alice@example.test>"), want, ip);
      await c.cmd("QUIT");
    }
  });

  test("the null sender is greylisted as its own value", async () => {
    const c = await connect(s.ports.smtp);
    assert.equal(await c.cmd("MAIL FROM:<>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), GREYLISTED);
    await c.cmd("QUIT");
  });

  test("authenticated submission is never greylisted", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submissions, tls: true });
    assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
    await c.cmd("EHLO client.example");
    assert.equal(
      await c.cmd(`AUTH PLAIN ${b64(`\0alice@example.test\0${testPassword}`)}`),
      "235 2.7.0 Authentication successful",
    );
    const marker = randomUUID();
    assert.equal(await c.cmd("MAIL FROM:<alice@example.test>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd(`RCPT TO:<bob@example.test>`), OK);
    await sendData(c, marker);
    await c.cmd("QUIT");
    assert.equal(await marked(s, s.users[1]!.id, marker), 1);
  });
});

describe("greylisting off (the default)", () => {
  let s: TestServer;
  before(async () => {
    s = await startSmtpTestServer();
  });
  after(() => s.stop());

  test("the first attempt is accepted", async () => {
    assert.equal(s.config.greylist.enabled, false);
    const marker = randomUUID();
    const c = await connect(s.ports.smtp);
    assert.equal(await c.cmd(`MAIL FROM:<${marker}@remote.example>`), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), OK);
    await sendData(c, marker);
    await c.cmd("QUIT");
    assert.equal(await marked(s, s.users[0]!.id, marker), 1);
  });
});
