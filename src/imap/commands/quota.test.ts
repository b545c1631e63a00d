// RFC 9208 GETQUOTAROOT / GETQUOTA, and APPEND refused with OVERQUOTA.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const MSG = "Subject: q\r\n\r\n" + "x".repeat(3000) + "\r\n";

describe("IMAP QUOTA", () => {
  let t: ImapTestServer;
  let c: RawClient;
  before(async () => {
    t = await startImapTestServer({
      server: {
        users: [
          { address: "carol@example.test", password: PASSWORD, quotaBytes: 10 * 1024, quotaMessages: 2 },
          { address: "dave@example.test", password: PASSWORD },
        ],
      },
    });
  });
  after(async () => {
    c?.close();
    await t.stop();
  });

  test("usage and limits; APPEND over quota", async () => {
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN carol@example.test "${PASSWORD}"`);
    assert.deepEqual(await c.cmd("a", "GETQUOTAROOT INBOX"), [
      '* QUOTAROOT "INBOX" ""',
      '* QUOTA "" (STORAGE 0 10 MESSAGE 0 2)',
      "a OK GETQUOTAROOT completed",
    ]);
    assert.equal(
      (await c.cmd("b", `APPEND INBOX {${MSG.length}+}\r\n${MSG}`)).at(-1)?.startsWith("b OK [APPENDUID"),
      true,
    );
    assert.deepEqual(await c.cmd("c", 'GETQUOTA ""'), [
      '* QUOTA "" (STORAGE 3 10 MESSAGE 1 2)',
      "c OK GETQUOTA completed",
    ]);
    await c.cmd("d", `APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    assert.deepEqual(await c.cmd("e", `APPEND INBOX {${MSG.length}+}\r\n${MSG}`), [
      "e NO [OVERQUOTA] Quota exceeded",
    ]);
    assert.deepEqual(await c.cmd("f", "GETQUOTA other"), ["f NO [NONEXISTENT] No such quota root"]);
    assert.deepEqual(await c.cmd("g", "GETQUOTAROOT Nope"), ["g NO [NONEXISTENT] No such mailbox"]);
  });

  test("unlimited account: no resources", async () => {
    const d = await RawClient.connect(t.port.implicit, { tls: true });
    try {
      await d.line();
      await d.cmd("L", `LOGIN dave@example.test "${PASSWORD}"`);
      assert.deepEqual(await d.cmd("a", 'GETQUOTA ""'), ['* QUOTA "" ()', "a OK GETQUOTA completed"]);
    } finally {
      d.close();
    }
  });
});
