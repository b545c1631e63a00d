// Message commands over a real socket: APPEND, FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE, CLOSE.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
const lit = (s: string) => `{${Buffer.byteLength(s)}}\r\n${s}`;

const SIMPLE = crlf(`From: Bob Example <bob@example.test>
To: alice@example.test
Subject: Lunch
Date: Tue, 02 Jan 2024 12:00:00 +0000
Message-ID: <lunch@example.test>

Shall we meet at noon?
`);

const MULTI = crlf(`From: =?UTF-8?Q?Ren=C3=A9e?= <renee@example.test>
To: alice@example.test, "Carl" <carl@example.test>
Subject: =?UTF-8?B?UmFwcG9ydCBmaW5hbmNpZXI=?=
Date: Wed, 10 Jan 2024 09:30:00 +0100
Message-ID: <report@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

preamble
--XYZ
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

Qm9uam91ciwgdm9pY2kgbGUgcmFwcG9ydCBkw6l0YWlsbMOpLg==
--XYZ
Content-Type: application/pdf; name="r.pdf"
Content-Disposition: attachment; filename="r.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--XYZ--
`);

const NESTED = crlf(`From: a@example.test
Subject: Fwd
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

see attached
--b1
Content-Type: message/rfc822

From: inner@example.test
Subject: Inner

inner body
--b1--
`);

