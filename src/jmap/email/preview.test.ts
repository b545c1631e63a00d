// Email/get preview and sentAt, and SearchSnippet/get, on hostile stored messages through the JMAP
// API (issue 18): the answers of the linear scanners, and [jmap] previewScanBytes at work.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { defaultJmapLimits } from "../config.js";
import { type JmapTest, startJmapTest } from "../test-support.js";

let t: JmapTest;
const ids: Record<string, string> = {};
const SCAN = defaultJmapLimits().previewScanBytes;

before(async () => {
  t = await startJmapTest();
  const deliver = async (name: string, raw: string) => {
    const [d] = await t.ts.store.mail.deliver(Buffer.from(raw), [{ accountId: t.user.id }]);
    ids[name] = `M${d!.messageId}`;
  };
  await deliver(
    "lt",
    `Subject: ${"[fwd: ".repeat(2000)}hi${"]".repeat(2000)}\r\n` +
      `Date: Mon, 1 Jan 2024 10:00:00 +0000 ${"(".repeat(20_000)}\r\n` +
      `Content-Type: text/html\r\n\r\n<p>Hello <b>world</b></p><style>p{}</style>${"<".repeat(100_000)}\r\n`,
  );
  await deliver(
    "long",
    `Date: Tue, 2 Jan 2024 10:00:00 +0100 (CET)\r\nContent-Type: text/plain\r\n\r\n${"word ".repeat(SCAN / 5 + 100)}needle\r\n`,
  );
});
after(() => t.close());

test("preview and sentAt of a message of many < and (", async () => {
  const r = await t.first([
    [
      "Email/get",
      { accountId: t.accountId, ids: [ids.lt, ids.long], properties: ["preview", "sentAt"] },
      "0",
    ],
  ]);
  assert.deepEqual(r.list[0], {
    id: ids.lt,
    preview: `Hello world ${"<".repeat(244)}`,
    sentAt: null, // a Date value longer than a line (998 characters) is not a date
  });
  assert.deepEqual(r.list[1], {
    id: ids.long,
    preview: "word ".repeat(52).slice(0, 256),
    sentAt: "2024-01-02T09:00:00Z",
  });
});

test("a snippet looks at previewScanBytes of each part; Email/query still finds the term", async () => {
  const [q, s] = await t.api([
    ["Email/query", { accountId: t.accountId, filter: { body: "needle" } }, "q"],
    ["SearchSnippet/get", { accountId: t.accountId, filter: { body: "needle" }, emailIds: [ids.long] }, "s"],
  ]);
  assert.deepEqual(q![1].ids, [ids.long]);
  assert.deepEqual(s![1].list, [{ emailId: ids.long, subject: null, preview: null }]);
  const [w] = await t.api([
    ["SearchSnippet/get", { accountId: t.accountId, filter: { text: "world" }, emailIds: [ids.lt] }, "w"],
  ]);
  // 255 octets at most (RFC 8621 5.1), entities never cut.
  assert.equal(w![1].list[0].preview, `Hello <mark>world</mark> ${"&lt;".repeat(57)}`);
});
