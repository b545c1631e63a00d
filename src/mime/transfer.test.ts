import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeTransfer } from "./transfer.js";

const dec = (s: string, enc: string) => decodeTransfer(Buffer.from(s, "latin1"), enc).toString("latin1");

describe("base64", () => {
  test("line-wrapped, with garbage and missing padding", () => {
    assert.equal(dec("SGVs\r\nbG8s\r\nIHdv\r\ncmxk", "base64"), "Hello, world");
    assert.equal(dec("SGVs bG8s*!\tIHdvcmxk\r\n", "BASE64"), "Hello, world");
    assert.equal(dec("SGk", "base64"), "Hi");
    assert.equal(dec("SGk=", "base64"), "Hi");
  });
  test("concatenated padded runs decode run by run; a lone sextet is dropped", () => {
    assert.equal(dec("QQ==Qg==", "base64"), "AB");
    assert.equal(dec("QUJD\r\nR", "base64"), "ABC");
    assert.equal(dec("", "base64"), "");
    assert.equal(dec("====", "base64"), "");
  });
  test("runs of partial quanta fill the output buffer exactly", () => {
    assert.equal(dec("QUI=".repeat(50), "base64"), "AB".repeat(50));
    assert.equal(dec("QQ=".repeat(50), "base64"), "A".repeat(50));
    assert.equal(dec("QUJDREU", "base64"), "ABCDE");
  });
  test("binary round trip", () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const wrapped = bytes.toString("base64").replace(/.{76}/g, "$&\r\n");
    assert.deepEqual(decodeTransfer(Buffer.from(wrapped), "base64"), bytes);
  });
});

describe("quoted-printable", () => {
  const cases: [string, string][] = [
    ["caf=C3=A9", "caf\xc3\xa9"],
    ["lower =c3=a9", "lower \xc3\xa9"],
    ["soft=\r\nbreak", "softbreak"],
    ["soft=\nbreak LF", "softbreak LF"],
    ["soft= \t\r\nbreak padded", "softbreak padded"],
    ["trailing   \r\nspace\t\r\n", "trailing\r\nspace\r\n"],
    ["inner  spaces kept", "inner  spaces kept"],
    ["bad =ZZ and =4", "bad =ZZ and =4"],
    ["end=", "end"],
    ["a=\r", "a"],
    ["=3D=3d", "=="],
    // An "=" in the body's last two bytes: nothing is read past the end.
    ["x=4", "x=4"],
    ["x=", "x"],
    ["x=\t", "x"],
    ["=", ""],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(dec(input, "quoted-printable"), expected));
  }
});

describe("identity and unknown encodings pass through", () => {
  for (const enc of ["7bit", "8bit", "binary", "x-uuencode", ""]) {
    test(enc || "(empty)", () => {
      const b = Buffer.from("=3D SGk=\r\n\xff", "latin1");
      assert.equal(decodeTransfer(b, enc), b);
    });
  }
});
