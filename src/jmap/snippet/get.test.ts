// SearchSnippet/get (RFC 8621 5.1): exact snippets for text / subject / body filters, terms
// under NOT ignored, notFound, and the limit on emailIds.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type JmapTest, loadJam, startJmapTest } from "../test-support.js";

let t: JmapTest;
let A: string;
let B: string;
before(async () => {
  t = await startJmapTest();
  const deliver = async (raw: string) =>
    `M${(await t.ts.store.mail.deliver(Buffer.from(raw), [{ accountId: t.user.id }]))[0]!.messageId}`;
  A = await deliver(
    "From: x@example.org\r\nSubject: Quarterly <report> & budget\r\n\r\nPlease find the budget attached.\r\n",
  );
  B = await deliver(
    "From: y@example.org\r\nSubject: lunch\r\nContent-Type: text/html\r\n\r\n<p>See <b>Budget</b> &amp; plan</p>\r\n",
  );
});
after(() => t.close());

test("SearchSnippet/get through jmap-jam: subject and preview marked and escaped", async () => {
  const jam = await loadJam(t);
  const [r] = await jam.api.SearchSnippet.get({
    accountId: t.accountId,
    filter: { text: "budget" },
    emailIds: [A, B, "M999999"],
  });
  assert.deepEqual(r, {
    accountId: t.accountId,
    list: [
      {
        emailId: A,
        subject: "Quarterly &lt;report&gt; &amp; <mark>budget</mark>",
        preview: "Please find the <mark>budget</mark> attached.",
      },
      { emailId: B, subject: null, preview: "See <mark>Budget</mark> &amp; plan" },
    ],
    notFound: ["M999999"],
  });
});

test("subject-only and body-only filters; NOT terms are not marked; limits and bad filters", async () => {
  const [s, b, n, bad] = await t.api([
    ["SearchSnippet/get", { accountId: t.accountId, filter: { subject: "report" }, emailIds: [A] }, "s"],
    ["SearchSnippet/get", { accountId: t.accountId, filter: { body: "plan" }, emailIds: [A, B] }, "b"],
    [
      "SearchSnippet/get",
      {
        accountId: t.accountId,
        filter: { operator: "NOT", conditions: [{ text: "budget" }] },
        emailIds: [A],
      },
      "n",
    ],
    ["SearchSnippet/get", { accountId: t.accountId, filter: { color: "red" }, emailIds: [A] }, "x"],
  ]);
  assert.deepEqual(s![1].list, [
    { emailId: A, subject: "Quarterly &lt;<mark>report</mark>&gt; &amp; budget", preview: null },
  ]);
  assert.deepEqual(b![1].list, [
    { emailId: A, subject: null, preview: null },
    { emailId: B, subject: null, preview: "See Budget &amp; <mark>plan</mark>" },
  ]);
  assert.deepEqual(n![1], {
    accountId: t.accountId,
    list: [{ emailId: A, subject: null, preview: null }],
    notFound: null,
  });
  assert.equal(bad![1].type, "unsupportedFilter");
  const many = Array.from({ length: 501 }, (_, i) => `M${i + 1}`);
  const [big] = await t.api([["SearchSnippet/get", { accountId: t.accountId, emailIds: many }, "0"]]);
  assert.equal(big![1].type, "requestTooLarge");
});
