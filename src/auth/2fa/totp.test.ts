// TOTP against RFC 6238's own test vector, and the window and input rules.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newTotpSecret, totpCode, totpStep, totpUri } from "./totp.js";

// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890" in base32.
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

test("RFC 6238 Appendix B (SHA-1): the 6-digit codes are the vectors' last six digits", () => {
  assert.equal(totpCode(RFC_SECRET, 59_000), "287082"); // 94287082
  assert.equal(totpCode(RFC_SECRET, 1111111109_000), "081804"); // 07081804
  assert.equal(totpCode(RFC_SECRET, 1234567890_000), "005924"); // 89005924
  assert.equal(totpCode(RFC_SECRET, 2000000000_000), "279037"); // 69279037
});

test("a code is accepted one step either side of now (RFC 6238 §5.2), not two; its step is returned", () => {
  const now = 1_700_000_000_000;
  const step = Math.floor(now / 30_000);
  assert.equal(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now), now), step);
  assert.equal(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now), step - 1);
  assert.equal(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now + 30_000), now), step + 1);
  assert.equal(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now + 60_000), now), null);
  assert.equal(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now - 60_000), now), null);
});

test("spaces are ignored; anything but six digits is refused without work", () => {
  const now = 1_700_000_000_000;
  const code = totpCode(RFC_SECRET, now);
  assert.equal(totpStep(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, now), Math.floor(now / 30_000));
  for (const bad of ["", "12345", "1234567", "abcdef", "１２３４５６", `${code}\n`.repeat(1000)])
    assert.equal(totpStep(RFC_SECRET, bad, now), null, JSON.stringify(bad.slice(0, 20)));
});

test("a new secret is 160 bits of base32; the URI names issuer and account", () => {
  const s = newTotpSecret();
  assert.match(s, /^[A-Z2-7]{32}$/);
  assert.notEqual(newTotpSecret(), s);
  const uri = new URL(totpUri({ secret: s, account: "alice@example.test", issuer: "Yubin" }));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.host, "totp");
  assert.equal(uri.searchParams.get("secret"), s);
  assert.equal(uri.searchParams.get("issuer"), "Yubin");
  assert.equal(uri.searchParams.get("digits"), "6");
  assert.equal(uri.searchParams.get("period"), "30");
  assert.match(decodeURIComponent(uri.pathname), /alice@example\.test/);
});
