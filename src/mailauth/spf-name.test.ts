import assert from "node:assert/strict";
import { test } from "node:test";
import { cutToQueryLength, MAX_QUERY_NAME } from "./spf-name.js";

/** The cut as spf.ts did it before: one label off the left at a time while over 253. */
function labelByLabel(name: string): string {
  let n = name;
  while (n.length > MAX_QUERY_NAME) {
    const dot = n.indexOf(".");
    if (dot < 0) break;
    n = n.slice(dot + 1);
  }
  return n;
}

/** A deterministic pseudo-random sequence (xorshift), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test("the one-scan cut gives the names the label-by-label cut gave", () => {
  const fixed = [
    "",
    "a.test",
    "x".repeat(253),
    "x".repeat(254),
    "x".repeat(4096),
    `${"x".repeat(4000)}.test`, // the only dot too far left: what follows it is kept
    `${"a".repeat(9)}.${"b".repeat(243)}`, // exactly 253: unchanged
    `${"a".repeat(11)}.${"b".repeat(243)}`, // 255: the cut leaves 243
    `.${"b".repeat(253)}`, // the dot at length-254: the cut leaves exactly 253
    `.${"b".repeat(252)}.c`, // one dot at length-254 and one past it: the first one counts
    `${"a.".repeat(200)}test`,
    `${"a".repeat(60)}.`.repeat(70),
    `${".".repeat(300)}x`,
  ];
  for (const name of fixed)
    assert.equal(cutToQueryLength(name), labelByLabel(name), `${name.length}: ${name.slice(0, 40)}`);

  const next = rng(20261208);
  for (let i = 0; i < 2000; i++) {
    const labels: string[] = [];
    const want = 200 + Math.floor(next() * 600);
    let len = 0;
    while (len < want) {
      const l = "abc".repeat(22).slice(0, Math.floor(next() * 64)); // 0-63 characters, empty labels too
      labels.push(l);
      len += l.length + 1;
    }
    const name = labels.join(".");
    assert.equal(cutToQueryLength(name), labelByLabel(name), `case ${i}: length ${name.length}`);
  }
});

test("a cut name is at most 253 characters and starts a label of the original", () => {
  const name = `${"l".repeat(60)}.`.repeat(68) + "x.cut.test"; // ~4,100 characters, as a macro bound allows
  const cut = cutToQueryLength(name);
  assert.ok(cut.length <= MAX_QUERY_NAME, `${cut.length}`);
  assert.ok(cut.length > MAX_QUERY_NAME - 62, "no more than one label too many dropped");
  assert.ok(name.endsWith(cut) && name[name.length - cut.length - 1] === ".");
});
