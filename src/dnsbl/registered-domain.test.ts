import assert from "node:assert/strict";
import { test } from "node:test";
import { registeredDomain } from "./registered-domain.js";

test("registeredDomain: two labels, three under a generic second level of a two-letter ccTLD", () => {
  const cases: [string, string | null][] = [
    ["www.spam.example", "spam.example"],
    ["a.b.c.spam.example.", "spam.example"],
    ["Shop.Example.CO.UK", "example.co.uk"],
    ["x.example.com.au", "example.com.au"],
    ["example.co.uk", "example.co.uk"],
    ["co.uk", "co.uk"], // nothing more to take
    ["www.example.de", "example.de"],
    ["www.example.io", "example.io"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["localhost", null],
    ["192.0.2.1", null],
    ["[2001:db8::1]", null],
    ["1.2.3", null],
    ["bad_name.example", null],
    ["-x.example", null],
    ["", null],
    [`${"a".repeat(64)}.example`, null],
  ];
  for (const [host, want] of cases) assert.equal(registeredDomain(host), want, host);
});
