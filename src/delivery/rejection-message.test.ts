// The RFC 5429 2.1 rejection message: an RFC 8098 MDN (multipart/report) with the script's
// reason, the disposition "deleted", and the original's header only.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRejectionMessage } from "./rejection-message.js";

const original = Buffer.from(
  "From: Coyote <coyote@desert.example.org>\r\nTo: joe@example.com\r\nSubject: birdseed\r\nMessage-ID: <7E3.18A4234A@desert.example.org>\r\n\r\nA large body\r\n",
);

test("the MDN: header, human part with the reason, disposition, original header", () => {
  const m = buildRejectionMessage({
    original,
    reason: "I am not taking mail from you.",
    recipient: "joe@example.com",
    to: "coyote@desert.example.org",
    hostname: "mail.example.com",
    now: new Date("2030-01-15T19:53:11Z"),
    fixedId: "t1",
  }).toString();
  assert.equal(
    m,
    [
      "From: <joe@example.com>",
      "To: <coyote@desert.example.org>",
      "Subject: Automatically rejected mail",
      "Date: Tue, 15 Jan 2030 19:53:11 +0000",
      "Message-ID: <t1@mail.example.com>",
      "In-Reply-To: <7E3.18A4234A@desert.example.org>",
      "References: <7E3.18A4234A@desert.example.org>",
      "Auto-Submitted: auto-replied",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=disposition-notification;\r\n\tboundary="=_rejection_t1"',
      "",
      "--=_rejection_t1",
      "Content-Type: text/plain; charset=us-ascii",
      "Content-Transfer-Encoding: 7bit",
      "",
      "Your message to <joe@example.com> was automatically rejected by Sieve, a mail filtering language.",
      "",
      "The following reason was given:",
      "I am not taking mail from you.",
      "--=_rejection_t1",
      "Content-Type: message/disposition-notification",
      "",
      "Reporting-UA: mail.example.com; Yubin Sieve (RFC 5429)",
      "Final-Recipient: rfc822; joe@example.com",
      "Original-Message-ID: <7E3.18A4234A@desert.example.org>",
      "Disposition: automatic-action/MDN-sent-automatically; deleted",
      "",
      "--=_rejection_t1",
      "Content-Type: text/rfc822-headers",
      "",
      "From: Coyote <coyote@desert.example.org>",
      "To: joe@example.com",
      "Subject: birdseed",
      "Message-ID: <7E3.18A4234A@desert.example.org>",
      "",
      "--=_rejection_t1--",
      "",
    ].join("\r\n"),
  );
  assert.ok(!m.includes("A large body"));
});

test("a non-ASCII reason is UTF-8 in base64; 8-bit header bytes are quoted as they are", () => {
  const raw = Buffer.concat([Buffer.from("Subject: "), Buffer.from([0xe9]), Buffer.from("\r\n\r\nx\r\n")]);
  const m = buildRejectionMessage({
    original: raw,
    reason: "Non merci, déjà vu",
    recipient: "a@b.example",
    to: "c@d.example",
    hostname: "h.example",
    now: new Date(0),
  });
  assert.ok(m.includes(Buffer.from("charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")));
  const b64 = /base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(m.toString("latin1"))?.[1] ?? "";
  assert.ok(Buffer.from(b64, "base64").toString("utf8").endsWith("given:\r\nNon merci, déjà vu"));
  assert.ok(m.includes(Buffer.concat([Buffer.from("Subject: "), Buffer.from([0xe9]), Buffer.from("\r\n")])));
});
