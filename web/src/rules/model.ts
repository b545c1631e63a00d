// A mail rule as the webmail's rules editor shows it to people who never heard of Sieve: a name,
// on or off, conditions (all or any of them) and actions. rules/sieve-write.ts turns a list of
// them into one Sieve script (RFC 5228) and rules/sieve-read.ts reads back what it wrote.
// Plain data, no DOM: the form edits these objects and the unit tests generate them.

/** How a text condition compares: :contains, :is, :matches (with * and ? as wildcards, RFC 5228
 *  2.7.1) and "not :contains". Case is ignored (the default comparator i;ascii-casemap). */
export type TextMatch = "contains" | "is" | "matches" | "notcontains";
export const TEXT_MATCHES: readonly TextMatch[] = ["contains", "notcontains", "is", "matches"];

export type Condition =
  /** The sender (From) or the recipients (To or Cc): "contains" looks at the whole header (the
   *  name and the address); "is" and "matches" at the addresses only (RFC 5228 5.1 address). */
  | { kind: "from" | "to"; match: TextMatch; value: string }
  | { kind: "subject"; match: TextMatch; value: string }
  /** Any header field by name (RFC 5228 5.7 header). */
  | { kind: "header"; header: string; match: TextMatch; value: string }
  /** RFC 5228 5.9 size :over / :under, in kilobytes (1K = 1024 octets). */
  | { kind: "size"; over: boolean; kb: number }
  /** RFC 5235 spamtest: the spam filter's verdict (spam: true = classified as spam). */
  | { kind: "spam"; spam: boolean };
export type ConditionKind = Condition["kind"];
export const CONDITION_KINDS: readonly ConditionKind[] = ["from", "to", "subject", "header", "size", "spam"];

export type Action =
  /** fileinto without :create (RFC 5228 4.1): the folder must exist. */
  | { kind: "move"; folder: string }
  /** fileinto :copy (RFC 3894): filed there and kept where it would have gone. */
  | { kind: "copy"; folder: string }
  /** addflag "\\Flagged" / "\\Seen" (RFC 5232): the flags go with every copy filed after. */
  | { kind: "flag" }
  | { kind: "read" }
  /** redirect (RFC 5228 4.2), with :copy (RFC 3894) when a copy is kept here. */
  | { kind: "forward"; to: string; keep: boolean }
  /** reject (RFC 5429): refused with this reason. */
  | { kind: "reject"; reason: string }
  | { kind: "discard" }
  /** stop (RFC 5228 3.3): the rules after this one are not looked at. */
  | { kind: "stop" };
export type ActionKind = Action["kind"];
export const ACTION_KINDS: readonly ActionKind[] = [
  "move",
  "copy",
  "flag",
  "read",
  "forward",
  "reject",
  "discard",
  "stop",
];

export interface Rule {
  name: string;
  enabled: boolean;
  /** allof (every condition) or anyof (at least one); no conditions: every message. */
  match: "all" | "any";
  conditions: Condition[];
  actions: Action[];
}

/** The name of the script the webmail keeps its rules in (and activates). */
export const RULES_SCRIPT = "yubin-rules";

/** The longest name, header name or text field the form accepts (the script as a whole is
 *  bounded by the server's maxSizeScript). */
export const TEXT_MAX = 1000;
/** RFC 5322 2.2 field-name: printable US-ASCII except ":". */
const FIELD_NAME_MAX = 76;

export function emptyRule(): Rule {
  return { name: "", enabled: true, match: "all", conditions: [], actions: [] };
}

export function newCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case "header":
      return { kind, header: "", match: "contains", value: "" };
    case "size":
      return { kind, over: true, kb: 1024 };
    case "spam":
      return { kind, spam: true };
    default:
      return { kind, match: "contains", value: "" };
  }
}

export function newAction(kind: ActionKind, folder = ""): Action {
  switch (kind) {
    case "move":
    case "copy":
      return { kind, folder };
    case "forward":
      return { kind, to: "", keep: true };
    case "reject":
      return { kind, reason: "" };
    default:
      return { kind };
  }
}

export function isFieldName(s: string): boolean {
  if (s.length === 0 || s.length > FIELD_NAME_MAX) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126 || c === 58) return false;
  }
  return true;
}

/** A plain address check for forward: one "@", no spaces or angle brackets, a dotted domain. */
export function isAddress(s: string): boolean {
  const at = s.lastIndexOf("@");
  if (at < 1 || at === s.length - 1 || s.length > 254) return false;
  for (const ch of s) if (ch <= " " || ch === "<" || ch === ">" || ch === '"' || ch === ",") return false;
  return s.indexOf("@") === at && s.slice(at + 1).includes(".");
}

/** What the form must say before saving, or null when the rule can be written. */
export type RuleProblem =
  | "name"
  | "noActions"
  | "value"
  | "header"
  | "size"
  | "folder"
  | "address"
  | "reason"
  /** reject or discard with an action that files or forwards the message. */
  | "conflict";

/** A one-line text of 1 to TEXT_MAX characters: no control characters (a line break in a
 *  folder name or a header's value is never meant, and CR would not survive a script's line
 *  ends being changed on the way). */
export function isLine(s: string): boolean {
  if (s.length === 0 || s.length > TEXT_MAX) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32 || s.charCodeAt(i) === 127) return false;
  return true;
}

export function ruleProblem(r: Rule): RuleProblem | null {
  if (!isLine(r.name) || r.name.trim().length === 0) return "name";
  if (r.actions.filter((a) => a.kind !== "stop").length === 0) return "noActions";
  for (const c of r.conditions) {
    if (c.kind === "header" && !isFieldName(c.header)) return "header";
    if (c.kind === "size" && !(Number.isInteger(c.kb) && c.kb >= 0 && c.kb <= 2 ** 31)) return "size";
    if ("value" in c && !isLine(c.value)) return "value";
  }
  for (const a of r.actions) {
    if ((a.kind === "move" || a.kind === "copy") && !isLine(a.folder)) return "folder";
    if (a.kind === "forward" && !isAddress(a.to)) return "address";
    // Several lines are fine in a reason; CR is not (see isLine).
    if (
      a.kind === "reject" &&
      (a.reason.trim().length === 0 || a.reason.length > TEXT_MAX || a.reason.includes("\r"))
    )
      return "reason";
  }
  // RFC 5429 2.1: reject cannot go with keeping, filing or forwarding the message; discard with
  // them means nothing.
  const ends = r.actions.filter((a) => a.kind === "reject" || a.kind === "discard").length;
  if (
    ends > 1 ||
    (ends === 1 && r.actions.some((a) => a.kind !== "reject" && a.kind !== "discard" && a.kind !== "stop"))
  )
    return "conflict";
  return null;
}
