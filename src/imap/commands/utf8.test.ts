// RFC 6855 UTF8=ACCEPT: once enabled, mailbox names travel as UTF-8 and APPEND takes UTF8 (~{n});
// other sessions keep modified UTF-7.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

describe("IMAP UTF8=ACCEPT", () => {
  let t: ImapTestServer;
  const clients: RawClient[] = [];
  const login = async () => {
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    clients.push(c);
    await c.line();
    await c.cmd("L", `LOGIN alice@example.test "${PASSWORD}"`);
    return c;
  };
  before(async () => {
    t = await startImapTestServer();
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("UTF-8 names after ENABLE, modified UTF-7 for others", async () => {
    const u = await login();
    assert.deepEqual(await u.cmd("a", "ENABLE UTF8=ACCEPT"), [
      "* ENABLED UTF8=ACCEPT",
      "a OK ENABLE completed",
    ]);
    const created = await u.cmd("b", 'CREATE "Größe/日本"');
    const mb = (await t.server.store.mail.getMailbox(t.server.users[0]!.id, "Größe/日本"))!;
    assert.deepEqual(created, [`b OK [MAILBOXID (F${mb.id})] CREATE completed`]);
    assert.deepEqual(await u.cmd("c", 'LIST "" "Gr*"'), [
      '* LIST (\\HasChildren) "/" "Größe"',
      '* LIST (\\HasNoChildren) "/" "Größe/日本"',
      "c OK LIST completed",
    ]);
    const subject = "Subject: Grüße\r\n\r\nHallo\r\n";
    const n = Buffer.byteLength(subject);
    assert.equal(
      (await u.cmd("d", `APPEND "Größe" UTF8 (~{${n}+}\r\n${subject})`))
        .at(-1)
        ?.startsWith("d OK [APPENDUID "),
      true,
    );
    await u.cmd("e", 'SELECT "Größe"');
    assert.deepEqual(await u.cmd("f", "FETCH 1 (ENVELOPE)"), [
      '* 1 FETCH (ENVELOPE (NIL "Grüße" NIL NIL NIL NIL NIL NIL NIL NIL))',
      "f OK FETCH completed",
    ]);
    const old = await login();
    assert.deepEqual(await old.cmd("g", 'LIST "" "Gr*"'), [
      '* LIST (\\HasChildren) "/" "Gr&APYA3w-e"',
      '* LIST (\\HasNoChildren) "/" "Gr&APYA3w-e/&ZeVnLA-"',
      "g OK LIST completed",
    ]);
    assert.deepEqual(await old.cmd("h", "FETCH 1 ENVELOPE"), ["h BAD FETCH not allowed now"]);
    await old.cmd("i", 'SELECT "Gr&APYA3w-e"');
    assert.deepEqual(await old.cmd("j", "FETCH 1 (ENVELOPE)"), [
      `* 1 FETCH (ENVELOPE (NIL {${Buffer.byteLength("Grüße")}}\r\nGrüße NIL NIL NIL NIL NIL NIL NIL NIL))`,
      "j OK FETCH completed",
    ]);
  });
});
