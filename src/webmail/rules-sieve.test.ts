// The webmail's rules (web/src/rules) against the real interpreter (src/sieve): every condition
// and action the editor offers writes a script that compiles, and runs as the form says
// (which rule files where, with which flags; stop; off; all/any; escaping of quotes,
// backslashes and wildcards; the spam verdict through spamtest).
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { checkSieve } from "../sieve/index.js";
import { actionsOf } from "../sieve/test-kit.js";
import { type Action, type Condition, loadWebRules, type Rule, type WebRules } from "./test-web-rules.js";

let web: WebRules;
before(async () => {
  web = await loadWebRules();
});

const rule = (conditions: Condition[], actions: Action[], over: Partial<Rule> = {}): Rule => ({
  name: "r",
  enabled: true,
  match: "all",
  conditions,
  actions,
  ...over,
});

const message = (headers: string[], body = "Hello.") => [...headers, "", body, ""].join("\r\n");
const BANK = message([
  "From: My Bank <alerts@bank.example>",
  "To: me@example.com",
  "Cc: Team <team@example.com>",
  'Subject: Invoice "42" \\ paid*',
  "List-Id: <news.bank.example>",
]);
const OTHER = message(["From: Ann <ann@friends.example>", "To: me@example.com", "Subject: Lunch?"]);

async function run(rules: Rule[], raw: string, spam?: { score: number; threshold: number }) {
  const script = web.rulesToSieve(rules);
  assert.deepEqual(checkSieve(script), [], script);
  return actionsOf(script, { raw, host: spam ? { spam } : {} });
}

test("every condition and action the form offers compiles", () => {
  const conditions: Condition[] = [
    { kind: "size", over: true, kb: 100 },
    { kind: "size", over: false, kb: 0 },
    { kind: "spam", spam: true },
    { kind: "spam", spam: false },
  ];
  for (const match of ["contains", "notcontains", "is", "matches"] as const) {
    for (const kind of ["from", "to", "subject"] as const)
      conditions.push({ kind, match, value: 'a"b\\c*?日本' });
    conditions.push({ kind: "header", header: "X-Mailer", match, value: "x" });
  }
  const actions: Action[] = [
    { kind: "flag" },
    { kind: "read" },
    { kind: "move", folder: 'Work/"Q4"' },
    { kind: "copy", folder: "Archive" },
    { kind: "forward", to: "a@b.example", keep: true },
    { kind: "forward", to: "c@d.example", keep: false },
    { kind: "stop" },
  ];
  const rules = [
    rule(conditions, actions, { match: "any" }),
    rule(conditions, [{ kind: "reject", reason: 'No "thanks".\nBye.' }]),
    rule([], [{ kind: "discard" }, { kind: "stop" }]),
    rule(conditions, actions, { enabled: false }),
  ];
  for (const r of rules) assert.equal(web.ruleProblem(r), null, JSON.stringify(r));
  const script = web.rulesToSieve(rules);
  assert.deepEqual(checkSieve(script), [], script);
});

test("from, to/cc, subject, header: contains, is, matches, does not contain, as the form says", async () => {
  const move = [{ kind: "move", folder: "F" }] as Action[];
  const cases: [Condition, string, string[]][] = [
    [{ kind: "from", match: "contains", value: "My Bank" }, BANK, ["fileinto:F"]],
    [{ kind: "from", match: "is", value: "ALERTS@bank.example" }, BANK, ["fileinto:F"]],
    [{ kind: "from", match: "is", value: "My Bank" }, BANK, ["keep"]],
    [{ kind: "from", match: "matches", value: "*@bank.example" }, BANK, ["fileinto:F"]],
    [{ kind: "from", match: "matches", value: "*@bank.example" }, OTHER, ["keep"]],
    [{ kind: "from", match: "notcontains", value: "bank" }, BANK, ["keep"]],
    [{ kind: "from", match: "notcontains", value: "bank" }, OTHER, ["fileinto:F"]],
    [{ kind: "to", match: "is", value: "team@example.com" }, BANK, ["fileinto:F"]],
    [{ kind: "to", match: "contains", value: "Team" }, BANK, ["fileinto:F"]],
    [{ kind: "to", match: "is", value: "team@example.com" }, OTHER, ["keep"]],
    // Quotes, a backslash and a star in the subject, literally (contains) and as a pattern
    // whose user-typed backslash is literal and whose last star is a wildcard (matches).
    [{ kind: "subject", match: "contains", value: '"42" \\ paid*' }, BANK, ["fileinto:F"]],
    [{ kind: "subject", match: "matches", value: 'invoice "??" \\ *' }, BANK, ["fileinto:F"]],
    [{ kind: "subject", match: "matches", value: "Invoice" }, BANK, ["keep"]],
    [{ kind: "subject", match: "is", value: "lunch?" }, OTHER, ["fileinto:F"]],
    [{ kind: "header", header: "List-Id", match: "is", value: "<news.bank.example>" }, BANK, ["fileinto:F"]],
    [{ kind: "header", header: "List-Id", match: "contains", value: "bank" }, OTHER, ["keep"]],
  ];
  for (const [c, raw, want] of cases)
    assert.deepEqual(await run([rule([c], move)], raw), want, JSON.stringify(c));
});

