// Sieve → rules: reads back a script rules/sieve-write.ts wrote. The markers' JSON gives the
// rules; the script is taken as ours only when writing those rules again gives exactly its
// text, so a script edited by hand (or written by another program) is never half-understood:
// the webmail then shows it in the raw editor only.
import {
  ACTION_KINDS,
  type Action,
  CONDITION_KINDS,
  type Condition,
  type Rule,
  TEXT_MATCHES,
  type TextMatch,
} from "./model";
import { HEADER_LINES, MARKER, rulesToSieve, ruleText } from "./sieve-write";

export type ReadResult = { ok: true; rules: Rule[] } | { ok: false; reason: "handEdited" };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string | null => (typeof o[k] === "string" ? (o[k] as string) : null);
const bool = (o: Obj, k: string): boolean | null => (typeof o[k] === "boolean" ? (o[k] as boolean) : null);

function textMatch(o: Obj): TextMatch | null {
  const m = str(o, "match");
  return TEXT_MATCHES.find((x) => x === m) ?? null;
}

function condition(v: unknown): Condition | null {
  if (!isObj(v)) return null;
  const kind = CONDITION_KINDS.find((k) => k === v.kind);
  if (!kind) return null;
  if (kind === "size") {
    const over = bool(v, "over");
    const kb = v.kb;
    return over === null || typeof kb !== "number" ? null : { kind, over, kb };
  }
  if (kind === "spam") {
    const spam = bool(v, "spam");
    return spam === null ? null : { kind, spam };
  }
  const match = textMatch(v);
  const value = str(v, "value");
  if (match === null || value === null) return null;
  if (kind === "header") {
    const header = str(v, "header");
    return header === null ? null : { kind, header, match, value };
  }
  return { kind, match, value };
}

function action(v: unknown): Action | null {
  if (!isObj(v)) return null;
  const kind = ACTION_KINDS.find((k) => k === v.kind);
  switch (kind) {
    case undefined:
      return null;
    case "move":
    case "copy": {
      const folder = str(v, "folder");
      return folder === null ? null : { kind, folder };
    }
    case "forward": {
      const to = str(v, "to");
      const keep = bool(v, "keep");
      return to === null || keep === null ? null : { kind, to, keep };
    }
    case "reject": {
      const reason = str(v, "reason");
      return reason === null ? null : { kind, reason };
    }
    default:
      return { kind };
  }
}

function rule(v: unknown): Rule | null {
  if (!isObj(v)) return null;
  const name = str(v, "name");
  const enabled = bool(v, "enabled");
  const match = v.match === "all" || v.match === "any" ? v.match : null;
  if (name === null || enabled === null || match === null) return null;
  if (!Array.isArray(v.conditions) || !Array.isArray(v.actions)) return null;
  const conditions = v.conditions.map(condition);
  const actions = v.actions.map(action);
  if (conditions.includes(null) || actions.includes(null)) return null;
  return {
    name,
    enabled,
    match,
    conditions: conditions as Condition[],
    actions: actions as Action[],
  };
}

/** The rules in a script the editor wrote; "handEdited" for anything else. An empty script
 *  (or none) holds no rules. Line ends may have become CRLF on the way. The markers are looked
 *  for only where the writer puts them (a rule's text may hold a line that looks like one). */
export function sieveToRules(text: string): ReadResult {
  const src = text.replaceAll("\r\n", "\n");
  if (src.trim().length === 0) return { ok: true, rules: [] };
  const hand = { ok: false, reason: "handEdited" } as const;
  const head = HEADER_LINES.join("\n");
  if (!src.startsWith(`${head}\n`)) return hand;
  let p = head.length + 1;
  if (src.startsWith("require [", p)) {
    const end = src.indexOf("\n", p);
    if (end < 0) return hand;
    p = end + 1;
  }
  const rules: Rule[] = [];
  // Each turn moves p past at least the marker: bounded by the text's length.
  while (p < src.length) {
    if (!src.startsWith(`\n${MARKER}`, p)) return hand;
    const start = p + 1 + MARKER.length;
    const end = src.indexOf("\n", start);
    if (end < 0) return hand;
    let parsed: unknown;
    try {
      parsed = JSON.parse(src.slice(start, end));
    } catch {
      return hand;
    }
    const r = rule(parsed);
    if (!r) return hand;
    const part = ruleText(r);
    if (!src.startsWith(part, p)) return hand;
    p += part.length;
    rules.push(r);
  }
  return rulesToSieve(rules) === src ? { ok: true, rules } : hand;
}
