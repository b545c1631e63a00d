// The depth guard in front of the browser's parser (issue 18, finding 7): the count it makes, the
// text shown instead, linear time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertLinear } from "../../../src/testing/complexity";
import { markupText, maxOpenTags } from "./open-tags";

describe("maxOpenTags", () => {
  test("counts start tags open at once; void elements and end tags do not stay open", () => {
    assert.equal(maxOpenTags("<div><p>a</p><p>b</p></div>"), 2);
    assert.equal(maxOpenTags("<br><IMG src=x><hr/><wbr>text"), 0);
    assert.equal(maxOpenTags(`${"<x-a>".repeat(5)}${"</x-a>".repeat(5)}<b>`), 5);
    assert.equal(maxOpenTags("a < b, 1<2, <!-- c -->, </ >"), 0);
  });
});

describe("markupText", () => {
  test("tags, comments and doctypes go; a literal < stays", () => {
    assert.equal(
      markupText("<!doctype html><p class=x>a &amp; b</p><!-- c -->1 < 2<br/>end<x"),
      "a &amp; b1 < 2end",
    );
  });
});

describe("linear time", () => {
  const inputs: [string, (n: number) => string][] = [
    ["unclosed tags", (n) => "<a".repeat(n)],
    ["lone <", (n) => "<".repeat(n)],
    ["nesting", (n) => "<x-a>".repeat(n)],
  ];
  for (const [name, make] of inputs) {
    test(name, () => {
      assertLinear(`maxOpenTags ${name}`, make, maxOpenTags, { n: 50_000, minMs: 4, maxRatio: 24 });
      assertLinear(`markupText ${name}`, make, markupText, { n: 50_000, minMs: 4, maxRatio: 24 });
    });
  }
});
