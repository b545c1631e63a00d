import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePlain } from "./auth.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

test("SASL PLAIN responses (RFC 4616)", () => {
  assert.deepEqual(decodePlain(b64("\0alice@example.test\0pass word")), {
    username: "alice@example.test",
    password: "pass word",
  });
  assert.deepEqual(decodePlain(b64("a@x\0a@x\0pässwörd")), { username: "a@x", password: "pässwörd" });
  // Acting as another user (authzid ≠ authcid) is refused.
  assert.equal(decodePlain(b64("bob@x\0a@x\0p")), null);
  for (const bad of ["=", "", "!!!!", "YWJj", b64("a\0b"), b64("\0\0p"), b64("\0a\0"), b64("\0a\0b\0c")])
    assert.equal(decodePlain(bad), null, bad);
});
