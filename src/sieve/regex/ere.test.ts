// POSIX ERE on the Pike VM: syntax, search semantics, captures, case folding, errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRegex, RegexError } from "./ere.js";

const m = (re: string, s: string, icase = false) => compileRegex(re, { icase }).exec(s) !== null;
const caps = (re: string, s: string) => {
  const r = compileRegex(re, { icase: false }).exec(s);
  if (r === null) return null;
  const out: string[] = [];
  for (let i = 0; i < r.length; i += 2) out.push(r[i]! < 0 ? "" : s.slice(r[i], r[i + 1]));
  return out;
};

test("literals, ., anchors, unanchored search", () => {
  assert.equal(m("abc", "xxabcxx"), true);
  assert.equal(m("^abc", "xxabc"), false);
  assert.equal(m("abc$", "abcx"), false);
  assert.equal(m("^a.c$", "abc"), true);
  assert.equal(m("^$", ""), true);
  assert.equal(m("", "anything"), true);
});

test("repetition: * + ? {m} {m,} {m,n}", () => {
  assert.equal(m("^ab*c$", "ac"), true);
  assert.equal(m("^ab+c$", "ac"), false);
  assert.equal(m("^ab?c$", "abbc"), false);
  assert.equal(m("^a{3}$", "aaa"), true);
  assert.equal(m("^a{3}$", "aaaa"), false);
  assert.equal(m("^a{2,}$", "aaaaa"), true);
  assert.equal(m("^a{2,3}$", "aaaa"), false);
  assert.equal(m("^a{2,3}$", "aa"), true);
  assert.equal(m("a{,2}", "a{,2}"), true); // not an interval: literal
});

test("alternation and groups with captures", () => {
  assert.deepEqual(caps("(foo|bar)-([0-9]+)", "x bar-42 y"), ["bar-42", "bar", "42"]);
  assert.deepEqual(caps("^(a|b)*c", "ababc"), ["ababc", "b"]);
  assert.deepEqual(caps("(x)?y", "y"), ["y", ""]);
  assert.equal(caps("^(a|b)$", "c"), null);
});

test("bracket expressions: ranges, negation, classes, ] first", () => {
  assert.equal(m("^[a-c]+$", "abcab"), true);
  assert.equal(m("^[^a-c]+$", "xyz"), true);
  assert.equal(m("^[^a-c]+$", "xaz"), false);
  assert.equal(m("^[[:digit:]]{3}$", "123"), true);
  assert.equal(m("^[[:alpha:][:space:]]+$", "ab c"), true);
  assert.equal(m("^[]a]+$", "]a]"), true);
  assert.equal(m("^[a-]+$", "a-a"), true);
});

test("quoting with backslash", () => {
  assert.equal(m("^a\\.b$", "a.b"), true);
  assert.equal(m("^a\\.b$", "axb"), false);
  assert.equal(m("\\(x\\)", "(x)"), true);
});

test("case folding: the value is folded by the caller, the pattern and classes here", () => {
  assert.equal(m("^HeLLo [A-Z]+$", "hello world", true), true);
  assert.equal(m("^[[:upper:]]+$", "abc", true), true);
  assert.equal(m("^HeLLo$", "hello", false), false);
});

test("errors: unbalanced, bad repetition, unknown class, too complex", () => {
  for (const bad of [
    "(a",
    "a)",
    "*a",
    "a{5,2}",
    "a{300}",
    "[[:nope:]]",
    "[abc",
    "a\\",
    "(((((a{200}){200}){200})))",
  ]) {
    assert.throws(() => compileRegex(bad, { icase: false }), RegexError, bad);
  }
});