describe("IMAP message commands", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let aliceId: number;
  let box = 0;
  let name = "";

  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users[0]!.id;
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
    // A fresh mailbox per test: UIDs start at 1.
    name = `Box${++box}`;
    await c.cmd("C", `CREATE ${name}`);
  });
  const uidValidity = async () => (await t.server.store.mail.getMailbox(aliceId, name))!.uidValidity;
  const selectFresh = async (...messages: [string, string[]?][]) => {
    for (const [m, flags] of messages) await t.deliver(ALICE, m, { mailbox: name, flags });
    // Selected twice: the first SELECT takes the new messages' \Recent, so the responses below
    // show only stored flags (\Recent has its own tests in mailboxes.test.ts).
    await c.cmd("S0", `SELECT ${name}`);
    const r = await c.cmd("S", `SELECT ${name}`);
    assert.equal(r.at(-1), "S OK [READ-WRITE] SELECT completed");
  };

  test("APPEND with flags and date, APPENDUID, TRYCREATE, sync and non-sync literals", async () => {
    c.write(`a APPEND ${name} (\\Seen \\Draft) "05-Jan-2024 10:00:00 +0100" {${SIMPLE.length}}\r\n`);
    assert.equal(await c.line(), "+ Ready for literal data");
    c.write(SIMPLE + "\r\n");
    assert.equal(await c.line(), `a OK [APPENDUID ${await uidValidity()} 1] APPEND completed`);
    assert.deepEqual(await c.cmd("b", `APPEND ${name} {${SIMPLE.length}+}\r\n${SIMPLE}`), [
      `b OK [APPENDUID ${await uidValidity()} 2] APPEND completed`,
    ]);
    assert.deepEqual(await c.cmd("c", `APPEND Nope {3+}\r\nx\r\n`), ["c NO [TRYCREATE] No such mailbox"]);
    await c.cmd("S", `SELECT ${name}`);
    // Appended messages are new to every session: \Recent in the first that selects them.
    assert.deepEqual(await c.cmd("d", "FETCH 1:2 (FLAGS INTERNALDATE RFC822.SIZE)"), [
      `* 1 FETCH (FLAGS (\\Seen \\Draft \\Recent) INTERNALDATE "05-Jan-2024 09:00:00 +0000" RFC822.SIZE ${SIMPLE.length})`,
      `* 2 FETCH (FLAGS (\\Recent) INTERNALDATE ${(await c.cmd("x", "FETCH 2 INTERNALDATE"))[0]!.split("INTERNALDATE ")[1]!.slice(0, -1)} RFC822.SIZE ${SIMPLE.length})`,
      "d OK FETCH completed",
    ]);
  });

  test("APPEND larger than APPENDLIMIT is refused before the literal is sent", async () => {
    c.write(`a APPEND ${name} {${52428801}}\r\n`);
    assert.equal(await c.line(), "a NO [TOOBIG] Message too big");
    assert.deepEqual(await c.cmd("b", "NOOP"), ["b OK NOOP completed"]);
  });

  test("FETCH ENVELOPE, BODYSTRUCTURE, BODY, sections, partials", async () => {
    await selectFresh([MULTI]);
    const size = Buffer.byteLength(MULTI);
    assert.deepEqual(await c.cmd("a", "FETCH 1 (UID RFC822.SIZE ENVELOPE)"), [
      `* 1 FETCH (UID 1 RFC822.SIZE ${size} ENVELOPE ("Wed, 10 Jan 2024 09:30:00 +0100" "=?UTF-8?B?UmFwcG9ydCBmaW5hbmNpZXI=?=" (("=?UTF-8?Q?Ren=C3=A9e?=" NIL "renee" "example.test")) (("=?UTF-8?Q?Ren=C3=A9e?=" NIL "renee" "example.test")) (("=?UTF-8?Q?Ren=C3=A9e?=" NIL "renee" "example.test")) ((NIL NIL "alice" "example.test")("Carl" NIL "carl" "example.test")) NIL NIL NIL "<report@example.test>"))`.replace(
        ")(",
        ") (",
      ),
      "a OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("b", "FETCH 1 BODYSTRUCTURE"), [
      '* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "BASE64" 52 1 NIL NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 12 NIL ("ATTACHMENT" ("FILENAME" "r.pdf")) NIL NIL) "MIXED" ("BOUNDARY" "XYZ") NIL NIL NIL))',
      "b OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("c", "FETCH 1 BODY"), [
      '* 1 FETCH (BODY (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "BASE64" 52 1)("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 12) "MIXED"))',
      "c OK FETCH completed",
    ]);
    const mime2 =
      'Content-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n';
    const fields =
      'To: alice@example.test, "Carl" <carl@example.test>\r\nSubject: =?UTF-8?B?UmFwcG9ydCBmaW5hbmNpZXI=?=\r\n\r\n';
    assert.deepEqual(
      await c.cmd("d", "FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (subject to)])"),
      [
        `* 1 FETCH (BODY[1] ${lit("Qm9uam91ciwgdm9pY2kgbGUgcmFwcG9ydCBkw6l0YWlsbMOpLg==")} BODY[2.MIME] ${lit(mime2)} BODY[HEADER.FIELDS (SUBJECT TO)] ${lit(fields)})`,
        "d OK FETCH completed",
      ],
    );
    assert.deepEqual(
      await c.cmd("e", "FETCH 1 (BODY.PEEK[]<0.4> BODY.PEEK[1]<50.100> BODY.PEEK[9]<99999.1> FLAGS)"),
      [
        "* 1 FETCH (BODY[]<0> {4}\r\nFrom BODY[1]<50> {2}\r\n== BODY[9]<99999> {0}\r\n FLAGS ())",
        "e OK FETCH completed",
      ],
    );
    // Without PEEK, \Seen is set and the new flags are reported with the data.
    assert.deepEqual(await c.cmd("f", "FETCH 1 BODY[2]"), [
      "* 1 FETCH (BODY[2] {12}\r\nJVBERi0xLjQK FLAGS (\\Seen))",
      "f OK FETCH completed",
    ]);
    const header = MULTI.slice(0, MULTI.indexOf("\r\n\r\n") + 4);
    const text = MULTI.slice(header.length);
    assert.deepEqual(await c.cmd("g", "FETCH 1 (RFC822.HEADER RFC822.TEXT)"), [
      `* 1 FETCH (RFC822.HEADER {${header.length}}\r\n${header} RFC822.TEXT {${Buffer.byteLength(text)}}\r\n${text})`,
      "g OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("h", "FETCH 2 FLAGS"), ["h BAD Invalid message sequence number"]);
    assert.deepEqual(await c.cmd("i", "UID FETCH 2:9 FLAGS"), ["i OK FETCH completed"]);
    assert.deepEqual(await c.cmd("j", "UID FETCH * (FLAGS)"), [
      "* 1 FETCH (UID 1 FLAGS (\\Seen))",
      "j OK FETCH completed",
    ]);
  });

  test("FETCH of an attached message: BODYSTRUCTURE and nested sections", async () => {
    await selectFresh([NESTED]);
    assert.deepEqual(await c.cmd("a", "FETCH 1 BODYSTRUCTURE"), [
      '* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)' +
        '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 54 (NIL "Inner" ((NIL NIL "inner" "example.test")) ((NIL NIL "inner" "example.test")) ((NIL NIL "inner" "example.test")) NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "b1") NIL NIL NIL))',
      "a OK FETCH completed",
    ]);
    const innerHeader = "From: inner@example.test\r\nSubject: Inner\r\n\r\n";
    assert.deepEqual(
      await c.cmd(
        "b",
        "FETCH 1 (BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[2.1] BODY.PEEK[2.HEADER.FIELDS.NOT (From)])",
      ),
      [
        `* 1 FETCH (BODY[2.HEADER] ${lit(innerHeader)} BODY[2.TEXT] ${lit("inner body")} BODY[2.1] ${lit("inner body")} BODY[2.HEADER.FIELDS.NOT (FROM)] ${lit("Subject: Inner\r\n\r\n")})`,
        "b OK FETCH completed",
      ],
    );
  });

  test("FETCH macros and RFC822 sets \\Seen; EXAMINE never does", async () => {
    await selectFresh([SIMPLE]);
    assert.deepEqual(
      await c.cmd("e", `EXAMINE ${name}`).then((l) => l.at(-1)),
      "e OK [READ-ONLY] EXAMINE completed",
    );
    assert.deepEqual(await c.cmd("a", "FETCH 1 (BODY[TEXT])"), [
      "* 1 FETCH (BODY[TEXT] {24}\r\nShall we meet at noon?\r\n)",
      "a OK FETCH completed",
    ]);
    await c.cmd("s", `SELECT ${name}`);
    const all = await c.cmd("b", "FETCH 1 ALL");
    assert.match(all[0]!, /^\* 1 FETCH \(FLAGS \(\) INTERNALDATE "[^"]+" RFC822.SIZE \d+ ENVELOPE \(/);
    assert.deepEqual(await c.cmd("c", "FETCH 1 RFC822"), [
      `* 1 FETCH (RFC822 {${SIMPLE.length}}\r\n${SIMPLE} FLAGS (\\Seen))`,
      "c OK FETCH completed",
    ]);
  });

  test("STORE +FLAGS, -FLAGS, FLAGS, .SILENT, UID STORE, keywords", async () => {
    await selectFresh([SIMPLE], [SIMPLE], [SIMPLE]);
    assert.deepEqual(await c.cmd("a", "STORE 1:2 +FLAGS (\\flagged $Label1)"), [
      // A keyword new to the mailbox: FLAGS and PERMANENTFLAGS again first (RFC 9051 7.3.5).
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)",
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] Flags permitted",
      "* 1 FETCH (FLAGS (\\Flagged $Label1))",
      "* 2 FETCH (FLAGS (\\Flagged $Label1))",
      "a OK STORE completed",
    ]);
    assert.deepEqual(await c.cmd("b", "STORE 2 -FLAGS.SILENT ($Label1)"), ["b OK STORE completed"]);
    assert.deepEqual(await c.cmd("c", "UID STORE 3 FLAGS (\\Seen \\Answered)"), [
      "* 3 FETCH (UID 3 FLAGS (\\Seen \\Answered))",
      "c OK STORE completed",
    ]);
    assert.deepEqual(await c.cmd("d", "FETCH 1:* FLAGS"), [
      "* 1 FETCH (FLAGS (\\Flagged $Label1))",
      "* 2 FETCH (FLAGS (\\Flagged))",
      "* 3 FETCH (FLAGS (\\Seen \\Answered))",
      "d OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("e", "STORE 1 +FLAGS (\\Recent)"), [
      "* 1 FETCH (FLAGS (\\Flagged $Label1))",
      "e OK STORE completed",
    ]);
    assert.deepEqual(await c.cmd("f", "STORE 1 +FLAGS (\\Bogus)"), [
      "f NO [CANNOT] Flag \\Bogus cannot be stored",
    ]);
    assert.deepEqual(await c.cmd("g", "STORE 4 +FLAGS (\\Seen)"), ["g BAD Invalid message sequence number"]);
  });

  test("CONDSTORE: MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE and MODIFIED", async () => {
    await selectFresh([SIMPLE], [SIMPLE]);
    // RFC 7162 3.1: the first CONDSTORE-enabling command in the selected state gets HIGHESTMODSEQ.
    const first = await c.cmd("a", "FETCH 1 (MODSEQ)");
    assert.match(first[0]!, /^\* OK \[HIGHESTMODSEQ \d+\] Highest$/);
    const m1 = Number(/MODSEQ \((\d+)\)/.exec(first[1]!)![1]);
    assert.deepEqual(await c.cmd("b", "STORE 2 +FLAGS.SILENT (\\Seen)").then((l) => l.length), 2); // MODSEQ reported
    const after2 = await c.cmd("c", `FETCH 1:* (FLAGS) (CHANGEDSINCE ${m1})`);
    assert.equal(after2.length, 2);
    assert.match(after2[0]!, /^\* 2 FETCH \(FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    assert.deepEqual(
      await c.cmd("d", `STORE 1,2 (UNCHANGEDSINCE ${m1}) +FLAGS.SILENT (\\Flagged)`).then((l) => l.at(-1)),
      "d OK [MODIFIED 2] Some messages were modified meanwhile",
    );
  });

  test("SEARCH keys, UID SEARCH, ESEARCH, SAVE and $", async () => {
    await selectFresh([SIMPLE, ["\\Seen"]], [MULTI], [SIMPLE, ["\\Deleted", "\\Flagged"]]);
    const s = async (q: string) => (await c.cmd("s", q))[0];
    assert.equal(await s("SEARCH ALL"), "* SEARCH 1 2 3");
    assert.equal(await s("SEARCH SEEN"), "* SEARCH 1");
    assert.equal(await s("SEARCH UNSEEN NOT DELETED"), "* SEARCH 2");
    assert.equal(await s("SEARCH OR FLAGGED SEEN"), "* SEARCH 1 3");
    assert.equal(await s("SEARCH FROM bob"), "* SEARCH 1 3");
    assert.equal(await s('SEARCH FROM "renée"'), "* SEARCH 2"); // decoded RFC 2047, case-insensitive
    assert.equal(await s("SEARCH SUBJECT FINANCIER"), "* SEARCH 2");
    assert.equal(await s(`SEARCH BODY "détaillé"`), "* SEARCH 2"); // base64 UTF-8 body decoded
    assert.equal(await s("SEARCH TEXT noon"), "* SEARCH 1 3");
    assert.equal(await s("SEARCH TEXT carl"), "* SEARCH 2");
    assert.equal(await s('SEARCH HEADER Message-ID "report@"'), "* SEARCH 2");
    assert.equal(await s("SEARCH TO carl@example.test CC nobody"), "* SEARCH");
    assert.equal(await s("SEARCH SENTON 10-Jan-2024"), "* SEARCH 2");
    assert.equal(await s("SEARCH SENTBEFORE 3-Jan-2024"), "* SEARCH 1 3");
    assert.equal(await s("SEARCH SINCE 1-Jan-2000 LARGER 600"), "* SEARCH 2");
    assert.equal(await s("SEARCH SMALLER 600"), "* SEARCH 1 3");
    assert.equal(await s("SEARCH 2:* UID 1:2"), "* SEARCH 2");
    assert.equal(await s("SEARCH 5:9"), "* SEARCH");
    assert.equal(await s("SEARCH KEYWORD $x"), "* SEARCH");
    assert.equal(await s("SEARCH NEW"), "* SEARCH");
    assert.equal(await s("UID SEARCH NOT SEEN"), "* SEARCH 2 3");
    assert.deepEqual(await c.cmd("e", "SEARCH RETURN (MIN MAX COUNT ALL) NOT SEEN"), [
      '* ESEARCH (TAG "e") MIN 2 MAX 3 ALL 2:3 COUNT 2',
      "e OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("f", "UID SEARCH RETURN (COUNT) FROM nobody"), [
      '* ESEARCH (TAG "f") UID COUNT 0',
      "f OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("f2", "UID SEARCH RETURN () FROM bob"), [
      '* ESEARCH (TAG "f2") UID ALL 1,3',
      "f2 OK SEARCH completed",
    ]);
    assert.deepEqual(await c.cmd("g", "SEARCH RETURN (SAVE) FLAGGED"), ["g OK SEARCH completed"]);
    assert.deepEqual(await c.cmd("h", "FETCH $ (UID)"), ["* 3 FETCH (UID 3)", "h OK FETCH completed"]);
    assert.deepEqual(await c.cmd("i", "SEARCH CHARSET KOI8-R ALL"), [
      "i NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset",
    ]);
    assert.deepEqual(await c.cmd("j", "SEARCH CHARSET UTF-8 SUBJECT {5+}\r\nlunch"), [
      "* SEARCH 1 3",
      "j OK SEARCH completed",
    ]);
    const modseq = await c.cmd("s", "SEARCH MODSEQ 1");
    assert.match(modseq[0]!, /^\* OK \[HIGHESTMODSEQ \d+\] Highest$/); // CONDSTORE now on (RFC 7162 3.1)
    assert.match(modseq[1]!, /^\* SEARCH 1 2 3 \(MODSEQ \d+\)$/);
  });

  test("COPY and MOVE with COPYUID; UID MOVE; TRYCREATE", async () => {
    await selectFresh([SIMPLE], [SIMPLE], [SIMPLE]);
    await c.cmd("x", "CREATE Dest" + box);
    const dest = (await t.server.store.mail.getMailbox(aliceId, "Dest" + box))!;
    assert.deepEqual(await c.cmd("a", `COPY 1:2 Dest${box}`), [
      `a OK [COPYUID ${dest.uidValidity} 1:2 1:2] COPY completed`,
    ]);
    assert.deepEqual(await c.cmd("b", `COPY 1 Nope`), ["b NO [TRYCREATE] No such mailbox"]);
    assert.deepEqual(await c.cmd("c", `MOVE 2 Dest${box}`), [
      `* OK [COPYUID ${dest.uidValidity} 2 3] Moved`,
      "* 2 EXPUNGE",
      "c OK MOVE completed",
    ]);
    assert.deepEqual(await c.cmd("d", `UID MOVE 3 Dest${box}`), [
      `* OK [COPYUID ${dest.uidValidity} 3 4] Moved`,
      "* 2 EXPUNGE",
      "d OK MOVE completed",
    ]);
    assert.deepEqual(await c.cmd("e", `UID COPY 99 Dest${box}`), ["e OK COPY completed"]);
    assert.deepEqual(await c.cmd("f", `STATUS Dest${box} (MESSAGES)`), [
      `* STATUS "Dest${box}" (MESSAGES 4)`,
      "f OK STATUS completed",
    ]);
  });

  test("EXPUNGE, UID EXPUNGE, CLOSE", async () => {
    await selectFresh([SIMPLE, ["\\Deleted"]], [SIMPLE], [SIMPLE, ["\\Deleted"]], [SIMPLE, ["\\Deleted"]]);
    assert.deepEqual(await c.cmd("a", "UID EXPUNGE 3:4"), [
      "* 4 EXPUNGE",
      "* 3 EXPUNGE",
      "a OK EXPUNGE completed",
    ]);
    assert.deepEqual(await c.cmd("b", "FETCH 1:* UID"), [
      "* 1 FETCH (UID 1)",
      "* 2 FETCH (UID 2)",
      "b OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("c", "EXPUNGE"), ["* 1 EXPUNGE", "c OK EXPUNGE completed"]);
    await c.cmd("d", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    assert.deepEqual(await c.cmd("e", "CLOSE"), ["e OK CLOSE completed"]);
    assert.deepEqual(await c.cmd("f", `STATUS ${name} (MESSAGES)`), [
      `* STATUS "${name}" (MESSAGES 0)`,
      "f OK STATUS completed",
    ]);
    await c.cmd("g", `EXAMINE ${name}`);
    assert.deepEqual(await c.cmd("h", "EXPUNGE"), ["h NO [NOPERM] Mailbox is read-only"]);
  });
});
