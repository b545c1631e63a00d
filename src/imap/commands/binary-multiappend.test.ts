// BINARY (RFC 3516: BINARY[], BINARY.PEEK, BINARY.SIZE, literal8) and MULTIAPPEND (RFC 3502).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const CAROL = "carol@example.test";
const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

const MIXED = crlf(`From: a@example.test
Subject: parts
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

Qm9uam91ciwgdm9pY2kgbGUgcmFwcG9ydCBkw6l0YWlsbMOpLg==
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAFBCg==
--b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

caf=C3=A9 =
soft
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: x-uuencode

begin 644 x
--b--
`);

const TEXT1 = "Bonjour, voici le rapport détaillé.";

describe("BINARY and MULTIAPPEND", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let aliceId: number;
  let carolId: number;

  before(async () => {
    t = await startImapTestServer({
      server: {
        users: [
          { address: ALICE, password: PASSWORD },
          { address: CAROL, password: PASSWORD, quotaMessages: 1 },
        ],
      },
    });
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
    carolId = t.server.users.find((u) => u.address === CAROL)!.id;
    await t.server.store.mail.createMailbox(aliceId, "Bin");
    await t.deliver(ALICE, MIXED, { mailbox: "Bin" });
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

  test("advertised", async () => {
    const [caps] = await c.cmd("a", "CAPABILITY");
    assert.match(caps!, / MULTIAPPEND BINARY /);
  });

  test("BINARY.SIZE and BINARY.PEEK decode base64 and quoted-printable", async () => {
    await c.cmd("s", "EXAMINE Bin");
    assert.deepEqual(await c.cmd("a", "FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[3])"), [
      `* 1 FETCH (BINARY.SIZE[1] ${Buffer.byteLength(TEXT1)} BINARY.SIZE[2] 4 BINARY.SIZE[3] 10)`,
      "a OK FETCH completed",
    ]);
    assert.deepEqual(await c.cmd("b", "FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[3])"), [
      `* 1 FETCH (BINARY[1] {${Buffer.byteLength(TEXT1)}}\r\n${TEXT1} BINARY[3] {10}\r\ncafé soft)`,
      "b OK FETCH completed",
    ]);
    // A NUL in the data: literal8.
    assert.deepEqual(await c.cmd("c", "FETCH 1 BINARY.PEEK[2]"), [
      "* 1 FETCH (BINARY[2] ~{4}\r\n\u0000\u0001A\n)",
      "c OK FETCH completed",
    ]);
    const [whole] = await c.cmd("d", "FETCH 1 BINARY.PEEK[]");
    assert.equal(whole, `* 1 FETCH (BINARY[] {${Buffer.byteLength(MIXED)}}\r\n${MIXED})`);
    assert.deepEqual(await c.cmd("e", "FETCH 1 BINARY.PEEK[4]"), [
      "e NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding x-uuencode",
    ]);
    assert.deepEqual(await c.cmd("f", "FETCH 1 BINARY.PEEK[1.TEXT]"), ["f BAD Expected a number"]);
  });

  test("BINARY[] without PEEK sets \\Seen; partial", async () => {
    await c.cmd("s", "SELECT Bin");
    await c.cmd("u", "STORE 1 -FLAGS.SILENT (\\Seen)");
    assert.deepEqual(await c.cmd("a", "FETCH 1 BINARY[3]<0.3>"), [
      "* 1 FETCH (BINARY[3]<0> {3}\r\ncaf FLAGS (\\Seen \\Recent))",
      "a OK FETCH completed",
    ]);
  });

  test("MULTIAPPEND appends every message with its own flags and date", async () => {
    const mb = await t.server.store.mail.createMailbox(aliceId, `Multi${Date.now()}`);
    const m1 = crlf("Subject: one\n\n1\n");
    const m2 = crlf("Subject: two\n\n2\n");
    c.write(
      `a APPEND ${mb.name} (\\Seen) {${m1.length}+}\r\n${m1} (\\Flagged \\Draft) "05-Jan-2024 10:00:00 +0100" {${m2.length}+}\r\n${m2}\r\n`,
    );
    assert.deepEqual(await c.until("a"), [`a OK [APPENDUID ${mb.uidValidity} 1:2] APPEND completed`]);
    const metas = await t.server.store.mail.listMessages(mb.id);
    assert.deepEqual(
      metas.map((m) => [m.uid, m.flags]),
      [
        [1, ["\\Seen"]],
        [2, ["\\Flagged", "\\Draft"]],
      ],
    );
    assert.equal(metas[1]!.internalDate.toISOString(), "2024-01-05T09:00:00.000Z");
    assert.deepEqual(
      (await Promise.all(metas.map((m) => t.server.store.mail.readBody(m.blobId)))).map(String),
      [m1, m2],
    );
  });

  test("MULTIAPPEND is all or nothing", async () => {
    const mb = await t.server.store.mail.createMailbox(aliceId, `Atomic${Date.now()}`);
    const m1 = crlf("Subject: one\n\n1\n");
    c.write(`a APPEND ${mb.name} {${m1.length}+}\r\n${m1} {0+}\r\n\r\n`);
    assert.deepEqual(await c.until("a"), ["a NO [CANNOT] Empty message"]);
    assert.deepEqual(await t.server.store.mail.listMessages(mb.id), []);
    // Over quota at the second message: the first is taken back.
    const carol = await RawClient.connect(t.port.implicit, { tls: true });
    try {
      await carol.line();
      await carol.cmd("L", `LOGIN ${CAROL} "${PASSWORD}"`);
      carol.write(`b APPEND INBOX {${m1.length}+}\r\n${m1} {${m1.length}+}\r\n${m1}\r\n`);
      assert.deepEqual(await carol.until("b"), ["b NO [OVERQUOTA] Quota exceeded"]);
      const inbox = (await t.server.store.mail.getMailbox(carolId, "INBOX"))!;
      assert.deepEqual(await t.server.store.mail.listMessages(inbox.id), []);
    } finally {
      carol.close();
    }
  });
});
