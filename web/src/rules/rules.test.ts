// Rules ↔ Sieve (rules/sieve-write.ts, rules/sieve-read.ts): the exact script for known rules,
// string escaping, the round trip over many generated rule sets, and hand edits recognised.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ruleFromMessage } from "./from-message";
import { folderPaths, moveRule, putRule, removeRule } from "./list";
import { type Action, type Condition, emptyRule, type Rule, ruleProblem, TEXT_MATCHES } from "./model";
import { sieveToRules } from "./sieve-read";
import { HEADER_LINES, matchesPattern, quote, rulesToSieve } from "./sieve-write";

const bank: Rule = {
  name: "Bank → Finance",
  enabled: true,
  match: "any",
  conditions: [
    { kind: "from", match: "matches", value: "*@bank.example" },
    { kind: "subject", match: "contains", value: 'Say "hi" \\ there' },
  ],
  actions: [{ kind: "move", folder: "Finance/2026" }, { kind: "read" }, { kind: "stop" }],
};

test("rulesToSieve: the script for a rule, flags before filing, stop last", () => {
  const text = rulesToSieve([bank]);
  assert.equal(
    text,
    [
      ...HEADER_LINES,
      'require ["fileinto", "imap4flags"];',
      "",
      `# rule: ${JSON.stringify(bank)}`,
      'if anyof(address :all :matches "from" "*@bank.example", header :contains "subject" "Say \\"hi\\" \\\\ there") {',
      '  addflag "\\\\Seen";',
      '  fileinto "Finance/2026";',
      "  stop;",
      "}",
      "",
    ].join("\n"),
  );
});

test("rulesToSieve: each condition and action as Sieve", () => {
  const r: Rule = {
    name: "all of it",
    enabled: true,
    match: "all",
    conditions: [
      { kind: "to", match: "contains", value: "team" },
      { kind: "to", match: "is", value: "me@example.com" },
      { kind: "from", match: "notcontains", value: "boss" },
      { kind: "header", header: "List-Id", match: "is", value: "<x.example>" },
      { kind: "size", over: true, kb: 500 },
      { kind: "size", over: false, kb: 2 },
      { kind: "spam", spam: true },
      { kind: "spam", spam: false },
    ],
    actions: [
      { kind: "copy", folder: "Archive" },
      { kind: "flag" },
      { kind: "forward", to: "a@b.example", keep: true },
      { kind: "forward", to: "c@d.example", keep: false },
    ],
  };
  const lines = rulesToSieve([r]).split("\n");
  assert.equal(
    lines.find((l) => l.startsWith("require")),
    'require ["fileinto", "copy", "imap4flags", "spamtest", "relational", "comparator-i;ascii-numeric"];',
  );
  const body = lines.slice(lines.findIndex((l) => l.startsWith("if ")));
  assert.deepEqual(body, [
    "if allof(" +
      [
        'header :contains ["to", "cc"] "team"',
        'address :all :is ["to", "cc"] "me@example.com"',
        'not header :contains "from" "boss"',
        'header :is "List-Id" "<x.example>"',
        "size :over 500K",
        "size :under 2K",
        'spamtest :value "ge" :comparator "i;ascii-numeric" "10"',
        'not spamtest :value "ge" :comparator "i;ascii-numeric" "10"',
      ].join(", ") +
      ") {",
    '  addflag "\\\\Flagged";',
    '  fileinto :copy "Archive";',
    '  redirect :copy "a@b.example";',
    '  redirect "c@d.example";',
    "}",
    "",
  ]);
  const rj = rulesToSieve([
    { ...emptyRule(), name: "no", actions: [{ kind: "reject", reason: "Go away.\nReally." }] },
    { ...emptyRule(), name: "bin", actions: [{ kind: "discard" }] },
  ]);
  assert.ok(rj.includes('require ["reject"];'));
  assert.ok(rj.includes('if true {\n  reject "Go away.\nReally.";\n}'), rj);
  assert.ok(rj.includes("if true {\n  discard;\n}"), rj);
});

