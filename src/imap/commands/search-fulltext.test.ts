// SEARCH BODY/TEXT through the store's full-text index (MailStore.searchText): a Japanese
// substring, a word split across two encoded words, a word in a base64 text part and one only in
// HTML are found; on the MIME corpus (src/mime/corpus) every needle gives what a scan of every
// message gives; new mail is found at once and indexed in the background; expunged mail is gone;
// needles the index cannot answer (under three characters) are answered by the scan.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { parseStructure } from "../../mime/parse.js";
import { searchableText } from "../../mime/searchable.js";
import { FULL_TEXT_SAMPLES } from "../../store/contract-fulltext.js";
import type { MailStore, Store } from "../../store/types.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const CORPUS = new URL("../../mime/corpus/", import.meta.url);

/** A search key's argument as a LITERAL+ literal: any octets, no quoting rules. */
const lit = (s: string) => `{${Buffer.byteLength(s)}+}\r\n${s}`;

async function catchUp(store: Store): Promise<void> {
  const s = store as Store & { fullText?: { catchUp(): Promise<void> } };
  await s.fullText?.catchUp();
}

describe("SEARCH BODY/TEXT with the full-text index", () => {
  let t: ImapTestServer;
  let c: RawClient;
  let mail: MailStore;
  let inboxId = 0;
  const reads = { body: 0 };
  const corpusTexts: string[] = [];

  before(async () => {
    t = await startImapTestServer();
    mail = t.server.store.mail;
    const user = t.server.users.find((u) => u.address === ALICE)!;
    inboxId = (await mail.getMailbox(user.id, "INBOX"))!.id;
    for (const s of FULL_TEXT_SAMPLES) await mail.deliver(s.body, [{ accountId: user.id }]);
    for (const name of readdirSync(CORPUS).sort()) {
      const body = readFileSync(new URL(name, CORPUS));
      await mail.deliver(body, [{ accountId: user.id }]);
      const d = searchableText(body, parseStructure(body), 0);
      corpusTexts.push(d.head, d.body);
    }
    await catchUp(t.server.store);
    const readBody = mail.readBody.bind(mail);
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

  const search = async (criteria: string) => {
    const lines = await c.cmd("a", `UID SEARCH CHARSET UTF-8 ${criteria}`);
    assert.equal(lines[lines.length - 1], "a OK SEARCH completed", lines.join("\n"));
    return lines.find((l) => l.startsWith("* SEARCH"))!;
  };

  /** The same search with the index switched off: every message read and matched. */
  const scanned = async (criteria: string) => {
    const real = mail.matchText;
    mail.matchText = async () => null;
    try {
      return await search(criteria);
    } finally {
      mail.matchText = real;
    }
  };

  test("a Japanese substring, an encoded-word split, a base64 part, HTML only: found, few reads", async () => {
    for (const [i, s] of FULL_TEXT_SAMPLES.entries()) {
      for (const key of s.field === "body" ? ["BODY", "TEXT"] : ["TEXT"]) {
        for (const needle of [s.needle, s.needle.toUpperCase()]) {
          const before = reads.body;
          assert.equal(await search(`${key} ${lit(needle)}`), `* SEARCH ${i + 1}`, `${key} ${needle}`);
          assert.ok(reads.body - before <= 2, `${key} ${needle}: ${reads.body - before} bodies read`);
        }
      }
    }
    assert.equal(await search(`BODY ${lit("kaleidoscope")}`), "* SEARCH", "only in the Subject");
  });

  test("on the MIME corpus, results equal a full scan's for every needle", async () => {
    // Words of three characters and more, and slices across word and line boundaries.
    const needles = new Set<string>(["<p>", "href", "=?", "utf-8", "content-type: text", "本語", "ab"]);
    for (const text of corpusTexts) {
      const cps = Array.from(text.replace(/[\r\n]/g, " "));
      for (const w of text.split(/[\s,.;:<>()"]+/)) if (w.length >= 3 && needles.size < 400) needles.add(w);
      for (let i = 0; i + 7 < cps.length; i += 97) needles.add(cps.slice(i, i + 3 + (i % 5)).join(""));
    }
    let compared = 0;
    for (const needle of needles) {
      if (needle.trim() === "") continue;
      for (const key of ["BODY", "TEXT"]) {
        const criteria = `${key} ${lit(needle)}`;
        assert.equal(await search(criteria), await scanned(criteria), criteria);
        compared++;
      }
      assert.equal(
        await search(`OR BODY ${lit(needle)} NOT TEXT ${lit(needle)}`),
        await scanned(`OR BODY ${lit(needle)} NOT TEXT ${lit(needle)}`),
      );
      // With a key on the message list (not UIDs alone): the general path.
      if (compared % 10 === 0) {
        const criteria = `TEXT ${lit(needle)} LARGER 1`;
        assert.equal(await search(criteria), await scanned(criteria), criteria);
      }
    }
    assert.ok(compared > 200, `${compared} searches compared`);
  });

  test("a message is found as soon as it is announced, and indexed in the background", async () => {
    const uid = await t.deliver(ALICE, "From: z@example.test\nSubject: fresh\n\nthe narwhal arrived\n");
    await c.cmd("n", "NOOP");
    assert.equal(await search(`BODY ${lit("NARWHAL")}`), `* SEARCH ${uid}`);
    // Not indexed yet (a "maybe"), beside messages the index is sure of, on both paths.
    for (const criteria of [
      `TEXT ${lit("from")}`,
      `TEXT ${lit("from")} LARGER 1`,
      `OR BODY ${lit("narwhal")} TEXT ${lit("quokka")}`,
    ])
      assert.equal(await search(criteria), await scanned(criteria), criteria);
    // Not yet indexed, it is a candidate of every search; indexed, only of its own words. Bounded
    // wait without catchUp(): the indexer runs by itself after the commit.
    let indexed = false;
    for (let i = 0; i < 200 && !indexed; i++) {
      const found = await mail.searchText({ mailboxId: inboxId }, "body", "zzz-not-there");
      indexed = !found?.includes(uid);
      if (!indexed) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(indexed, "indexed by the background indexer");
    assert.deepEqual(await mail.searchText({ mailboxId: inboxId }, "body", "narwhal"), [uid]);
  });

  test("expunged messages are no longer found; short needles are answered by the scan", async () => {
    const uid = await t.deliver(ALICE, "From: y@example.test\nSubject: brief\n\nan okapi passes\n");
    await c.cmd("n", "NOOP");
    await catchUp(t.server.store);
    assert.equal(await search(`TEXT ${lit("okapi")}`), `* SEARCH ${uid}`);
    await c.cmd("d", `UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
    await c.cmd("e", "EXPUNGE");
    assert.equal(await search(`TEXT ${lit("okapi")}`), "* SEARCH");
    assert.deepEqual(await mail.searchText({ mailboxId: inboxId }, "text", "okapi"), []);
    assert.equal(await mail.searchText({ mailboxId: inboxId }, "text", "ok"), null);
    assert.equal(await search(`BODY ${lit("Ok")}`), await scanned(`BODY ${lit("Ok")}`));
    assert.match(await search(`BODY ${lit("Ok")}`), /^\* SEARCH \d/);
  });
});
