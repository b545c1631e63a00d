// The mbox writer runs on every stored message, whatever a sender put in it: linear in the
// message however many lines, ">" runs or header fields it has.
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { mboxEntry } from "./mbox-writer.js";

const date = new Date(0);

test("mboxEntry is linear (many lines, long > runs, many header fields)", () => {
  const run = (b: Buffer) => mboxEntry(b, ["\\Seen", "k"], date);
  assertLinear(
    "mbox entry many From lines",
    (n) => Buffer.from(`S: x\r\n\r\n${">From a\r\n".repeat(n)}`),
    run,
    { n: 5000 },
  );
  assertLinear("mbox entry long > run", (n) => Buffer.from(`S: x\r\n\r\n${">".repeat(n)}From\r\n`), run, {
    n: 100_000,
    maxSize: 4_000_000,
  });
  assertLinear(
    "mbox entry many fields",
    (n) => Buffer.from(`${"Status: R\r\n X\r\n".repeat(n)}\r\nb\r\n`),
    run,
    { n: 2000 },
  );
});
