import assert from "node:assert/strict";
import { test } from "node:test";
import type { VacationResponse } from "../store/types.js";
import { buildVacationReply, htmlToText } from "./vacation-message.js";

const original = Buffer.from(
  "From: Ann <ann@remote.example>\r\nTo: bob@example.test\r\nSubject: Lunch\r\n =?UTF-8?B?5piO5pel?=\r\n" +
    "Message-ID: <m2@remote.example>\r\nReferences: <m1@remote.example>\r\n\r\nbody\r\n",
);
const response: VacationResponse = {
  isEnabled: true,
  fromDate: null,
  toDate: null,
  subject: null,
  textBody: "Away until Monday.",
  htmlBody: null,
};
const base = {
  original,
  response,
  from: { name: "Bob B.", email: "bob@example.test" },
  to: "ann@remote.example",
  hostname: "mail.example.test",
  now: new Date("2030-01-02T03:04:05Z"),
  maxOriginalSubjectBytes: 998,
  messageId: "r1@mail.example.test",
};

test("reply: exact bytes, Auto: subject, threading, Auto-Submitted (RFC 3834 3.1)", () => {
  assert.equal(
    buildVacationReply(base).toString(),
    [
      'From: "Bob B." <bob@example.test>',
      'To: "Ann" <ann@remote.example>',
      "Subject: Auto: Lunch =?UTF-8?B?5piO5pel?=",
      "Date: Wed, 02 Jan 2030 03:04:05 +0000",
      "Message-ID: <r1@mail.example.test>",
      "In-Reply-To: <m2@remote.example>",
      "References: <m1@remote.example> <m2@remote.example>",
      "Auto-Submitted: auto-replied",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=us-ascii",
      "Content-Transfer-Encoding: 7bit",
      "",
      "Away until Monday.",
      "",
    ].join("\r\n"),
  );
});

test("reply: the response's subject (encoded word), UTF-8 text base64, html alternative", () => {
  const r = buildVacationReply({
    ...base,
    original: Buffer.from("From: ann@remote.example\r\n\r\nx\r\n"),
    response: { ...response, subject: "不在です", textBody: "来週まで", htmlBody: "<p>Away</p>" },
  }).toString();
  assert.match(r, /\r\nSubject: =\?UTF-8\?B\?5LiN5Zyo44Gn44GZ\?=\r\n/);
  assert.doesNotMatch(r, /In-Reply-To|References/);
  assert.ok(r.includes('Content-Type: multipart/alternative; boundary="=_vacation_test"\r\n'));
  assert.ok(
    r.includes(
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5p2l6YCx44G+44Gn\r\n",
    ),
  );
  assert.ok(
    r.includes(
      "Content-Type: text/html; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>Away</p>\r\n--=_vacation_test--\r\n",
    ),
  );
});

test("reply: an original without a subject gives Auto:; a long one is cut", () => {
  const none = buildVacationReply({ ...base, original: Buffer.from("From: a@b.example\r\n\r\n") }).toString();
  assert.match(none, /\r\nSubject: Auto:\r\n/);
  const long = buildVacationReply({
    ...base,
    original: Buffer.from(`Subject: ${"x".repeat(50)}\r\n\r\n`),
    maxOriginalSubjectBytes: 20,
  }).toString();
  assert.match(long, /\r\nSubject: Auto: x{20}\r\n/);
});

test("htmlToText: tags dropped, breaks kept, entities decoded", () => {
  assert.equal(htmlToText("<p>A &amp; B</p><p>C<br>D</p><script>x</script>"), "A & B\nC\nD");
});
