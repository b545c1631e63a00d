// SORT (RFC 5256 3, RFC 5957 DISPLAY) and THREAD=ORDEREDSUBJECT / THREAD=REFERENCES (RFC 5256 2, 4)
// over a real socket, on six messages whose order differs by every criterion.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

// [headers, internal date]; UIDs 1..6 in this order.
const MESSAGES: [string, string][] = [
  [
    "From: Zed <zed@x.test>\nTo: bob@x.test\nSubject: Plans\nDate: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <a@x>",
    "2024-02-01T00:00:05Z",
  ],
  [
    "From: amy@x.test\nTo: alice@x.test\nCc: zz@x.test\nSubject: Re: Plans\nDate: Tue, 02 Jan 2024 10:00:00 +0000\nMessage-ID: <b@x>\nReferences: <a@x>",
    "2024-02-01T00:00:01Z",
  ],
  [
    'From: "Mike" <mike@x.test>\nTo: alice@x.test\nSubject: Lunch\nDate: Mon, 01 Jan 2024 11:00:00 +0200\nMessage-ID: <c@x>',
    "2024-02-01T00:00:04Z",
  ],
  [
    "From: bob@x.test\nTo: alice@x.test\nSubject: RE: plans\nDate: Wed, 03 Jan 2024 10:00:00 +0000\nMessage-ID: <d@x>\nIn-Reply-To: <a@x>",
    "2024-02-01T00:00:02Z",
  ],
  [
    "From: carl@x.test\nTo: alice@x.test\nSubject: Re: Lunch\nDate: Thu, 04 Jan 2024 10:00:00 +0000\nMessage-ID: <e@x>\nReferences: <missing@x>",
    "2024-02-01T00:00:06Z",
  ],
  [
    "From: Aaron <dan@x.test>\nTo: alice@x.test\nSubject: [list] Other\nMessage-ID: <f@x>\nReferences: <a@x> <b@x>",
    "2024-02-01T00:00:03Z",
  ],
];

describe("SORT and THREAD", () => {
  let t: ImapTestServer;
  let c: RawClient;

  before(async () => {
    t = await startImapTestServer();
    const id = t.server.users.find((u) => u.address === ALICE)!.id;
    const mail = t.server.store.mail;
    const mb = await mail.createMailbox(id, "T");
    for (const [i, [head, date]] of MESSAGES.entries()) {
      const body = Buffer.from(`${head}\n\n${"x".repeat(10 * ((i * 7) % 6))}\n`.replace(/\n/g, "\r\n"));
      await mail.deliver(body, [{ accountId: id, mailboxId: mb.id }], { internalDate: new Date(date) });
    }
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    await c.cmd("S", "SELECT T");
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  const sortCases: [string, string][] = [
    ["SORT (SUBJECT) UTF-8 ALL", "* SORT 3 5 6 1 2 4"],
    // 6 has no Date: its internal date (February) counts; 3 is 09:00 UTC.
    ["SORT (REVERSE DATE) UTF-8 ALL", "* SORT 6 5 4 2 1 3"],
    ["SORT (DATE) UTF-8 ALL", "* SORT 3 1 2 4 5 6"],
    ["SORT (ARRIVAL) UTF-8 ALL", "* SORT 2 4 6 3 1 5"],
    ["SORT (FROM) UTF-8 ALL", "* SORT 2 4 5 6 3 1"],
    ["SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 6 2 4 5 3 1"],
    ["SORT (CC TO) UTF-8 ALL", "* SORT 3 4 5 6 1 2"],
    // Ties (same To, same subject) keep mailbox order even under REVERSE.
    ["SORT (DISPLAYTO REVERSE SUBJECT) UTF-8 ALL", "* SORT 2 4 6 3 5 1"],
    // Sizes with CRLF: 118, 162, 144, 168, 184, 165 octets.
    ["SORT (SIZE) UTF-8 ALL", "* SORT 1 3 2 6 4 5"],
    ["SORT (REVERSE ARRIVAL) US-ASCII 2:4", "* SORT 3 4 2"],
    ["UID SORT (SUBJECT) UTF-8 FROM amy", "* SORT 2"],
    ["SORT (SUBJECT) UTF-8 SUBJECT nothing-matches", "* SORT"],
  ];
  for (const [cmd, expected] of sortCases) {
    test(cmd, async () => {
      assert.deepEqual(await c.cmd("a", cmd), [expected, "a OK SORT completed"]);
    });
  }

  test("THREAD=REFERENCES: references, In-Reply-To, a missing parent, subject merge", async () => {
    assert.deepEqual(await c.cmd("a", "THREAD REFERENCES UTF-8 ALL"), [
      "* THREAD (3 5)(1 (2 6)(4))",
      "a OK THREAD completed",
    ]);
    // Without 1, its children meet under a dummy and are merged by subject with nothing else.
    assert.deepEqual(await c.cmd("b", "UID THREAD REFERENCES UTF-8 NOT UID 1"), [
      "* THREAD (3 5)((2 6)(4))",
      "b OK THREAD completed",
    ]);
  });

  test("THREAD=ORDEREDSUBJECT", async () => {
    assert.deepEqual(await c.cmd("a", "THREAD ORDEREDSUBJECT UTF-8 ALL"), [
      "* THREAD (3 5)(1 (2)(4))(6)",
      "a OK THREAD completed",
    ]);
    assert.deepEqual(await c.cmd("b", "THREAD ORDEREDSUBJECT UTF-8 SUBJECT nope"), [
      "* THREAD",
      "b OK THREAD completed",
    ]);
  });

  test("errors", async () => {
    assert.deepEqual(await c.cmd("a", "SORT (SUBJECT) KOI8-R ALL"), [
      "a NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset",
    ]);
    assert.deepEqual(await c.cmd("b", "SORT (BOGUS) UTF-8 ALL"), ["b BAD Unknown sort key BOGUS"]);
    assert.deepEqual(await c.cmd("c", "SORT () UTF-8 ALL"), ["c BAD Empty list"]);
    assert.deepEqual(await c.cmd("d", "THREAD XYZ UTF-8 ALL"), ["d BAD Unknown threading algorithm XYZ"]);
    const [caps] = await c.cmd("e", "CAPABILITY");
    assert.match(caps!, / SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES /);
  });
});
