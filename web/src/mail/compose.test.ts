// The composer's pure helpers (mail/compose.ts): address lists parsed and written, and the
// drafts Reply, Reply all and Forward start from (RFC 5322 3.6.4).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertLinear } from "../../../src/testing/complexity";
import { email } from "../state/fake-jmap";
import {
  formatAddress,
  formatAddresses,
  forwardDraft,
  forwardSubject,
  parseAddresses,
  type ReplyLabels,
  replyDraft,
  replySubject,
} from "./compose";

const labels: ReplyLabels = {
  replyPrefix: "Re: ",
  forwardPrefix: "Fwd: ",
  wrote: (date, from) => `On ${date}, ${from} wrote:`,
  forwarded: "---- Forwarded ----",
  fieldNames: { from: "From", date: "Date", subject: "Subject", to: "To" },
  formatDate: (iso) => iso.slice(0, 10),
};

describe("parseAddresses", () => {
  test("names, angle brackets, commas and semicolons; quoted commas stay in the name", () => {
    assert.deepEqual(parseAddresses('Ann <ann@x.example>; b@y.example, "Doe, J" <j@z.example>'), {
      list: [
        { name: "Ann", email: "ann@x.example" },
        { name: null, email: "b@y.example" },
        { name: "Doe, J", email: "j@z.example" },
      ],
      bad: [],
    });
  });

  test("what is not an address is returned as bad, empty entries are skipped", () => {
    assert.deepEqual(parseAddresses(" , bob, a@b@c, <x@y>, c d@e.f ,"), {
      list: [{ name: null, email: "x@y" }],
      bad: ["bob", "a@b@c", "c d@e.f"],
    });
    assert.deepEqual(parseAddresses(""), { list: [], bad: [] });
  });

  test("linear time on a long domain that does not match (no polynomial backtracking)", () => {
    const r = parseAddresses(`a@${"b.".repeat(1000)} x`);
    assert.deepEqual(r.list, []);
    assertLinear("parseAddresses long domain", (n) => `a@${"b.".repeat(n)} x`, parseAddresses, {
      n: 500,
      maxSize: 40_000,
      repeat: 20,
    });
  });
});

describe("formatAddress", () => {
  test("a name with specials is quoted (quotes and backslashes dropped); no name, the address", () => {
    assert.equal(formatAddress({ name: "Ann", email: "a@x" }), "Ann <a@x>");
    assert.equal(formatAddress({ name: 'Doe, "J" \\', email: "j@x" }), '"Doe, J " <j@x>');
    assert.equal(formatAddress({ name: null, email: "a@x" }), "a@x");
    assert.equal(formatAddresses(null), "");
  });

  test("what formatAddresses writes, parseAddresses reads back", () => {
    const list = [
      { name: "Doe, J", email: "j@x.example" },
      { name: null, email: "b@y.example" },
    ];
    assert.deepEqual(parseAddresses(formatAddresses(list)).list, list);
  });
});

describe("reply and forward", () => {
  const original = email({
    id: "M1",
    receivedAt: "2026-03-04T05:06:07Z",
    subject: "Plans",
    from: [{ name: "Ann", email: "ann@x.example" }],
    to: [
      { name: null, email: "Me@example.com" },
      { name: "Bob", email: "bob@x.example" },
    ],
    cc: [
      { name: null, email: "ann@x.example" },
      { name: "Cy", email: "cy@x.example" },
    ],
    messageId: ["m1@x.example"],
    references: ["m0@x.example"],
    textBody: [
      { partId: "1", blobId: null, size: 0, name: null, type: "text/plain", disposition: null, cid: null },
    ],
    bodyValues: { "1": { value: "Hello\r\n> earlier", isTruncated: false } },
  });

  test("reply: to the sender, quoted, threaded (In-Reply-To, References)", () => {
    const d = replyDraft(original, "me@example.com", false, labels);
    assert.equal(d.to, "Ann <ann@x.example>");
    assert.equal(d.cc, "");
    assert.equal(d.subject, "Re: Plans");
    assert.equal(d.body, "\n\nOn 2026-03-04, Ann <ann@x.example> wrote:\n> Hello\n>> earlier\n");
    assert.deepEqual(d.inReplyTo, ["m1@x.example"]);
    assert.deepEqual(d.references, ["m0@x.example", "m1@x.example"]);
    assert.equal(d.replyToId, "M1");
  });

  test("reply all: the others in Cc, without me (any case) or the sender twice", () => {
    const d = replyDraft(original, "me@example.com", true, labels);
    assert.equal(d.cc, "Bob <bob@x.example>, Cy <cy@x.example>");
  });

  test("reply: Reply-To wins over From; a subject with Re:/AW:/返信 keeps it", () => {
    const d = replyDraft(
      { ...original, replyTo: [{ name: null, email: "list@x.example" }], subject: "AW: Plans" },
      "me@example.com",
      false,
      labels,
    );
    assert.equal(d.to, "list@x.example");
    assert.equal(d.subject, "AW: Plans");
    assert.equal(replySubject("返信: x", "Re: "), "返信: x");
    assert.equal(replySubject(null, "Re: "), "Re: ");
  });

  test("forward: the header block and the text, attachments by blob, no threading", () => {
    const att = {
      partId: "2",
      blobId: "B2",
      size: 3,
      name: "a.pdf",
      type: "application/pdf",
      disposition: "attachment",
      cid: null,
    };
    const d = forwardDraft({ ...original, attachments: [att, { ...att, blobId: null }] }, labels);
    assert.equal(d.subject, "Fwd: Plans");
    assert.equal(
      d.body,
      "\n\n---- Forwarded ----\nFrom: Ann <ann@x.example>\nDate: 2026-03-04\nSubject: Plans\nTo: Me@example.com, Bob <bob@x.example>\n\nHello\n> earlier\n",
    );
    assert.deepEqual(d.forwardParts, [att]);
    assert.equal(d.inReplyTo, null);
    assert.equal(forwardSubject("WG: x", "Fwd: "), "WG: x");
  });
});
