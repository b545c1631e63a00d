import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeSaslBase64 } from "./base64.js";
import { decodeLoginField } from "./login.js";
import { decodePlain } from "./plain.js";

test("PLAIN decoding (RFC 4616)", () => {
  assert.deepEqual(decodePlain(Buffer.from("\0alice@example.test\0pw")), {
    username: "alice@example.test",
    password: "pw",
  });
  assert.deepEqual(decodePlain(Buffer.from("alice@example.test\0alice@example.test\0pw")), {
    username: "alice@example.test",
    password: "pw",
  });
  assert.deepEqual(decodePlain(Buffer.from("bob@example.test\0alice@example.test\0pw")), {
    error: "authzid",
  });
  assert.deepEqual(decodePlain(Buffer.from("alice\0pw")), { error: "syntax" });
  assert.deepEqual(decodePlain(Buffer.from("\0a\0b\0c")), { error: "syntax" });
  assert.deepEqual(decodePlain(Buffer.from([0, 0xff, 0, 0x41])), { error: "syntax" });
});

test("strict base64 and LOGIN fields", () => {
  assert.equal(decodeSaslBase64("YWxpY2U=")?.toString(), "alice");
  assert.equal(decodeSaslBase64("=")?.length, 0);
  assert.equal(decodeSaslBase64("YWxpY2U"), null);
  assert.equal(decodeSaslBase64("YW*pY2U="), null);
  assert.equal(decodeLoginField(Buffer.from("bob")), "bob");
  assert.equal(decodeLoginField(Buffer.from("")), null);
});
