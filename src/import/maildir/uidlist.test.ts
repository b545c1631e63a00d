// dovecot-uidlist (versions 3 and 1, the latter also Courier's courierimapuiddb) and
// dovecot-keywords, as Dovecot writes them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseKeywords, parseUidList } from "./uidlist.js";

test("version 3: UIDVALIDITY, next UID and each base name's UID", () => {
  // Written by Dovecot 2.3.19 (src/testing/dovecot.ts), plus extension fields as it writes them
  // for messages whose sizes it cached.
  const text = [
    "3 V1796594505 N9 Gd8a4ae1549db156b9c7c000083ecc375",
    "1 :1796594505.M363767P31900.vm,S=487,W=504",
    "2 W504 S487 :1796594505.M399675P31900.vm,S=487,W=504",
    "7 G3f9a :1796594506.M1P2.vm:2,S",
    "",
  ].join("\n");
  const u = parseUidList(text);
  assert.ok(u);
  assert.equal(u.uidValidity, 1796594505);
  assert.equal(u.uidNext, 9);
  assert.deepEqual(
    [...u.uids],
    [
      ["1796594505.M363767P31900.vm,S=487,W=504", 1],
      ["1796594505.M399675P31900.vm,S=487,W=504", 2],
      ["1796594506.M1P2.vm", 7],
    ],
  );
});

test("a header behind its entries (Dovecot updates N lazily) gives a next UID past them", () => {
  const u = parseUidList("3 V5 N1 Gabc\n1 :a\n2 :b\n3 :c\n");
  assert.equal(u?.uidNext, 4);
  assert.equal(parseUidList("3 V5\n12 :a\n")?.uidNext, 13);
});

test("version 1 (Dovecot 1.0, Courier's courierimapuiddb)", () => {
  const u = parseUidList("1 1234567 10\n3 1100000000.1234.host\n4 1100000001.55.host:2,S\n");
  assert.ok(u);
  assert.equal(u.uidValidity, 1234567);
  assert.equal(u.uidNext, 10);
  assert.deepEqual(
    [...u.uids],
    [
      ["1100000000.1234.host", 3],
      ["1100000001.55.host", 4],
    ],
  );
});

test("damaged entries are left out; repeated UIDs and names keep the first", () => {
  const u = parseUidList(
    [
      "3 V7 N20",
      "x :bad",
      "0 :zero",
      "4294967296 :too-big",
      "5",
      "6 no-colon",
      "8 :a",
      "8 :b",
      "9 :a",
      "10 :",
      "11 :c",
    ].join("\n"),
  );
  assert.deepEqual(
    [...(u?.uids ?? [])],
    [
      ["a", 8],
      ["c", 11],
    ],
  );
});

test("an unknown version or a header without UIDVALIDITY is no uidlist", () => {
  assert.equal(parseUidList(""), null);
  assert.equal(parseUidList("4 V1 N2\n1 :a\n"), null);
  assert.equal(parseUidList("3 N2\n1 :a\n"), null);
  assert.equal(parseUidList("3 V0 N2\n"), null);
  assert.equal(parseUidList("1 abc 2\n"), null);
});

test("dovecot-keywords: index to keyword, a to z only, atoms only", () => {
  const k = parseKeywords(
    "0 $Forwarded\n1 project-x\n25 last\n26 beyond-z\n2 has space\n3 (paren\nx y\n\n4 $Junk\r\n",
  );
  assert.deepEqual(
    [...k],
    [
      [0, "$Forwarded"],
      [1, "project-x"],
      [25, "last"],
      [4, "$Junk"],
    ],
  );
});
