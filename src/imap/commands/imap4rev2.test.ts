// IMAP4rev2 (RFC 9051) after ENABLE IMAP4rev2 on a server that speaks both (RFC 9051 Appendix A):
// the differences from rev1 that clients see (Appendix E), against a rev1 session on the same data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const FLAGS = "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)";
const PERM = "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted";

describe("IMAP4rev2", () => {
  let t: ImapTestServer;
  let aliceId: number;
  const clients: RawClient[] = [];
  const login = async () => {
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    clients.push(c);
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    return c;
  };
  const rev2 = async () => {
    const c = await login();
    assert.deepEqual(await c.cmd("E", "ENABLE IMAP4rev2"), ["* ENABLED IMAP4rev2", "E OK ENABLE completed"]);
    return c;
  };
  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
    const mb = await t.server.store.mail.createMailbox(aliceId, "Rév2");
    await t.server.store.mail.createMailbox(aliceId, "Rév2/sub");
    await t.deliver(ALICE, "Subject: one\r\n\r\n1\r\n", { mailbox: mb.name, flags: ["\\Seen"] });
    await t.deliver(ALICE, "Subject: two\r\n\r\n2\r\n", { mailbox: mb.name });
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("advertised beside IMAP4rev1; ENABLE once; not before login", async () => {
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    clients.push(c);
    assert.match(await c.line(), /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN /);
    assert.deepEqual(await c.cmd("a", "ENABLE IMAP4rev2"), ["a BAD ENABLE not allowed now"]);
    await c.cmd("b", `LOGIN ${ALICE} "${PASSWORD}"`);
    assert.deepEqual(await c.cmd("c", "ENABLE imap4rev2 CONDSTORE"), [
      "* ENABLED IMAP4rev2 CONDSTORE",
      "c OK ENABLE completed",
    ]);
    assert.deepEqual(await c.cmd("d", "ENABLE IMAP4rev2"), ["* ENABLED", "d OK ENABLE completed"]);
  });

  test("SELECT: LIST instead of RECENT and UNSEEN; UTF-8 names", async () => {
    const mb = (await t.server.store.mail.getMailbox(aliceId, "Rév2"))!;
    const tail = [
      `* OK [UIDVALIDITY ${mb.uidValidity}] UIDs valid`,
      "* OK [UIDNEXT 3] Predicted next UID",
      `* OK [HIGHESTMODSEQ ${mb.highestModseq}] Highest`,
      `* OK [MAILBOXID (F${mb.id})] Ok`,
    ];
    const c = await rev2();
    assert.deepEqual(await c.cmd("a", 'SELECT "Rév2"'), [
      FLAGS,
      PERM,
      "* 2 EXISTS",
      '* LIST (\\HasChildren) "/" "Rév2"',
      ...tail,
      "a OK [READ-WRITE] SELECT completed",
    ]);
    assert.deepEqual(await c.cmd("b", 'LIST "" "R*"'), [
      '* LIST (\\HasChildren) "/" "Rév2"',
      '* LIST (\\HasNoChildren) "/" "Rév2/sub"',
      "b OK LIST completed",
    ]);
    // LSUB is still answered (RFC 9051 Appendix E: deprecated, LIST (SUBSCRIBED) replaces it).
    assert.deepEqual(await c.cmd("c", 'LSUB "" "R*"'), [
      '* LSUB (\\HasChildren) "/" "Rév2"',
      '* LSUB (\\HasNoChildren) "/" "Rév2/sub"',
      "c OK LSUB completed",
    ]);
    const old = await login();
    assert.deepEqual(await old.cmd("d", 'SELECT "R&AOk-v2"'), [
      FLAGS,
      PERM,
      "* 2 EXISTS",
      "* 2 RECENT", // the IMAP4rev2 session before it has no \Recent, so claimed none
      "* OK [UNSEEN 2] First unseen",
      ...tail,
      "d OK [READ-WRITE] SELECT completed",
    ]);
  });

  test("SEARCH is answered with ESEARCH; NEW, OLD, RECENT and STATUS RECENT are gone", async () => {
    const c = await rev2();
    await c.cmd("a", 'EXAMINE "Rév2"');
    assert.deepEqual(await c.cmd("b", "SEARCH UNSEEN"), [
      '* ESEARCH (TAG "b") ALL 2',
      "b OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("c", "UID SEARCH ALL"), [
      '* ESEARCH (TAG "c") UID ALL 1:2',
      "c OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("d", "SEARCH SUBJECT three"), [
      '* ESEARCH (TAG "d")',
      "d OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("e", "SEARCH RETURN (COUNT) ALL"), [
      '* ESEARCH (TAG "e") COUNT 2',
      "e OK SEARCH completed",
    ]);
    const removed = "BAD NEW, OLD and RECENT are not IMAP4rev2 search keys";
    assert.deepEqual(await c.cmd("f", "SEARCH NEW"), [`f ${removed}`]);
    assert.deepEqual(await c.cmd("g", "SEARCH OR SEEN NOT OLD"), [`g ${removed}`]);
    assert.deepEqual(await c.cmd("h", "SORT (DATE) UTF-8 RECENT"), [`h ${removed}`]);
    assert.deepEqual(await c.cmd("i", 'STATUS "Rév2" (MESSAGES DELETED UNSEEN)'), [
      '* STATUS "Rév2" (MESSAGES 2 DELETED 0 UNSEEN 1)',
      "i OK STATUS completed",
    ]);
    assert.deepEqual(await c.cmd("j", 'STATUS "Rév2" (MESSAGES RECENT)'), [
      "j BAD RECENT is not an IMAP4rev2 status item",
    ]);
    // The same requests from a rev1 session keep the rev1 answers.
    const old = await login();
    await old.cmd("k", 'EXAMINE "R&AOk-v2"');
    assert.deepEqual(await old.cmd("l", "SEARCH UNSEEN"), ["* SEARCH 2", "l OK SEARCH completed"]);
    assert.deepEqual(await old.cmd("m", "SEARCH OLD"), ["* SEARCH 1 2", "m OK SEARCH completed"]);
    assert.deepEqual(await old.cmd("n", 'STATUS "R&AOk-v2" (RECENT)'), [
      '* STATUS "R&AOk-v2" (RECENT 0)',
      "n OK STATUS completed",
    ]);
  });
});
