import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePathArg } from "./path.js";

describe("parsePathArg", () => {
  test("addresses and parameters", () => {
    const r = parsePathArg("FROM:<Alice@Example.TEST> SIZE=100 body=8BITMIME SMTPUTF8", "FROM");
    assert.ok(r.ok);
    assert.equal(r.path.address, "Alice@Example.TEST");
    assert.equal(r.path.domain, "Example.TEST");
    assert.deepEqual(r.path.params, [
      { key: "SIZE", value: "100" },
      { key: "BODY", value: "8BITMIME" },
      { key: "SMTPUTF8", value: null },
    ]);
  });

  test("null sender, space after colon, source route, quoted local part", () => {
    const n = parsePathArg("FROM:<>", "FROM");
    assert.ok(n.ok && n.path.address === "");
    const sp = parsePathArg("to: <bob@example.test>", "TO");
    assert.ok(sp.ok && sp.path.address === "bob@example.test");
    const sr = parsePathArg("TO:<@relay.example,@b.example:bob@example.test>", "TO");
    assert.ok(sr.ok && sr.path.address === "bob@example.test");
    const q = parsePathArg('TO:<"a>b c"@example.test>', "TO");
    assert.ok(q.ok && q.path.address === '"a>b c"@example.test');
  });

  test("UTF-8 addresses are flagged", () => {
    const r = parsePathArg("TO:<用户@例子.test>", "TO");
    assert.ok(r.ok);
    assert.equal(r.path.utf8, true);
    assert.equal(r.path.local, "用户");
  });

  const bad = [
    ["FROM:alice@example.test", "FROM"],
    ["FROM:<alice@example.test", "FROM"],
    ["TO:<>", "TO"],
    ["TO:<no-at-sign>", "TO"],
    ["TO:<a@b> X=", "TO"],
    ["TO:<a@b> SIZE=1 SIZE=2", "TO"],
    ["TO:<a@b>SIZE=1", "TO"],
    ["FROM <a@b>", "FROM"],
    [`TO:<${"a".repeat(65)}@example.test>`, "TO"],
  ] as const;
  for (const [arg, kw] of bad) {
    test(`rejects ${arg.slice(0, 40)}`, () => {
      assert.equal(parsePathArg(arg, kw).ok, false);
    });
  }
});
