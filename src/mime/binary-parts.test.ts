import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeBinaryParts } from "./binary-parts.js";

const bin = Buffer.from([0x00, 0x2d, 0xe4, 0x0a, 0x0d, 0x0a, 0x0a]);

test("encodeBinaryParts: a single binary part becomes base64, its other header fields kept", () => {
  const msg = Buffer.concat([
    Buffer.from(
      "From: a@x\r\nContent-Transfer-Encoding:\r\n binary\r\nContent-Type: application/octet-stream\r\n\r\n",
    ),
    bin,
  ]);
  assert.equal(
    encodeBinaryParts(msg).toString("latin1"),
    "From: a@x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAC3kCg0KCg==",
  );
});

test("encodeBinaryParts: in a multipart only the binary leaves change; text is left as it is", () => {
  const msg = Buffer.concat([
    Buffer.from(
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/x\r\n\r\n',
    ),
    bin,
    Buffer.from("\r\n--b--\r\n"),
  ]);
  assert.equal(
    encodeBinaryParts(msg).toString("latin1"),
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/x\r\nContent-Transfer-Encoding: base64\r\n\r\nAC3kCg0KCg==\r\n--b--\r\n',
  );
});

test("encodeBinaryParts: nothing binary, the same buffer", () => {
  const msg = Buffer.from("From: a@x\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9\r\n", "latin1");
  assert.equal(encodeBinaryParts(msg), msg);
});

test("encodeBinaryParts: long binary content in lines of 76 (RFC 2045 6.8)", () => {
  const msg = Buffer.concat([Buffer.from("Content-Transfer-Encoding: binary\r\n\r\n"), Buffer.alloc(200, 0)]);
  const lines = encodeBinaryParts(msg).toString("latin1").split("\r\n").slice(2);
  assert.deepEqual(
    lines.map((l) => l.length),
    [76, 76, 76, 40],
  );
});
