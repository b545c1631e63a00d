// Signatures (RFC 3676 4.3 "-- " separator) and the vacation form's dates (mail/settings.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { dateInputToUtc, signatureBlock, swapSignature, utcToDateInput, withSignature } from "./settings";

test("signatureBlock: the '-- ' line added once; an empty signature is none", () => {
  assert.equal(signatureBlock("Ann\n"), "-- \nAnn");
  assert.equal(signatureBlock("-- \nAnn"), "-- \nAnn");
  assert.equal(signatureBlock("  \n"), "");
});

test("withSignature: below what is written, above a quote", () => {
  assert.equal(withSignature("", "Ann"), "\n\n-- \nAnn");
  assert.equal(withSignature("\n\n> quoted", "Ann"), "\n\n-- \nAnn\n\n> quoted");
  assert.equal(withSignature("text", "Ann"), "\n\n-- \nAnn\n\ntext");
  assert.equal(withSignature("text", ""), "text");
});

test("swapSignature: one identity's block for another's, or added, or removed", () => {
  const body = withSignature("\n\n> quoted", "Ann");
  assert.equal(swapSignature(body, "Ann", "Work"), "\n\n-- \nWork\n\n> quoted");
  assert.equal(swapSignature(body, "Ann", ""), "\n\n\n\n> quoted");
  assert.equal(swapSignature("\n\n> q", "", "Work"), "\n\n-- \nWork\n\n> q");
});

test("vacation dates: a day to UTC and back; the last day is exclusive (RFC 8621 8)", () => {
  assert.equal(dateInputToUtc("2030-1-2"), null);
  const from = dateInputToUtc("2030-01-02")!;
  const to = dateInputToUtc("2030-01-05", true)!;
  assert.equal(new Date(to).getTime() - new Date(from).getTime(), 4 * 86_400_000);
  assert.equal(utcToDateInput(from), "2030-01-02");
  assert.equal(utcToDateInput(to, true), "2030-01-05");
  assert.equal(utcToDateInput(null), "");
  assert.equal(utcToDateInput("garbage"), "");
});
