import assert from "node:assert/strict";
import { test } from "node:test";
import { PopBeforeSmtpMemory } from "./pop-before-smtp.js";

test("PopBeforeSmtpMemory stays bounded, dropping expired entries first, then the oldest", () => {
  let t = 0;
  const m = new PopBeforeSmtpMemory(1000, () => t, { maxEntries: 3 });
  m.note("192.0.2.1");
  t = 500;
  m.note("192.0.2.2");
  m.note("192.0.2.3");
  t = 1200; // 192.0.2.1 has expired
  m.note("192.0.2.4");
  assert.equal(m.size, 3);
  assert.equal(m.allowed("192.0.2.2"), true);
  m.note("192.0.2.2"); // refreshed: now the newest
  m.note("192.0.2.5"); // full, nothing expired: the oldest (192.0.2.3) goes
  assert.equal(m.size, 3);
  assert.equal(m.allowed("192.0.2.3"), false);
  assert.equal(m.allowed("192.0.2.2"), true);
  assert.equal(m.allowed("192.0.2.4"), true);
  assert.equal(m.allowed("192.0.2.5"), true);
  for (let i = 0; i < 1000; i++) m.note(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(m.size, 3);
});
