// ProtocolError: closing() keeps the class, text, code and fault, and closes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolError, printable, throttledText } from "./protocol-error.js";

class TestError extends ProtocolError<"X"> {
  override name = "TestError";
}

test("closing(): the same error that closes the connection", () => {
  const e = new TestError("no", { code: "X", fault: "server" });
  const c = e.closing();
  assert.ok(c instanceof TestError);
  assert.equal(c.name, "TestError");
  assert.deepEqual([c.text, c.code, c.opts.fault, c.close], ["no", "X", "server", true]);
  assert.equal(e.close, false);
});

test("throttledText and printable", () => {
  assert.equal(throttledText(1500), "too many failed logins; try again in 2 seconds");
  assert.equal(throttledText(), "too many failed logins; try again later");
  assert.equal(printable("A B\u0000é".repeat(10)), "A?B??A?B??A?B??A?B??");
});
