// What the reader shows of a message (mail/body.ts): the HTML version with other text parts
// escaped, the text version, inline images by Content-ID.
import assert from "node:assert/strict";
import { test } from "node:test";
import { email } from "../state/fake-jmap";
import { htmlOf, partsByCid, textOf } from "./body";
import type { BodyPart } from "./types";

const part = (p: Partial<BodyPart>): BodyPart => ({
  partId: null,
  blobId: null,
  size: 0,
  name: null,
  type: "text/plain",
  disposition: null,
  cid: null,
  ...p,
});

test("htmlOf: the text/html parts as they are, other text parts escaped into <pre>", () => {
  const e = email({
    id: "M1",
    receivedAt: "2026-01-01T00:00:00Z",
    htmlBody: [
      part({ partId: "1", type: "text/html" }),
      part({ partId: "2", type: "text/plain" }),
      part({ partId: "3", type: "image/png" }),
    ],
    bodyValues: {
      "1": { value: "<p>Hi</p>", isTruncated: false },
      "2": { value: "<script>alert(1)</script> & 'x'", isTruncated: false },
    },
  });
  assert.equal(
    htmlOf(e),
    "<p>Hi</p>\n<pre>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#39;x&#39;</pre>\n",
  );
});

test("htmlOf: null without a text/html part; textOf joins the text parts", () => {
  const e = email({
    id: "M1",
    receivedAt: "2026-01-01T00:00:00Z",
    htmlBody: [part({ partId: "1" })],
    textBody: [part({ partId: "1" }), part({ partId: "9" }), part({})],
    bodyValues: { "1": { value: "one", isTruncated: false } },
  });
  assert.equal(htmlOf(e), null);
  assert.equal(textOf(e), "one\n\n");
});

test("partsByCid: attachments with both a Content-ID and a blob", () => {
  const a = part({ cid: "logo@x", blobId: "B1", type: "image/png" });
  const e = email({
    id: "M1",
    receivedAt: "2026-01-01T00:00:00Z",
    attachments: [a, part({ cid: "nob@x" }), part({ blobId: "B2" })],
  });
  assert.deepEqual([...partsByCid(e)], [["logo@x", a]]);
});
