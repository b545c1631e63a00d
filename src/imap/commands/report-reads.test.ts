// What a session reads to report changes (RFC 9051 7.4.1, 5.2): when its events account for every
// mod-sequence since its last report — new messages (its own APPEND, a delivery) and its own flag
// changes — it lists only the new messages and reads no changes (on PostgreSQL each read is a
// round trip); an event it cannot account for (another session's flag change) brings back the
// full read, and the client is told everything either way. Runs on the backend the tests choose.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

describe("change reports without a changes read", () => {
  let t: ImapTestServer;
  let a: RawClient;
  let b: RawClient;
  let changeReads = 0;

  before(async () => {
    t = await startImapTestServer();
    await t.deliver(ALICE, "Subject: one\n\nbody one\n");
    const mail = t.server.store.mail;
    const changesSince = mail.changesSince.bind(mail);
    mail.changesSince = (...args) => {
      changeReads++;
      return changesSince(...args);
    };
    a = await RawClient.connect(t.port.implicit, { tls: true });
    b = await RawClient.connect(t.port.implicit, { tls: true });
    for (const c of [a, b]) {
      await c.line();
      await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    }
    await b.cmd("S", "SELECT INBOX");
    await a.cmd("S", "SELECT INBOX");
  });
  after(async () => {
    a.close();
    b.close();
    await t.stop();
  });

  test("own APPEND and own STORE: EXISTS and FETCH told, no changes read", async () => {
    const before = changeReads;
    const msg = "Subject: two\r\n\r\nbody two\r\n";
    const appended = await a.cmd("A", `APPEND INBOX {${Buffer.byteLength(msg)}+}\r\n${msg}`);
    assert.ok(appended.includes("* 2 EXISTS"), appended.join(" | "));
    assert.match(appended.at(-1)!, /^A OK \[APPENDUID \d+ 2\]/);
    const stored = await a.cmd("F", "STORE 2 +FLAGS (\\Flagged)");
    assert.deepEqual(stored, ["* 2 FETCH (FLAGS (\\Flagged \\Recent))", "F OK STORE completed"]);
    await t.deliver(ALICE, "Subject: three\n\nbody three\n");
    const noop = await a.cmd("N", "NOOP");
    assert.ok(noop.includes("* 3 EXISTS"), noop.join(" | "));
    assert.equal(changeReads, before, "every change was accounted for by its event");
  });

  test("another session's flag change among new messages: read, and told", async () => {
    const before = changeReads;
    assert.equal((await b.cmd("B", "NOOP")).at(-1), "B OK NOOP completed");
    assert.equal((await b.cmd("C", "STORE 1 +FLAGS (\\Seen)")).at(-1), "C OK STORE completed");
    await t.deliver(ALICE, "Subject: four\n\nbody four\n");
    const noop = await a.cmd("N", "NOOP");
    assert.ok(noop.includes("* 4 EXISTS"), noop.join(" | "));
    assert.ok(
      noop.some((l) => /^\* 1 FETCH \(UID 1 FLAGS \(\\Seen\)\)$/.test(l)),
      noop.join(" | "),
    );
    assert.ok(changeReads > before, "a change no event of its own explains is read");
  });
});
