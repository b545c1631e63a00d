import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeHeaderValue } from "./encoded-word.js";

const b64 = (bytes: number[] | string) =>
  (typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes)).toString("base64");

describe("decodeHeaderValue", () => {
  const cases: [string, string][] = [
    ["plain text", "plain text"],
    ["=?utf-8?q?caf=C3=A9?=", "café"],
    ["=?UTF-8?B?Y2Fmw6k=?=", "café"],
    ["a =?utf-8?q?b?= c", "a b c"],
    ["=?utf-8?q?a?=  \r\n =?utf-8?q?b?=", "ab"], // RFC 2047 6.2: whitespace between words dropped
    ["=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b"],
    ["=?utf-8?q?hello_world?=", "hello world"],
    ["=?utf-8*en?q?lang?=", "lang"], // RFC 2231 5 language suffix
    ["=?iso-8859-1?q?caf=E9?= =?windows-1252?q?=80?=", "café€"],
    ["=?ISO-8859-2?Q?=A3=F3d=BC?=", "Łódź"],
    ["=?koi8-r?b?" + b64([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]) + "?=", "Привет"],
    ["=?shift_jis?b?" + b64([0x93, 0xfa, 0x96, 0x7b]) + "?=", "日本"],
    ["=?euc-jp?b?" + b64([0xc6, 0xfc, 0xcb, 0xdc]) + "?=", "日本"],
    ["=?iso-2022-jp?b?" + b64("\x1b$BF|K\\\x1b(B") + "?=", "日本"],
    // A UTF-8 character split across two words is decoded whole.
    ["=?utf-8?b?" + b64([0xe2, 0x98]) + "?= =?utf-8?b?" + b64([0x95]) + "?=", "☕"],
    ["=?x-unknown?q?abc?= ok", "=?x-unknown?q?abc?= ok"],
    ["=?utf-8?b?not*base64?=", "=?utf-8?b?not*base64?="],
    ["=?utf-8?q?bad=ZZ?=", "=?utf-8?q?bad=ZZ?="],
    ["=?utf-8?x?what?=", "=?utf-8?x?what?="],
    ["=?utf-8?q?unterminated", "=?utf-8?q?unterminated"],
    ["pre=?utf-8?q?glued?=post", "pregluedpost"],
    ["=?utf-8?q?a?= =?x-bad?q?b?= =?utf-8?q?c?=", "a =?x-bad?q?b?= c"],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(decodeHeaderValue(input), expected));
  }
});
