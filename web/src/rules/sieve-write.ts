// Rules → one Sieve script (RFC 5228). Each rule is a marker comment holding the rule as JSON on
// one line ("# rule: {...}", hash comments end only at a line break, RFC 5228 2.3, and JSON
// escapes every line break in a string) followed by its Sieve; a rule that is off is the marker
// alone. sieve-read.ts reads the markers back and accepts the script only when writing them
// again gives the same text, so what the server runs is always what the editor shows.
import type { Action, Condition, Rule, TextMatch } from "./model";

export const HEADER_LINES = [
  "# Mail rules written by Yubin's webmail (Settings > Rules). Edited there, this script is",
  "# written anew; edited by hand, the webmail offers its raw editor only.",
];
export const MARKER = "# rule: ";

/** RFC 5235 spamtest's scale: 1 (tested, not spam) … 10 (certainly spam); the interpreter maps
 *  the spam filter's score at or above the junk threshold onto 10, as Dovecot does with its
 *  configured maximum (src/sieve/extensions/spamtest-scale.ts). */
export const SPAM_LEVEL = 10;

/** A Sieve quoted string (RFC 5228 2.4.2): only '"' and "\" are escaped; line breaks and any
 *  Unicode may stand as they are (scripts are UTF-8, RFC 5228 1.2). */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' || ch === "\\" ? `\\${ch}` : ch;
  return `${out}"`;
}

/** The key of a :matches pattern for what the user typed: "*" and "?" stay wildcards
 *  (RFC 5228 2.7.1), a backslash is meant literally, so it is escaped for the matcher. */
export function matchesPattern(value: string): string {
  let out = "";
  for (const ch of value) out += ch === "\\" ? "\\\\" : ch;
  return out;
}

const COMPARATOR: Record<Exclude<TextMatch, "notcontains">, string> = {
  contains: ":contains",
  is: ":is",
  matches: ":matches",
};

function textTest(test: string, fields: string[], match: TextMatch, value: string): string {
  const type = match === "notcontains" ? ":contains" : COMPARATOR[match];
  const key = match === "matches" ? matchesPattern(value) : value;
  const list = fields.length === 1 ? quote(fields[0] ?? "") : `[${fields.map(quote).join(", ")}]`;
  const t = `${test} ${type} ${list} ${quote(key)}`;
  return match === "notcontains" ? `not ${t}` : t;
}

function conditionTest(c: Condition): string {
  switch (c.kind) {
    case "from":
    case "to": {
      const fields = c.kind === "from" ? ["from"] : ["to", "cc"];
      // "contains" finds a name or part of an address in the field as written; "is" and
      // "matches" compare whole addresses (RFC 5228 5.1), so "*@bank.example" works.
      const addressOnly = c.match === "is" || c.match === "matches";
      return textTest(addressOnly ? "address :all" : "header", fields, c.match, c.value);
    }
    case "subject":
      return textTest("header", ["subject"], c.match, c.value);
    case "header":
      return textTest("header", [c.header], c.match, c.value);
    case "size":
      return `size ${c.over ? ":over" : ":under"} ${c.kb}K`;
    case "spam": {
      const t = `spamtest :value "ge" :comparator "i;ascii-numeric" "${SPAM_LEVEL}"`;
      return c.spam ? t : `not ${t}`;
    }
  }
}

function actionLine(a: Action): string {
  switch (a.kind) {
    case "move":
      return `fileinto ${quote(a.folder)};`;
    case "copy":
      return `fileinto :copy ${quote(a.folder)};`;
    case "flag":
      return `addflag "\\\\Flagged";`;
    case "read":
      return `addflag "\\\\Seen";`;
    case "forward":
      return a.keep ? `redirect :copy ${quote(a.to)};` : `redirect ${quote(a.to)};`;
    case "reject":
      return `reject ${quote(a.reason)};`;
    case "discard":
      return "discard;";
    case "stop":
      return "stop;";
  }
}

/** The rule with its keys in one order and nothing else: the marker's JSON. */
export function canonicalRule(r: Rule): Rule {
  return {
    name: r.name,
    enabled: r.enabled,
    match: r.match,
    conditions: r.conditions.map((c): Condition => {
      switch (c.kind) {
        case "header":
          return { kind: c.kind, header: c.header, match: c.match, value: c.value };
        case "size":
          return { kind: c.kind, over: c.over, kb: c.kb };
        case "spam":
          return { kind: c.kind, spam: c.spam };
        default:
          return { kind: c.kind, match: c.match, value: c.value };
      }
    }),
    actions: r.actions.map((a): Action => {
      switch (a.kind) {
        case "move":
        case "copy":
          return { kind: a.kind, folder: a.folder };
        case "forward":
          return { kind: a.kind, to: a.to, keep: a.keep };
        case "reject":
          return { kind: a.kind, reason: a.reason };
        default:
          return { kind: a.kind };
      }
    }),
  };
}

/** The Sieve of one rule that is on. Flags are set first so that the copies filed by this rule
 *  carry them (RFC 5232 3: the internal flags variable is read when an action files); stop last. */
function ruleLines(r: Rule): string[] {
  const tests = r.conditions.map(conditionTest);
  const test =
    tests.length === 0
      ? "true"
      : tests.length === 1
        ? (tests[0] ?? "true")
        : `${r.match === "all" ? "allof" : "anyof"}(${tests.join(", ")})`;
  const flags = r.actions.filter((a) => a.kind === "flag" || a.kind === "read");
  const acts = r.actions.filter((a) => a.kind !== "flag" && a.kind !== "read" && a.kind !== "stop");
  const stop = r.actions.some((a) => a.kind === "stop");
  const body = [...flags, ...acts].map(actionLine);
  if (stop) body.push("stop;");
  return [`if ${test} {`, ...body.map((l) => `  ${l}`), "}"];
}

/** The extensions (RFC 5228 3.2 require) the enabled rules use, in a fixed order. */
function requires(rules: Rule[]): string[] {
  const on = rules.filter((r) => r.enabled);
  const acts = on.flatMap((r) => r.actions.map((a) => a.kind));
  const conds = on.flatMap((r) => r.conditions.map((c) => c.kind));
  const need: [string, boolean][] = [
    ["fileinto", acts.includes("move") || acts.includes("copy")],
    ["copy", acts.includes("copy") || on.some((r) => r.actions.some((a) => a.kind === "forward" && a.keep))],
    ["imap4flags", acts.includes("flag") || acts.includes("read")],
    ["reject", acts.includes("reject")],
    ["spamtest", conds.includes("spam")],
    ["relational", conds.includes("spam")],
    ["comparator-i;ascii-numeric", conds.includes("spam")],
  ];
  return need.filter(([, used]) => used).map(([name]) => name);
}

/** The head of the script: the comment and the require line of the enabled rules. */
export function scriptHead(rules: Rule[]): string {
  const req = requires(rules.map(canonicalRule));
  const lines = [...HEADER_LINES];
  if (req.length > 0) lines.push(`require [${req.map(quote).join(", ")}];`);
  return `${lines.join("\n")}\n`;
}

/** One rule's part of the script: a blank line, its marker and, when it is on, its Sieve. */
export function ruleText(rule: Rule): string {
  const r = canonicalRule(rule);
  const sieve = r.enabled ? `${ruleLines(r).join("\n")}\n` : "";
  return `\n${MARKER}${JSON.stringify(r)}\n${sieve}`;
}

/** The script for these rules, in their order ("\n" line ends; the server accepts either). */
export function rulesToSieve(rules: Rule[]): string {
  return scriptHead(rules) + rules.map(ruleText).join("");
}
