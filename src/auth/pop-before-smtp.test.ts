import assert from "node:assert/strict";
import { test } from "node:test";
import { popBeforeSmtpKey } from "./pop-before-smtp.js";

test("an IPv4 client is one key whether seen on an IPv4 or a dual-stack socket", () => {
  assert.equal(popBeforeSmtpKey("::ffff:192.0.2.1"), popBeforeSmtpKey("192.0.2.1"));
  assert.equal(popBeforeSmtpKey("2001:DB8::1"), popBeforeSmtpKey("2001:db8::1"));
  assert.notEqual(popBeforeSmtpKey("192.0.2.1"), popBeforeSmtpKey("192.0.2.10"));
});
