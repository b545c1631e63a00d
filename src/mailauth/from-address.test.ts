// fromAddresses: its own reading of the plain forms gives nodemailer's addresses, on hand-picked
// values and on 60,000 generated ones (a seeded generator: the same values every run).
import assert from "node:assert/strict";
import { test } from "node:test";
import addressparser from "nodemailer/lib/addressparser/index.js";
import { fromAddresses } from "./from-address.js";

function nodemailers(value: string): string[] {
  const out: string[] = [];
  for (const a of addressparser(value)) if ("address" in a && a.address) out.push(a.address);
  return out;
}

test("hand-picked From values read as nodemailer reads them", () => {
  const values = [
    "Bench <bench@remote.example>",
    "bench@remote.example",
    '"Smith, John" <j@x.example>',
    '"a@b" <c@d.example>',
    '"" <a@b.example>',
    "<a@b.example>",
    "A B <a.b+c@d-e.example>",
    "a..b@c.example",
    ".a@b.example",
    "a@b.example.",
    "a@b.example>",
    "Näme <a@b.example>",
    "A <a@b.c> ",
    "a@b.c, d@e.f",
    "=?utf-8?q?J=C3=B6rg?= <j@x.example>",
    "Alice <alice@a.test>, Bob <bob@b.test>",
    "a@b (comment)",
    'x <"quoted local"@b.example>',
    "group: a@b.example, c@d.example;",
    "",
  ];
  for (const v of values) assert.deepEqual(fromAddresses(v), nodemailers(v), JSON.stringify(v));
});

test("generated plain forms read as nodemailer reads them", () => {
  let seed = 17;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = (a: string, n: number) =>
    Array.from({ length: n }, () => a[Math.floor(rand() * a.length)]).join("");
  const LOCAL = "aZ09._+-";
  const DOMAIN = "aZ09-";
  const NAME = "aZ09 ";
  const QUOTED = "aZ09 ,;:@<>().[]'!#";
  for (let i = 0; i < 60000; i++) {
    const addr = `${pick(LOCAL, 1 + (i % 5))}@${pick(DOMAIN, 1 + (i % 3))}.${pick(DOMAIN, 1 + (i % 4))}${i % 7 === 0 ? `.${pick(DOMAIN, 2)}` : ""}`;
    const space = i % 2 ? " " : "";
    const v =
      i % 3 === 0
        ? addr
        : i % 3 === 1
          ? `${pick(NAME, i % 6)}${space}<${addr}>`
          : `"${pick(QUOTED, i % 8)}"${space}<${addr}>`;
    assert.deepEqual(fromAddresses(v), nodemailers(v), JSON.stringify(v));
  }
});