test("size and spam", async () => {
  const big = message(["From: a@b.example", "Subject: big"], "x".repeat(3000));
  const flag = [{ kind: "flag" }] as Action[];
  assert.deepEqual(await run([rule([{ kind: "size", over: true, kb: 2 }], flag)], big), ["keep[\\Flagged]"]);
  assert.deepEqual(await run([rule([{ kind: "size", over: true, kb: 2 }], flag)], OTHER), ["keep"]);
  assert.deepEqual(await run([rule([{ kind: "size", over: false, kb: 2 }], flag)], OTHER), [
    "keep[\\Flagged]",
  ]);
  const junk = [rule([{ kind: "spam", spam: true }], [{ kind: "move", folder: "Junk" }])];
  assert.deepEqual(await run(junk, OTHER, { score: 5, threshold: 5 }), ["fileinto:Junk"]);
  assert.deepEqual(await run(junk, OTHER, { score: 4.9, threshold: 5 }), ["keep"]);
  assert.deepEqual(await run(junk, OTHER), ["keep"], "not tested: not spam");
  const ham = [rule([{ kind: "spam", spam: false }], [{ kind: "read" }])];
  assert.deepEqual(await run(ham, OTHER, { score: 1, threshold: 5 }), ["keep[\\Seen]"]);
  assert.deepEqual(await run(ham, OTHER, { score: 9, threshold: 5 }), ["keep"]);
});

test("actions: flags go with the copies filed, copy keeps, forward, reject, discard, stop, off, all/any", async () => {
  const bank: Condition = { kind: "from", match: "contains", value: "bank.example" };
  const lunch: Condition = { kind: "subject", match: "contains", value: "lunch" };
  assert.deepEqual(
    await run(
      [rule([bank], [{ kind: "move", folder: "Finance" }, { kind: "flag" }, { kind: "read" }])],
      BANK,
    ),
    ["fileinto:Finance[\\Flagged \\Seen]"],
  );
  assert.deepEqual(await run([rule([bank], [{ kind: "copy", folder: "Archive" }])], BANK), [
    "fileinto:Archive",
    "keep",
  ]);
  assert.deepEqual(await run([rule([bank], [{ kind: "forward", to: "acct@x.example", keep: true }])], BANK), [
    "redirect:acct@x.example:copy",
    "keep",
  ]);
  assert.deepEqual(
    await run([rule([bank], [{ kind: "forward", to: "acct@x.example", keep: false }])], BANK),
    ["redirect:acct@x.example"],
  );
  assert.deepEqual(await run([rule([bank], [{ kind: "reject", reason: "Not here." }])], BANK), [
    "reject:Not here.",
  ]);
  assert.deepEqual(await run([rule([bank], [{ kind: "discard" }])], BANK), ["discard"]);
  // Two rules: the first one's stop leaves the second unlooked-at; off, it does nothing.
  const two = (first: Partial<Rule>) => [
    rule([bank], [{ kind: "move", folder: "A" }, { kind: "stop" }], first),
    rule([], [{ kind: "copy", folder: "B" }]),
  ];
  assert.deepEqual(await run(two({}), BANK), ["fileinto:A"]);
  assert.deepEqual(await run(two({ enabled: false }), BANK), ["fileinto:B", "keep"]);
  // all (allof) and any (anyof).
  const move = [{ kind: "move", folder: "F" }] as Action[];
  assert.deepEqual(await run([rule([bank, lunch], move)], BANK), ["keep"]);
  assert.deepEqual(await run([rule([bank, lunch], move, { match: "any" })], BANK), ["fileinto:F"]);
  assert.deepEqual(await run([rule([bank, lunch], move, { match: "any" })], OTHER), ["fileinto:F"]);
});
