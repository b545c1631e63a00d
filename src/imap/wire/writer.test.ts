import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeMailboxName, encodeMailboxName } from "./utf7.js";
import { encodeItems, Joined, Lit, MailboxName, q, quoteIfPossible } from "./writer.js";

describe("encodeItems", () => {
  const cases: [string, Parameters<typeof encodeItems>[0], boolean, string][] = [
    ["atoms and numbers", ["FETCH", 3, null], false, "FETCH 3 NIL"],
    ["nested lists", [["a", ["b", 1]], []], false, "(a (b 1)) ()"],
    ["quoted with escapes", [q('say "hi" \\o/')], false, '"say \\"hi\\" \\\\o/"'],
    ["CRLF forces a literal", [q("a\r\nb")], false, "{4}\r\na\r\nb"],
    ["8-bit forces a literal without UTF-8", [q("é")], false, "{2}\r\né"],
    ["8-bit quoted with UTF-8", [q("é")], true, '"é"'],
    ["long strings become literals", [q("x".repeat(1025))], false, `{1025}\r\n${"x".repeat(1025)}`],
    ["Lit always literal", [new Lit(Buffer.from("ab"))], false, "{2}\r\nab"],
    ["mailbox name rev1", [new MailboxName("Entwürfe & Co")], false, '"Entw&APw-rfe &- Co"'],
    ["mailbox name UTF-8", [new MailboxName("Entwürfe")], true, '"Entwürfe"'],
    ["joined", [[new Joined([["a"], ["b"]]), "MIXED"]], false, "((a)(b) MIXED)"],
  ];
  for (const [name, items, utf8, expected] of cases) {
    test(name, () => assert.equal(encodeItems(items, { utf8 }).toString("utf8"), expected));
  }

  test("NUL cannot be quoted", () => assert.equal(quoteIfPossible("a\0b", true), null));
});

describe("modified UTF-7", () => {
  const cases: [string, string][] = [
    ["INBOX", "INBOX"],
    ["a&b", "a&-b"],
    ["日本語", "&ZeVnLIqe-"],
    ["Entwürfe", "Entw&APw-rfe"],
    ["~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"],
    ["😀", "&2D3eAA-"],
  ];
  for (const [plain, encoded] of cases) {
    test(plain, () => {
      assert.equal(encodeMailboxName(plain), encoded);
      assert.equal(decodeMailboxName(encoded), plain);
    });
  }
  test("invalid input", () => {
    assert.equal(decodeMailboxName("&Jjo"), null); // unterminated
    assert.equal(decodeMailboxName("&AGE-"), null); // encodes ASCII "a"
    assert.equal(decodeMailboxName("é"), null); // 8-bit is not UTF-7
  });
});
