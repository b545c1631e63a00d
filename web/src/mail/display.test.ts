// Names, list dates and sizes as the page shows them (mail/display.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { displayName, listDateForm, sizeIn } from "./display";

test("displayName: the first address's name, else its address, else nothing", () => {
  assert.equal(
    displayName([
      { name: "Ann", email: "a@x" },
      { name: "Bob", email: "b@x" },
    ]),
    "Ann",
  );
  assert.equal(displayName([{ name: "", email: "a@x" }]), "a@x");
  assert.equal(displayName([{ name: null, email: "a@x" }]), "a@x");
  assert.equal(displayName([]), "");
  assert.equal(displayName(null), "");
});

test("listDateForm: time today, day and month this year, the full date before", () => {
  const now = new Date(2026, 11, 6, 14, 30);
  assert.equal(listDateForm(new Date(2026, 11, 6, 0, 1), now), "time");
  assert.equal(listDateForm(new Date(2026, 11, 5, 23, 59), now), "dayMonth");
  assert.equal(listDateForm(new Date(2026, 0, 1), now), "dayMonth");
  assert.equal(listDateForm(new Date(2025, 11, 6, 14, 30), now), "full", "same day, last year");
});

test("sizeIn: bytes, KiB (at least 1), MiB with one decimal", () => {
  assert.deepEqual(sizeIn(0), { unit: "b", n: 0 });
  assert.deepEqual(sizeIn(1023), { unit: "b", n: 1023 });
  assert.deepEqual(sizeIn(1024), { unit: "kb", n: 1 });
  assert.deepEqual(sizeIn(1536), { unit: "kb", n: 2 });
  assert.deepEqual(sizeIn(1024 * 1024 - 1), { unit: "kb", n: 1024 });
  assert.deepEqual(sizeIn(1024 * 1024), { unit: "mb", n: "1.0" });
  assert.deepEqual(sizeIn(5.25 * 1024 * 1024), { unit: "mb", n: "5.3" });
});
