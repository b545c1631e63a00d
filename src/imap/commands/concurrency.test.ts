// Several sessions on one mailbox (RFC 9051 5.2, 7.4.1): changes made elsewhere reach a session
// as untagged EXISTS / FETCH FLAGS / EXPUNGE at the allowed points; IDLE (RFC 2177) gets them at once.
// Also: FETCH output waits for a client that does not read (backpressure).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const MSG = "From: bob@example.test\nSubject: hi\n\nhello\n";

describe("IMAP concurrency", () => {
  let t: ImapTestServer;
  const clients: RawClient[] = [];
  let box = 0;

  const session = async (mailbox: string) => {
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    clients.push(c);
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    const r = await c.cmd("S", `SELECT ${mailbox}`);
    assert.equal(r.at(-1), "S OK [READ-WRITE] SELECT completed");
    return c;
  };
  const freshBox = async (messages: number) => {
    const name = `C${++box}`;
    const mail = t.server.store.mail;
    await mail.createMailbox(t.server.users[0]!.id, name);
    for (let i = 0; i < messages; i++) await t.deliver(ALICE, MSG, { mailbox: name });
    return name;
  };

  before(async () => {
    t = await startImapTestServer();
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("IDLE: a delivery reaches the idling session within 100 ms; DONE ends it", async () => {
    const name = await freshBox(1);
    const a = await session(name);
    a.write("i IDLE\r\n");
    assert.equal(await a.line(), "+ idling");
    // Timed from the delivery's acknowledgement (when an SMTP 250 would go out): the durable
    // commit before it is the store's time, not IDLE's, and on a loaded 2-core CI machine its
    // fsync alone has taken over 100 ms. Five deliveries, and the fastest must be within 100 ms:
    // a delay in the server (a poll, a debounce) shows in every one of them, while a process
    // waiting for a core on a loaded machine (which can take longer than 100 ms) does not hit
    // all five. A round of five that all waited is measured again, up to three rounds: a
    // server-side delay fails all three, a stretch of a starved process does not.
    const rounds: number[][] = [];
    let n = 1;
    while (rounds.length < 3 && !rounds.some((r) => Math.min(...r) < 100)) {
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        n++;
        const acked = t.deliver(ALICE, MSG, { mailbox: name }).then(() => Date.now());
        assert.equal(await a.line(), `* ${n} EXISTS`);
        latencies.push(Date.now() - (await acked));
        // Each is \Recent here: this session was the first to see it (RFC 3501 7.3.2).
        assert.equal(await a.line(), `* ${n} RECENT`);
      }
      rounds.push(latencies);
    }
    assert.ok(
      rounds.some((r) => Math.min(...r) < 100),
      `IDLE wakeups took ${rounds.map((r) => r.join(", ")).join("; ")} ms after the deliveries were acknowledged`,
    );
    a.write("DONE\r\n");
    assert.equal(await a.line(), "i OK IDLE terminated");
  });

  test("IDLE reports flag changes and expunges from another session", async () => {
    const name = await freshBox(2);
    const a = await session(name);
    const b = await session(name);
    a.write("i IDLE\r\n");
    assert.equal(await a.line(), "+ idling");
    await b.cmd("1", "STORE 2 +FLAGS.SILENT (\\Flagged)");
    // A selected first, so the messages are recent for A only.
    assert.equal(await a.line(), "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))");
    await b.cmd("2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    assert.equal(await a.line(), "* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))");
    assert.deepEqual(await b.cmd("3", "EXPUNGE"), ["* 1 EXPUNGE", "3 OK EXPUNGE completed"]);
    assert.equal(await a.line(), "* 1 EXPUNGE");
    a.write("DONE\r\n");
    assert.equal(await a.line(), "i OK IDLE terminated");
  });

  test("IDLE: a line other than DONE ends it with BAD; the session goes on", async () => {
    const name = await freshBox(1);
    const a = await session(name);
    a.write("i IDLE\r\n");
    assert.equal(await a.line(), "+ idling");
    a.write("x NOOP\r\n");
    assert.equal(await a.line(), "i BAD Expected DONE");
    assert.deepEqual(await a.cmd("n", "NOOP"), ["n OK NOOP completed"]);
  });

  test("IDLE: DONE pipelined right after IDLE; changes during a report come in order", async () => {
    const name = await freshBox(1);
    const a = await session(name);
    a.write("i IDLE\r\nDONE\r\n");
    assert.equal(await a.line(), "+ idling");
    assert.equal(await a.line(), "i OK IDLE terminated");
    a.write("j IDLE\r\n");
    assert.equal(await a.line(), "+ idling");
    await Promise.all([t.deliver(ALICE, MSG, { mailbox: name }), t.deliver(ALICE, MSG, { mailbox: name })]);
    await t.deliver(ALICE, MSG, { mailbox: name });
    const seen: string[] = [];
    while (seen.at(-1) !== "* 4 RECENT") seen.push(await a.line(1000));
    assert.ok(
      seen.every((l, i) => new RegExp(`^\\* [234] ${i % 2 ? "RECENT" : "EXISTS"}$`).test(l)),
      seen.join(" | "),
    );
    a.write("DONE\r\n");
    assert.equal(await a.line(), "j OK IDLE terminated");
  });

  test("IDLE: the selected mailbox deleted elsewhere ends the connection with BYE", async () => {
    const name = await freshBox(1);
    const a = await session(name);
    const b = await session("INBOX");
    a.write("i IDLE\r\n");
    assert.equal(await a.line(), "+ idling");
    assert.deepEqual(await b.cmd("d", `DELETE ${name}`), ["d OK DELETE completed"]);
    assert.equal(await a.line(1000), "* BYE Selected mailbox was deleted");
    await a.quiet(200);
    assert.equal(a.closed, true);
  });

  test("two sessions: EXISTS and FLAGS at NOOP; EXPUNGE held back during FETCH, STORE and SEARCH", async () => {
    const name = await freshBox(3);
    const a = await session(name);
    const b = await session(name);
    // Own silent changes are not echoed back.
    assert.deepEqual(await a.cmd("1", "STORE 1 +FLAGS.SILENT (\\Seen)"), ["1 OK STORE completed"]);
    assert.deepEqual(await a.cmd("2", "NOOP"), ["2 OK NOOP completed"]);
    assert.deepEqual(await b.cmd("3", "NOOP"), ["* 1 FETCH (UID 1 FLAGS (\\Seen))", "3 OK NOOP completed"]);
    // B deletes message 2; A must keep its numbering during FETCH/STORE/SEARCH.
    await b.cmd("4", "STORE 2 +FLAGS.SILENT (\\Deleted)");
    await b.cmd("5", "EXPUNGE");
    await t.deliver(ALICE, MSG, { mailbox: name });
    // Updates come after the command's own data; the flag change of a message already expunged
    // elsewhere is not worth reporting.
    assert.deepEqual(await a.cmd("6", "FETCH 3 UID"), [
      "* 3 FETCH (UID 3)",
      "* 4 EXISTS",
      "* 4 RECENT", // A selected first: every message here is recent for A alone
      "6 OK FETCH completed",
    ]);
    assert.deepEqual(await a.cmd("7", "SEARCH ALL"), ["* SEARCH 1 3 4", "7 OK SEARCH completed"]);
    assert.deepEqual(await a.cmd("8", "STORE 3 +FLAGS (\\Answered)"), [
      "* 3 FETCH (FLAGS (\\Answered \\Recent))",
      "8 OK STORE completed",
    ]);
    assert.deepEqual(await a.cmd("9", "NOOP"), ["* 2 EXPUNGE", "9 OK NOOP completed"]);
    assert.deepEqual(await a.cmd("10", "FETCH 1:* UID"), [
      "* 1 FETCH (UID 1)",
      "* 2 FETCH (UID 3)",
      "* 3 FETCH (UID 4)",
      "10 OK FETCH completed",
    ]);
    // UID commands may carry the EXPUNGE (RFC 9051 7.5.1).
    await b.cmd("11", "UID STORE 3 +FLAGS.SILENT (\\Deleted)");
    await b.cmd("12", "UID EXPUNGE 3");
    assert.deepEqual(await a.cmd("13", "UID FETCH 4 UID"), [
      "* 3 FETCH (UID 4)",
      "* 2 EXPUNGE",
      "13 OK FETCH completed",
    ]);
  });

  test("a selected mailbox deleted by another session ends the session with BYE", async () => {
    const name = await freshBox(1);
    const a = await session(name);
    const b = await session("INBOX");
    assert.deepEqual(await b.cmd("1", `DELETE ${name}`), ["1 OK DELETE completed"]);
    assert.deepEqual(await a.cmd("2", "NOOP"), ["* BYE Selected mailbox was deleted", "2 OK NOOP completed"]);
    await a.quiet(50);
    assert.equal(a.closed, true);
  });

  test("FETCH waits for a client that stops reading", async () => {
    const name = await freshBox(0);
    const big = `Subject: big\r\n\r\n${"x".repeat(1023)}\n`.repeat(1024).replace(/\n/g, "\r\n");
    const count = 30;
    for (let i = 0; i < count; i++) await t.deliver(ALICE, big, { mailbox: name });
    const a = await session(name);
    const mail = t.server.store.mail;
    const original = mail.readBody.bind(mail);
    let reads = 0;
    mail.readBody = (id: string) => {
      reads++;
      return original(id);
    };
    try {
      a.pause();
      a.write("f FETCH 1:* BODY.PEEK[]\r\n");
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(
        reads < count * 0.7,
        `server read ${reads} of ${count} bodies for a client that reads nothing`,
      );
      a.resume();
      const lines = await a.until("f");
      assert.equal(lines.length, count + 1);
      assert.equal(lines.at(-1), "f OK FETCH completed");
      assert.equal(reads, count);
    } finally {
      mail.readBody = original;
    }
  });

  test("keywords: FLAGS lists those in use, and is sent again (with PERMANENTFLAGS) before a new one shows", async () => {
    const name = await freshBox(2);
    const sys = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    const a = await session(name);
    const b = await session(name);
    assert.deepEqual(await a.cmd("1", "STORE 1 +FLAGS ($Label1 \\Seen)"), [
      `* FLAGS (${sys} $Label1)`,
      `* OK [PERMANENTFLAGS (${sys} $Label1 \\*)] Flags permitted`,
      "* 1 FETCH (FLAGS (\\Seen $Label1 \\Recent))",
      "1 OK STORE completed",
    ]);
    // Known already (whatever its case): no new FLAGS.
    assert.deepEqual(await a.cmd("2", "STORE 2 +FLAGS ($label1)"), [
      "* 2 FETCH (FLAGS ($label1 \\Recent))",
      "2 OK STORE completed",
    ]);
    // The other session hears of the keyword before the FETCH that shows it.
    assert.deepEqual(await b.cmd("3", "NOOP"), [
      `* FLAGS (${sys} $Label1)`,
      `* OK [PERMANENTFLAGS (${sys} $Label1 \\*)] Flags permitted`,
      "* 1 FETCH (UID 1 FLAGS (\\Seen $Label1))",
      "* 2 FETCH (UID 2 FLAGS ($label1))",
      "3 OK NOOP completed",
    ]);
    // A delivered message with a new keyword: FLAGS before its EXISTS.
    await t.server.store.mail.append(
      t.server.users[0]!.id,
      (await t.server.store.mail.getMailbox(t.server.users[0]!.id, name))!.id,
      {
        body: Buffer.from(MSG),
        flags: ["Work"],
      },
    );
    assert.deepEqual(await b.cmd("4", "NOOP"), [
      `* FLAGS (${sys} $Label1 Work)`,
      `* OK [PERMANENTFLAGS (${sys} $Label1 Work \\*)] Flags permitted`,
      "* 3 EXISTS",
      "* 1 RECENT", // B is the first session told of it
      "4 OK NOOP completed",
    ]);
    // A fresh SELECT lists every keyword in use; EXAMINE too, with no permanent flags.
    const c = await session(name);
    const r = await c.cmd("5", `EXAMINE ${name}`);
    assert.ok(r.includes(`* FLAGS (${sys} $Label1 Work)`), r.join("\n"));
    assert.ok(r.includes("* OK [PERMANENTFLAGS ()] Read-only mailbox"));
  });

  test("own changes are not echoed, and a foreign change between two own ones still is", async () => {
    const name = await freshBox(3);
    const a = await session(name);
    const b = await session(name);
    assert.deepEqual(await a.cmd("1", "STORE 1 +FLAGS.SILENT (\\Seen)"), ["1 OK STORE completed"]);
    assert.deepEqual(await b.cmd("2", "STORE 2 +FLAGS.SILENT (\\Flagged)"), [
      "* 1 FETCH (UID 1 FLAGS (\\Seen))",
      "2 OK STORE completed",
    ]);
    assert.deepEqual(await a.cmd("3", "STORE 3 +FLAGS.SILENT (\\Seen)"), [
      "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))",
      "3 OK STORE completed",
    ]);
    assert.deepEqual(await a.cmd("4", "NOOP"), ["4 OK NOOP completed"]);
    // Own expunge: reported by EXPUNGE itself, once.
    await a.cmd("5", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    assert.deepEqual(await a.cmd("6", "EXPUNGE"), ["* 1 EXPUNGE", "6 OK EXPUNGE completed"]);
    assert.deepEqual(await a.cmd("7", "NOOP"), ["7 OK NOOP completed"]);
    assert.deepEqual(await b.cmd("8", "NOOP"), [
      "* 3 FETCH (UID 3 FLAGS (\\Seen))", // a flag change of a message since expunged is not sent
      "* 1 EXPUNGE",
      "8 OK NOOP completed",
    ]);
  });
});
