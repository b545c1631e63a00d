// The mbox splitter and the state-field scan run on files from anywhere (an import of a
// stranger's mailbox): linear in their input whatever its shape.
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { MboxSplitter } from "./split.js";
import { stripStateFields } from "./state-headers.js";

test("splitting is linear in the input (long lines, many lines, many From lines, many >)", () => {
  const run = (b: Buffer) => {
    const s = new MboxSplitter({ maxMessageBytes: 64 * 1024 * 1024 });
    for (let i = 0; i < b.length; i += 65536) s.push(b.subarray(i, i + 65536));
    s.end();
  };
  assertLinear(
    "mbox many short messages",
    (n) => Buffer.from("From a Thu Nov 24 18:22:48 1986\nS: x\n\nb\n\n".repeat(n)),
    run,
    { n: 2000 },
  );
  assertLinear(
    "mbox one long line",
    (n) => Buffer.from(`From a Thu Nov 24 18:22:48 1986\n\n${"x".repeat(n)}\n`),
    run,
    { n: 100_000, maxSize: 4_000_000 },
  );
  assertLinear(
    "mbox many > before From",
    (n) => Buffer.from(`From a Thu Nov 24 18:22:48 1986\n\n${">".repeat(n)}From\n`),
    run,
    { n: 100_000, maxSize: 4_000_000 },
  );
  assertLinear(
    "mbox header of many fields",
    (n) => Buffer.from(`Status: R\r\n${"X-Status: A\r\n a\r\n".repeat(n)}\r\n`),
    (b) => stripStateFields(b),
    { n: 2000 },
  );
});