test("a rule that is off is its marker alone, and requires nothing", () => {
  const text = rulesToSieve([{ ...bank, enabled: false }]);
  assert.ok(!text.includes("require"));
  assert.ok(!text.includes("if "));
  assert.deepEqual(sieveToRules(text), { ok: true, rules: [{ ...bank, enabled: false }] });
});

test("quote and matchesPattern: quotes and backslashes escaped, * and ? kept as wildcards", () => {
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(quote("日本語 ✉ 👍"), '"日本語 ✉ 👍"');
  assert.equal(matchesPattern("*a\\b?"), "*a\\\\b?");
  const text = rulesToSieve([
    { ...bank, conditions: [{ kind: "subject", match: "matches", value: "x\\*" }] },
  ]);
  // The user's backslash is literal: \\ for the matcher, each escaped again in the string.
  assert.ok(text.includes('header :matches "subject" "x\\\\\\\\*"'), text);
});

// A small seeded generator (mulberry32), so a failure names a seed that repeats it. Texts have
// line breaks and marker look-alikes too: the writer must survive what the form refuses (CR is
// left out, see model.ts isLine).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "a",
  "Z",
  " ",
  '"',
  "\\",
  "*",
  "?",
  "\n",
  "#",
  "}",
  ";",
  "日本",
  "👍",
  "$" + "{x}",
  "# rule: {",
];

function gen(r: () => number): Rule {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const text = () => {
    let s = "";
    const n = 1 + Math.floor(r() * 6);
    for (let i = 0; i < n; i++) s += pick(PIECES);
    return s;
  };
  const cond = (): Condition => {
    const k = pick(["from", "to", "subject", "header", "size", "spam"] as const);
    if (k === "size") return { kind: k, over: r() < 0.5, kb: Math.floor(r() * 100000) };
    if (k === "spam") return { kind: k, spam: r() < 0.5 };
    if (k === "header")
      return {
        kind: k,
        header: pick(["X-Spam", "List-Id", 'X-A"b']),
        match: pick(TEXT_MATCHES),
        value: text(),
      };
    return { kind: k, match: pick(TEXT_MATCHES), value: text() };
  };
  const act = (): Action => {
    const k = pick(["move", "copy", "flag", "read", "forward", "reject", "discard", "stop"] as const);
    if (k === "move" || k === "copy") return { kind: k, folder: text() };
    if (k === "forward") return { kind: k, to: `${text()}@x.example`, keep: r() < 0.5 };
    if (k === "reject") return { kind: k, reason: text() };
    return { kind: k };
  };
  const nc = Math.floor(r() * 4);
  const na = Math.floor(r() * 4);
  return {
    name: text(),
    enabled: r() < 0.8,
    match: r() < 0.5 ? "all" : "any",
    conditions: Array.from({ length: nc }, cond),
    actions: Array.from({ length: na }, act),
  };
}

test("round trip: sieveToRules(rulesToSieve(rules)) gives the rules back, 500 generated sets", () => {
  for (let seed = 1; seed <= 500; seed++) {
    const r = rng(seed);
    const rules = Array.from({ length: Math.floor(r() * 6) }, () => gen(r));
    const text = rulesToSieve(rules);
    assert.deepEqual(sieveToRules(text), { ok: true, rules }, `seed ${seed}`);
    // Line ends turned to CRLF on the way (a ManageSieve client) change nothing.
    assert.deepEqual(sieveToRules(text.replaceAll("\n", "\r\n")), { ok: true, rules }, `seed ${seed} CRLF`);
  }
});

test("a script edited by hand, or not ours, is 'handEdited'; an empty one holds no rules", () => {
  const text = rulesToSieve([bank]);
  const hand = { ok: false, reason: "handEdited" };
  assert.deepEqual(sieveToRules(text.replace("stop;", "keep;")), hand);
  assert.deepEqual(sieveToRules(`${text}discard;\n`), hand);
  assert.deepEqual(sieveToRules(text.replace('"Finance/2026"', '"Finance"')), hand);
  assert.deepEqual(sieveToRules(text.replace('"enabled":true', '"enabled":"yes"')), hand);
  assert.deepEqual(sieveToRules(text.replace("# rule: {", "# rule: {{")), hand);
  assert.deepEqual(sieveToRules('require "fileinto";\nif true { fileinto "x"; }\n'), hand);
  assert.deepEqual(sieveToRules(""), { ok: true, rules: [] });
  assert.deepEqual(sieveToRules(rulesToSieve([])), { ok: true, rules: [] });
});

