// The full-text part of the store contract (MailStore.searchText and matchText, issue 20), run by
// runStoreContract (contract.ts) against every backend. The promise every backend keeps: the
// candidates are a superset of the exact matches (the caller's matcher decides, RFC 9051 6.4.4),
// whatever the state of the index, for any script, encoding or part; null for needles the index
// cannot answer. How much it narrows is the backend's own test (sqlite/fulltext.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type OpenStore, rejectsWith, withStore } from "./contract-kit.js";
import type { FullTextField } from "./types.js";

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, "\r\n"));
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Messages that only a decoding search finds, each with a needle found in it alone. */
export const FULL_TEXT_SAMPLES: readonly { needle: string; field: FullTextField; body: Buffer }[] = [
  {
    needle: "本語のテキ", // no spaces to split words at: found by any substring
    field: "body",
    body: crlf(
      `From: a@example.org\nSubject: jp\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${b64("これは日本語のテキストです。")}\n`,
    ),
  },
  {
    needle: "kaleidoscope", // split across two encoded words (RFC 2047 6.2: adjacent words join)
    field: "text",
    body: crlf(
      "From: b@example.org\nSubject: =?UTF-8?Q?kalei?= =?UTF-8?B?ZG9zY29wZQ==?= day\n\nplain body\n",
    ),
  },
  {
    needle: "xylophonist", // only in a base64 text part of a multipart with an attachment
    field: "body",
    body: crlf(
      `From: c@example.org\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${b64("The XYLOPHONIST played.")}\n--XX\nContent-Type: application/pdf; name=report.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--XX--\n`,
    ),
  },
  {
    needle: "quokka", // only in the HTML alternative, inside markup
    field: "body",
    body: crlf(
      `From: d@example.org\nSubject: html\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=YY\n\n--YY\nContent-Type: text/plain\n\nsee the picture\n--YY\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<p>A <b>Qu=F6kka</b> <i>QUOKKA</i></p>\n--YY--\n`,
    ),
  },
];

export function runFullTextContract(open: OpenStore): void {
  describe("full-text search", () => {
    test("searchText: candidates include every message containing the needle, decoded, any script", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const m = store.mail;
        const inbox = (await m.getMailbox(a.id, "INBOX"))!;
        const uids: number[] = [];
        for (const s of FULL_TEXT_SAMPLES) {
          const [copy] = await m.deliver(s.body, [{ accountId: a.id }]);
          uids.push(copy!.uid);
        }
        for (const [i, s] of FULL_TEXT_SAMPLES.entries()) {
          for (const needle of [s.needle, s.needle.toUpperCase()]) {
            const byBox = await m.searchText({ mailboxId: inbox.id }, "text", needle);
            assert.ok(byBox?.includes(uids[i]!), `TEXT ${needle} finds message ${i + 1}: ${byBox}`);
            const byAccount = await m.searchText({ accountId: a.id }, "text", needle);
            const [meta] = await m.listMessages(inbox.id, { minUid: uids[i]!, maxUid: uids[i]! });
            assert.ok(byAccount?.includes(meta!.id), `account-wide: ${needle}`);
            if (s.field === "body") {
              assert.ok((await m.searchText({ mailboxId: inbox.id }, "body", needle))?.includes(uids[i]!));
            }
          }
        }
        const sorted = await m.searchText({ mailboxId: inbox.id }, "text", "example.org");
        assert.deepEqual(
          sorted,
          [...uids].sort((x, y) => x - y),
          "every message, ascending",
        );
      }));

    test("matchText: sure ones contain the needle, sure and maybe are searchText's candidates", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const m = store.mail;
        const inbox = (await m.getMailbox(a.id, "INBOX"))!;
        const uids: number[] = [];
        for (const s of FULL_TEXT_SAMPLES) {
          const [copy] = await m.deliver(s.body, [{ accountId: a.id }]);
          uids.push(copy!.uid);
        }
        for (const [i, s] of FULL_TEXT_SAMPLES.entries()) {
          for (const field of ["body", "text"] as const) {
            const box = { mailboxId: inbox.id };
            const got = await m.matchText(box, field, s.needle.toUpperCase());
            assert.ok(got, s.needle);
            // Each sample's needle is in that sample alone: no other message can be sure.
            for (const u of got.sure) assert.equal(u, uids[i], `${field} ${s.needle}: ${got.sure}`);
            assert.ok(
              got.sure.every((u) => !got.maybe.includes(u)),
              "disjoint",
            );
            const both = [...got.sure, ...got.maybe].sort((x, y) => x - y);
            assert.deepEqual(both, await m.searchText(box, field, s.needle));
            if (field === "text" || s.field === "body") assert.ok(both.includes(uids[i]!), s.needle);
          }
        }
        assert.equal(await m.matchText({ mailboxId: inbox.id }, "text", "ab"), null);
        await rejectsWith(m.matchText({ mailboxId: 9999 }, "body", "abc"), "not-found");
      }));

    test("searchText: null for needles under three characters, not-found for an unknown mailbox", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
        assert.equal(await store.mail.searchText({ mailboxId: inbox.id }, "body", "ab"), null);
        assert.equal(await store.mail.searchText({ mailboxId: inbox.id }, "text", "日本"), null);
        assert.equal(await store.mail.searchText({ accountId: a.id }, "text", ""), null);
        await rejectsWith(store.mail.searchText({ mailboxId: 9999 }, "body", "abc"), "not-found");
      }));

    test("searchText: expunged and moved messages leave their mailbox's candidates", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const m = store.mail;
        const inbox = (await m.getMailbox(a.id, "INBOX"))!;
        const other = await m.createMailbox(a.id, "Other");
        const body = (n: number) => crlf(`From: e@example.org\nSubject: s${n}\n\nwombat number ${n}\n`);
        for (let n = 1; n <= 3; n++) await m.deliver(body(n), [{ accountId: a.id }]);
        await m.expunge(inbox.id, [1]);
        await m.move(inbox.id, [2], other.id);
        assert.deepEqual(await m.searchText({ mailboxId: inbox.id }, "body", "wombat"), [3]);
        assert.deepEqual(await m.searchText({ mailboxId: other.id }, "body", "WOMBAT"), [1]);
        await m.expunge(inbox.id, [3]);
        await m.expunge(other.id, [1]);
        assert.deepEqual(await m.searchText({ accountId: a.id }, "text", "wombat"), []);
      }));
  });
}
