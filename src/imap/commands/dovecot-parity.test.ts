// Answers Dovecot gives and its imaptest suite checks (scripts/imaptest.ts), pinned here over a
// real TLS socket with exact responses: SENT* dates, FROM/TO address forms, SORT (CC) and
// (DISPLAYTO) with groups, ENVELOPE source routes, binary APPEND, ESEARCH MODSEQ and the
// HIGHESTMODSEQ of a CONDSTORE-enabling command, MOVE into the selected mailbox.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

const mail = (headers: string[], body = "body") => `${headers.join("\r\n")}\r\n\r\n${body}\r\n`;

describe("Dovecot parity (imaptest findings)", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let aliceId: number;
  let n = 0;

  /** A fresh mailbox holding `messages`, selected. */
  async function selectFresh(messages: string[]): Promise<string> {
    const name = `Box${++n}`;
    await t.server.store.mail.createMailbox(aliceId, name);
    for (const m of messages) await t.deliver(ALICE, m, { mailbox: name });
    const r = await c.cmd("S", `SELECT ${name}`);
    assert.equal(r.at(-1), "S OK [READ-WRITE] SELECT completed");
    return name;
  }

  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
  });
  after(async () => {
    c?.close();
    await t.stop();
  });
  beforeEach(async () => {
    c?.close();
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
  });

  test("SENTBEFORE/SENTON/SENTSINCE: the Date header's own day, time and zone disregarded (RFC 3501 6.4.4)", async () => {
    // Message 2 is 24 March 22:00 in UTC, but the 25th where it was written: the 25th it is.
    await selectFresh([
      mail(["From: a@example.test", "Date: Sat, 24 Mar 2007 23:00:00 +0200"]),
      mail(["From: a@example.test", "Date: Sun, 25 Mar 2007 00:00:00 +0200"]),
      mail(["From: a@example.test", "Date: Sun, 25 Mar 2007 23:00:00 -0300"]),
      mail(["From: a@example.test", "Date: 26 Mar 07 00:30 EDT"]),
      mail(["From: a@example.test"]),
    ]);
    const s = async (q: string) => (await c.cmd("s", q))[0];
    assert.equal(await s("SEARCH SENTON 24-Mar-2007"), "* SEARCH 1");
    assert.equal(await s("SEARCH SENTON 25-Mar-2007"), "* SEARCH 2 3");
    assert.equal(await s("SEARCH SENTBEFORE 25-Mar-2007"), "* SEARCH 1");
    assert.equal(await s("SEARCH SENTBEFORE 26-Mar-2007"), "* SEARCH 1 2 3");
    assert.equal(await s("SEARCH SENTSINCE 25-Mar-2007"), "* SEARCH 2 3 4");
    assert.equal(await s("SEARCH SENTSINCE 26-Mar-2007"), "* SEARCH 4");
    assert.equal(await s("SEARCH SENTSINCE 1-Jan-1990"), "* SEARCH 1 2 3 4"); // 5 has no Date
  });

  test("FROM/TO/CC and HEADER match the parsed addresses too: comments, groups, routes", async () => {
    await selectFresh([
      mail(["From: user-from@domain.org", "To: user-to@domain.org"]),
      mail(["From: <user-from (comment)@ (comment) domain.org>", "Sender: <user-from (c) @ domain.org>"]),
      mail(["From: Real <@relay.example:user-from@domain.org>", "To: team: x@domain.org, y@domain.org;"]),
      mail(["From: other@domain.org", "To: empty:;"]),
    ]);
    const s = async (q: string) => (await c.cmd("s", q))[0];
    // FROM is answered from the store's header index, HEADER SENDER by reading the messages: both
    // see the same normal form.
    assert.equal(await s("SEARCH FROM user-from@domain.org"), "* SEARCH 1 2 3");
    assert.equal(await s("SEARCH HEADER SENDER user-from@domain.org"), "* SEARCH 2");
    assert.equal(await s('SEARCH FROM "real <user-from@"'), "* SEARCH 3");
    assert.equal(await s("SEARCH FROM relay.example"), "* SEARCH 3"); // the raw value still counts
    assert.equal(await s("SEARCH TO team"), "* SEARCH 3");
    assert.equal(await s("SEARCH TO y@domain.org"), "* SEARCH 3");
    assert.equal(await s("SEARCH TO empty"), "* SEARCH 4");
    assert.equal(await s("SEARCH FROM comment"), "* SEARCH 2");
  });

  test("SORT (CC) and (DISPLAYTO): a group sorts by its name (RFC 5256 3, RFC 5957 2)", async () => {
    await selectFresh([
      mail(["From: a@x", "To: foo bar <a@b.c>", "Cc: user2@domain2.org (foo bar)"]),
      mail(["From: a@x", "To: b@c.d", "Cc: user2: blah@domain1.org;"]),
      mail(["From: a@x", "To: =?iso-8859-1?q?foo_aar?= <e@f.g>", "Cc: user1@domain1.org"]),
      mail(["From: a@x", "To: a: xx@xx.org, yy@yy.org;"]),
      mail(["From: a@x", "To: z: aa@aa.org;"]),
      mail(["From: a@x", "To: empty:;"]),
    ]);
    const s = async (q: string) => (await c.cmd("s", q))[0];
    assert.equal(await s("SORT (CC) US-ASCII 1:3"), "* SORT 3 1 2");
    assert.equal(await s("SORT (REVERSE CC) US-ASCII 1:3"), "* SORT 1 2 3");
    assert.equal(await s("SORT (CC REVERSE ARRIVAL) US-ASCII 1:3"), "* SORT 3 2 1");
    // a, b@c.d, empty, foo aar, foo bar, z
    assert.equal(await s("SORT (DISPLAYTO) US-ASCII ALL"), "* SORT 4 2 6 3 1 5");
    assert.equal(await s("SORT (REVERSE DISPLAYTO) US-ASCII ALL"), "* SORT 5 1 3 6 2 4");
  });

  test("ENVELOPE keeps the source route as the adl (RFC 3501 7.4.2)", async () => {
    await selectFresh([
      mail([
        "Date: Thu, 15 Feb 2007 01:02:03 +0200",
        "From: <@route:user@domain>",
        "To: Joe <@a,@b:joe@example.test>",
      ]),
    ]);
    assert.deepEqual(await c.cmd("f", "FETCH 1 ENVELOPE"), [
      '* 1 FETCH (ENVELOPE ("Thu, 15 Feb 2007 01:02:03 +0200" NIL ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) (("Joe" "@a,@b" "joe" "example.test")) NIL NIL NIL NIL))',
      "f OK FETCH completed",
    ]);
  });

  test("APPEND of binary content as literal8: stored as base64, BINARY gives the octets back (RFC 3516 4.4)", async () => {
    const name = await selectFresh([]);
    const head = Buffer.from(
      "From: user@domain.org\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n",
    );
    // A NUL, a bare LF, a CRLF and a lone LF at the end: none of it may be changed.
    const octets = Buffer.from([0x00, 0x2d, 0x41, 0x0a, 0x0d, 0x0a, 0x0a]);
    const msg = Buffer.concat([head, octets]);
    c.write(Buffer.concat([Buffer.from(`a APPEND ${name} ~{${msg.length}+}\r\n`), msg, Buffer.from("\r\n")]));
    assert.match((await c.until("a")).at(-1)!, /^a OK \[APPENDUID \d+ 1\] APPEND completed$/);
    await c.cmd("n", "NOOP");
    assert.deepEqual(await c.cmd("f", "FETCH 1 (BODY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[1])"), [
      `* 1 FETCH (BODY[1] {12}\r\n${octets.toString("base64")} BINARY.SIZE[1] 7 BINARY[1] ~{7}\r\n${octets.toString("latin1")})`,
      "f OK FETCH completed",
    ]);
    const mime =
      "From: user@domain.org\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    assert.deepEqual(await c.cmd("g", "FETCH 1 (BODY.PEEK[1.MIME])"), [
      `* 1 FETCH (BODY[1.MIME] {${mime.length}}\r\n${mime})`,
      "g OK FETCH completed",
    ]);
  });

  test("CONDSTORE enabled by FETCH MODSEQ: HIGHESTMODSEQ first; ESEARCH MODSEQ of what is returned (RFC 7162 3.1, 3.1.5)", async () => {
    await selectFresh([mail(["From: a@x"]), mail(["From: a@x"]), mail(["From: a@x"]), mail(["From: a@x"])]);
    const first = await c.cmd("a", "FETCH 1 (MODSEQ)");
    const highest = Number(/^\* OK \[HIGHESTMODSEQ (\d+)\] Highest$/.exec(first[0]!)?.[1]);
    assert.ok(highest > 0, first[0]);
    assert.deepEqual(first.slice(1), [`* 1 FETCH (MODSEQ (${highest - 3}))`, "a OK FETCH completed"]);
    // Now on: a second enabling command gets no second HIGHESTMODSEQ.
    assert.deepEqual(await c.cmd("b", "FETCH 4 (MODSEQ)"), [
      `* 4 FETCH (MODSEQ (${highest}))`,
      "b OK FETCH completed",
    ]);
    const modseq: number[] = [];
    for (const i of [1, 3, 2, 4]) {
      const r = await c.cmd("s", `STORE ${i} +FLAGS (\\Seen)`);
      modseq[i] = Number(/MODSEQ \((\d+)\)/.exec(r[0]!)![1]);
    }
    const q = async (ret: string, set: string) =>
      (await c.cmd("e", `SEARCH RETURN (${ret}) ${set} MODSEQ "/flags/\\\\seen" all 1`))[0];
    assert.equal(await q("MIN", "1:3"), `* ESEARCH (TAG "e") MIN 1 MODSEQ ${modseq[1]}`);
    assert.equal(await q("MAX", "1:3"), `* ESEARCH (TAG "e") MAX 3 MODSEQ ${modseq[3]}`);
    assert.equal(await q("", "1:3"), `* ESEARCH (TAG "e") ALL 1:3 MODSEQ ${modseq[2]}`);
    assert.equal(await q("MIN MAX", "1,3"), `* ESEARCH (TAG "e") MIN 1 MAX 3 MODSEQ ${modseq[3]}`);
    assert.equal(await q("MIN COUNT", "1:3"), `* ESEARCH (TAG "e") MIN 1 COUNT 3 MODSEQ ${modseq[2]}`);
  });

  test("MOVE into the selected mailbox: expunged and back under a new UID (RFC 6851 3.3)", async () => {
    const name = await selectFresh([
      mail(["From: a@x", "Subject: one"]),
      mail(["From: a@x", "Subject: two"]),
    ]);
    const status = await c.cmd("t", `STATUS ${name} (UIDVALIDITY UIDNEXT)`);
    const [, validity, next] = /UIDVALIDITY (\d+) UIDNEXT (\d+)/.exec(status[0]!)!;
    assert.deepEqual(await c.cmd("m", `MOVE 1 ${name}`), [
      `* OK [COPYUID ${validity} 1 ${next}] Moved`,
      "* 1 EXPUNGE",
      "* 2 EXISTS",
      "* 2 RECENT", // the moved message arrived while this session had the mailbox selected
      "m OK MOVE completed",
    ]);
    assert.deepEqual(await c.cmd("f", "FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])"), [
      "* 1 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: two\r\n\r\n)",
      `* 2 FETCH (UID ${next} BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: one\r\n\r\n)`,
      "f OK FETCH completed",
    ]);
  });
});
