// Email/query's text, body, from, to, cc, bcc and subject filters (RFC 8621 4.4.1) narrowed by the
// store's full-text index (MailStore.searchText): the samples no plain byte search finds are found,
// and on the MIME corpus every filter gives the ids the scan of every message gives; SearchSnippet
// still marks the words found.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { FULL_TEXT_SAMPLES } from "../../store/contract-fulltext.js";
import type { Store } from "../../store/types.js";
import { type JmapTest, startJmapTest } from "../test-support.js";

const CORPUS = new URL("../../mime/corpus/", import.meta.url);
let t: JmapTest;
const ids: string[] = [];
let reads = 0;

before(async () => {
  t = await startJmapTest();
  const mail = t.ts.store.mail;
  const inbox = (await mail.getMailbox(t.user.id, "INBOX"))!;
  const bodies = [...FULL_TEXT_SAMPLES.map((s) => s.body)];
  for (const name of readdirSync(CORPUS).sort()) bodies.push(readFileSync(new URL(name, CORPUS)));
  for (const body of bodies) {
    const c = await mail.append(t.user.id, inbox.id, { body });
    ids.push(`M${c.messageId}`);
  }
  const s = t.ts.store as Store & { fullText?: { catchUp(): Promise<void> } };
  await s.fullText?.catchUp();
  const readBody = mail.readBody.bind(mail);
  mail.readBody = (blobId) => {
    reads++;
    return readBody(blobId);
  };
});

after(() => t.close());

const query = async (filter: Record<string, unknown>) => {
  const [r] = await t.api([
    ["Email/query", { accountId: t.accountId, filter, sort: [{ property: "receivedAt" }] }, "0"],
  ]);
  assert.equal(r![0], "Email/query", JSON.stringify(r));
  return r![1].ids as string[];
};

/** The same query with the index switched off. */
const scanned = async (filter: Record<string, unknown>) => {
  const mail = t.ts.store.mail;
  const real = mail.searchText;
  mail.searchText = async () => null;
  try {
    return await query(filter);
  } finally {
    mail.searchText = real;
  }
};

describe("Email/query with the full-text index", () => {
  test("Japanese substring, encoded-word split, base64 part, HTML only: found, few bodies read", async () => {
    for (const [i, s] of FULL_TEXT_SAMPLES.entries()) {
      const before = reads;
      assert.deepEqual(await query({ text: s.needle.toUpperCase() }), [ids[i]], s.needle);
      assert.ok(reads - before <= 2, `${s.needle}: ${reads - before} bodies read`);
    }
    assert.deepEqual(await query({ subject: "KALEIDOSCOPE" }), [ids[1]]);
  });

  test("on the MIME corpus, every text filter gives what the scan gives", async () => {
    const needles = ["example", "report", "the", "=?", "<p>", "href", "本語", "ab", "alice", "ltd", "utf"];
    let n = 0;
    for (const needle of needles) {
      for (const k of ["text", "body", "from", "to", "cc", "bcc", "subject"]) {
        const f = { [k]: needle };
        assert.deepEqual(await query(f), await scanned(f), JSON.stringify(f));
        const not = { operator: "NOT", conditions: [f] };
        assert.deepEqual(await query(not), await scanned(not), JSON.stringify(not));
        n++;
      }
    }
    assert.ok(n > 50);
  });

  test("SearchSnippet/get marks the word the index found", async () => {
    const [r] = await t.api([
      [
        "SearchSnippet/get",
        { accountId: t.accountId, filter: { text: "xylophonist" }, emailIds: [ids[2]] },
        "0",
      ],
    ]);
    const list = r![1].list as { preview: string | null }[];
    assert.match(list[0]!.preview ?? "", /<mark>XYLOPHONIST<\/mark>/);
  });
});
