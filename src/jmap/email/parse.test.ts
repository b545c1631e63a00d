// Email/parse (RFC 8621 4.9) through jmap-jam and raw: an upload, an attached message and a
// part inside it (nested blobIds), notParsable and notFound.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type JmapTest, loadJam, startJmapTest } from "../test-support.js";

let t: JmapTest;
before(async () => {
  t = await startJmapTest();
});
after(() => t.close());

const inner =
  "From: Dan <dan@example.net>\r\nSubject: inner\r\nMessage-ID: <in@example.net>\r\n" +
  'Content-Type: multipart/mixed; boundary="i"\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n' +
  '--i\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--i--\r\n';
const outer = Buffer.from(
  "From: Carol <carol@example.org>\r\nTo: alice@example.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n" +
    "Message-ID: <out@example.org>\r\nDate: Tue, 2 Jan 2024 10:00:00 +0100\r\n" +
    'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee the forward\r\n' +
    `--o\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--o--\r\n`,
);

test("Email/parse of an upload (jmap-jam), then of the attached message inside it", async () => {
  const jam = await loadJam(t);
  const up = await fetch(`${t.base}/jmap/upload/${t.accountId}/`, {
    method: "POST",
    headers: { Authorization: t.basic, "Content-Type": "message/rfc822" },
    body: outer,
  });
  const { blobId } = (await up.json()) as { blobId: string };
  const [r] = await jam.api.Email.parse({
    accountId: t.accountId,
    blobIds: [blobId, "Gdeadbeef", "B999999"],
    properties: [
      "id",
      "mailboxIds",
      "blobId",
      "size",
      "subject",
      "from",
      "sentAt",
      "messageId",
      "attachments",
    ],
    bodyProperties: ["partId", "blobId", "type", "name"],
  });
  assert.deepEqual(r, {
    accountId: t.accountId,
    parsed: {
      [blobId]: {
        id: null,
        mailboxIds: null,
        blobId,
        size: outer.length,
        subject: "Grüße",
        from: [{ name: "Carol", email: "carol@example.org" }],
        sentAt: "2024-01-02T09:00:00Z",
        messageId: ["out@example.org"],
        attachments: [{ partId: "2", blobId: `${blobId}-2`, type: "message/rfc822", name: null }],
      },
    },
    notParsable: null,
    notFound: ["Gdeadbeef", "B999999"],
  });
  // The attached message parses in turn, and its parts' blobIds download.
  const nested = await t.first([
    [
      "Email/parse",
      {
        accountId: t.accountId,
        blobIds: [`${blobId}-2`],
        properties: ["subject", "textBody", "attachments", "bodyValues"],
        bodyProperties: ["partId", "blobId", "name"],
        fetchTextBodyValues: true,
      },
      "0",
    ],
  ]);
  const e = nested.parsed[`${blobId}-2`];
  assert.deepEqual(e, {
    subject: "inner",
    textBody: [{ partId: "1", blobId: `${blobId}-2-1`, name: null }],
    attachments: [{ partId: "2", blobId: `${blobId}-2-2`, name: "a.bin" }],
    bodyValues: { "1": { value: "inner text", isEncodingProblem: false, isTruncated: false } },
  });
  const dl = await fetch(`${t.base}/jmap/download/${t.accountId}/${blobId}-2-2/a.bin`, {
    headers: { Authorization: t.basic },
  });
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), Buffer.from([0, 1, 2]));
});

test("Email/parse: a blob that is not a message is notParsable; blobIds is required", async () => {
  const up = await fetch(`${t.base}/jmap/upload/${t.accountId}/`, {
    method: "POST",
    headers: { Authorization: t.basic, "Content-Type": "application/octet-stream" },
    body: Buffer.from("\r\n\r\njust bytes"),
  });
  const { blobId } = (await up.json()) as { blobId: string };
  const [r, bad] = await t.api([
    ["Email/parse", { accountId: t.accountId, blobIds: [blobId] }, "0"],
    ["Email/parse", { accountId: t.accountId }, "1"],
  ]);
  assert.deepEqual(r![1], { accountId: t.accountId, parsed: null, notParsable: [blobId], notFound: null });
  assert.deepEqual(bad, ["error", { type: "invalidArguments", description: "blobIds is required" }, "1"]);
});
