// Header field forms of Email/get (RFC 8621 4.1.2) in time linear in the field (issue 18): the
// Date form stripped comments with a regex that rescanned to the end at every "(" (a Date of many
// "(" blocked every reload of the inbox).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStructure } from "../../mime/parse.js";
import { assertLinear } from "../../testing/complexity.js";
import {
  blankComments,
  formValue,
  type HeaderForm,
  headerView,
  MAX_DATE_CHARS,
  parseDate,
} from "./headers.js";

test("Date of many (", () => {
  assertLinear("parseDate (", (n) => `Mon, 1 Jan 2024 10:00:00 +0000 ${"(".repeat(n)}`, parseDate, {
    n: 2000,
    minMs: 0,
  });
  assertLinear("blankComments (", (n) => "(".repeat(n), blankComments, { n: 20_000 });
  assertLinear("blankComments ()", (n) => "(a)".repeat(n / 3), blankComments, { n: 20_000 });
});

test("Date values: comments dropped, long values refused", () => {
  assert.equal(parseDate("Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"), "2024-01-01T10:00:00Z");
  assert.equal(parseDate("(x) Mon, 1 Jan (y) 2024 10:00:00 +0100"), "2024-01-01T09:00:00Z");
  assert.equal(parseDate(`Mon, 1 Jan 2024 10:00:00 +0000 (${"c".repeat(MAX_DATE_CHARS)})`), null);
  assert.equal(parseDate("not a date"), null);
});

const FORMS: HeaderForm[] = ["Raw", "Text", "Addresses", "GroupedAddresses", "MessageIds", "Date", "URLs"];

/** Every form of a field whose value is `value` (folded every 70 characters, as mail is). */
function allForms(value: string): unknown {
  const folded = value.replace(/(.{70})/g, "$1\r\n ");
  const msg = Buffer.from(`X-Hostile: ${folded}\r\n\r\nbody\r\n`);
  const v = headerView(msg, parseStructure(msg).root);
  const f = v.fields[0]!;
  return FORMS.map((form) => formValue(v, f, form));
}

test("hostile field values in every form", () => {
  // Addresses forms make a token object per character: inputs stay below the size where one
  // run's tokens outgrow V8's young generation (see the repeat option of assertLinear).
  const opts = { n: 4000, maxSize: 40_000, repeat: 10, minMs: 1 };
  assertLinear("( x n", (n) => "(".repeat(n), allForms, opts);
  assertLinear("< x n", (n) => "<".repeat(n), allForms, opts);
  assertLinear("=? x n", (n) => "=?".repeat(n / 2), allForms, opts);
});
