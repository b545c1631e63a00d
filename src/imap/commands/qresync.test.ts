// QRESYNC (RFC 7162 3.2): ENABLE, SELECT (QRESYNC ...), UID FETCH (CHANGEDSINCE n VANISHED), and
// VANISHED in place of EXPUNGE once enabled.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Mailbox } from "../../store/types.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

describe("QRESYNC", () => {
  let t: ImapTestServer;
  let aliceId: number;
  const clients: RawClient[] = [];

  async function login(): Promise<RawClient> {
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    clients.push(c);
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    return c;
  }

  /** A fresh mailbox with five messages; returns it as it was before `change` ran, and after. */
  async function scenario(name: string, change: (mb: Mailbox) => Promise<void>) {
    const mail = t.server.store.mail;
    await mail.createMailbox(aliceId, name);
    for (let i = 1; i <= 5; i++) await t.deliver(ALICE, `Subject: m${i}\n\nbody ${i}\n`, { mailbox: name });
    const before = (await mail.getMailbox(aliceId, name))!;
    await change(before);
    const now = (await mail.getMailbox(aliceId, name))!;
    const modseqOf = async (uid: number) =>
      (await mail.listMessages(before.id, { minUid: uid, maxUid: uid }))[0]!.modseq;
    return { before, now, modseqOf };
  }

  const selectLines = (mb: Mailbox, exists: number, unseen: number, recent = 0) => [
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
    `* ${exists} EXISTS`,
    `* ${recent} RECENT`,
    `* OK [UNSEEN ${unseen}] First unseen`,
    `* OK [UIDVALIDITY ${mb.uidValidity}] UIDs valid`,
    `* OK [UIDNEXT ${mb.uidNext}] Predicted next UID`,
    `* OK [HIGHESTMODSEQ ${mb.highestModseq}] Highest`,
    `* OK [MAILBOXID (F${mb.id})] Ok`,
  ];

  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("advertised; ENABLE QRESYNC; the parameter needs it", async () => {
    const c = await login();
    const [caps] = await c.cmd("a", "CAPABILITY");
    assert.match(caps!, / CONDSTORE QRESYNC /);
    assert.deepEqual(await c.cmd("b", "SELECT INBOX (QRESYNC (1 1))"), ["b BAD QRESYNC is not enabled"]);
    const empty = await t.server.store.mail.createMailbox(aliceId, "Q0");
    assert.deepEqual(await c.cmd("c", "SELECT Q0"), [
      ...selectLines(empty, 0, 0).filter((l) => !l.includes("UNSEEN")),
      "c OK [READ-WRITE] SELECT completed",
    ]);
    assert.deepEqual(await c.cmd("d", "UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)"), [
      "d BAD QRESYNC is not enabled",
    ]);
    assert.deepEqual(await c.cmd("e", "ENABLE QRESYNC"), ["* ENABLED QRESYNC", "e OK ENABLE completed"]);
    assert.deepEqual(await c.cmd("f", "ENABLE CONDSTORE QRESYNC"), ["* ENABLED", "f OK ENABLE completed"]);
    assert.deepEqual(await c.cmd("g", "FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)"), [
      "g BAD VANISHED is only allowed with UID FETCH",
    ]);
  });

  test("SELECT (QRESYNC ...) reports vanished and changed messages", async () => {
    const mail = t.server.store.mail;
    const { before, now, modseqOf } = await scenario("Q1", async (mb) => {
      await mail.setFlags(mb.id, [2], { mode: "add", flags: ["\\Seen"] });
      await mail.expunge(mb.id, [3, 4]);
    });
    const c = await login();
    await c.cmd("e", "ENABLE QRESYNC");
    const m2 = await modseqOf(2);
    assert.deepEqual(
      await c.cmd("a", `SELECT Q1 (QRESYNC (${before.uidValidity} ${before.highestModseq} 1:5))`),
      [
        // The first session to select the new mailbox: its messages are \Recent here.
        ...selectLines(now, 3, 1, 3),
        "* VANISHED (EARLIER) 3:4",
        `* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (${m2}))`,
        "a OK [READ-WRITE] SELECT completed",
      ],
    );
    // known-uids limits both; seq-match-data is accepted.
    assert.deepEqual(
      await c.cmd("b", `EXAMINE Q1 (QRESYNC (${before.uidValidity} ${before.highestModseq} 1,3 (1 1)))`),
      [
        "* OK [CLOSED] Previous mailbox closed",
        ...selectLines(now, 3, 1).map((l) =>
          l.includes("PERMANENTFLAGS") ? "* OK [PERMANENTFLAGS ()] Read-only mailbox" : l,
        ),
        "* VANISHED (EARLIER) 3",
        "b OK [READ-ONLY] EXAMINE completed",
      ],
    );
    // Another UIDVALIDITY: a plain SELECT, the client must start over.
    assert.deepEqual(await c.cmd("c", `SELECT Q1 (QRESYNC (${before.uidValidity + 1} 1))`), [
      "* OK [CLOSED] Previous mailbox closed",
      ...selectLines(now, 3, 1),
      "c OK [READ-WRITE] SELECT completed",
    ]);
  });

  test("UID FETCH (CHANGEDSINCE n VANISHED)", async () => {
    const mail = t.server.store.mail;
    const { before, modseqOf } = await scenario("Q2", async (mb) => {
      await mail.setFlags(mb.id, [5], { mode: "add", flags: ["\\Flagged"] });
      await mail.expunge(mb.id, [1, 3]);
    });
    const c = await login();
    await c.cmd("e", "ENABLE QRESYNC");
    await c.cmd("s", "SELECT Q2");
    assert.deepEqual(
      await c.cmd("a", `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${before.highestModseq} VANISHED)`),
      [
        "* VANISHED (EARLIER) 1,3",
        `* 3 FETCH (UID 5 FLAGS (\\Flagged \\Recent) MODSEQ (${await modseqOf(5)}))`,
        "a OK FETCH completed",
      ],
    );
    assert.deepEqual(
      await c.cmd("b", `UID FETCH 2:4 (FLAGS) (VANISHED CHANGEDSINCE ${before.highestModseq})`),
      ["* VANISHED (EARLIER) 3", "b OK FETCH completed"],
    );
  });

  test("VANISHED replaces EXPUNGE: own EXPUNGE, MOVE and another session's", async () => {
    await scenario("Q3", async () => {});
    const c = await login();
    const other = await login();
    await c.cmd("e", "ENABLE QRESYNC");
    await c.cmd("s", "SELECT Q3");
    await c.cmd("a", "STORE 1:2 +FLAGS.SILENT (\\Deleted)");
    assert.deepEqual(await c.cmd("b", "EXPUNGE"), ["* VANISHED 1:2", "b OK EXPUNGE completed"]);
    const inbox = (await t.server.store.mail.getMailbox(aliceId, "INBOX"))!;
    const moved = await c.cmd("c", "UID MOVE 3 INBOX");
    assert.equal(moved.length, 3);
    assert.match(moved[0]!, new RegExp(`^\\* OK \\[COPYUID ${inbox.uidValidity} 3 \\d+\\] Moved$`));
    assert.deepEqual(moved.slice(1), ["* VANISHED 3", "c OK MOVE completed"]);
    await other.cmd("s", "SELECT Q3");
    await other.cmd("a", "UID STORE 5 +FLAGS.SILENT (\\Deleted)");
    assert.deepEqual(await other.cmd("b", "EXPUNGE"), ["* 2 EXPUNGE", "b OK EXPUNGE completed"]);
    // The flag change and the expunge arrive together: only the expunge is worth reporting.
    assert.deepEqual(await c.cmd("d", "NOOP"), ["* VANISHED 5", "d OK NOOP completed"]);
  });
});
