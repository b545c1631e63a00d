import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "./address.js";
import type { EnvelopeAddress } from "./types.js";

const a = (name: string | null, mailbox: string | null, host: string | null): EnvelopeAddress => ({
  name,
  mailbox,
  host,
});
const END = a(null, null, null);

describe("parseAddressList", () => {
  const cases: [string, EnvelopeAddress[]][] = [
    ["", []],
    [" , ,", []],
    ["user@example.com", [a(null, "user", "example.com")]],
    ["<user@example.com>", [a(null, "user", "example.com")]],
    ["Joe  Q.  Public <jqp@example.com>", [a("Joe Q. Public", "jqp", "example.com")]],
    ['"Last, First" <f@x.org>, g@y.org', [a("Last, First", "f", "x.org"), a(null, "g", "y.org")]],
    ['"quoted\\\\back" <q@x>', [a("quoted\\back", "q", "x")]],
    ["=?UTF-8?Q?J=C3=B6rg?= <j@x.de>", [a("=?UTF-8?Q?J=C3=B6rg?=", "j", "x.de")]],
    ["u@x (Real (nested) Name)", [a("Real (nested) Name", "u", "x")]],
    ["Name (comment) <u@x>", [a("Name", "u", "x")]],
    ["john . doe @ example . com", [a(null, "john.doe", "example.com")]],
    ["<@a.example,@b.example:u@x>", [{ name: null, adl: "@a.example,@b.example", mailbox: "u", host: "x" }]],
    ["Route <@a.example (relay) :u@x>", [{ name: "Route", adl: "@a.example", mailbox: "u", host: "x" }]],
    ["u@[192.0.2.1]", [a(null, "u", "[192.0.2.1]")]],
    ["nobody", [a(null, "nobody", MISSING_DOMAIN)]],
    ["Name <>", [a("Name", MISSING_MAILBOX, MISSING_DOMAIN)]],
    ["@x", [a(null, MISSING_MAILBOX, "x")]],
    ["undisclosed-recipients:;", [a(null, "undisclosed-recipients", null), END]],
    [
      "A Group: a@x, B <b@y>; c@z",
      [a(null, "A Group", null), a(null, "a", "x"), a("B", "b", "y"), END, a(null, "c", "z")],
    ],
    ["Open group: a@x", [a(null, "Open group", null), a(null, "a", "x"), END]],
    ['"unterminated <u@x>', [a(null, '"unterminated <u@x>', MISSING_DOMAIN)]],
    ["Name <u@x", [a("Name", "u", "x")]],
    ["Name <u@x> trailing junk, v@y", [a("Name", "u", "x"), a(null, "v", "y")]],
    ["Grüße <g@x>", [a("Grüße", "g", "x")]],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(parseAddressList(input), expected));
  }
});
