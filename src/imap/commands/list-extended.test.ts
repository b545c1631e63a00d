// LIST-EXTENDED (RFC 5258), its SPECIAL-USE selection (RFC 6154) and LIST-STATUS (RFC 5819).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Mailbox } from "../../store/types.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";
import { BASIC, listEntries } from "./list.js";

const ALICE = "alice@example.test";

describe("LIST-EXTENDED and LIST-STATUS", () => {
  let t: ImapTestServer;
  let c: RawClient;

  before(async () => {
    t = await startImapTestServer();
    const id = t.server.users.find((u) => u.address === ALICE)!.id;
    const mail = t.server.store.mail;
    // Subscribed: INBOX, Lists/ietf (not Lists), Sent; unsubscribed: the rest.
    for (const name of ["Lists/ietf", "Lists/other", "Solo"]) await mail.createMailbox(id, name);
    for (const m of await mail.listMailboxes(id))
      await mail.setSubscribed(m.id, ["INBOX", "Lists/ietf", "Sent"].includes(m.name));
    await t.deliver(ALICE, "Subject: a\n\nx\n");
    await t.deliver(ALICE, "Subject: b\n\ny\n", { flags: ["\\Seen"] });
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  test("advertised", async () => {
    const [caps] = await c.cmd("a", "CAPABILITY");
    assert.match(caps!, / LIST-EXTENDED LIST-STATUS /);
  });

  test("SUBSCRIBED selection marks \\Subscribed; several patterns", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST (SUBSCRIBED) "" (INBOX "Lists/*" S%)'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Lists/ietf"',
      '* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"',
      "a OK LIST completed",
    ]);
  });

  test("RECURSIVEMATCH lists unsubscribed parents with CHILDINFO", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST (SUBSCRIBED RECURSIVEMATCH REMOTE) "" L%'), [
      '* LIST (\\HasChildren) "/" "Lists" ("CHILDINFO" ("SUBSCRIBED"))',
      "a OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("b", 'LIST (RECURSIVEMATCH) "" *'), [
      "b BAD RECURSIVEMATCH needs another selection option",
    ]);
  });

  test("return SUBSCRIBED and CHILDREN on an unfiltered LIST", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST "" (Lists Lists/%) RETURN (SUBSCRIBED CHILDREN)'), [
      '* LIST (\\HasChildren) "/" "Lists"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Lists/ietf"',
      '* LIST (\\HasNoChildren) "/" "Lists/other"',
      "a OK LIST completed",
    ]);
  });

  test("SPECIAL-USE selection and return option (RFC 6154)", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE)'), [
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      "a OK LIST completed",
    ]);
  });

  test("RETURN (STATUS ...) follows each selectable mailbox", async () => {
    const id = t.server.users.find((u) => u.address === ALICE)!.id;
    const inbox = (await t.server.store.mail.getMailbox(id, "INBOX"))!;
    assert.deepEqual(await c.cmd("a", 'LIST "" (INBOX Solo) RETURN (STATUS (MESSAGES UNSEEN UIDVALIDITY))'), [
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      `* STATUS "INBOX" (MESSAGES 2 UNSEEN 1 UIDVALIDITY ${inbox.uidValidity})`,
      '* LIST (\\HasNoChildren) "/" "Solo"',
      `* STATUS "Solo" (MESSAGES 0 UNSEEN 0 UIDVALIDITY ${(await t.server.store.mail.getMailbox(id, "Solo"))!.uidValidity})`,
      "a OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("b", 'LIST "" INBOX RETURN (STATUS (BOGUS))'), [
      "b BAD Unknown status item BOGUS",
    ]);
  });
});

// The store creates and deletes parents with their children, so a missing parent can only be
// shown with a hand-made mailbox list.
describe("listEntries", () => {
  const mb = (id: number, name: string, subscribed: boolean): Mailbox => ({
    id,
    accountId: 1,
    name,
    uidValidity: 1,
    uidNext: 1,
    highestModseq: 1,
    specialUse: null,
    subscribed,
    createdAt: new Date(0),
  });
  const boxes = [mb(1, "A/b", true), mb(2, "A/c", false)];

  test("a missing parent: \\Noselect in LIST, \\NonExistent in LIST-EXTENDED", () => {
    assert.deepEqual(
      listEntries(boxes, ["%"], BASIC).map((e) => [e.name, e.attrs]),
      [["A", ["\\Noselect", "\\HasChildren"]]],
    );
    const sel = { ...BASIC, extended: true, subscribed: true, recursiveMatch: true, markSubscribed: true };
    assert.deepEqual(
      listEntries(boxes, ["%"], sel).map((e) => [e.name, e.attrs, e.childInfo]),
      [["A", ["\\NonExistent", "\\HasChildren"], ["SUBSCRIBED"]]],
    );
    // RFC 5258 3.5: a parent is listed for a subscribed child only when no pattern lists the child.
    assert.deepEqual(
      listEntries(boxes, ["*"], sel).map((e) => [e.name, e.attrs, e.childInfo]),
      [["A/b", ["\\HasNoChildren", "\\Subscribed"], []]],
    );
  });
});
