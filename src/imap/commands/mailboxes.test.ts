// Mailbox commands over a real socket: LIST/LSUB, CREATE, DELETE, RENAME, SUBSCRIBE, STATUS,
// SELECT/EXAMINE, UNSELECT, with their error paths.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const MSG = "From: a@b.test\nSubject: s\n\nbody\n";

describe("IMAP mailbox commands", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let aliceId: number;

  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users[0]!.id;
  });
  after(async () => {
    await t.stop();
  });
  beforeEach(async (ctx) => {
    c?.close();
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    // Each test starts from the default mailboxes only.
    for (const m of await t.server.store.mail.listMailboxes(aliceId)) {
      if (!["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"].includes(m.name))
        await t.server.store.mail.deleteMailbox(m.id).catch(() => {});
    }
    void ctx;
  });

  test("LIST: all, %, INBOX case-insensitive, empty pattern, special-use", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST "" *'), [
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      "a OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("b", 'LIST "" inbox'), [
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      "b OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("c", 'LIST "" ""'), ['* LIST (\\Noselect) "/" ""', "c OK LIST completed"]);
    assert.deepEqual(await c.cmd("d", 'LIST "" T%'), [
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      "d OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("e", 'LIST "" nothing*'), ["e OK LIST completed"]);
  });

  test("CREATE with parents, hierarchy attributes, % stops at the delimiter", async () => {
    const created = await c.cmd("a", "CREATE Work/2024/Q1");
    const q1 = (await t.server.store.mail.getMailbox(aliceId, "Work/2024/Q1"))!;
    assert.deepEqual(created, [`a OK [MAILBOXID (F${q1.id})] CREATE completed`]);
    assert.deepEqual(await c.cmd("b", 'LIST "" Work*'), [
      '* LIST (\\HasChildren) "/" "Work"',
      '* LIST (\\HasChildren) "/" "Work/2024"',
      '* LIST (\\HasNoChildren) "/" "Work/2024/Q1"',
      "b OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("c", 'LIST "Work/" %'), [
      '* LIST (\\HasChildren) "/" "Work/2024"',
      "c OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("d", "CREATE Work/"), ["d NO [ALREADYEXISTS] Mailbox already exists"]);
    assert.deepEqual(await c.cmd("e", "CREATE inbox"), ["e NO [ALREADYEXISTS] Mailbox already exists"]);
    assert.deepEqual(await c.cmd("f", 'CREATE "a//b"'), ["f NO [CANNOT] Invalid mailbox name"]);
    assert.deepEqual(await c.cmd("g", 'CREATE "a*"'), ["g NO [CANNOT] Invalid mailbox name"]);
  });

  test("modified UTF-7 names round-trip", async () => {
    const created = await c.cmd("a", 'CREATE "Entw&APw-rfe/&ZeVnLIqe-"');
    const mb = (await t.server.store.mail.getMailbox(aliceId, "Entwürfe/日本語"))!;
    assert.deepEqual(created, [`a OK [MAILBOXID (F${mb.id})] CREATE completed`]);
    const names = (await t.server.store.mail.listMailboxes(aliceId)).map((m) => m.name);
    assert.ok(names.includes("Entwürfe/日本語"));
    assert.deepEqual(await c.cmd("b", 'LIST "" Entw*'), [
      '* LIST (\\HasChildren) "/" "Entw&APw-rfe"',
      '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe/&ZeVnLIqe-"',
      "b OK LIST completed",
    ]);
  });

  test("DELETE and its errors", async () => {
    await c.cmd("a", "CREATE Old");
    assert.deepEqual(await c.cmd("b", "DELETE Old"), ["b OK DELETE completed"]);
    assert.deepEqual(await c.cmd("c", "DELETE Old"), ["c NO [NONEXISTENT] No such mailbox"]);
    assert.deepEqual(await c.cmd("d", "DELETE INBOX"), ["d NO [CANNOT] INBOX cannot be deleted"]);
  });

  test("RENAME moves children; renaming INBOX moves its messages", async () => {
    await c.cmd("a", "CREATE Proj/sub");
    assert.deepEqual(await c.cmd("b", "RENAME Proj Done"), ["b OK RENAME completed"]);
    assert.deepEqual(await c.cmd("c", 'LIST "" Done*'), [
      '* LIST (\\HasChildren) "/" "Done"',
      '* LIST (\\HasNoChildren) "/" "Done/sub"',
      "c OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("d", "RENAME Done Trash"), ["d NO [ALREADYEXISTS] Target exists"]);
    assert.deepEqual(await c.cmd("e", "RENAME Nope X"), ["e NO [NONEXISTENT] No such mailbox"]);
    await t.deliver(ALICE, MSG);
    assert.deepEqual(await c.cmd("f", "RENAME INBOX Saved"), ["f OK RENAME completed"]);
    assert.deepEqual(await c.cmd("g", "STATUS INBOX (MESSAGES)"), [
      '* STATUS "INBOX" (MESSAGES 0)',
      "g OK STATUS completed",
    ]);
    assert.deepEqual(await c.cmd("h", "STATUS Saved (MESSAGES)"), [
      '* STATUS "Saved" (MESSAGES 1)',
      "h OK STATUS completed",
    ]);
  });

  test("SUBSCRIBE, UNSUBSCRIBE, LSUB", async () => {
    await c.cmd("a", "CREATE Lists");
    assert.deepEqual(await c.cmd("b", "SUBSCRIBE Lists"), ["b OK SUBSCRIBE completed"]);
    assert.deepEqual(await c.cmd("c", 'LSUB "" L*'), [
      '* LSUB (\\HasNoChildren) "/" "Lists"',
      "c OK LSUB completed",
    ]);
    assert.deepEqual(await c.cmd("d", "UNSUBSCRIBE Lists"), ["d OK UNSUBSCRIBE completed"]);
    assert.deepEqual(await c.cmd("e", 'LSUB "" L*'), ["e OK LSUB completed"]);
    assert.deepEqual(await c.cmd("f", "SUBSCRIBE Nope"), ["f NO [NONEXISTENT] No such mailbox"]);
  });

  test("STATUS items", async () => {
    await c.cmd("a", "CREATE Stat");
    await t.deliver(ALICE, MSG, { mailbox: "Stat" });
    await t.deliver(ALICE, MSG, { mailbox: "Stat", flags: ["\\Seen", "\\Deleted"] });
    const mb = (await t.server.store.mail.getMailbox(aliceId, "Stat"))!;
    const size = Buffer.byteLength(MSG.replace(/\n/g, "\r\n")) * 2;
    assert.deepEqual(
      await c.cmd("b", "STATUS Stat (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ DELETED)"),
      [
        `* STATUS "Stat" (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY ${mb.uidValidity} UNSEEN 1 SIZE ${size} HIGHESTMODSEQ ${mb.highestModseq} DELETED 1)`,
        "b OK STATUS completed",
      ],
    );
    assert.deepEqual(await c.cmd("c", "STATUS Nope (MESSAGES)"), ["c NO [NONEXISTENT] No such mailbox"]);
    assert.deepEqual(await c.cmd("d", "STATUS Stat ()"), ["d BAD Empty list"]);
  });

  test("SELECT, EXAMINE, reselect, UNSELECT", async () => {
    await c.cmd("a", "CREATE Sel");
    await t.deliver(ALICE, MSG, { mailbox: "Sel", flags: ["\\Seen"] });
    await t.deliver(ALICE, MSG, { mailbox: "Sel" });
    const mb = (await t.server.store.mail.getMailbox(aliceId, "Sel"))!;
    const common = (recent: number) => [
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
      "* 2 EXISTS",
      `* ${recent} RECENT`,
      "* OK [UNSEEN 2] First unseen",
      `* OK [UIDVALIDITY ${mb.uidValidity}] UIDs valid`,
      "* OK [UIDNEXT 3] Predicted next UID",
      `* OK [HIGHESTMODSEQ ${mb.highestModseq}] Highest`,
      `* OK [MAILBOXID (F${mb.id})] Ok`,
    ];
    const rw = (recent: number) => {
      const r = common(recent);
      r.splice(
        1,
        0,
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
      );
      return r;
    };
    const ro = (recent: number) => {
      const r = common(recent);
      r.splice(1, 0, "* OK [PERMANENTFLAGS ()] Read-only mailbox");
      return r;
    };
    // \Recent (RFC 3501 2.3.2): EXAMINE shows the new messages as recent and leaves them so; the
    // first SELECT takes them, and no later session sees them as recent.
    assert.deepEqual(await c.cmd("a2", "EXAMINE Sel"), [...ro(2), "a2 OK [READ-ONLY] EXAMINE completed"]);
    assert.deepEqual(await c.cmd("a3", "FETCH 1:* FLAGS"), [
      "* 1 FETCH (FLAGS (\\Seen \\Recent))",
      "* 2 FETCH (FLAGS (\\Recent))",
      "a3 OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("a4", "SEARCH RECENT"), ["* SEARCH 1 2", "a4 OK SEARCH completed"]);
    assert.deepEqual(await c.cmd("a5", "SEARCH NEW"), ["* SEARCH 2", "a5 OK SEARCH completed"]);
    assert.deepEqual(await c.cmd("b", "SELECT Sel"), [
      "* OK [CLOSED] Previous mailbox closed",
      ...rw(2),
      "b OK [READ-WRITE] SELECT completed",
    ]);
    const other = await RawClient.connect(t.port.implicit, { tls: true });
    try {
      await other.line();
      await other.cmd("l", `LOGIN ${ALICE} "${PASSWORD}"`);
      assert.deepEqual(await other.cmd("s", "STATUS Sel (RECENT)"), [
        '* STATUS "Sel" (RECENT 0)',
        "s OK STATUS completed",
      ]);
      assert.deepEqual(
        (await other.cmd("x", "SELECT Sel")).filter((l) => l.endsWith("RECENT")),
        ["* 0 RECENT"],
      );
      assert.deepEqual(await other.cmd("y", "SEARCH OLD"), ["* SEARCH 1 2", "y OK SEARCH completed"]);
    } finally {
      other.close();
    }
    assert.deepEqual(await c.cmd("c", "EXAMINE Sel"), [
      "* OK [CLOSED] Previous mailbox closed",
      ...ro(0),
      "c OK [READ-ONLY] EXAMINE completed",
    ]);
    assert.deepEqual(await c.cmd("d", "STORE 1 +FLAGS (\\Flagged)"), ["d NO [NOPERM] Mailbox is read-only"]);
    assert.deepEqual(await c.cmd("e", "UNSELECT"), ["e OK UNSELECT completed"]);
    assert.deepEqual(await c.cmd("f", "UNSELECT"), ["f BAD UNSELECT not allowed now"]);
    assert.deepEqual(await c.cmd("g", "SELECT Nope"), ["g NO [NONEXISTENT] No such mailbox"]);
    assert.deepEqual(await c.cmd("h", "SELECT Sel (CONDSTORE)"), [
      ...rw(0),
      "h OK [READ-WRITE] SELECT completed",
    ]);
    // A failed SELECT leaves no mailbox selected (RFC 9051 6.3.2).
    assert.deepEqual(await c.cmd("i", "SELECT Nope"), [
      "* OK [CLOSED] Previous mailbox closed",
      "i NO [NONEXISTENT] No such mailbox",
    ]);
    assert.deepEqual(await c.cmd("j", "CHECK"), ["j BAD CHECK not allowed now"]);
  });
});
