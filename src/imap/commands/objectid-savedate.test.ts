// RFC 8474 OBJECTID (MAILBOXID, EMAILID, THREADID) and RFC 8514 SAVEDATE over a real socket.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { imapDateTime } from "../format/date.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const FIRST = "Message-ID: <a@example.test>\nSubject: first\n\nhello\n";
const REPLY = "Message-ID: <b@example.test>\nIn-Reply-To: <a@example.test>\nSubject: Re: first\n\nhi\n";
const OTHER = "Message-ID: <c@example.test>\nSubject: unrelated\n\nbye\n";

describe("IMAP OBJECTID and SAVEDATE", () => {
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
  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("MAILBOXID in CREATE, STATUS, LIST-STATUS and SELECT; stable across sessions", async () => {
    const c = await login();
    const created = await c.cmd("a", "CREATE Obj");
    const mb = (await t.server.store.mail.getMailbox(aliceId, "Obj"))!;
    assert.deepEqual(created, [`a OK [MAILBOXID (F${mb.id})] CREATE completed`]);
    assert.deepEqual(await c.cmd("b", "STATUS Obj (MESSAGES MAILBOXID)"), [
      `* STATUS "Obj" (MESSAGES 0 MAILBOXID (F${mb.id}))`,
      "b OK STATUS completed",
    ]);
    const other = await login();
    assert.deepEqual(await other.cmd("c", 'LIST "" Obj RETURN (STATUS (MAILBOXID))'), [
      '* LIST (\\HasNoChildren) "/" "Obj"',
      `* STATUS "Obj" (MAILBOXID (F${mb.id}))`,
      "c OK LIST completed",
    ]);
    const sel = await other.cmd("d", "EXAMINE Obj");
    assert.ok(sel.includes(`* OK [MAILBOXID (F${mb.id})] Ok`), sel.join("\n"));
    // RENAME keeps the id (RFC 8474 4.1: it names the mailbox, not its name).
    assert.deepEqual(await c.cmd("e", "RENAME Obj Obj2"), ["e OK RENAME completed"]);
    assert.deepEqual(await c.cmd("f", "STATUS Obj2 (MAILBOXID)"), [
      `* STATUS "Obj2" (MAILBOXID (F${mb.id}))`,
      "f OK STATUS completed",
    ]);
    assert.deepEqual(await c.cmd("g", "STATUS Obj2 (MAILBOXID FOO)"), ["g BAD Unknown status item FOO"]);
  });

  test("EMAILID and THREADID: FETCH, SEARCH, kept threads across COPY", async () => {
    const mail = t.server.store.mail;
    await mail.createMailbox(aliceId, "Thr");
    await t.deliver(ALICE, FIRST, { mailbox: "Thr" });
    await t.deliver(ALICE, REPLY, { mailbox: "Thr" });
    await t.deliver(ALICE, OTHER, { mailbox: "Thr" });
    const thr = (await mail.getMailbox(aliceId, "Thr"))!;
    const [m1, m2, m3] = await mail.listMessages(thr.id);
    assert.ok(m1 && m2 && m3);
    assert.equal(m1.threadId, m2.threadId);
    assert.notEqual(m1.threadId, m3.threadId);
    const c = await login();
    await c.cmd("a", "SELECT Thr");
    assert.deepEqual(await c.cmd("b", "FETCH 1:3 (EMAILID THREADID)"), [
      `* 1 FETCH (EMAILID (M${m1.id}) THREADID (T${m1.threadId}))`,
      `* 2 FETCH (EMAILID (M${m2.id}) THREADID (T${m1.threadId}))`,
      `* 3 FETCH (EMAILID (M${m3.id}) THREADID (T${m3.threadId}))`,
      "b OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("c", `SEARCH EMAILID M${m2.id}`), ["* SEARCH 2", "c OK SEARCH completed"]);
    assert.deepEqual(await c.cmd("d", `UID SEARCH THREADID T${m1.threadId}`), [
      `* SEARCH ${m1.uid} ${m2.uid}`,
      "d OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("e", `SEARCH OR EMAILID M${m3.id} EMAILID M999999999`), [
      "* SEARCH 3",
      "e OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("f", "SEARCH THREADID (T1)"), ["f BAD Expected an atom"]);
    // A copy is a new message in its mailbox (new EMAILID) in the same thread.
    assert.match((await c.cmd("g", "COPY 1 INBOX")).at(-1)!, /^g OK \[COPYUID /);
    const inbox = (await mail.getMailbox(aliceId, "INBOX"))!;
    const copy = (await mail.listMessages(inbox.id)).at(-1)!;
    assert.notEqual(copy.id, m1.id);
    const d = await login();
    await d.cmd("h", "EXAMINE INBOX");
    assert.deepEqual(await d.cmd("i", `UID FETCH ${copy.uid} (EMAILID THREADID)`), [
      `* 1 FETCH (UID ${copy.uid} EMAILID (M${copy.id}) THREADID (T${m1.threadId}))`,
      "i OK FETCH completed",
    ]);
  });

  test("SAVEDATE: FETCH and SAVED* keys, apart from the internal date", async () => {
    const c = await login();
    await c.cmd("a", "CREATE Saved");
    const msg = "Subject: old\r\n\r\nfrom 2020\r\n";
    const appended = await c.cmd(
      "b",
      `APPEND Saved "01-Jan-2020 10:00:00 +0000" {${Buffer.byteLength(msg)}+}\r\n${msg}`,
    );
    assert.match(appended.at(-1)!, /^b OK \[APPENDUID /);
    const mb = (await t.server.store.mail.getMailbox(aliceId, "Saved"))!;
    const [m] = await t.server.store.mail.listMessages(mb.id);
    assert.ok(m);
    assert.ok(Date.now() - m.savedDate.getTime() < 60_000);
    await c.cmd("c", "SELECT Saved");
    assert.deepEqual(await c.cmd("d", "FETCH 1 (INTERNALDATE SAVEDATE)"), [
      `* 1 FETCH (INTERNALDATE "01-Jan-2020 10:00:00 +0000" SAVEDATE "${imapDateTime(m.savedDate)}")`,
      "d OK FETCH completed",
    ]);
    const day = (d: Date) => imapDateTime(d).slice(0, 11);
    const today = day(m.savedDate);
    const tomorrow = day(new Date(m.savedDate.getTime() + 86_400_000));
    const expect = async (tag: string, key: string, hits: string) =>
      assert.deepEqual(await c.cmd(tag, `SEARCH ${key}`), [`* SEARCH${hits}`, `${tag} OK SEARCH completed`]);
    await expect("e", "BEFORE 1-Jan-2021", " 1");
    await expect("f", "SAVEDBEFORE 1-Jan-2021", "");
    await expect("g", `SAVEDON ${today}`, " 1");
    await expect("h", `SAVEDSINCE ${today}`, " 1");
    await expect("i", `SAVEDSINCE ${tomorrow}`, "");
    await expect("j", `SAVEDBEFORE ${tomorrow}`, " 1");
    await expect("k", "SAVEDATESUPPORTED", " 1");
    await expect("l", "NOT SAVEDATESUPPORTED", "");
    assert.deepEqual(await c.cmd("m", "SEARCH SAVEDON yesterday"), ["m BAD Bad date"]);
  });
});
