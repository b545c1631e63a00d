import assert from "node:assert/strict";
import { test } from "node:test";
import { newRecoveryCodes, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from "./recovery.js";

test("ten distinct codes xxxxx-xxxxx without look-alike characters", () => {
  const codes = newRecoveryCodes();
  assert.equal(codes.length, RECOVERY_CODE_COUNT);
  assert.equal(new Set(codes).size, RECOVERY_CODE_COUNT);
  for (const c of codes) assert.match(c, /^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
});

test("typed in any case, with or without the dash or spaces; anything else is not a code", () => {
  assert.equal(normalizeRecoveryCode("abcde-fghjk"), "abcdefghjk");
  assert.equal(normalizeRecoveryCode(" ABCDE FGHJK"), "abcdefghjk");
  assert.equal(normalizeRecoveryCode("abcdefghjk"), "abcdefghjk");
  for (const bad of [
    "",
    "123456",
    "abcde-fghj",
    "abcde-fghjkm",
    "abcde-fghj0",
    "abcde-fghjl",
    "x".repeat(40),
  ])
    assert.equal(normalizeRecoveryCode(bad), null, bad);
});
