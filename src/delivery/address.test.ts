import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addressKey, normalizeDomain, normalizeLocal, parseAddress, plusBase } from "./address.js";

describe("parseAddress", () => {
  const good: [string, string, string][] = [
    ["alice@example.org", "alice", "example.org"],
    ["Alice.Smith@Example.ORG", "Alice.Smith", "Example.ORG"],
    ["a+tag@x.example", "a+tag", "x.example"],
    ["!#$%&'*+-/=?^_`{|}~@example.org", "!#$%&'*+-/=?^_`{|}~", "example.org"],
    ['"john doe"@example.org', '"john doe"', "example.org"],
    ['"a@b"@example.org', '"a@b"', "example.org"],
    ['"quote\\"inside"@example.org', '"quote\\"inside"', "example.org"],
    ['""@example.org', '""', "example.org"],
    ["用户@例子.广告", "用户", "例子.广告"], // RFC 6531: UTF-8 local part, U-label domain
    ["josé@bücher.de", "josé", "bücher.de"],
    ["postmaster@localhost", "postmaster", "localhost"],
    ["x@xn--bcher-kva.de", "x", "xn--bcher-kva.de"],
    ["x@a-b.c-d.example", "x", "a-b.c-d.example"],
    ["x@[192.0.2.1]", "x", "[192.0.2.1]"],
    ["x@[IPv6:2001:db8::1]", "x", "[IPv6:2001:db8::1]"],
    [`${"l".repeat(64)}@example.org`, "l".repeat(64), "example.org"],
    [`x@${"a".repeat(63)}.example`, "x", `${"a".repeat(63)}.example`],
    [`x@${Array(64).fill("abc").join(".")}`, "x", Array(64).fill("abc").join(".")], // 255 octets
  ];
  for (const [input, local, domain] of good) {
    test(`accepts ${input.length > 50 ? `${input.slice(0, 40)}…` : input}`, () => {
      assert.deepEqual(parseAddress(input), { local, domain });
    });
  }

  const bad: [string, string][] = [
    ["", "empty"],
    ["alice", "no @"],
    ["@example.org", "empty local part"],
    ["alice@", "empty domain"],
    [".alice@example.org", "leading dot"],
    ["alice.@example.org", "trailing dot"],
    ["al..ice@example.org", "double dot"],
    ["al ice@example.org", "space outside quotes"],
    ["al(ice)@example.org", "comment characters"],
    ["a,b@example.org", "comma"],
    ['"unterminated@example.org', "open quote"],
    ['"bad\\\u0001"@example.org', "quoted control character"],
    ['"tab\t"@example.org', "tab in quotes"],
    ["a\u0000b@example.org", "NUL"],
    ["a\u0085b@example.org", "C1 control"],
    ["a\ud800b@example.org", "lone surrogate"],
    ["alice@example..org", "empty label"],
    ["alice@example.org.", "trailing dot in domain"],
    ["alice@.example.org", "leading dot in domain"],
    ["alice@-example.org", "label starting with hyphen"],
    ["alice@example-.org", "label ending with hyphen"],
    ["alice@exa_mple.org", "underscore"],
    ["alice@exa mple.org", "space in domain"],
    ["<alice@example.org>", "angle brackets"],
    [`${"l".repeat(65)}@example.org`, "local part over 64 octets"],
    [`${"é".repeat(33)}@example.org`, "local part of 33 characters but 66 octets"],
    [`x@${"a".repeat(64)}.example`, "label over 63 octets"],
    [`x@${Array(64).fill("abc").join(".")}.a`, "domain over 255 octets"],
    ["x@[300.0.0.1]", "bad IPv4 literal"],
    ["x@[2001:db8::1]", "IPv6 literal without the tag"],
    ["x@[IPv6:zz::1]", "bad IPv6 literal"],
    ["x@[]", "empty literal"],
  ];
  for (const [input, why] of bad) {
    test(`rejects: ${why}`, () => {
      assert.equal(parseAddress(input), null);
    });
  }
});

describe("normalization", () => {
  test("domains compare in lower case, IDNs as A-labels", () => {
    assert.equal(normalizeDomain("Example.ORG"), "example.org");
    assert.equal(normalizeDomain("BÜCHER.de"), "xn--bcher-kva.de");
    assert.equal(normalizeDomain("xn--bcher-kva.de"), "xn--bcher-kva.de");
    assert.equal(normalizeDomain("[IPv6:2001:DB8::1]"), "[ipv6:2001:db8::1]");
  });

  test("local parts compare in lower case, needless quotes removed", () => {
    assert.equal(normalizeLocal("Alice"), "alice");
    assert.equal(normalizeLocal('"Alice"'), "alice");
    assert.equal(normalizeLocal('"john doe"'), '"john doe"');
    assert.equal(normalizeLocal('"a\\b"'), "ab");
  });

  test("addressKey makes equivalent spellings equal", () => {
    const k = (s: string) => {
      const p = parseAddress(s);
      assert.ok(p, s);
      return addressKey(p);
    };
    assert.equal(k("Alice@Example.org"), k("alice@EXAMPLE.ORG"));
    assert.equal(k('"alice"@example.org'), k("alice@example.org"));
    assert.equal(k("josé@bücher.de"), "josé@xn--bcher-kva.de");
    assert.notEqual(k("alice@example.org"), k("alice2@example.org"));
  });

  test("plusBase", () => {
    assert.equal(plusBase("alice+lists"), "alice");
    assert.equal(plusBase("alice+a+b"), "alice");
    assert.equal(plusBase("alice"), null);
    assert.equal(plusBase("+alice"), null);
    assert.equal(plusBase('"a+b"'), null);
  });
});
