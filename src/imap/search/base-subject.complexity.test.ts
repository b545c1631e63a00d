// RFC 5256 2.1 base subject in time linear in the subject (issue 18): SORT and THREAD compute it
// for every message of a mailbox, and a Subject of "[fwd: " x K ... "]" x K took 8 s for 288 KB.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { baseSubject, MAX_SUBJECT_CHARS } from "./base-subject.js";

// Inputs stay within MAX_SUBJECT_CHARS, so the linearity itself is measured, not the cut; each
// run takes the base subject 20 times, so that even the small one lasts some milliseconds.
const opts = { n: MAX_SUBJECT_CHARS / 16, maxSize: MAX_SUBJECT_CHARS };
const fit = (s: string) => s.slice(0, MAX_SUBJECT_CHARS);
const baseSubject20 = (s: string) => {
  for (let i = 0; i < 20; i++) baseSubject(s);
};

test("[fwd: x K ... ] x K", () => {
  const make = (k: number) => fit(`${"[fwd: ".repeat(k / 7)}x${"]".repeat(k / 7)}`);
  assertLinear("nested [fwd:", make, baseSubject20, opts);
});

test("Re: [blob] Fwd: layers", () => {
  const make = (k: number) => fit(`${"Re: [blob] Fwd: ".repeat(k / 16)}x`);
  assertLinear("Re: [blob] Fwd:", make, baseSubject20, opts);
});

test("many list blobs with no leader after them", () => {
  const make = (k: number) => fit(`${"[a]".repeat(k / 3)}x`);
  assertLinear("[a] x K", make, baseSubject20, opts);
});

test("trailing (fwd) x K and unclosed blobs", () => {
  assertLinear("(fwd) x K", (k) => fit(`x${" (fwd)".repeat(k / 6)}`), baseSubject20, opts);
  assertLinear("[ x K", (k) => fit(`Re: ${"[".repeat(k)}`), baseSubject20, opts);
});

test("a subject longer than MAX_SUBJECT_CHARS is looked at up to there", () => {
  const big = `${"[fwd: ".repeat(200_000)}x${"]".repeat(200_000)}`;
  assert.deepEqual(baseSubject(big), baseSubject(big.slice(0, MAX_SUBJECT_CHARS)));
  assert.deepEqual(baseSubject(`Re: ${"a".repeat(MAX_SUBJECT_CHARS)}`), {
    base: "a".repeat(MAX_SUBJECT_CHARS - 4),
    isReply: true,
  });
});
