// NUL octets in a message (issue 18, finding 14): refused after DATA and after BDAT LAST with
// 550 5.6.0 and nothing stored, unless [smtp] nulBytes = "accept". Raw socket, exact replies.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { RawSmtpClient } from "./test-client.js";
import { inbox, startSmtpTestServer } from "./test-server.js";

const REFUSED = "550 5.6.0 Message content rejected: NUL octet in message (RFC 5322 2.3, RFC 6152 3)";
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;

describe("NUL octets in DATA and BDAT", () => {
  let s: TestServer;
  let alice: number;
  const stored = async (marker: string) =>
    (await inbox(s.store, alice)).filter((b) => b.includes(marker)).length;

  /** One transaction to alice; `send` writes the content, returns the final reply. */
  async function transaction(send: (c: RawSmtpClient, marker: string) => Promise<string>) {
    const c = await RawSmtpClient.connect({ port: s.ports.smtp });
    await c.reply();
    await c.cmd("EHLO client.example");
    assert.equal(await c.cmd("MAIL FROM:<x@remote.example>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
    const marker = randomUUID();
    const reply = await send(c, marker);
    // The session goes on: the refusal ended the transaction only.
    assert.equal(await c.cmd("NOOP"), "250 2.0.0 OK");
    c.close();
    return { reply, marker };
  }

  const viaData = (c: RawSmtpClient, marker: string) =>
    c.cmd("DATA").then(async (r) => {
      assert.equal(r, "354 End data with <CR><LF>.<CR><LF>");
      c.send(Buffer.from(`Subject: ${marker}\r\n\r\nbefore\0after\r\n.\r\n`, "latin1"));
      return c.reply();
    });
  const viaBdat = async (c: RawSmtpClient, marker: string) => {
    const chunk = Buffer.from(`Subject: ${marker}\r\n\r\nbefore\0after\r\n`, "latin1");
    c.send(Buffer.concat([Buffer.from(`BDAT ${chunk.length} LAST\r\n`), chunk]));
    return c.reply();
  };

  before(async () => {
    s = await startSmtpTestServer();
    alice = s.users[0]!.id;
  });
  after(() => s.stop());

  test("DATA with a NUL: 550 5.6.0, nothing stored", async () => {
    const { reply, marker } = await transaction(viaData);
    assert.equal(reply, REFUSED);
    assert.equal(await stored(marker), 0);
  });

  test("BDAT LAST with a NUL: 550 5.6.0, nothing stored", async () => {
    const { reply, marker } = await transaction(viaBdat);
    assert.equal(reply, REFUSED);
    assert.equal(await stored(marker), 0);
  });

  test('nulBytes = "accept" stores the message as received', async () => {
    s.ctx.config.smtp.nulBytes = "accept";
    try {
      for (const send of [viaData, viaBdat]) {
        const { reply, marker } = await transaction(send);
        assert.match(reply, ACCEPTED);
        const [body] = (await inbox(s.store, alice)).filter((b) => b.includes(marker));
        assert.ok(body?.includes(Buffer.from("before\0after\r\n", "latin1")));
      }
    } finally {
      s.ctx.config.smtp.nulBytes = "reject";
    }
  });
});
