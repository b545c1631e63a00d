// The store calls behind SELECT, FETCH of one message and APPEND's report: one each (on
// PostgreSQL each call is one statement, one round trip; they were four, two and two:
// docs/ARCHITECTURE.md, PostgreSQL store). Only the calls the IMAP layer makes are counted, not
// those a store makes of its own methods (the SQLite store composes selectMailbox of three).
// Runs on the backend the tests choose.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MailStore } from "../../store/types.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const WATCHED = [
  "getMailbox",
  "getMailboxById",
  "listFlags",
  "listMessages",
  "claimRecent",
  "selectMailbox",
  "listNew",
  "getMessage",
  "readBody",
  "changesSince",
] as const;

describe("reads of SELECT, FETCH and APPEND's report", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let calls: string[] = [];

  before(async () => {
    t = await startImapTestServer();
    await t.deliver(ALICE, "Subject: one\n\nbody one\n");
    await t.deliver(ALICE, "From: b@example.test\nSubject: two\n\nbody two\n");
    const mail = t.server.store.mail as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    let depth = 0;
    for (const name of WATCHED) {
      const original = mail[name]!.bind(mail);
      mail[name] = async (...args: unknown[]) => {
        if (depth === 0) calls.push(name);
        depth++;
        try {
          return await original(...args);
        } finally {
          depth--;
        }
      };
    }
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  const counted = async (tag: string, text: string) => {
    calls = [];
    const lines = await c.cmd(tag, text);
    return { lines, calls: [...calls] };
  };

  test("SELECT and EXAMINE: one call, the mailbox, its messages and the \\Recent claim", async () => {
    const s = await counted("S", "SELECT INBOX");
    assert.deepEqual(s.calls, ["selectMailbox"] satisfies (keyof MailStore)[]);
    assert.ok(s.lines.includes("* 2 EXISTS"), s.lines.join(" | "));
    assert.ok(s.lines.includes("* 2 RECENT"), s.lines.join(" | "));
    assert.match(s.lines.at(-1)!, /^S OK \[READ-WRITE\]/);
    const e = await counted("E", "EXAMINE INBOX");
    assert.deepEqual(e.calls, ["selectMailbox"]);
    assert.ok(e.lines.includes("* 0 RECENT"), "claimed by the SELECT before");
    await c.cmd("S2", "SELECT INBOX");
  });

  test("FETCH of one message's ENVELOPE and body: one call", async () => {
    const f = await counted("F", "FETCH 2 (UID RFC822.SIZE ENVELOPE BODY.PEEK[])");
    assert.deepEqual(f.calls, ["getMessage"]);
    const two = "From: b@example.test\r\nSubject: two\r\n\r\nbody two\r\n";
    const b2 = '((NIL NIL "b" "example.test"))';
    assert.equal(
      f.lines[0],
      `* 2 FETCH (UID 2 RFC822.SIZE 48 ENVELOPE (NIL "two" ${b2} ${b2} ${b2} NIL NIL NIL NIL NIL) BODY[] {48}\r\n${two})`,
    );
    assert.equal(f.lines.at(-1), "F OK FETCH completed");
    // The body alone too.
    const b = await counted("B", "FETCH 1 BODY.PEEK[TEXT]");
    assert.deepEqual(b.calls, ["getMessage"]);
    assert.equal(b.lines[0], "* 1 FETCH (BODY[TEXT] {10}\r\nbody one\r\n)");
  });

  test("APPEND: the new message and its \\Recent claim in one call", async () => {
    const msg = "Subject: three\r\n\r\nbody three\r\n";
    const a = await counted("A", `APPEND INBOX {${Buffer.byteLength(msg)}+}\r\n${msg}`);
    assert.deepEqual(
      a.calls.filter((n) => n !== "getMailbox"), // APPEND's own look-up of the target
      ["listNew"],
    );
    assert.ok(a.lines.includes("* 3 EXISTS"), a.lines.join(" | "));
    // Recent in this session: the new message alone (1 and 2 were the first SELECT's).
    assert.ok(a.lines.includes("* 1 RECENT"), a.lines.join(" | "));
  });
});
