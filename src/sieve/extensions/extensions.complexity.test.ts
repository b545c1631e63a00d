// The extensions of this folder on hostile input, in time linear in it (issue 18's rule): header
// values the date test parses, mailto URIs built from message text through variables, the header
// editheader splits and rewrites, the values it encodes.
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { compileSieve, runSieve } from "../index.js";
import { LIMITS, testHost } from "../test-kit.js";
import { EditableMessage, encodeFieldValue } from "./editheader-ops.js";
import { parseMailto } from "./mailto.js";
import { encodeUrl } from "./notify-params.js";

test("mailto URIs: a long encoded subject, many fields, many recipients, a long 'to' part", () => {
  assertLinear("encoded subject", (n) => `mailto:a@example.org?subject=${"%41".repeat(n / 3)}`, parseMailto, {
    n: 20_000,
  });
  assertLinear("fields", (n) => `mailto:a@example.org?${"x-a=b&".repeat(n / 6)}`, parseMailto, { n: 20_000 });
  assertLinear(
    "recipients",
    (n) => `mailto:a@example.org?to=${"b@example.org,".repeat(n / 14)}`,
    parseMailto,
    {
      n: 20_000,
    },
  );
  assertLinear("to part", (n) => `mailto:${"a".repeat(n)}@example.org`, parseMailto, { n: 20_000 });
  assertLinear("dots", (n) => `mailto:${"a.".repeat(n / 2)}@example.org`, parseMailto, { n: 20_000 });
  assertLinear("encodeurl", (n) => "é&/".repeat(n / 3), encodeUrl, { n: 20_000 });
});

test("editheader: splitting, deleting from and joining a header of many fields; encoding long values", () => {
  assertLinear(
    "fields",
    (n) => Buffer.from(`${"X-A: v\r\n".repeat(n / 8)}\r\nbody\r\n`),
    (raw) => {
      const m = EditableMessage.from(raw);
      m.delete("x-a", { index: 1, last: true });
      m.add("X-B", "w", true);
      m.toBuffer();
    },
    { n: 40_000 },
  );
  assertLinear(
    "one long folded field",
    (n) => Buffer.from(`X-A: ${"v\r\n ".repeat(n / 4)}\r\n\r\nbody\r\n`),
    (raw) => EditableMessage.from(raw).toBuffer(),
    { n: 40_000 },
  );
  assertLinear(
    "non-ASCII value",
    (n) => "ü".repeat(n),
    (v) => encodeFieldValue(v, 10),
    { n: 20_000 },
  );
  assertLinear(
    "ASCII words",
    (n) => "word ".repeat(n / 5),
    (v) => encodeFieldValue(v, 10),
    { n: 20_000 },
  );
  assertLinear(
    "line breaks",
    (n) => "a\n".repeat(n / 2),
    (v) => encodeFieldValue(v, 10),
    { n: 20_000 },
  );
});

test("the date test over many Date fields and long hostile values", async () => {
  const script = compileSieve('require ["date", "fileinto"]; if date "date" "year" "1999" { fileinto "x"; }');
  const run = (raw: Buffer) =>
    runSieve(script, { raw, envelope: { from: "a@example.org", to: "b@example.org" } }, testHost(), LIMITS);
  // Timed synchronously: the work happens before the first await inside runSieve.
  assertLinear(
    "many Date fields",
    (n) => Buffer.from(`${"Date: Mon, 20 Jul 2009 21:44:43 +0300\r\n".repeat(n / 40)}\r\nbody\r\n`),
    (raw) => void run(raw),
    { n: 40_000, maxSize: 400_000 },
  );
  assertLinear(
    "comments and digits",
    (n) => Buffer.from(`${`Date: ${"((((1 ".repeat(150)}\r\n`.repeat(n / 900)}\r\nbody\r\n`),
    (raw) => void run(raw),
    { n: 40_000, maxSize: 400_000 },
  );
});
