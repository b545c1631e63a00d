// Issue 18 finding 9 over real submission (587, STARTTLS, AUTH): Sender, Resent-From and
// Resent-Sender are held to send-as like From, and a display name showing another address is
// refused with 550 5.7.1 unless [smtp] allowAddressDisplayNames. Raw client, exact replies;
// nothing refused reaches bob.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { b64, RawSmtpClient } from "./test-client.js";
import { inbox, startSmtpTestServer } from "./test-server.js";

const PW = "correct horse battery staple";
const ALICE = "alice@example.test";

describe("submission: author fields", () => {
  let s: TestServer;
  let c: RawSmtpClient;
  before(async () => {
    s = await startSmtpTestServer();
    c = await RawSmtpClient.connect({ port: s.ports.submission });
    await c.reply();
    await c.cmd("EHLO client.example");
    assert.equal(await c.cmd("STARTTLS"), "220 2.0.0 Ready to start TLS");
    await c.startTls();
    await c.cmd("EHLO client.example");
    assert.equal(
      await c.cmd(`AUTH PLAIN ${b64(`\0${ALICE}\0${PW}`)}`),
      "235 2.7.0 Authentication successful",
    );
  });
  after(async () => {
    c?.close();
    await s?.stop();
  });

  /** alice sends `head` to bob; the final reply and whether bob got it. */
  async function send(head: string): Promise<{ reply: string; delivered: boolean }> {
    const marker = randomUUID();
    assert.equal(await c.cmd(`MAIL FROM:<${ALICE}>`), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    const reply = await c.cmd(`${head}To: bob@example.test\r\nSubject: ${marker}\r\n\r\nhi\r\n.`);
    const bob = s.users[1]!.id;
    const delivered = (await inbox(s.store, bob)).some((b) => b.includes(marker));
    return { reply, delivered };
  }

  test("Sender, Resent-From and Resent-Sender naming bob are refused like From", async () => {
    for (const field of ["Sender", "Resent-From", "Resent-Sender"]) {
      const r = await send(`From: Alice <${ALICE}>\r\n${field}: Bob <bob@example.test>\r\n`);
      assert.equal(
        r.reply,
        `553 5.7.1 Sender address rejected: ${field} header <bob@example.test> is not owned by user ${ALICE}`,
      );
      assert.equal(r.delivered, false);
    }
  });

  test('From: "bob@example.test" <alice@…> is refused with 550 5.7.1, also encoded', async () => {
    for (const name of [
      '"bob@example.test"',
      "=?utf-8?q?bob=40example=2Etest?=",
      '"Bob (bob@example.test)"',
    ]) {
      const r = await send(`From: ${name} <${ALICE}>\r\n`);
      assert.equal(
        r.reply,
        `550 5.7.1 Author field rejected: From header display name shows the address bob@example.test, not <${ALICE}>`,
        name,
      );
      assert.equal(r.delivered, false);
    }
  });

  test("her own address as the name, and a plain name, are fine; the config key allows the rest", async () => {
    for (const head of [
      `From: "${ALICE}" <${ALICE}>\r\n`,
      `From: Alice <${ALICE}>\r\nSender: ${ALICE}\r\n`,
    ]) {
      const r = await send(head);
      assert.match(r.reply, /^250 2\.0\.0 OK/);
      assert.equal(r.delivered, true);
    }
    s.ctx.config.smtp.allowAddressDisplayNames = true;
    try {
      const r = await send(`From: "bob@example.test" <${ALICE}>\r\n`);
      assert.match(r.reply, /^250 2\.0\.0 OK/);
      assert.equal(r.delivered, true);
    } finally {
      s.ctx.config.smtp.allowAddressDisplayNames = false;
    }
  });
});
