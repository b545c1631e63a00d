// SEARCH BODY over a real connection when a message brings more new vocabulary words than
// storage.fullTextMaxNewWords (store/shared/fulltext-budget.ts): the indexer leaves it partial,
// and it is still found, through the index's "maybe" path (read and matched), for a word that
// lies past the cap, as a scan finds it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Store } from "../../store/types.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

describe("SEARCH BODY finds a message over storage.fullTextMaxNewWords", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let inboxId = 0;

  before(async () => {
    t = await startImapTestServer({ server: { config: { storage: { fullTextMaxNewWords: 50 } } } });
    const user = t.server.users.find((u) => u.address === ALICE)!;
    inboxId = (await t.server.store.mail.getMailbox(user.id, "INBOX"))!.id;
    const words = Array.from({ length: 300 }, (_, i) => `rnd${i}z`).join(" ");
    await t.deliver(ALICE, "From: a@example.org\nSubject: one\n\na capybara\n");
    await t.deliver(ALICE, `From: a@example.org\nSubject: two\n\n${words}\nthe okapi at the end\n`);
    const store = t.server.store as Store & { fullText?: { catchUp(): Promise<void> } };
    await store.fullText?.catchUp();
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    await c.cmd("S", "SELECT INBOX");
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  const search = async (criteria: string) => {
    const lines = await c.cmd("a", `UID SEARCH ${criteria}`);
    assert.equal(lines[lines.length - 1], "a OK SEARCH completed", lines.join("\n"));
    return lines.find((l) => l.startsWith("* SEARCH"))!;
  };

  test("the message over the cap is a candidate (maybe) and is found for a word past the cap", async () => {
    const mail = t.server.store.mail;
    // The index did not take it: maybe for every search, sure for none.
    assert.deepEqual(await mail.matchText({ mailboxId: inboxId }, "body", "okapi"), { sure: [], maybe: [2] });
    assert.equal(await search("BODY okapi"), "* SEARCH 2");
    assert.equal(await search("BODY rnd299z"), "* SEARCH 2");
    assert.equal(await search("BODY capybara"), "* SEARCH 1");
    assert.equal(await search("BODY nowhere"), "* SEARCH");
  });
});
