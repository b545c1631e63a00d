// Connection-level behaviour over real sockets: greeting, CAPABILITY per state, LOGIN,
// AUTHENTICATE PLAIN, STARTTLS, implicit TLS, state checks and syntax errors.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer } from "../../testing/harness.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const COMMON =
  "SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MULTIAPPEND BINARY MOVE CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CONDSTORE QRESYNC ESEARCH SEARCHRES SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES STATUS=SIZE APPENDLIMIT=52428800 UTF8=ACCEPT QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE OBJECTID SAVEDATE";
const plain = (user: string, pass: string, authz = "") =>
  Buffer.from(`${authz}\0${user}\0${pass}`).toString("base64");

describe("IMAP session", () => {
  let t: ImapTestServer;
  const clients: RawClient[] = [];
  const connect = async (port: number, tls = false) => {
    const c = await RawClient.connect(port, { tls });
    clients.push(c);
    return c;
  };

  before(async () => {
    t = await startImapTestServer();
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("plaintext port with STARTTLS: greeting, LOGINDISABLED, LOGIN refused", async () => {
    const c = await connect(t.port.starttls);
    assert.equal(
      await c.line(),
      `* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED ${COMMON}] Yubin IMAP ready`,
    );
    assert.deepEqual(await c.cmd("a1", "CAPABILITY"), [
      `* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED ${COMMON}`,
      "a1 OK CAPABILITY completed",
    ]);
    assert.deepEqual(await c.cmd("a2", `LOGIN ${ALICE} x`), ["a2 NO [PRIVACYREQUIRED] Use STARTTLS first"]);
    assert.deepEqual(await c.cmd("a3", `AUTHENTICATE PLAIN ${plain(ALICE, PASSWORD)}`), [
      "a3 NO [PRIVACYREQUIRED] Use STARTTLS first",
    ]);
  });

  test("STARTTLS upgrades, discards pipelined plaintext, then LOGIN works", async () => {
    const c = await connect(t.port.starttls);
    await c.line();
    // The NOOP is sent in the same packet as STARTTLS: it must never be answered (RFC 9051 6.2.1).
    c.write("s1 STARTTLS\r\ns2 NOOP\r\n");
    assert.equal(await c.line(), "s1 OK Begin TLS negotiation now");
    await c.startTls();
    assert.deepEqual(await c.cmd("s3", "CAPABILITY"), [
      `* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN ${COMMON}`,
      "s3 OK CAPABILITY completed",
    ]);
    assert.deepEqual(await c.cmd("s4", "STARTTLS"), ["s4 BAD STARTTLS not available"]);
    assert.deepEqual(await c.cmd("s5", `LOGIN ${ALICE} "${PASSWORD}"`), [
      `s5 OK [CAPABILITY IMAP4rev1 IMAP4rev2 ${COMMON} COMPRESS=DEFLATE] Logged in`,
    ]);
    assert.deepEqual(await c.cmd("s6", "LOGIN x y"), ["s6 BAD LOGIN not allowed now"]);
  });

  test("implicit TLS: AUTHENTICATE PLAIN with SASL-IR", async () => {
    const c = await connect(t.port.implicit, true);
    assert.equal(
      await c.line(),
      `* OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN ${COMMON}] Yubin IMAP ready`,
    );
    assert.deepEqual(await c.cmd("a", "STARTTLS"), ["a BAD STARTTLS not available"]);
    assert.deepEqual(await c.cmd("b", `AUTHENTICATE PLAIN ${plain(ALICE, PASSWORD)}`), [
      `b OK [CAPABILITY IMAP4rev1 IMAP4rev2 ${COMMON} COMPRESS=DEFLATE] Logged in`,
    ]);
  });

  test("AUTHENTICATE PLAIN with a continuation, cancel, bad base64, wrong password", async () => {
    const c = await connect(t.port.implicit, true);
    await c.line();
    c.write("a AUTHENTICATE PLAIN\r\n");
    assert.equal(await c.line(), "+ ");
    c.write("*\r\n");
    assert.equal(await c.line(), "a BAD Authentication exchange cancelled");
    assert.deepEqual(await c.cmd("b", "AUTHENTICATE PLAIN %%%"), ["b BAD Invalid base64"]);
    assert.deepEqual(await c.cmd("c", "AUTHENTICATE CRAM-MD5"), ["c NO [CANNOT] Unsupported mechanism"]);
    assert.deepEqual(await c.cmd("d", `AUTHENTICATE PLAIN ${plain(ALICE, "wrong")}`), [
      "d NO [AUTHENTICATIONFAILED] Authentication failed",
    ]);
    c.write("e AUTHENTICATE PLAIN\r\n");
    assert.equal(await c.line(), "+ ");
    c.write(plain(ALICE, PASSWORD) + "\r\n");
    assert.equal(
      await c.line(),
      `e OK [CAPABILITY IMAP4rev1 IMAP4rev2 ${COMMON} COMPRESS=DEFLATE] Logged in`,
    );
  });

  test("AUTHENTICATE with a different authorization identity is refused", async () => {
    const c = await connect(t.port.implicit, true);
    await c.line();
    assert.deepEqual(await c.cmd("a", `AUTHENTICATE PLAIN ${plain(ALICE, PASSWORD, "bob@example.test")}`), [
      "a NO [AUTHENTICATIONFAILED] Authorization identity not allowed",
    ]);
  });

  test("commands in the wrong state, syntax errors, unknown commands", async () => {
    const c = await connect(t.port.implicit, true);
    await c.line();
    assert.deepEqual(await c.cmd("a", "SELECT INBOX"), ["a BAD SELECT not allowed now"]);
    assert.deepEqual(await c.cmd("b", "FETCH 1 FLAGS"), ["b BAD FETCH not allowed now"]);
    assert.deepEqual(await c.cmd("c", "FROB"), ["c BAD Unknown command FROB"]);
    assert.deepEqual(await c.cmd("d", "NOOP extra"), ["d BAD Unexpected extra arguments"]);
    c.write("+++\r\n");
    assert.equal(await c.line(), "* BAD Missing or invalid tag");
    assert.deepEqual(await c.cmd("e", "NOOP"), ["e OK NOOP completed"]);
    await c.cmd("f", `LOGIN ${ALICE} "${PASSWORD}"`);
    assert.deepEqual(await c.cmd("g", "FETCH 1 FLAGS"), ["g BAD FETCH not allowed now"]);
    assert.deepEqual(await c.cmd("h", "CLOSE"), ["h BAD CLOSE not allowed now"]);
  });

  test("ID, NAMESPACE, ENABLE, LOGOUT", async () => {
    const c = await connect(t.port.implicit, true);
    await c.line();
    assert.deepEqual(await c.cmd("a", 'ID ("name" "test")'), ['* ID ("name" "Yubin")', "a OK ID completed"]);
    assert.deepEqual(await c.cmd("b", "ENABLE CONDSTORE"), ["b BAD ENABLE not allowed now"]);
    await c.cmd("c", `LOGIN ${ALICE} "${PASSWORD}"`);
    assert.deepEqual(await c.cmd("d", "NAMESPACE"), [
      '* NAMESPACE (("" "/")) NIL NIL',
      "d OK NAMESPACE completed",
    ]);
    assert.deepEqual(await c.cmd("e", "ENABLE CONDSTORE X-UNKNOWN"), [
      "* ENABLED CONDSTORE",
      "e OK ENABLE completed",
    ]);
    assert.deepEqual(await c.cmd("f", "ENABLE CONDSTORE"), ["* ENABLED", "f OK ENABLE completed"]);
    assert.deepEqual(await c.cmd("g", "LOGOUT"), ["* BYE Logging out", "g OK LOGOUT completed"]);
    await c.quiet(50);
    assert.equal(c.closed, true);
  });
});

describe("IMAP with allowPlaintextAuth", () => {
  test("LOGIN without TLS when allowed", async () => {
    const t = await startImapTestServer({ imap: { allowPlaintextAuth: true } });
    const c = await RawClient.connect(t.port.none);
    try {
      assert.equal(
        await c.line(),
        `* OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN ${COMMON}] Yubin IMAP ready`,
      );
      assert.deepEqual(await c.cmd("a", `LOGIN {${ALICE.length}+}\r\n${ALICE} "${PASSWORD}"`), [
        `a OK [CAPABILITY IMAP4rev1 IMAP4rev2 ${COMMON} COMPRESS=DEFLATE] Logged in`,
      ]);
    } finally {
      c.close();
      await t.stop();
    }
  });
});

describe("IMAP login and POP-before-SMTP", () => {
  test("a successful IMAP login is recorded for POP-before-SMTP", async () => {
    const t = await startImapTestServer({ server: { config: { auth: { popBeforeSmtp: true } } } });
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    try {
      await c.line();
      assert.equal(await t.server.ctx.auth.popBeforeSmtpAllowed("127.0.0.1"), false);
      await c.cmd("a", `LOGIN ${ALICE} "${PASSWORD}"`);
      assert.equal(await t.server.ctx.auth.popBeforeSmtpAllowed("127.0.0.1"), true);
      assert.deepEqual(
        await c.cmd("b", "SELECT INBOX").then((l) => l.at(-1)),
        "b OK [READ-WRITE] SELECT completed",
      );
      assert.deepEqual(await c.cmd("c", "CHECK"), ["c OK CHECK completed"]);
      assert.deepEqual(await c.cmd("d", "CLOSE"), ["d OK CLOSE completed"]);
    } finally {
      c.close();
      await t.stop();
    }
  });
});

describe("IMAP through the app's listener table", () => {
  test("startTestServer starts imap (STARTTLS) and imaps (implicit TLS) listeners", async () => {
    const t = await startTestServer();
    try {
      assert.ok(t.ports.imap && t.ports.imaps);
      const plainPort = await RawClient.connect(t.ports.imap);
      assert.match(await plainPort.line(), /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED /);
      plainPort.close();
      const c = await RawClient.connect(t.ports.imaps, { tls: true });
      await c.line();
      assert.match((await c.cmd("a", `LOGIN ${ALICE} "${PASSWORD}"`))[0]!, /^a OK \[CAPABILITY /);
      c.close();
    } finally {
      await t.stop();
    }
  });
});
