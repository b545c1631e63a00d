// SEARCH through the store's header index (MailStore.searchHeader): FROM/TO/CC/BCC/SUBJECT (and
// HEADER with those names) are answered from UID sets, mixed freely with keys that still read the
// messages; results as before, sequence numbers after an expunge, new messages once announced.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

// UIDs 1..5 in this order; UID 1 is expunged before the tests, so sequence numbers are UID - 1.
const MESSAGES = [
  "From: gone@example.test\nSubject: expunged\n\nold\n",
  "From: =?UTF-8?Q?Ren=C3=A9e?= <renee@example.test>\nTo: alice@example.test\nSubject: =?UTF-8?B?UmFwcG9ydCBmaW5hbmNpZXI=?=\n\nnumbers inside\n",
  "From: Bob <bob@example.test>\nTo: alice@example.test\nCc: renee@example.test\nSubject: Lunch\n\nnoon?\n",
  "From: carl@example.test\nTo: alice@example.test, bob@example.test\nSubject: =?ISO-8859-1?Q?R=E9union?= lundi\nX-Tag: blue\n\nsee the report\n",
  "From: BOB <bob@example.test>\nBcc: secret@example.test\nSubject: re: lunch\n\nfine\n",
];

describe("SEARCH with the header index", () => {
  let t: ImapTestServer;
  let c: RawClient;
  const reads = { parsed: 0, body: 0, listings: 0 };

  before(async () => {
    t = await startImapTestServer();
    for (const m of MESSAGES) await t.deliver(ALICE, m);
    const mail = t.server.store.mail;
    const box = (await mail.getMailbox(t.server.users.find((u) => u.address === ALICE)!.id, "INBOX"))!;
    await mail.expunge(box.id, [1]);
    // Counts the per-message reads SEARCH makes, to tell the index path from the scan.
    const getMessage = mail.getMessage.bind(mail);
    const readBody = mail.readBody.bind(mail);
    const listMessages = mail.listMessages.bind(mail);
    mail.listMessages = (mailboxId, opts) => {
      reads.listings++;
      return listMessages(mailboxId, opts);
    };
    mail.getMessage = (mailboxId, uid) => {
      reads.parsed++;
      return getMessage(mailboxId, uid);
    };
    mail.readBody = (blobId) => {
      reads.body++;
      return readBody(blobId);
    };
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    await c.cmd("S", "SELECT INBOX");
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  /** The untagged result of a search, and how many messages it read. */
  const search = async (text: string) => {
    const before = reads.parsed + reads.body;
    const lines = await c.cmd("a", text);
    assert.equal(
      lines[lines.length - 1],
      `a OK ${text.startsWith("UID ") ? "SEARCH" : text.split(" ")[0]} completed`,
    );
    // Only the search's own response: EXISTS etc. may follow it (RFC 9051 7.4.1).
    const result = lines.filter((l) => /^\* E?SEARCH/.test(l)).join("\n");
    return { result, reads: reads.parsed + reads.body - before };
  };

  const indexed: [string, string][] = [
    ['SEARCH FROM "renée"', "* SEARCH 1"],
    ['SEARCH FROM "RENÉE"', "* SEARCH 1"],
    ["SEARCH FROM bob", "* SEARCH 2 4"],
    ["UID SEARCH FROM bob", "* SEARCH 3 5"],
    ['SEARCH SUBJECT "rapport FINANCIER"', "* SEARCH 1"],
    ['SEARCH SUBJECT "réunion"', "* SEARCH 3"],
    ["SEARCH SUBJECT =?UTF-8?B?", "* SEARCH"],
    ["SEARCH SUBJECT lunch", "* SEARCH 2 4"],
    ["SEARCH TO bob@example.test", "* SEARCH 3"],
    ["SEARCH CC renee", "* SEARCH 2"],
    ['SEARCH BCC ""', "* SEARCH 4"],
    ['SEARCH CC ""', "* SEARCH 2"],
    ['SEARCH HEADER from "Bob"', "* SEARCH 2 4"],
    ['SEARCH HEADER SUBJECT ""', "* SEARCH 1 2 3 4"],
    ["SEARCH FROM expunged", "* SEARCH"],
    ["SEARCH SUBJECT expunged", "* SEARCH"],
    ["SEARCH NOT FROM bob", "* SEARCH 1 3"],
    ["SEARCH OR FROM carl SUBJECT rapport", "* SEARCH 1 3"],
    ["SEARCH FROM bob NOT SUBJECT re:", "* SEARCH 2"],
    ["SEARCH FROM bob FROM bob SUBJECT lunch", "* SEARCH 2 4"],
    ["SEARCH 2:3 OR TO alice CC renee", "* SEARCH 2 3"],
    ["SEARCH UNSEEN LARGER 10 TO alice", "* SEARCH 1 2 3"],
    ["SEARCH RETURN (MIN MAX COUNT) FROM bob", '* ESEARCH (TAG "a") MIN 2 MAX 4 COUNT 2'],
  ];
  for (const [cmd, expected] of indexed) {
    test(`${cmd}: from the index, no message read`, async () => {
      assert.deepEqual(await search(cmd), { result: expected, reads: 0 });
    });
  }

  // BODY and TEXT with a word: the full-text index's answer is exact once it has caught up.
  const words: [string, string][] = [
    ["SEARCH OR FROM bob BODY report", "* SEARCH 2 3 4"],
    ["SEARCH NOT OR BODY numbers SUBJECT lunch", "* SEARCH 3"],
    ["SEARCH FROM bob TEXT fine", "* SEARCH 4"],
  ];
  for (const [cmd, expected] of words) {
    test(`${cmd}: from the header and full-text indexes, no message read`, async () => {
      const store = t.server.store as typeof t.server.store & { fullText?: { catchUp(): Promise<void> } };
      await store.fullText?.catchUp();
      assert.deepEqual(await search(cmd), { result: expected, reads: 0 });
    });
  }

  // Indexed keys mixed with keys that still read messages (a text with a separator is words side
  // by side, which the full-text index only narrows): same answers as ever.
  const mixed: [string, string][] = [
    ['SEARCH OR FROM bob BODY "the report"', "* SEARCH 2 3 4"],
    ['SEARCH NOT OR BODY "numbers inside" SUBJECT lunch', "* SEARCH 3"],
    ['SEARCH FROM bob TEXT "re: lunch"', "* SEARCH 4"],
    ['SEARCH OR HEADER X-Tag "blue" NOT TO alice', "* SEARCH 3 4"],
    ['SEARCH HEADER X-Tag ""', "* SEARCH 3"],
    ["SEARCH NOT (SUBJECT lunch SENTBEFORE 1-Jan-1990)", "* SEARCH 1 2 3 4"],
  ];
  for (const [cmd, expected] of mixed) {
    test(`${cmd}: indexed and scanned keys together`, async () => {
      const r = await search(cmd);
      assert.equal(r.result, expected);
      assert.ok(r.reads > 0, "the non-indexed key reads messages");
    });
  }

  test("keys that need only UIDs (indexed headers, sets, \\Recent) do not even list the mailbox", async () => {
    const before = reads.listings;
    assert.equal((await search("SEARCH OR FROM bob 1 NOT SUBJECT lunch")).result, "* SEARCH 1");
    assert.equal((await search("UID SEARCH 3:* FROM bob")).result, "* SEARCH 5"); // 3:* are sequence numbers
    assert.equal(reads.listings, before);
    assert.equal((await search("SEARCH FROM bob UNSEEN")).result, "* SEARCH 2 4"); // flags: listed
    assert.equal(reads.listings, before + 1);
  });

  test("SORT and THREAD take their keys from the index too: no message read", async () => {
    const before = reads.parsed + reads.body;
    assert.deepEqual(await c.cmd("s", "SORT (SUBJECT) UTF-8 ALL"), ["* SORT 2 4 1 3", "s OK SORT completed"]);
    assert.deepEqual(await c.cmd("s", "SORT (REVERSE SUBJECT) UTF-8 FROM bob"), [
      "* SORT 2 4",
      "s OK SORT completed",
    ]);
    assert.deepEqual(await c.cmd("s", "UID SORT (FROM) UTF-8 TO alice"), [
      "* SORT 3 4 2",
      "s OK SORT completed",
    ]);
    assert.deepEqual(await c.cmd("t", "THREAD ORDEREDSUBJECT UTF-8 ALL"), [
      "* THREAD (1)(2 4)(3)",
      "t OK THREAD completed",
    ]);
    assert.equal(reads.parsed + reads.body, before);
  });

  test("a message delivered between two searches is found once the session has seen it", async () => {
    assert.equal((await search("SEARCH FROM dora")).result, "* SEARCH");
    await t.deliver(
      ALICE,
      "From: =?UTF-8?Q?Dora_Bj=C3=B6rk?= <dora@example.test>\nSubject: Lunch too\n\nhi\n",
    );
    // Not announced yet (EXISTS follows the result): not searchable by this SEARCH, as before.
    const first = await c.cmd("b", "SEARCH SUBJECT lunch");
    assert.deepEqual(first.slice(0, 2), ["* SEARCH 2 4", "* 5 EXISTS"]);
    assert.deepEqual(await search('SEARCH FROM "björk"'), { result: "* SEARCH 5", reads: 0 });
    assert.deepEqual(await search("UID SEARCH SUBJECT lunch"), { result: "* SEARCH 3 5 6", reads: 0 });
    assert.equal((await search("SEARCH OR FROM dora BODY noon")).result, "* SEARCH 2 5");
  });
});