test("ruleProblem: what the form says before saving", () => {
  const ok: Rule = { ...emptyRule(), name: "x", actions: [{ kind: "flag" }] };
  assert.equal(ruleProblem(ok), null);
  assert.equal(ruleProblem({ ...ok, name: "  " }), "name");
  assert.equal(ruleProblem({ ...ok, actions: [{ kind: "stop" }] }), "noActions");
  assert.equal(ruleProblem({ ...ok, conditions: [{ kind: "from", match: "is", value: "" }] }), "value");
  assert.equal(ruleProblem({ ...ok, conditions: [{ kind: "from", match: "is", value: "a\nb" }] }), "value");
  assert.equal(ruleProblem({ ...ok, name: "a\tb" }), "name");
  assert.equal(
    ruleProblem({ ...ok, conditions: [{ kind: "header", header: "A:B", match: "is", value: "v" }] }),
    "header",
  );
  assert.equal(ruleProblem({ ...ok, conditions: [{ kind: "size", over: true, kb: 1.5 }] }), "size");
  assert.equal(ruleProblem({ ...ok, actions: [{ kind: "move", folder: "" }] }), "folder");
  assert.equal(ruleProblem({ ...ok, actions: [{ kind: "forward", to: "nobody", keep: true }] }), "address");
  assert.equal(ruleProblem({ ...ok, actions: [{ kind: "reject", reason: " " }] }), "reason");
  assert.equal(
    ruleProblem({
      ...ok,
      actions: [
        { kind: "reject", reason: "no" },
        { kind: "move", folder: "X" },
      ],
    }),
    "conflict",
  );
  assert.equal(ruleProblem({ ...ok, actions: [{ kind: "discard" }, { kind: "stop" }] }), null);
});

test("ruleFromMessage: From is the sender's address, Subject contains the subject", () => {
  assert.deepEqual(
    ruleFromMessage({ from: [{ name: "My Bank", email: "news@bank.example" }], subject: " Statement " }),
    {
      name: "My Bank",
      enabled: true,
      match: "all",
      conditions: [
        { kind: "from", match: "is", value: "news@bank.example" },
        { kind: "subject", match: "contains", value: "Statement" },
      ],
      actions: [],
    },
  );
  assert.equal(ruleFromMessage({ from: null, subject: null }).conditions.length, 0);
});

test("moveRule, putRule, removeRule: new lists, the old one untouched", () => {
  const a = { ...emptyRule(), name: "a" };
  const b = { ...emptyRule(), name: "b" };
  const c = { ...emptyRule(), name: "c" };
  const list = [a, b, c];
  assert.deepEqual(moveRule(list, 1, -1), [b, a, c]);
  assert.deepEqual(moveRule(list, 2, 1), [a, b, c]);
  assert.deepEqual(moveRule(list, 0, -1), [a, b, c]);
  assert.deepEqual(putRule(list, 1, c), [a, c, c]);
  assert.deepEqual(putRule(list, null, a), [a, b, c, a]);
  assert.deepEqual(removeRule(list, 0), [b, c]);
  assert.deepEqual(list, [a, b, c]);
});

test("folderPaths: the store's path of each folder, INBOX for the inbox", () => {
  assert.deepEqual(
    folderPaths([
      { id: "1", name: "Inbox", parentId: null, role: "inbox" },
      { id: "2", name: "Work", parentId: null, role: null },
      { id: "3", name: "2026", parentId: "2", role: null },
      { id: "4", name: "Lists", parentId: "1", role: null },
      { id: "5", name: "Loop", parentId: "5", role: null },
    ]),
    [
      { id: "1", path: "INBOX" },
      { id: "4", path: "INBOX/Lists" },
      { id: "5", path: "Loop/Loop/Loop/Loop/Loop/Loop/Loop/Loop/Loop/Loop/Loop" },
      { id: "2", path: "Work" },
      { id: "3", path: "Work/2026" },
    ],
  );
});
