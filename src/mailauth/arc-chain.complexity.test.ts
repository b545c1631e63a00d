// The ARC chain reader and the seal's hash input on hostile headers: linear in the header's size
// (one long ARC field of many tags or a long h= list; many ARC fields, of which 150 are read).
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { readArcChain, sealHashInput } from "./arc-chain.js";
import { parseHeader } from "./dkim-canon.js";

const L = (s: string) => Buffer.from(s, "latin1");

test("one ARC-Message-Signature with a huge h= list and many tags", () => {
  assertLinear(
    "ams h=",
    (n) =>
      L(
        `ARC-Seal: i=1; a=rsa-sha256; cv=none; d=a.test; s=x; b=AAAA\r\n` +
          `ARC-Authentication-Results: i=1; mx.a.test; ${"spf=pass ".repeat(n)}\r\n` +
          `ARC-Message-Signature: i=1; a=rsa-sha256; d=a.test; s=x; bh=AA; h=${"from:".repeat(n)}arc-seal; b=A\r\n\r\nx\r\n`,
      ),
    (m) => readArcChain(m, parseHeader(m).fields),
    { n: 20_000 },
  );
});

test("many ARC fields", () => {
  assertLinear(
    "arc fields",
    (n) => {
      let s = "";
      for (let i = 0; i < n; i++)
        s += `ARC-Seal: i=${(i % 60) + 1}; a=rsa-sha256; cv=pass; d=a.test; s=x; b=A\r\n`;
      return L(`${s}\r\nx\r\n`);
    },
    (m) => readArcChain(m, parseHeader(m).fields),
    { n: 5_000 },
  );
});

test("the seal's hash input over long folded fields", () => {
  assertLinear(
    "seal input",
    (n) => [
      L(`ARC-Authentication-Results: i=1; ${"a \t\r\n ".repeat(n)}`),
      L(`ARC-Seal: i=1; ${"t=1;".repeat(n)} b=${"A".repeat(n)}`),
    ],
    (raws) => sealHashInput(raws),
    { n: 20_000 },
  );
});
