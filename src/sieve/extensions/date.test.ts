import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuTimed } from "../../testing/cpu-time.js";
import { checkSieve } from "../index.js";
import { actionsOf } from "../test-kit.js";

const MSG = [
  "From: stephan@example.org",
  "To: sirius@friep.example.com",
  "Subject: Frop!",
  "Date: Mon, 20 Jul 2009 21:44:43 +0300",
  "Delivery-Date: Mon, 22 Jul 2009 23:30:14 +0300",
  "Received: from a by b; Tue, 21 Jul 2009 01:00:00 +0000",
  "Received: from c by d; Mon, 20 Jul 2009 19:00:00 +0000",
  "Invalid-Date: Moo, 34 Juul 3060 25:30:42 +6600",
  "",
  "Wanna date?",
  "",
].join("\r\n");

const run = (script: string) =>
  actionsOf(script, { raw: MSG, host: { now: new Date("2026-12-06T12:00:00Z") } });

test("RFC 5260 4: date parts with :originalzone, :zone and the local zone", async () => {
  assert.deepEqual(
    await run(`require ["date", "fileinto"];
      if allof (date :originalzone "date" "date" "2009-07-20",
                date :originalzone "date" "time" "21:44:43",
                date :zone "+0200" "date" "time" "20:44:43",
                date "date" "iso8601" "2009-07-20T18:44:43Z",
                date :originalzone "date" "std11" "mon, 20 jul 2009 21:44:43 +0300",
                date :originalzone "date" "weekday" "1",
                date :originalzone "delivery-date" "julian" "55034") { fileinto "ok"; }`),
    ["fileinto:ok"],
  );
});

test("default match is :is, invalid dates are skipped, :count counts the dates", async () => {
  assert.deepEqual(
    await run(`require ["date", "relational", "comparator-i;ascii-numeric", "fileinto"];
      if anyof (date "date" "std11" "Mon", date :matches "invalid-date" "std11" "*") { fileinto "bad"; }
      if date :count "eq" :comparator "i;ascii-numeric" "date" "date" "1" { fileinto "one"; }
      if date :count "eq" :comparator "i;ascii-numeric" "resent-date" "date" "0" { fileinto "none"; }
      if date :originalzone :value "ge" "delivery-date" "date" "2009-07-21" { fileinto "ge"; }`),
    ["fileinto:one", "fileinto:none", "fileinto:ge"],
  );
});

test("RFC 5260 6: :index / :last pick one Received (the date after its ';')", async () => {
  assert.deepEqual(
    await run(`require ["date", "index", "fileinto"];
      if date :index 1 "received" "date" "2009-07-21" { fileinto "first"; }
      if date :index 1 :last "received" "hour" "19" { fileinto "last"; }
      if header :index 2 :contains "received" "from c" { fileinto "header"; }
      if address :index 1 :last :domain "to" "friep.example.com" { fileinto "address"; }`),
    ["fileinto:first", "fileinto:last", "fileinto:header", "fileinto:address"],
  );
});

test("RFC 5260 6: address :index counts fields, not the addresses in one field", async () => {
  const raw = "To: a@one.example, b@two.example\r\nTo: c@three.example\r\nSubject: x\r\n\r\nbody\r\n";
  assert.deepEqual(
    await actionsOf(
      `require ["index", "fileinto"];
       if address :index 1 :domain "to" "two.example" { fileinto "first-field"; }
       if address :index 2 :domain "to" "two.example" { fileinto "wrong"; }
       if address :index 1 :last :all "to" "c@three.example" { fileinto "last-field"; }`,
      { raw },
    ),
    ["fileinto:first-field", "fileinto:last-field"],
  );
});

test("currentdate uses the host's clock and zone", async () => {
  assert.deepEqual(
    await actionsOf(
      `require ["date", "relational", "fileinto"];
      if currentdate "date" "2026-12-06" { fileinto "today"; }
      if currentdate :zone "+1300" "date" "2026-12-07" { fileinto "nz"; }
      if currentdate "zone" "-0500" { fileinto "zone"; }
      if currentdate :value "lt" "iso8601" "2026-12-06T08:00:00-05:00" { fileinto "earlier"; }`,
      { host: { now: new Date("2026-12-06T12:00:00Z"), zone: "-0500" } },
    ),
    ["fileinto:today", "fileinto:nz", "fileinto:zone", "fileinto:earlier"],
  );
});

test("errors with line and column: unknown date part, :last without :index, missing require", () => {
  assert.deepEqual(checkSieve('require "date";\nif date "date" "fortnight" "1" { stop; }'), [
    { line: 2, column: 16, message: 'unknown date part "fortnight"' },
  ]);
  const d = checkSieve('require ["date", "index"];\nif date :last "date" "year" "2009" { stop; }');
  assert.equal(d.length, 1);
  assert.equal(d[0]!.line, 2);
  assert.match(d[0]!.message, /:last/);
  assert.equal(checkSieve('if currentdate "year" "2026" { stop; }').length, 1);
});

test("a hostile Date header is handled in linear time", async () => {
  const raw = `Date: ${"(".repeat(200_000)}\r\nX: ${"1 ".repeat(100_000)}\r\n\r\nbody\r\n`;
  // CPU time, not wall clock: a loaded machine's wait for a core is not the parser's work.
  const { value: r, cpuMs } = await cpuTimed(() =>
    actionsOf('require ["date", "fileinto"]; if date "date" "year" "2009" { fileinto "x"; }', { raw }),
  );
  assert.deepEqual(r, ["keep"]);
  assert.ok(cpuMs < 5000, `${cpuMs} ms of CPU`);
});
