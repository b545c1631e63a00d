// A stored message with two From fields (RFC 5322 3.6 allows one; inbound mail like that is now
// refused, but older or appended mail may have them): IMAP ENVELOPE and JMAP's from show the
// same author, the first (issue 18 finding 6). header:From:all still lists both.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../../imap/test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../../imap/test-server.js";
import { type JmapTest, startJmapTest } from "../test-support.js";

const TWO_FROMS =
  "From: Stranger <x@elsewhere.test>\r\nFrom: Alice <alice@example.test>\r\nSubject: First\r\nSubject: Second\r\nTo: bob@example.test\r\n\r\nhi\r\n";

describe("IMAP and JMAP agree on which of several fields they show", () => {
  let imap: ImapTestServer;
  let jmap: JmapTest;
  before(async () => {
    imap = await startImapTestServer();
    jmap = await startJmapTest();
  });
  after(async () => {
    await imap?.stop();
    await jmap?.close();
  });

  test("IMAP ENVELOPE: the first From and Subject", async () => {
    await imap.deliver("alice@example.test", TWO_FROMS);
    const c = await RawClient.connect(imap.port.implicit, { tls: true });
    try {
      await c.line();
      await c.cmd("L", `LOGIN alice@example.test "${PASSWORD}"`);
      await c.cmd("S", "SELECT INBOX");
      const [env] = await c.cmd("F", "FETCH 1 (ENVELOPE)");
      assert.match(
        env ?? "",
        /^\* 1 FETCH \(ENVELOPE \(NIL "First" \(\("Stranger" NIL "x" "elsewhere\.test"\)\)/,
      );
    } finally {
      c.close();
    }
  });

  test("JMAP Email/get: from and subject are the first fields too", async () => {
    await jmap.ts.store.mail.deliver(Buffer.from(TWO_FROMS), [{ accountId: jmap.user.id }]);
    const q = await jmap.first([["Email/query", { accountId: jmap.accountId }, "q"]]);
    const got = await jmap.first([
      [
        "Email/get",
        {
          accountId: jmap.accountId,
          ids: q.ids,
          properties: ["from", "subject", "header:From:asAddresses:all"],
        },
        "g",
      ],
    ]);
    const email = got.list[0];
    assert.deepEqual(email.from, [{ name: "Stranger", email: "x@elsewhere.test" }]);
    assert.equal(email.subject, "First");
    assert.deepEqual(email["header:From:asAddresses:all"], [
      [{ name: "Stranger", email: "x@elsewhere.test" }],
      [{ name: "Alice", email: "alice@example.test" }],
    ]);
  });
});
