import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeXtext, encodeXtext } from "./xtext.js";

test("xtext round trip (RFC 3461 §4)", () => {
  assert.equal(decodeXtext("rfc822;bob+40example.test"), "rfc822;bob@example.test");
  assert.equal(decodeXtext("a+2Bb"), "a+b");
  assert.equal(decodeXtext("a+2b"), null);
  assert.equal(decodeXtext("a=b"), null);
  assert.equal(encodeXtext("a+b=c d"), "a+2Bb+3Dc+20d");
  assert.equal(decodeXtext(encodeXtext("x+y=z")), "x+y=z");
});
